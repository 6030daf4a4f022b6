// SPDX-License-Identifier: Apache-2.0

import RealModule

/// PyTorch's `pairwise_distance(x1, x2, p, eps)` over the last dimension, with the gradient of
/// ATen's `norm_backward`; shared by `triplet_margin` and `triplet_margin_with_distance`.
///
///     v_k = (x1_k - x2_k) + eps
///     d = (sum_k |v_k|^p)^(1/p)   (p = 2: sqrt(sum v_k^2); p = 1: sum |v_k|; p = 0: #{v_k != 0})
///
/// Gradient of d with upstream gradient g (dd/dx1 = +that, dd/dx2 = -that), as ATen's branches:
///
///     p == 1:      sgn(v_k) g
///     p == 2:      g (v_k / d)                                   (0 where d == 0)
///     p < 1:       (sgn(v_k) |v_k|^(p-1)) g d^(1-p)              (the factor is 0 where v_k == 0)
///     1 < p < 2:   sgn(v_k) |v_k|^(p-1) (g / d^(p-1))            (0 where d == 0)
///     p > 2:       v_k |v_k|^(p-2) (g / d^(p-1))                 (0 where d == 0)
///     p == 0:      no gradient (autograd gives none)
struct PairwiseDistance: Sendable {
    let p: Double
    let eps: Double

    /// The default of `torch.pairwise_distance`: p = 2, eps = 1e-6.
    static let standard = PairwiseDistance(p: 2, eps: 1e-6)

    /// The distance between rows `x1[base..<base+count]` and `x2[base..<base+count]`.
    func distance(_ x1: UnsafeBufferPointer<Double>, _ x2: UnsafeBufferPointer<Double>, base: Int, count: Int) -> Double {
        var total = 0.0
        if p == 2 {
            for k in base..<(base + count) {
                let v = x1[k] - x2[k] + eps
                total += v * v
            }
            return total.squareRoot()
        }
        if p == 1 {
            for k in base..<(base + count) { total += Swift.abs(x1[k] - x2[k] + eps) }
            return total
        }
        if p == 0 {
            for k in base..<(base + count) where x1[k] - x2[k] + eps != 0 { total += 1 }
            return total
        }
        for k in base..<(base + count) { total += Double.pow(Swift.abs(x1[k] - x2[k] + eps), p) }
        return Double.pow(total, 1 / p)
    }

    /// The per-row factor of the gradient: d^(1-p) for p < 1, g / d^(p-1) (0 at d == 0) for
    /// p > 1 other than 2; `g` itself for p == 1 and p == 2 (unused there).
    func rowFactor(upstream g: Double, distance d: Double) -> Double {
        if p == 1 || p == 2 { return g }
        if p < 1 { return Double.pow(d, 1 - p) }
        return d == 0 ? 0 : g / Double.pow(d, p - 1)
    }

    /// d distance / d v_k times the upstream gradient `g`; `factor` is `rowFactor(g, d)`.
    func gradient(_ v: Double, upstream g: Double, distance d: Double, factor: Double) -> Double {
        if p == 2 { return d == 0 ? 0 : g * (v / d) }
        if p == 1 { return Kernels.sign(v) * g }
        if p < 1 {
            let scaled = v == 0 ? 0 : Kernels.sign(v) * Double.pow(Swift.abs(v), p - 1)
            return scaled * g * factor
        }
        if p < 2 { return Kernels.sign(v) * Double.pow(Swift.abs(v), p - 1) * factor }
        return v * Double.pow(Swift.abs(v), p - 2) * factor
    }
}

/// The triplet margin loss of PyTorch (`triplet_margin_loss` and the default-distance
/// `triplet_margin_with_distance_loss`), driven by a ``PairwiseDistance``.
///
///     d(a, p) = pairwise_distance(a, p) ;  d_neg = d(a, n), or min(d(a, n), d(p, n)) with swap
///     l = max(0, (margin + d(a, p)) - d_neg)
///     mean -> (1/R) sum l ;  sum -> sum l ;  none -> [l]      (R rows)
///
/// **Gradient**: g = s where margin + d(a, p) - d_neg > 0, else 0 (`clamp_min` backward is
/// `self > min` in the installed PyTorch, so the kink gives 0); s = 1/R (mean) or 1. d(a, p)
/// gets g and d_neg gets -g; with swap, `minimum` sends -g to the smaller distance and -g/2 to
/// each at a tie. Each distance passes its gradient to its two tensors by ``PairwiseDistance``.
enum TripletMargin {
    /// The argument list shared by both triplet losses.
    static let arguments: [ArgumentSpec] = [
        ArgumentSpec("anchor", .real(differentiable: true), "anchors (N, D) or (D); more leading dimensions are batch"),
        ArgumentSpec("positive", .real(differentiable: true), "positive examples, same shape as anchor"),
        ArgumentSpec("negative", .real(differentiable: true), "negative examples, same shape as anchor"),
    ]

    /// PyTorch's check `margin > 0` (a `ValueError` there).
    static func checkMargin(_ margin: Double) throws(LossError) {
        guard margin > 0 else { throw .option("margin", "must be greater than 0, got \(margin)") }
    }

    /// Rows and features: the distance runs over the last dimension (a 0-d input is one feature).
    static func layout(_ anchor: Tensor) -> (rows: Int, features: Int) {
        guard let features = anchor.shape.last else { return (1, 1) }
        return (anchor.shape.dropLast().reduce(1, *), features)
    }

    static func validate(_ arguments: LossArguments, _ distance: PairwiseDistance, _ reduction: Reduction) throws(LossError) -> [Int] {
        let anchor = arguments[0]
        try Validation.requireSameShape(arguments[1], "positive", as: anchor, "anchor")
        try Validation.requireSameShape(arguments[2], "negative", as: anchor, "anchor")
        if distance.p < 0, layout(anchor).features == 0 {
            throw .shape("anchor", "the \(distance.p)-norm of an empty last dimension is undefined (shape \(anchor.shapeDescription))")
        }
        try Validation.requireFinite(anchor, "anchor")
        try Validation.requireFinite(arguments[1], "positive")
        try Validation.requireFinite(arguments[2], "negative")
        return reduction == .none ? Array(anchor.shape.dropLast()) : []
    }

    static func evaluate(
        _ arguments: LossArguments, _ distance: PairwiseDistance, margin: Double, swap: Bool, _ reduction: Reduction,
        output: inout [Double], gradients: inout LossGradients
    ) {
        let (rows, features) = layout(arguments[0])
        let scale = reduction == .mean ? 1 / Double(rows) : 1
        let wantsA = gradients.wants(0), wantsP = gradients.wants(1), wantsN = gradients.wants(2)
        let wantsAny = wantsA || wantsP || wantsN
        let eps = distance.eps
        var total = 0.0
        gradients.withBuffers(0, 1, 2) { gradA, gradP, gradN in
            // Sound: row r covers [r * features, (r + 1) * features) < anchor.count, and the three
            // tensors and every wanted gradient buffer have anchor's count (validated).
            arguments[0].scalars.withUnsafeBufferPointer { a in
                arguments[1].scalars.withUnsafeBufferPointer { p in
                    arguments[2].scalars.withUnsafeBufferPointer { n in
                        gradA.withUnsafeMutableBufferPointer { ga in
                            gradP.withUnsafeMutableBufferPointer { gp in
                                gradN.withUnsafeMutableBufferPointer { gn in
                                    for row in 0..<rows {
                                        let base = row * features
                                        let dPos = distance.distance(a, p, base: base, count: features)
                                        let dNeg = distance.distance(a, n, base: base, count: features)
                                        let dSwap = swap ? distance.distance(p, n, base: base, count: features) : 0
                                        let dMin = swap ? Swift.min(dNeg, dSwap) : dNeg
                                        let hinge = margin + dPos - dMin
                                        let loss = hinge > 0 ? hinge : 0
                                        if reduction == .none { output[row] = loss } else { total += loss }
                                        guard wantsAny else { continue }
                                        let g = hinge > 0 ? scale : 0
                                        if g == 0 {
                                            for k in base..<(base + features) {
                                                if wantsA { ga[k] = 0 }
                                                if wantsP { gp[k] = 0 }
                                                if wantsN { gn[k] = 0 }
                                            }
                                            continue
                                        }
                                        // minimum backward: the smaller one takes the gradient, a tie splits it.
                                        var gNeg = -g, gSwap = 0.0
                                        if swap {
                                            if dNeg == dSwap {
                                                gNeg = -g / 2
                                                gSwap = -g / 2
                                            } else if dSwap < dNeg {
                                                gNeg = 0
                                                gSwap = -g
                                            }
                                        }
                                        let fPos = distance.rowFactor(upstream: g, distance: dPos)
                                        let fNeg = distance.rowFactor(upstream: gNeg, distance: dNeg)
                                        let fSwap = distance.rowFactor(upstream: gSwap, distance: dSwap)
                                        for k in base..<(base + features) {
                                            let towardPos = distance.gradient(a[k] - p[k] + eps, upstream: g, distance: dPos, factor: fPos)
                                            let towardNeg = gNeg == 0 ? 0 : distance.gradient(a[k] - n[k] + eps, upstream: gNeg, distance: dNeg, factor: fNeg)
                                            let towardSwap = gSwap == 0 ? 0 : distance.gradient(p[k] - n[k] + eps, upstream: gSwap, distance: dSwap, factor: fSwap)
                                            if wantsA { ga[k] = towardPos + towardNeg }
                                            if wantsP { gp[k] = -towardPos + towardSwap }
                                            if wantsN { gn[k] = -towardNeg - towardSwap }
                                        }
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
