// SPDX-License-Identifier: Apache-2.0

/// Cosine embedding loss (PyTorch `torch.nn.CosineEmbeddingLoss`), registry name `cosine_embedding`.
///
/// Inputs x1, x2 are rows of D features; target y is 1 (similar) or -1 (dissimilar) per row.
/// As ATen's `cosine_embedding_loss`, with EPSILON added to the squared magnitudes. EPSILON is
/// 1e-12 rounded to float32 (9.99999996e-13), which is what the installed PyTorch adds in float64
/// too (the `small_*` and `zero_vector_*` goldens tell it from the double 1e-12 by 4e-9 relative):
///
///     P = sum_k x1_k x2_k ,  M1 = sum_k x1_k^2 + EPSILON ,  M2 = sum_k x2_k^2 + EPSILON
///     q = sqrt(M1 M2) ,  cos = P / q
///     l = 1 - cos                 if y == 1
///         max(0, cos - margin)    if y == -1
///         0                       otherwise (PyTorch's `where` on y == 1 / y == -1; no error)
///     mean -> (1/N) sum l ;  sum -> sum l ;  none -> [l]
///
/// **Gradient** (autograd's chain through div, sqrt and the two sums, s = 1/N (mean) or 1):
///
///     g = -s (y == 1) ;  s (y == -1 and cos - margin > 0) ;  0 otherwise
///     gP = g / q ,  gq = -g (cos / q) ,  gM = gq / (2 q)
///     dL/dx1_k = gP x2_k + 2 (gM M2) x1_k ,   dL/dx2_k = gP x1_k + 2 (gM M1) x2_k
///
/// The target has no gradient (it only selects a branch).
///
/// - Options (YAML key, default): `margin` (0.0; PyTorch suggests [-1, 1] but does not check),
///   `reduction` (`mean`).
/// - Shapes: x1, x2 `(N, D)` with target `(N)`, or x1, x2 `(D)` with a 0-d target; output
///   scalar, or `(N)` / `()` for `none`. x1 and x2 must have the same shape and the target
///   exactly N elements (PyTorch would broadcast size-1 dimensions; lossd does not).
/// - Kink: at cos == margin with y == -1 the gradient is 0 (`clamp_min` backward is `self > min`
///   in the installed PyTorch). Zero vectors are fine (EPSILON keeps q > 0); rows whose
///   M1 * M2 overflows give cos = 0 and a zero gradient, as in PyTorch. N == 0 with `mean` is NaN.
/// - Check: x1 = [1, 0], x2 = [1, 1], y = 1 -> 1 - 1/sqrt(2) = 0.29289.
public struct CosineEmbeddingLoss: BuiltinLoss {
    /// ATen's `EPSILON` in `Loss.cpp`: 1e-12 as a float32, widened.
    static let epsilon = Double(Float(1e-12))

    public static let descriptor = LossDescriptor(
        name: "cosine_embedding", pytorchName: "CosineEmbeddingLoss",
        summary: "cosine similarity loss of two inputs vs a 1/-1 target",
        arguments: [
            ArgumentSpec("input1", .real(differentiable: true), "embeddings (N, D) or (D)"),
            ArgumentSpec("input2", .real(differentiable: true), "embeddings, same shape as input1"),
            ArgumentSpec("target", .real(differentiable: false), "1 or -1 per row: (N), or () for 1-D inputs"),
        ],
        options: [
            OptionSpec("margin", .number, default: .number(0), "for y = -1: loss is max(0, cos - margin)"),
            .reduction,
        ])

    public let margin: Double
    public let reduction: Reduction

    public init(options: LossOptions) {
        margin = options.number("margin")
        reduction = options.reduction
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let input1 = arguments[0], input2 = arguments[1], target = arguments[2]
        switch target.rank {
        case 0:
            guard input1.rank == 1, input2.rank == 1 else {
                throw .shape("input1", "a 0-d target expects 1-D inputs (D), got input1 \(input1.shapeDescription) and input2 \(input2.shapeDescription)")
            }
        case 1:
            guard input1.rank == 2, input2.rank == 2 else {
                throw .shape("input1", "a 1-D target expects 2-D inputs (N, D), got input1 \(input1.shapeDescription) and input2 \(input2.shapeDescription)")
            }
        default:
            throw .shape("target", "expected a 0-d or 1-D target, got \(target.shapeDescription) (multi-target is not supported)")
        }
        try Validation.requireSameShape(input2, "input2", as: input1, "input1")
        let rows = input1.rank == 2 ? input1.shape[0] : 1
        if target.rank == 1, target.shape[0] != rows {
            throw .shape("target", "shape \(target.shapeDescription) must be (N,) = (\(rows),) to match input1 \(input1.shapeDescription)")
        }
        try Validation.requireFinite(input1, "input1")
        try Validation.requireFinite(input2, "input2")
        try Validation.requireFinite(target, "target")
        return reduction == .none ? target.shape : []
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let rows = arguments[2].count
        let features = rows == 0 ? 0 : arguments[0].count / rows
        let scale = reduction == .mean ? 1 / Double(rows) : 1
        let wants1 = gradients.wants(0), wants2 = gradients.wants(1)
        let margin = self.margin, reduction = self.reduction
        var total = 0.0
        gradients.withBuffers(0, 1) { grad1, grad2 in
            // Sound: row r covers [r * features, (r + 1) * features) < input1.count == input2.count
            // (validated), the non-empty gradient buffers have that count, the target has `rows`.
            arguments[0].scalars.withUnsafeBufferPointer { x1 in
                arguments[1].scalars.withUnsafeBufferPointer { x2 in
                    arguments[2].scalars.withUnsafeBufferPointer { y in
                        grad1.withUnsafeMutableBufferPointer { g1 in
                            grad2.withUnsafeMutableBufferPointer { g2 in
                                for row in 0..<rows {
                                    let base = row * features
                                    var product = 0.0, square1 = 0.0, square2 = 0.0
                                    for k in base..<(base + features) {
                                        product += x1[k] * x2[k]
                                        square1 += x1[k] * x1[k]
                                        square2 += x2[k] * x2[k]
                                    }
                                    let m1 = square1 + Self.epsilon, m2 = square2 + Self.epsilon
                                    let q = (m1 * m2).squareRoot()
                                    let cos = product / q
                                    var loss = 0.0, g = 0.0
                                    if y[row] == 1 {
                                        loss = 1 - cos
                                        g = -scale
                                    } else if y[row] == -1 {
                                        let shifted = cos - margin
                                        if shifted > 0 {
                                            loss = shifted
                                            g = scale
                                        }
                                    }
                                    if reduction == .none { output[row] = loss } else { total += loss }
                                    guard wants1 || wants2 else { continue }
                                    let gP = g / q
                                    let gM = -g * (cos / q) / (2 * q)
                                    let gM1 = gM * m2, gM2 = gM * m1
                                    for k in base..<(base + features) {
                                        if wants1 { g1[k] = gP * x2[k] + 2 * (gM1 * x1[k]) }
                                        if wants2 { g2[k] = gP * x1[k] + 2 * (gM2 * x2[k]) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total
        case .mean: output[0] = total / Double(rows)
        }
    }
}
