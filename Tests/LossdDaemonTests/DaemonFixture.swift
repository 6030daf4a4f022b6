// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON

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

    func checkpoint(_ job: String, state: String = "state") -> String { "\(self.state(state))/checkpoints/\(job).ckpt" }

    /// The step of a job's checkpoint (from its JSON header line), nil without one.
    func checkpointStep(_ job: String, state: String = "state") -> Int? {
        guard let text = try? String(contentsOfFile: checkpoint(job, state: state), encoding: .utf8),
              case .integer(let step)? = try? JSONValue(parsing: String(text.drop { $0 != "\n" }))["step"] else { return nil }
        return step
    }

    /// The text of `status.json`, nil without one.
    func statusFile(state: String = "state") -> String? { try? String(contentsOfFile: self.state(state) + "/status.json", encoding: .utf8) }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// A job entry (under `jobs:`) that converges at step 35: the seed job.
    static let quickJob = """
          - name: quick
            loss: mse
            init: [10, 10, 10]
            target: [30, 20, 50]
            optimizer: {name: sgd, lr: 0.5}
            max_steps: 1000
            tolerance: 1.0e-9

        """

    /// A job that diverges and one that stops at max_steps (step 5).
    static let endings = """
        jobs:
          - name: diverges
            loss: mse
            init: [1, 2, 3]
            target: [0, 0, 0]
            optimizer: {name: sgd, lr: 100}
            max_steps: 10000
          - name: fine
            loss: l1
            init: [1]
            target: [0]
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 5
        """

    /// Jobs that run for about a quarter of a second in a debug build (longer on a slower
    /// machine or under ThreadSanitizer), checkpointed every 50 ms: long enough to be stopped or
    /// killed mid-run, short enough to run many times. Besides the first two, one job per
    /// scheduler with state of its own (plateau, cycled momentum, composites' children).
    static let longJobs = """
        daemon:
          report_interval: 25ms
          checkpoint_interval: 50ms
        jobs:
          - name: adam-huber
            loss: huber
            init: {random: normal, shape: [64], mean: 0, std: 3}
            target: {random: uniform, shape: [64], low: -1, high: 1}
            optimizer: {name: adam, lr: 0.0004}
            scheduler: {name: step_lr, step_size: 1250, gamma: 0.9}
            max_steps: 15000
            seed: 7
          - name: sgd-mse
            loss: mse
            init: {random: normal, shape: [16], mean: 0, std: 3}
            target: {random: uniform, shape: [16], low: -1, high: 1}
            optimizer: {name: sgd, lr: 0.00004, momentum: 0.9}
            max_steps: 30000
            seed: 8
          - name: sgd-plateau
            loss: mse
            init: {random: normal, shape: [16], mean: 0, std: 3}
            target: {random: uniform, shape: [16], low: -1, high: 1}
            optimizer: {name: sgd, lr: 0.00004, momentum: 0.9}
            scheduler: {name: reduce_lr_on_plateau, patience: 40, cooldown: 25, threshold: 0.002, factor: 0.7}
            max_steps: 12000
            seed: 9
          - name: adam-one-cycle
            loss: huber
            init: {random: normal, shape: [32], mean: 0, std: 3}
            target: {random: uniform, shape: [32], low: -1, high: 1}
            optimizer: {name: adam, lr: 0.001}
            scheduler: {name: one_cycle_lr, max_lr: 0.0005, total_steps: 12000, three_phase: true}
            max_steps: 12000
            seed: 10
          - name: rmsprop-cyclic
            loss: mse
            init: {random: normal, shape: [16], mean: 0, std: 3}
            target: {random: uniform, shape: [16], low: -1, high: 1}
            optimizer: {name: rmsprop, lr: 0.0001}
            scheduler: {name: cyclic_lr, base_lr: 0.00001, max_lr: 0.0002, step_size_up: 700, mode: triangular2}
            max_steps: 12000
            seed: 11
          - name: sgd-sequential
            loss: mse
            init: {random: normal, shape: [16], mean: 0, std: 3}
            target: {random: uniform, shape: [16], low: -1, high: 1}
            optimizer: {name: sgd, lr: 0.00004}
            scheduler: {name: sequential_lr, milestones: [4000], schedulers: [{name: constant_lr, factor: 0.5, total_iters: 3000}, {name: cosine_annealing_warm_restarts, T_0: 1000, T_mult: 2}]}
            max_steps: 12000
            seed: 12
          - name: adamw-chained
            loss: mse
            init: {random: normal, shape: [16], mean: 0, std: 3}
            target: {random: uniform, shape: [16], low: -1, high: 1}
            optimizer: {name: adamw, lr: 0.0004}
            scheduler: {name: chained_scheduler, schedulers: [{name: polynomial_lr, total_iters: 9000, power: 0.5}, {name: exponential_lr, gamma: 0.9999}]}
            max_steps: 12000
            seed: 13
          - name: nadam-mse
            loss: mse
            init: {random: normal, shape: [16], mean: 0, std: 3}
            target: {random: uniform, shape: [16], low: -1, high: 1}
            optimizer: {name: nadam, lr: 0.0003, decoupled_weight_decay: true, weight_decay: 0.01}
            max_steps: 12000
            seed: 14
          - name: asgd-l1
            loss: l1
            init: {random: normal, shape: [16], mean: 0, std: 3}
            target: {random: uniform, shape: [16], low: -1, high: 1}
            optimizer: {name: asgd, lr: 0.0002, t0: 100}
            scheduler: {name: exponential_lr, gamma: 0.9999}
            max_steps: 12000
            seed: 15
          - name: lbfgs-huber
            loss: huber
            init: {random: normal, shape: [32], mean: 0, std: 3}
            target: {random: uniform, shape: [32], low: -1, high: 1}
            optimizer: {name: lbfgs, lr: 0.0005, max_iter: 2, history_size: 5}
            max_steps: 6000
            seed: 9
          - name: adafactor-mse
            loss: mse
            init: {random: normal, shape: [4, 8], mean: 0, std: 3}
            target: {random: uniform, shape: [4, 8], low: -1, high: 1}
            optimizer: {name: adafactor, lr: 0.0002, weight_decay: 0.01}
            max_steps: 15000
            seed: 10
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
