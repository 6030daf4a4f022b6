// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdTestSupport
import Testing

/// `lossd predict` on the models `lossd run configs/iris.yaml` trained: the predictions, the loss
/// and accuracy recomputed here from the printed outputs, the `--config`/`--model` form, and
/// the errors with their exit statuses.
@Suite("lossd predict")
struct PredictCommandTests {
    static let config = packageRoot.appendingPathComponent("configs/iris.yaml").path
    static let data = packageRoot.appendingPathComponent("configs/data/iris.csv").path

    /// A state directory holding the finished Iris run, made once.
    static let state: String = {
        let path = NSTemporaryDirectory() + "lossd-predict-state-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        let run = try! LossdProcess.run(["run", config, "--state-dir", path])
        precondition(run.status == 0, run.stderr)
        return path
    }()

    /// iris.csv's `species` column, parsed here.
    static func species() throws -> [Int] {
        let lines = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n")
        let column = try #require(lines[0].split(separator: ",").firstIndex(of: "species"))
        return lines.dropFirst().map { Int($0.split(separator: ",")[column])! }
    }

    @Test func predictionsAndTheirLossAndAccuracy() throws {
        let result = try LossdProcess.run(["predict", "iris-nll", "--data", Self.data, "--state-dir", Self.state])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "output_0,output_1,output_2,class")
        let rows = lines.dropFirst().map { $0.split(separator: ",") }
        let species = try Self.species()
        #expect(rows.count == species.count)
        // iris-nll ends in log_softmax: nll is minus the mean log-probability of the true class.
        let outputs = rows.map { $0.prefix(3).map { Double($0)! } }
        let classes = rows.map { Int($0[3])! }
        #expect(zip(outputs, classes).allSatisfy { $0.firstIndex(of: $0.max()!) == $1 }, "class is the largest output")
        let loss = -zip(outputs, species).map { $0[$1] }.reduce(0, +) / Double(species.count)
        let accuracy = Double(zip(classes, species).filter { $0 == $1 }.count) / Double(species.count)
        let line = "iris-nll on \(Self.data) (150 rows): nll loss "
        #expect(result.stderr.hasPrefix(line), "\(result.stderr)")
        let printed = result.stderr.dropFirst(line.count).split(separator: ",")
        #expect(abs(Double(printed[0])! - loss) <= 1e-3 * loss, "\(printed) vs \(loss)")
        let printedAccuracy = printed.count == 2 ? Double(printed[1].dropFirst(" accuracy ".count).dropLast()) : nil
        #expect(printedAccuracy.map { abs($0 - accuracy) <= 1e-3 * accuracy } == true, "\(printed) vs \(accuracy)")
    }

    @Test func configurationAndModelFileGiveTheSamePredictions() throws {
        let output = NSTemporaryDirectory() + "lossd-predict-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let fromState = try LossdProcess.run(["predict", "iris-cross-entropy", "--data", Self.data, "--state-dir", Self.state, "--json"])
        #expect(fromState.status == 0, "\(fromState.stderr)")
        let fromConfig = try LossdProcess.run(["predict", "iris-cross-entropy", "--data", Self.data, "--config", Self.config, "--json",
                                               "--model", Self.state + "/models/iris-cross-entropy.safetensors", "-o", output])
        #expect(fromConfig.status == 0 && fromConfig.stdout.isEmpty, "\(fromConfig.stderr)")
        let a = try JSONValue(parsing: fromState.stdout), b = try JSONValue(parsing: try String(contentsOfFile: output, encoding: .utf8))
        #expect(a["outputs"] == b["outputs"] && a["loss"] == b["loss"] && a["accuracy"] == b["accuracy"])
        #expect(a["rows"] == .integer(150) && a["loss_function"] == .string("cross_entropy"))
        #expect(a["classes"]?.arrayValue?.count == 150)
    }

    @Test func dataWithoutTargetsGivesPredictionsOnly() throws {
        let file = NSTemporaryDirectory() + "lossd-predict-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "petal_width_cm,petal_length_cm,sepal_width_cm,sepal_length_cm\n0.2,1.4,3.5,5.1\n2.3,5.4,3.0,6.2\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try LossdProcess.run(["predict", "iris-cross-entropy", "--data", file, "--state-dir", Self.state])
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let classes = result.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").last.map(String.init) }
        #expect(classes == ["0", "2"], "a setosa and a virginica, columns taken by name: \(result.stdout)")
    }

    @Test func errors() throws {
        let cases: [([String], Int32, String)] = [
            (["predict", "iris-nll", "--data", "/nonexistent.csv", "--state-dir", Self.state], 66, "/nonexistent.csv: no such file"),
            (["predict", "nojob", "--data", Self.data, "--state-dir", Self.state], 66, "no result for job nojob in \(Self.state)"),
            (["predict", "seed-mse", "--data", Self.data, "--state-dir", SeedState.directory], 64, "job seed-mse is not a model job"),
            (["predict", "iris-nll", "--data", packageRoot.appendingPathComponent("configs/data/wine.csv").path, "--state-dir", Self.state],
             65, "wine.csv:1: column 'sepal_length_cm': no such column"),
            (["predict", "iris-nll", "--data", Self.data, "--state-dir", Self.state, "--model", Self.data], 65, "\(Self.data): safetensors:"),
            (["predict", "iris-nll", "--data", Self.data, "--state-dir", Self.state, "--model", "/nonexistent.safetensors"], 66,
             "/nonexistent.safetensors: no such file"),
            (["predict", "iris-nll", "--data", Self.data, "--targets", "y.npy", "--state-dir", Self.state], 64, "--targets goes with --data FILE.npy"),
            (["predict", "iris-nll", "--state-dir", Self.state], 64, "Missing expected argument '--data <file>'"),
        ]
        for (arguments, status, message) in cases {
            let result = try LossdProcess.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
