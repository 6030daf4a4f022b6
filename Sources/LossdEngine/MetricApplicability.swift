// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// Which metrics a free-tensor job can measure: the rule the engine builds jobs by, also used
/// by the configuration's checks so that `lossd check` refuses what the engine would.
extension Metric {
    /// Whether a free-tensor job's target holds class indices: the loss's target argument is of
    /// kind index (`nll`, `multi_margin`, ...), or `cross_entropy`'s target has another shape
    /// than the fitted tensor (its class-index form), and the fitted tensor has a class axis.
    public static func classTargets(loss descriptor: LossDescriptor, targetName: String, fittedShape: [Int], targetShape: [Int]) -> Bool {
        guard !fittedShape.isEmpty else { return false }
        let isIndex = descriptor.arguments.first { $0.name == targetName }?.kind == .index
        return isIndex || (descriptor.name == "cross_entropy" && targetShape != fittedShape)
    }

    /// The shape a class-index target has for a class-scored output of `fittedShape`:
    /// `()` for `(C)`, `(N, d1, ..., dK)` for `(N, C, d1, ..., dK)` (``LossKit/ClassLayout``).
    public static func sampleShape(fittedShape: [Int]) -> [Int] {
        fittedShape.count <= 1 ? [] : [fittedShape[0]] + fittedShape.dropFirst(2)
    }

    /// Why this metric does not apply to a free-tensor job of `loss` whose fitted tensor has
    /// `fittedShape` and whose target argument `targetName` has `targetShape` (nil target: the
    /// loss takes none); nil when it applies.
    public func refusal(loss descriptor: LossDescriptor, targetName: String?, fittedShape: [Int], targetShape: [Int]?) -> String? {
        guard let targetName, let targetShape else {
            return "\(name): \(descriptor.name) has no target to compare the output with"
        }
        let classes = Metric.classTargets(loss: descriptor, targetName: targetName, fittedShape: fittedShape, targetShape: targetShape)
        if needsClasses {
            guard classes, targetShape == Metric.sampleShape(fittedShape: fittedShape) else {
                return "accuracy needs class-index targets (\(descriptor.name)'s '\(targetName)' holds "
                    + "\(classes ? "indices of another shape" : "values, not class indices")); use mae, rmse or max_abs_error"
            }
        } else if classes || targetShape != fittedShape {
            let what = classes ? "holds class indices (use accuracy)"
                : "has shape \(Tensor.describe(targetShape)), the fitted tensor \(Tensor.describe(fittedShape))"
            return "\(name) compares the output with a target of its shape; \(descriptor.name)'s '\(targetName)' \(what)"
        }
        return nil
    }
}
