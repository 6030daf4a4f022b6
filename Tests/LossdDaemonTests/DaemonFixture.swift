// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdTestSupport
import Testing

/// A scratch directory with a config file, a state directory and helpers to read results.
struct DaemonFixture {
    let root: String

    init(_ name: String) {
        root = NSTemporaryDirectory() + "lossd-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    var config: String { root + "/lossd.yaml" }
    func state(_ name: String = "state") -> String { root + "/" + name }
    func log(_ name: String) -> String { root + "/" + name + ".log" }

    func write(_ text: String, to path: String? = nil) {
        try! text.write(toFile: path ?? config, atomically: true, encoding: .utf8)
    }

    func result(_ job: String, state: String = "state") -> JSONValue? {
        guard let text = try? String(contentsOfFile: "\(self.state(state))/results/\(job).json", encoding: .utf8) else { return nil }
        return try? JSONValue(parsing: text)
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Polls `condition` every 20 ms for at most `timeout` seconds (stretched under instrumentation).
    @discardableResult
    func waitFor(_ timeout: Double = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout * TestTiming.scale)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// Jobs long enough to interrupt (about a second in a debug build) with random tensors.
    static let longJobs = """
        daemon:
          report_interval: 100ms
          checkpoint_interval: 200ms
        jobs:
          - name: adam-huber
            loss: huber
            init: {random: normal, shape: [64], mean: 0, std: 3}
            target: {random: uniform, shape: [64], low: -1, high: 1}
            optimizer: {name: adam, lr: 0.0001}
            scheduler: {name: step_lr, step_size: 5000, gamma: 0.9}
            max_steps: 60000
            seed: 7
          - name: sgd-mse
            loss: mse
            init: {random: normal, shape: [16], mean: 0, std: 3}
            target: {random: uniform, shape: [16], low: -1, high: 1}
            optimizer: {name: sgd, lr: 0.00001, momentum: 0.9}
            max_steps: 120000
            seed: 8
        """
}

extension JSONValue {
    /// The bit patterns of a result's `output` and its `loss`, for exact comparison.
    var resultBits: [UInt64] {
        func flatten(_ value: JSONValue) -> [UInt64] {
            switch value {
            case .array(let items): items.flatMap(flatten)
            case .number(let number): [number.bitPattern]
            case .integer(let integer): [Double(integer).bitPattern]
            default: []
            }
        }
        return flatten(self["output"] ?? .null) + flatten(self["loss"] ?? .null) + flatten(self["steps"] ?? .null)
    }
}
