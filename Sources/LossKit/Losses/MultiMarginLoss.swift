// SPDX-License-Identifier: Apache-2.0

/// Multi-class hinge loss (PyTorch `torch.nn.MultiMarginLoss`), registry name `multi_margin`.
///
/// Input x holds C class scores per sample, shape `(C)` or `(N, C)` (a 0-d input is one class);
/// target y one class index per sample, shape `()` or `(N)`; w_c the class weight (1 without
/// `weight`). As ATen's CPU kernel, per sample:
///
///     z_i = (margin - x_y) + x_i                      for i != y
///     l   = (1/C) sum_{i != y, z_i > 0} w_y z_i^p     (p = 1 or 2)
///     mean -> (1/N) sum l ;  sum -> sum l ;  none -> [l]
///
/// **Gradient** (ATen's backward kernel), with s = 1/(N C) (mean) or 1/C (sum, none):
///
///     dL/dx_i = w_y s h_i   for i != y, z_i > 0 ;  0 for i != y, z_i <= 0
///     dL/dx_y = -sum_{i != y, z_i > 0} w_y s h_i ,   h_i = 1 (p = 1) or 2 z_i (p = 2)
///
/// - Options (YAML key, default): `p` (1; 1 or 2 as PyTorch checks), `margin` (1.0, any sign),
///   `weight` (None; 1-D of C elements), `reduction` (`mean`).
/// - Shapes: target `()` or `(N)` with N elements (`(1)` fits a `(C)` input, `()` a `(1, C)` one);
///   output scalar, or `(N)` for `none` with a 1-D target and `()` with a 0-d one.
/// - Kink: z_i == 0 contributes nothing and has a zero gradient (ATen tests `z > 0` strictly).
/// - Edge cases: a class index outside [0, C) is an error; so is an empty batch with `mean` or
///   `sum` (PyTorch returns uninitialised memory there); `none` gives an empty output.
/// - Check: x = [[0.1, 0.2, 0.4, 0.8]], y = [3] -> (0.3 + 0.4 + 0.6) / 4 = 0.325.
public struct MultiMarginLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "multi_margin", pytorchName: "MultiMarginLoss",
        summary: "multi-class hinge loss of class scores vs class indices",
        arguments: [
            ArgumentSpec("input", .real(differentiable: true), "class scores (C) or (N, C)"),
            ArgumentSpec("target", .index, "class indices () or (N)"),
        ],
        options: [
            OptionSpec("p", .integer, default: .integer(1), "exponent of the hinge: 1 or 2"),
            OptionSpec("margin", .number, default: .number(1), "margin of the hinge"),
            .weight("rescaling weight for each class, shape (C)"),
            .reduction,
        ])

    public let p: Int
    public let margin: Double
    public let weight: [Double]?
    /// The weight was written with integer literals (a Long tensor), which PyTorch refuses.
    let weightIsLong: Bool
    public let reduction: Reduction

    public init(options: LossOptions) throws(LossError) {
        p = options.integer("p")
        guard p == 1 || p == 2 else { throw .option("p", "only p == 1 and p == 2 are supported, got \(p)") }
        margin = options.number("margin")
        reduction = options.reduction
        let weight = options.tensor("weight")
        if let weight, weight.rank != 1 {
            throw .option("weight", "expected None or a 1-D tensor, got shape \(weight.shapeDescription)")
        }
        self.weight = weight?.scalars
        weightIsLong = weight?.isInteger == true
    }

    /// Samples and classes of an input PyTorch accepts: `()` is one class, `(C)` one sample.
    static func layout(_ input: Tensor) -> (samples: Int, classes: Int) {
        switch input.rank {
        case 0: (1, 1)
        case 1: (1, input.shape[0])
        default: (input.shape[0], input.shape[1])
        }
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let input = arguments[0], target = arguments[1]
        guard input.rank <= 2, input.rank == 0 || input.shape[input.rank - 1] != 0 else {
            throw .shape("input", "expected a non-empty (C) or (N, C) input with C > 0, got \(input.shapeDescription)")
        }
        let (samples, classes) = Self.layout(input)
        guard target.rank <= 1, target.count == samples else {
            throw .shape("target", "shape \(target.shapeDescription) does not fit input \(input.shapeDescription): expected \(samples) class "
                         + (samples == 1 ? "index, shape () or (1,)" : "indices, shape (\(samples),)"))
        }
        if let weight, weight.count != classes {
            throw .shape("weight", "shape (\(weight.count),) must be (C,) = (\(classes),)")
        }
        try Validation.requireFloatingWeight(isLong: weightIsLong)
        if samples == 0, reduction != .none {
            throw .shape("input", "an empty batch \(input.shapeDescription) has no defined '\(reduction.rawValue)' (PyTorch returns uninitialised memory)")
        }
        try Validation.requireFinite(input, "input")
        try Validation.requireIndexType(target, "target", reason: "expected scalar type Long but found \(target.dtype.pytorchName)")
        try Validation.requireIntegral(target, "target")
        for (offset, value) in target.scalars.enumerated() where !(0..<classes).contains(Int(value)) {
            throw .value("target", "class index \(Int(value)) at element \(offset) is out of range for \(classes) classes [0, \(classes))")
        }
        return reduction == .none ? target.shape : []
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let (samples, classes) = Self.layout(arguments[0])
        // ATen: g = 1 / (nframe * dim) for mean, 1 / dim otherwise.
        let g = reduction == .mean ? 1 / Double(samples * classes) : 1 / Double(classes)
        let wantsInput = gradients.wants(0)
        let margin = self.margin, squared = p == 2, weight = self.weight, reduction = self.reduction
        var total = 0.0
        // Sound: sample t covers [t * classes, (t + 1) * classes) < input.count (validated); class
        // indices were range-checked against C; the gradient buffer, when wanted, has input.count.
        arguments[0].scalars.withUnsafeBufferPointer { x in
            gradients.buffers[0].withUnsafeMutableBufferPointer { grad in
                for sample in 0..<samples {
                    let base = sample * classes
                    let y = Int(arguments[1].scalars[sample])
                    let xy = x[base + y]
                    let wy = weight?[y] ?? 1
                    var sum = 0.0
                    var gradTarget = 0.0
                    for i in 0..<classes where i != y {
                        let z = margin - xy + x[base + i]
                        if z > 0 {
                            var h = squared ? z * z : z
                            if weight != nil { h *= wy }
                            sum += h
                            guard wantsInput else { continue }
                            var gh = squared ? 2 * g * z : g
                            if weight != nil { gh *= wy }
                            gradTarget -= gh
                            grad[base + i] = gh
                        } else if wantsInput {
                            grad[base + i] = 0
                        }
                    }
                    if wantsInput { grad[base + y] = gradTarget }
                    sum /= Double(classes)
                    if reduction == .none { output[sample] = sum } else { total += sum }
                }
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total
        case .mean: output[0] = total / Double(samples)
        }
    }
}
