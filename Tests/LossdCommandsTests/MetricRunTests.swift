// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdTestSupport
import Testing

/// `lossd run` of jobs with metrics: the history's metric columns (recomputed here from the
/// step's parameters, which plain SGD on the mean squared error gives in closed form), the
/// result's final values, and jobs without metrics unchanged.
@Suite("Metrics through lossd run")
struct MetricRunTests {
    static let sets: [[String]] = [["mae"], ["rmse", "max_abs_error"], ["max_abs_error", "mae", "rmse"]]

    @Test("history columns after lr_configured, one per metric, and the result's metrics", arguments: sets)
    func historyAndResult(_ metrics: [String]) throws {
        let folder = NSTemporaryDirectory() + "lossd-metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/c.yaml", state = folder + "/state"
        try """
        defaults:
          metrics: [\(metrics.joined(separator: ", "))]
        jobs:
          - name: seed
            loss: mse
            init: [10, 10, 10]
            target: [30, 20, 50]
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 12
          - name: plain
            loss: l1
            init: [1, 2]
            target: [3, 4]
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 5
            metrics: []
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try LossdProcess.run(["run", file, "--state-dir", state])
        #expect(run.status == 0, "\(run.stderr)")

        let lines = try String(contentsOfFile: state + "/history/seed.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "step,loss,grad_norm,lr,lr_configured," + metrics.joined(separator: ","))
        // SGD on mean((p - t)^2) over 3 elements: p <- p - 0.1 * (2/3)(p - t), so the error of
        // each element shrinks by the factor (1 - 0.2/3) per step; step k's row is at k-1 updates.
        let target = [30.0, 20, 50]
        var parameters = [10.0, 10, 10]
        for (index, line) in lines.dropFirst().enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(cells[0] == "\(index + 1)")
            let errors = zip(parameters, target).map { $0 - $1 }
            for (offset, name) in metrics.enumerated() {
                let value = try #require(Double(cells[5 + offset]), "row \(index + 1) \(name)")
                let expected = switch name {
                case "mae": errors.reduce(0) { $0 + abs($1) } / 3
                case "rmse": (errors.reduce(0) { $0 + $1 * $1 } / 3).squareRoot()
                default: errors.map(abs).max()!
                }
                #expect(abs(value - expected) <= 1e-12 * expected, "row \(index + 1) \(name): \(value) vs \(expected)")
            }
            parameters = zip(parameters, target).map { p, t in p - 0.1 * (2.0 / 3) * (p - t) }
        }
        #expect(lines.count == 13)

        let result = try JSONValue(parsing: try String(contentsOfFile: state + "/results/seed.json", encoding: .utf8))
        guard case .object(let values)? = result["metrics"] else { Issue.record("no metrics in the result"); return }
        #expect(values.map(\.0) == metrics, "in the order configured")
        let outputValues = result["output"]?.arrayValue?.compactMap { $0.doubleValue }
        let output = try #require(outputValues)
        let errors = zip(output, target).map { abs($0 - $1) }
        if let mae = result["metrics"]?["mae"]?.doubleValue { #expect(mae == errors.reduce(0, +) / 3) }
        if let largest = result["metrics"]?["max_abs_error"]?.doubleValue { #expect(largest == errors.max()) }

        // A job that sets `metrics: []` over the defaults has none: no columns, no result key.
        let plain = try String(contentsOfFile: state + "/history/plain.csv", encoding: .utf8)
        #expect(plain.hasPrefix("step,loss,grad_norm,lr,lr_configured\n"))
        #expect(try JSONValue(parsing: try String(contentsOfFile: state + "/results/plain.json", encoding: .utf8))["metrics"] == nil)
    }
}
