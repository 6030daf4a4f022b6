// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdModel
import Testing

/// Reading what PyTorch writes, writing what it reads, and refusing malformed files.
@Suite struct SafeTensorsTests {
    private struct Expected: Decodable {
        struct Entry: Decodable {
            var shape: [Int]
            var dtype: String
            var values: [Double]
        }
        var metadata: [String: String]
        var tensors: [String: Entry]
    }

    static let folder = Bundle.module.url(forResource: "Fixtures/safetensors", withExtension: nil)!

    @Test(arguments: ["sequential-f64.safetensors", "sequential-f32.safetensors", "mixed.safetensors"])
    func readsFilesPyTorchWrote(_ file: String) throws {
        let expected = try JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: Self.folder.appendingPathComponent("expected.json")))[file]!
        let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
        let decoded = try SafeTensors.read(bytes)
        #expect(decoded.metadata == expected.metadata)
        #expect(Set(decoded.tensors.map(\.name)) == Set(expected.tensors.keys))
        for (name, tensor) in decoded.tensors {
            let entry = try #require(expected.tensors[name])
            #expect(tensor.shape == entry.shape, "\(name)")
            #expect(tensor.scalars == entry.values, "\(name)")
            #expect((tensor.dtype == .int64 ? "int64" : "float64") == entry.dtype, "\(name)")
        }
    }

    @Test func roundTripKeepsNamesShapesValuesAndMetadata() throws {
        let tensors: [(name: String, tensor: Tensor)] = [
            ("0.weight", Tensor(shape: [2, 3], scalars: [1, -2.5, 1e-300, .pi, -0.0, 6])),
            ("classes", Tensor(shape: [3], scalars: [0, 2, -7], dtype: .int64)),
            ("scalar", Tensor(scalar: 4)),
            ("empty", Tensor(shape: [0, 3], scalars: [])),
            ("odd \"name\"\n", Tensor([1, 2])),
        ]
        let metadata = ["format": "pt", "lossd": "job \"a\"\t1"]
        let bytes = SafeTensors.encode(tensors, metadata: metadata)
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 8 * (6 + 3 + 1 + 0 + 2))
        let decoded = try SafeTensors.read(bytes)
        #expect(decoded.metadata == metadata)
        #expect(decoded.tensors.map(\.name) == tensors.map(\.name))
        for (read, written) in zip(decoded.tensors, tensors) {
            #expect(read.tensor == written.tensor && read.tensor.dtype == written.tensor.dtype)
            #expect(zip(read.tensor.scalars, written.tensor.scalars).allSatisfy { $0.sign == $1.sign })
        }
        #expect(try SafeTensors.decode(SafeTensors.encode([])).isEmpty)
    }

    /// A file from a header text and data bytes, the header padded with spaces to a multiple of 8
    /// (unless the length is given).
    static func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        var headerBytes = Array(header.utf8)
        if length == nil { headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8) }
        let size = length ?? UInt64(headerBytes.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: size >> (8 * $0)) } + headerBytes + data
    }

    static let doubleBytes = (0..<32).map { UInt8($0) }

    static let malformed: [(label: String, bytes: [UInt8], message: String)] = [
        ("empty file", [], "safetensors: file is 0 bytes, too short for the 8-byte header length"),
        ("seven bytes", [8, 0, 0, 0, 0, 0, 0], "safetensors: file is 7 bytes, too short for the 8-byte header length"),
        ("header too large", file("{}", length: 100_000_001), "safetensors: header length 100000001 is larger than the limit of 100000000 bytes"),
        ("header past the end", file("{}", length: 64), "safetensors: header length 64 is more than the 2 bytes after it"),
        ("header length 0", file("", length: 0), "safetensors: header length 0 is too short for a JSON object"),
        ("not JSON", file("{not json}"), "safetensors: header is not valid JSON: line 1, column 2:"),
        ("an array", file("[1, 2]"), "safetensors: header is an array, expected a JSON object"),
        ("bad UTF-8", [4, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF, 0xFE, 0x7D], "safetensors: header is not valid UTF-8"),
        ("duplicate key", file(#"{"a": {}, "a": {}}"#), "safetensors: header is not valid JSON:"),
        ("entry not an object", file(#"{"w": [1]}"#), "safetensors: tensor 'w' is an array, expected an object"),
        ("no dtype", file(#"{"w": {"shape": [1], "data_offsets": [0, 8]}}"#, data: Array(doubleBytes[0..<8])), "safetensors: tensor 'w' has no 'dtype'"),
        ("unsupported dtype", file(#"{"w": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}"#, data: [0, 0]),
         "safetensors: tensor 'w' has unsupported dtype 'BF16' (lossd reads F64, F32 and I64)"),
        ("unknown dtype", file(#"{"w": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 8]}}"#, data: Array(doubleBytes[0..<8])),
         "safetensors: tensor 'w' has unknown dtype 'Q7' (lossd reads F64, F32 and I64)"),
        ("unknown field", file(#"{"w": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8], "strides": [1]}}"#, data: Array(doubleBytes[0..<8])),
         "safetensors: tensor 'w' has an unknown field 'strides'"),
        ("negative dimension", file(#"{"w": {"dtype": "F64", "shape": [-1], "data_offsets": [0, 8]}}"#, data: Array(doubleBytes[0..<8])),
         "safetensors: tensor 'w': shape holds -1, not a non-negative integer"),
        ("fractional dimension", file(#"{"w": {"dtype": "F64", "shape": [1.5], "data_offsets": [0, 8]}}"#, data: Array(doubleBytes[0..<8])),
         "safetensors: tensor 'w': shape holds 1.5, not a non-negative integer"),
        ("shape not a list", file(#"{"w": {"dtype": "F64", "shape": 1, "data_offsets": [0, 8]}}"#, data: Array(doubleBytes[0..<8])),
         "safetensors: tensor 'w': shape is not an array"),
        ("huge shape", file(#"{"w": {"dtype": "F64", "shape": [4294967296, 4294967296, 4294967296], "data_offsets": [0, 8]}}"#, data: Array(doubleBytes[0..<8])),
         "safetensors: tensor 'w': shape (4294967296,) holds more elements than the file's data"),
        ("offsets past the data", file(#"{"w": {"dtype": "F64", "shape": [2], "data_offsets": [8, 24]}}"#, data: Array(doubleBytes[0..<16])),
         "safetensors: tensor 'w': data_offsets [8, 24] lie outside the 16 bytes of data"),
        ("offsets reversed", file(#"{"w": {"dtype": "F64", "shape": [1], "data_offsets": [16, 8]}}"#, data: Array(doubleBytes[0..<16])),
         "safetensors: tensor 'w': data_offsets [16, 8] lie outside the 16 bytes of data"),
        ("offsets not a pair", file(#"{"w": {"dtype": "F64", "shape": [1], "data_offsets": [0]}}"#, data: Array(doubleBytes[0..<8])),
         "safetensors: tensor 'w': data_offsets is not a pair of non-negative integers"),
        ("size mismatch", file(#"{"w": {"dtype": "F64", "shape": [2, 2], "data_offsets": [0, 24]}}"#, data: Array(doubleBytes[0..<24])),
         "safetensors: tensor 'w': shape (2, 2) of F64 needs 32 bytes, data_offsets give 24"),
        ("F32 size mismatch", file(#"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, data: Array(doubleBytes[0..<8])),
         "safetensors: tensor 'w': shape (3,) of F32 needs 12 bytes, data_offsets give 8"),
        ("overlap", file(#"{"a": {"dtype": "F64", "shape": [2], "data_offsets": [0, 16]}, "b": {"dtype": "F64", "shape": [2], "data_offsets": [8, 24]}}"#,
                         data: Array(doubleBytes[0..<24])),
         "safetensors: tensor 'b' (bytes 8..<24) overlaps 'a' (bytes 0..<16)"),
        ("metadata not an object", file(#"{"__metadata__": ["pt"]}"#), "safetensors: __metadata__ is an array, expected an object of strings"),
        ("metadata value not a string", file(#"{"__metadata__": {"epoch": 3}}"#),
         "safetensors: __metadata__ entry 'epoch' is a number, expected a string"),
        ("I64 beyond 2^53", file(#"{"c": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}"#, data: [1, 0, 0, 0, 0, 0, 0x20, 0]),
         "safetensors: tensor 'c' holds an I64 value at flat index 0 beyond 2^53, which lossd cannot hold exactly"),
    ]

    @Test(arguments: malformed)
    func malformedFilesAreRefused(_ label: String, _ bytes: [UInt8], _ message: String) {
        let error = #expect(throws: ModelError.self, "\(label)") { try SafeTensors.decode(bytes) }
        #expect(error?.code == .invalidFile)
        #expect(error?.message.hasPrefix(message) == true, "\(label): \(error?.message ?? "no error")")
    }

    @Test func everyDataByteIsReadAsLittleEndian() throws {
        let bytes = Self.file(#"{"f": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "d": {"dtype": "F64", "shape": [], "data_offsets": [4, 12]}}"#,
                              data: [0x00, 0x00, 0xC0, 0x3F] + [0, 0, 0, 0, 0, 0, 0x04, 0xC0])
        let tensors = try SafeTensors.decode(bytes)
        #expect(tensors.map(\.name) == ["f", "d"])
        #expect(tensors[0].tensor == Tensor([1.5]) && tensors[1].tensor == Tensor(scalar: -2.5))
    }
}
