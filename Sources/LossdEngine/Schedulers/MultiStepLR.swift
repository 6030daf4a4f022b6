// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit

/// Decays the learning rate at given epochs (PyTorch `MultiStepLR`), registry name `multi_step_lr`.
///
///     lr_e = lr_{e-1} * gamma^c(e)   if c(e) > 0, else lr_{e-1}   (e >= 0, lr_{-1} = lr)
///
/// c(e) is how often e appears in `milestones` (a repeated milestone decays repeatedly, as torch's
/// `Counter`); gamma^c uses C `pow`, as Python's `**`. A milestone 0 applies at construction.
///
/// - Options (default): `milestones` (required, list of integers >= 0), `gamma` (0.1, > 0).
public struct MultiStepLR: RecursiveLRScheduler {
    public static let descriptor = ComponentDescriptor(
        name: "multi_step_lr", pytorchName: "MultiStepLR", summary: "multiply the learning rate by gamma at each milestone step",
        options: [
            OptionSpec("milestones", .optionalTensor, default: .null, "list of step indices, integers >= 0 (required)"),
            .gamma(.number(0.1)),
        ])

    /// Milestone -> how often it was listed.
    public let milestones: [Int: Int]
    public let gamma: Double

    public init(options: ComponentOptions) throws(EngineError) {
        guard let values = try options.list("milestones") else {
            throw EngineError(.missingOption, subject: "milestones", "multi_step_lr needs the option 'milestones' (PyTorch has no default)")
        }
        var counts: [Int: Int] = [:]
        for value in values {
            try options.check(value.rounded() == value && value >= 0 && value < 1e15, "milestones",
                              "must hold integers >= 0, got \(value)")
            counts[Int(value), default: 0] += 1
        }
        milestones = counts
        gamma = try options.positive("gamma")
    }

    public func initialLearningRate(base current: Double) -> Double {
        learningRate(epoch: 0, current: current, base: current)
    }

    public func learningRate(epoch: Int, current: Double, base: Double) -> Double {
        guard let count = milestones[epoch] else { return current }
        return current * pow(gamma, Double(count))
    }
}
