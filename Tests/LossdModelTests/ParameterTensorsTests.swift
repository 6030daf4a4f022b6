// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdModel
import LossdTestSupport
import Testing

/// Named tensors <-> the flat parameter vector, and the weights file PyTorch loads.
@Suite struct ParameterTensorsTests {
    static let model = try! Sequential([
        ("linear", ["in_features": .integer(3), "out_features": .integer(5)]), ("tanh", [:]),
        ("linear", ["in_features": .integer(5), "out_features": .integer(2), "bias": .bool(false)]), ("log_softmax", [:]),
    ], inputWidth: 3)

    static func parameters(seed: UInt64) -> [Double] {
        var random = SeededRandom(seed: seed)
        return model.defaultParameters { bound in Double.random(in: -bound...bound, using: &random) }
    }

    @Test func namedTensorsRoundTripThroughSafeTensors() throws {
        let parameters = Self.parameters(seed: 1)
        let named = Self.model.namedTensors(parameters)
        #expect(named.map(\.name) == ["0.weight", "0.bias", "2.weight"])
        #expect(named.map(\.tensor.shape) == [[5, 3], [5], [2, 5]])
        let decoded = try SafeTensors.decode(SafeTensors.encode(named, metadata: [:]))
        #expect(try Self.model.flatParameters(decoded.reversed()) == parameters)
    }

    static let mismatches: [(label: String, edit: @Sendable (inout [(name: String, tensor: Tensor)]) -> Void, subject: String, message: String)] = [
        ("missing", { $0.removeAll { $0.name == "0.bias" } }, "0.bias", "missing tensor '0.bias' of shape (5,)"),
        ("extra", { $0.append(("2.bias", Tensor([0, 0]))) }, "2.bias",
         "unexpected tensor '2.bias', did you mean '0.bias'? (the model's parameters: 0.weight, 0.bias, 2.weight)"),
        ("mis-shaped", { $0[2].tensor = Tensor(shape: [5, 2], scalars: Array(repeating: 0, count: 10)) }, "2.weight",
         "tensor '2.weight' has shape (5, 2), the model needs (2, 5)"),
        ("twice", { $0.append($0[0]) }, "0.weight", "tensor '0.weight' is given twice"),
        ("non-finite", { $0[1].tensor.scalars[3] = .nan }, "0.bias", "tensor '0.bias' holds a non-finite value (nan) at flat index 3"),
    ]

    @Test(arguments: mismatches)
    func mismatchedTensorsAreErrorsNamingTheTensor(_ label: String, _ edit: @Sendable (inout [(name: String, tensor: Tensor)]) -> Void,
                                                   _ subject: String, _ message: String) {
        var named = Self.model.namedTensors(Self.parameters(seed: 2))
        edit(&named)
        let error = #expect(throws: ModelError.self, "\(label)") { try Self.model.flatParameters(named) }
        #expect(error?.code == .invalidParameters && error?.subject == subject)
        #expect(error?.message == message)
    }

    /// The python with torch and safetensors, from LOSSD_TORCH_PYTHON.
    static let torchPython = ProcessInfo.processInfo.environment["LOSSD_TORCH_PYTHON"]

    /// `safetensors.torch.load_file` + `nn.Sequential.load_state_dict(strict=True)` accept a file
    /// lossd wrote, and the loaded model computes what Sequential computes.
    @Test(.enabled(if: torchPython != nil, "set LOSSD_TORCH_PYTHON to a python with torch and safetensors"))
    func pytorchLoadsTheWeightsLossdWrote() throws {
        let parameters = Self.parameters(seed: 3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lossd-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("model.safetensors")
        try Data(SafeTensors.encode(Self.model.namedTensors(parameters), metadata: ["format": "pt"])).write(to: weights)
        let rows = 4
        var random = SeededRandom(seed: 4)
        let input = random.uniform([rows, 3]).scalars
        var workspace = Self.model.makeWorkspace(rows: rows)
        Self.model.forward(input, rows: rows, parameters: parameters, workspace: &workspace)
        let script = """
            import json, sys, torch
            from safetensors.torch import load_file
            model = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2, bias=False), torch.nn.LogSoftmax(dim=1)).double()
            model.load_state_dict(load_file(sys.argv[1]), strict=True)
            x = torch.tensor(json.loads(sys.argv[2]), dtype=torch.float64).reshape(\(rows), 3)
            print(json.dumps(model(x).detach().flatten().tolist()))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.torchPython!)
        process.arguments = ["-c", script, weights.path, "[" + input.map { "\($0)" }.joined(separator: ",") + "]"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let torchOutput = try JSONDecoder().decode([Double].self, from: output)
        #expect(Closeness.firstMismatch(actual: Array(workspace.output.prefix(rows * 2)), expected: torchOutput, rtol: 1e-12) == nil)
    }
}
