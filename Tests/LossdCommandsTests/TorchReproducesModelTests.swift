// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdTestSupport
import Testing

/// PyTorch loads the weights `lossd run` wrote for the shipped model examples and reproduces
/// each job's reported validation loss and accuracy (`Scripts/torch-check-model.py`: the same
/// `nn.Sequential` from the result's layers, `load_state_dict(strict=True)`, lossd's documented
/// split of the data file, the job's `torch.nn` loss with its options). Runs where PyTorch is
/// installed: set `LOSSD_TORCH_PYTHON` to a python with torch and safetensors.
@Suite("PyTorch reproduces model jobs' validation loss")
struct TorchReproducesModelTests {
    static let python = ProcessInfo.processInfo.environment["LOSSD_TORCH_PYTHON"]

    struct Example: Sendable, CustomTestStringConvertible {
        var config: String
        var data: String
        var split: String
        var seed: String
        var jobs: [String]
        var testDescription: String { config }
    }

    static let examples = [
        Example(config: "configs/iris.yaml", data: "configs/data/iris.csv", split: "0.2", seed: "1",
                jobs: ["iris-cross-entropy", "iris-cross-entropy-smoothed", "iris-multi-margin", "iris-nll"]),
        Example(config: "configs/breast-cancer.yaml", data: "configs/data/breast_cancer.csv", split: "0.25", seed: "1",
                jobs: ["cancer-bce", "cancer-bce-pos-weight"]),
    ]

    @Test(.enabled(if: python != nil, "set LOSSD_TORCH_PYTHON to a python with torch and safetensors"), arguments: examples)
    func pytorchReproducesTheValidationLoss(_ example: Example) throws {
        let state = NSTemporaryDirectory() + "lossd-torch-check-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let run = try LossdProcess.run(["run", packageRoot.appendingPathComponent(example.config).path, "--state-dir", state])
        #expect(run.status == 0, "\(run.stderr)")
        for job in example.jobs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Self.python))
            process.arguments = [packageRoot.appendingPathComponent("Scripts/torch-check-model.py").path,
                                 "--state-dir", state, "--job", job,
                                 "--data", packageRoot.appendingPathComponent(example.data).path,
                                 "--split", example.split, "--seed", example.seed, "--rtol", "1e-10"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(job): \(output)")
        }
    }
}
