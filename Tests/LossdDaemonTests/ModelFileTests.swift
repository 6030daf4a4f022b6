// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
@testable import LossdDaemon
import LossdJSON
import Testing

/// `models/<job>.safetensors` as the safetensors format lays it out, read back byte by byte, and
/// by the `safetensors` Python package where it is installed.
@Suite("Model files")
struct ModelFileTests {
    static let parameters: [(name: String, tensor: Tensor)] = [
        ("0.weight", Tensor(shape: [2, 3], scalars: [1, -2.5, 0.1, 1e-300, -0.0, 3])),
        ("0.bias", Tensor(shape: [2], scalars: [0.5, -0.25])),
        ("2.weight", Tensor(shape: [1, 2], scalars: [.pi, -.pi])),
    ]

    @Test func theLayoutIsSafetensors() throws {
        let bytes = ModelFile.encode(Self.parameters, job: "iris")
        let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(length % 8 == 0 && bytes.count == 8 + length + 10 * 8)
        let header = try JSONValue(parsing: String(decoding: bytes[8..<(8 + length)], as: UTF8.self))
        #expect(header["__metadata__"]?["format"] == .string("pt") && header["__metadata__"]?["lossd_job"] == .string("iris"))
        var offset = 0
        for (name, tensor) in Self.parameters {
            let entry = try #require(header[name])
            #expect(entry["dtype"] == .string("F64") && entry["shape"]?.arrayValue?.compactMap(\.integerValue) == tensor.shape)
            let offsets = try #require(entry["data_offsets"]?.arrayValue?.compactMap { $0.integerValue })
            #expect(offsets == [offset, offset + 8 * tensor.count])
            let start = 8 + length + offset
            let values = (0..<tensor.count).map { i in
                Double(bitPattern: bytes[(start + 8 * i)..<(start + 8 * i + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) })
            }
            #expect(values.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name)")
            offset += 8 * tensor.count
        }
    }

    /// Python with the `safetensors` package (`LOSSD_TORCH_PYTHON`, else `python3`), or nil.
    static var python: String? {
        let candidate = ProcessInfo.processInfo.environment["LOSSD_TORCH_PYTHON"] ?? "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: candidate) else { return nil }
        return run(candidate, ["-c", "import safetensors.numpy"]).status == 0 ? candidate : nil
    }

    static func run(_ tool: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return (-1, "") }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test(.enabled(if: python != nil, "needs Python with the safetensors package (set LOSSD_TORCH_PYTHON)"))
    func safetensorsReadsIt() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lossd-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(ModelFile.encode(Self.parameters, job: "iris")).write(to: URL(fileURLWithPath: path))
        let script = """
            import sys, safetensors.numpy as st
            for name, value in st.load_file(sys.argv[1]).items():
                print(name, value.dtype, list(value.shape), ' '.join(repr(float(x)) for x in value.ravel()))
            """
        let (status, output) = Self.run(try #require(Self.python), ["-c", script, path])
        #expect(status == 0, "\(output)")
        let lines = Set(output.split(separator: "\n").map(String.init))
        for (name, tensor) in Self.parameters {
            let values = tensor.scalars.map { $0 == 0 && $0.sign == .minus ? "-0.0" : "\($0)" }.joined(separator: " ")
            #expect(lines.contains("\(name) float64 \(tensor.shape) \(values)"), "\(output)")
        }
    }
}
