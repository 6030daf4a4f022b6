// SPDX-License-Identifier: Apache-2.0

import LossKit

extension ComponentDescriptor {
    /// torch.optim.lr_scheduler's StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and
    /// LinearLR with PyTorch's option names and defaults; the scheduler steps once per training
    /// step. `last_epoch` and `verbose` do not apply and are unknown options.
    public static let standardSchedulers: [ComponentDescriptor] = [
        ComponentDescriptor(
            name: "step_lr", pytorchName: "StepLR", summary: "multiply the learning rate by gamma every step_size steps",
            options: [
                OptionSpec("step_size", .integer, default: .null, "period of the decay in steps, >= 1 (required)"),
                gamma(0.1),
            ],
            required: ["step_size"],
            check: { options in
                var checks = OptionChecks(options)
                if let size = checks.number("step_size") { checks.require(size >= 1, "step_size", "must be >= 1, got \(Int(size))") }
                checks.positive("gamma")
                return checks.problems
            }),
        ComponentDescriptor(
            name: "multi_step_lr", pytorchName: "MultiStepLR", summary: "multiply the learning rate by gamma at each milestone step",
            options: [
                OptionSpec("milestones", .optionalTensor, default: .null, "increasing step numbers, each >= 1 (required)"),
                gamma(0.1),
            ],
            required: ["milestones"],
            check: { options in
                var checks = OptionChecks(options)
                checks.positive("gamma")
                guard case .tensor(let milestones)? = options["milestones"] else { return checks.problems }
                guard milestones.rank == 1, milestones.count >= 1 else {
                    checks.require(false, "milestones", "must be a non-empty list of step numbers, got shape \(milestones.shapeDescription)")
                    return checks.problems
                }
                let values = milestones.scalars
                checks.require(values.allSatisfy { $0 >= 1 && $0.rounded() == $0 }, "milestones", "must hold integers >= 1")
                checks.require(zip(values, values.dropFirst()).allSatisfy { $0 < $1 }, "milestones", "must be increasing")
                return checks.problems
            }),
        ComponentDescriptor(
            name: "exponential_lr", pytorchName: "ExponentialLR", summary: "multiply the learning rate by gamma every step",
            options: [OptionSpec("gamma", .number, default: .null, "multiplicative decay per step, > 0 (required)")],
            required: ["gamma"],
            check: { options in
                var checks = OptionChecks(options)
                checks.positive("gamma")
                return checks.problems
            }),
        ComponentDescriptor(
            name: "cosine_annealing_lr", pytorchName: "CosineAnnealingLR", summary: "cosine annealing from the initial learning rate to eta_min over T_max steps",
            options: [
                OptionSpec("T_max", .integer, default: .null, "steps of a half cosine period, >= 1 (required)"),
                OptionSpec("eta_min", .number, default: .number(0), "minimum learning rate, >= 0"),
            ],
            required: ["T_max"],
            check: { options in
                var checks = OptionChecks(options)
                if let steps = checks.number("T_max") { checks.require(steps >= 1, "T_max", "must be >= 1, got \(Int(steps))") }
                checks.nonNegative("eta_min")
                return checks.problems
            }),
        ComponentDescriptor(
            name: "linear_lr", pytorchName: "LinearLR", summary: "scale the learning rate linearly from start_factor to end_factor over total_iters steps",
            options: [
                OptionSpec("start_factor", .number, default: .number(1.0 / 3.0), "factor at the first step, in (0, 1]"),
                OptionSpec("end_factor", .number, default: .number(1.0), "factor after total_iters steps, in [0, 1]"),
                OptionSpec("total_iters", .integer, default: .integer(5), "steps of the ramp, >= 1"),
            ],
            check: { options in
                var checks = OptionChecks(options)
                checks.within("start_factor", 0, 1, openLow: true)
                checks.within("end_factor", 0, 1)
                if let steps = checks.number("total_iters") { checks.require(steps >= 1, "total_iters", "must be >= 1, got \(Int(steps))") }
                return checks.problems
            }),
    ]

    private static func gamma(_ value: Double) -> OptionSpec {
        OptionSpec("gamma", .number, default: .number(value), "multiplicative decay, > 0")
    }
}
