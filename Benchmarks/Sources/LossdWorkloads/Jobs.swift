// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdConfig
public import LossdEngine

/// The measured jobs: MSE + plain SGD (or Adam), as the C references (`reference/best_loops.c`) run them.
public enum Jobs {
    /// The seed job's tensors: [10, 10, 10] toward [30, 20, 50].
    public static let seedInit: [Double] = [10, 10, 10]
    public static let seedTarget: [Double] = [30, 20, 50]

    /// The seed job with a learning rate small enough (1e-9, as in the C reference) that it never
    /// converges to exact zeros within a run: every step does the full arithmetic.
    /// `daemonHistory`: history at the daemon's cadence (see ``daemonHistory(maxSteps:)``).
    public static func seed(maxSteps: Int, learningRate: Double = 1e-9, daemonHistory: Bool = false) -> JobSpec {
        var spec = JobSpec(initialization: .tensor(Tensor(seedInit)), target: Tensor(seedTarget),
                           loss: JobSpec.Component("mse"),
                           optimizer: JobSpec.Component("sgd", options: ["lr": .number(learningRate)]),
                           stopping: StoppingRules(maxSteps: maxSteps))
        if daemonHistory { (spec.historyInterval, spec.historyCapacity) = Self.daemonHistory(maxSteps: maxSteps) }
        return spec
    }

    /// A wide job of `count` elements: 10 toward 30, 20, 50, 30, ... (lr 1e-3, as in the C reference).
    public static func wide(count: Int, maxSteps: Int, optimizer: String = "sgd") -> JobSpec {
        let target = (0..<count).map { seedTarget[$0 % 3] }
        return JobSpec(initialization: .tensor(Tensor(repeating: 10, shape: [count])), target: Tensor(target),
                       loss: JobSpec.Component("mse"),
                       optimizer: JobSpec.Component(optimizer, options: ["lr": .number(1e-3)]),
                       stopping: StoppingRules(maxSteps: maxSteps))
    }

    /// The history settings `lossd run` and `lossd serve` give a job of `maxSteps` steps.
    public static func daemonHistory(maxSteps: Int) -> (interval: Int, capacity: Int) {
        (JobConfiguration.historyInterval(maxSteps: maxSteps), JobConfiguration.historyRows + 2)
    }
}
