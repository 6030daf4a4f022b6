// SPDX-License-Identifier: Apache-2.0

import CSV
import Foundation
import LossdTestSupport
import Testing

/// A run's history keeps the current learning rate (`lr`, after the scheduler) and the
/// configured one (`lr_configured`), appended after the other columns.
@Suite("History of a scheduled run")
struct ConfiguredRateHistoryTests {
    @Test(arguments: ["0.2", "0.05"])
    func currentAndConfiguredLearningRates(rate: String) throws {
        let folder = NSTemporaryDirectory() + "lossd-lr-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = "jobs:\n  - name: decay\n    loss: mse\n    init: [1, 2]\n    target: [0, 0]\n"
            + "    optimizer: {name: sgd, lr: \(rate)}\n    scheduler: {name: step_lr, step_size: 10, gamma: 0.5}\n    max_steps: 40\n"
        try config.write(toFile: folder + "/lossd.yaml", atomically: true, encoding: .utf8)
        let run = try LossdProcess.run(["run", folder + "/lossd.yaml", "--state-dir", folder + "/state"])
        #expect(run.status == 0, "\(run.stderr)")
        let reader = try CSVReader(string: try String(contentsOfFile: folder + "/state/history/decay.csv", encoding: .utf8), hasHeaderRow: true)
        #expect(reader.headerRow == ["step", "loss", "grad_norm", "lr", "lr_configured"])
        var current: Set<Double> = []
        while reader.next() != nil {
            #expect(reader["lr_configured"].flatMap(Double.init) == Double(rate))
            if let lr = reader["lr"].flatMap(Double.init) { current.insert(lr) }
        }
        // The scheduler halved the current rate three times; the configured one never moved.
        #expect(current.count == 4 && current.max() == Double(rate) && current.min() == Double(rate)! / 8, "\(current)")
    }
}
