// SPDX-License-Identifier: Apache-2.0

import RealModule

/// Connectionist temporal classification (PyTorch `torch.nn.CTCLoss`), registry name `ctc`.
///
/// Input lp holds log-probabilities, shape `(T, N, C)` (or unbatched `(T, C)`, N = 1), lp[t, c] of one
/// sequence below; sequence n has input length T_n and labels l_1..l_L (L = target length). The
/// extended labels are l' = (b, l_1, b, l_2, ..., l_L, b), 2L + 1 of them, b = `blank`. The alpha
/// recursion runs in log space exactly as ATen's `ctc_loss_cpu_template`:
///
///     alpha[0, 0] = lp[0, b] ;  alpha[0, 1] = lp[0, l_1] ;  alpha[0, s] = -inf otherwise
///     alpha[t, s] = logsumexp(alpha[t-1, s], alpha[t-1, s-1], alpha[t-1, s-2] if l'_s != l'_{s-2})
///                   + lp[t, l'_s]
///     nll = -logsumexp(alpha[T_n-1, 2L], alpha[T_n-1, 2L-1])     (L > 0)
///     nll = -alpha[T_n-1, 0]                                      (L = 0)
///     nll = 0 (L = 0) or inf (L > 0)                              (T_n = 0)
///
/// A repeated label (l'_s == l'_{s-2}) forbids the skip, so a target needs at least L + (number of
/// adjacent repeats) steps; fewer steps give nll = inf (an impossible alignment).
///
///     zero_infinity: nll = inf -> 0
///     mean -> (1/N) sum_n nll_n / max(L_n, 1) ;  sum -> sum_n nll_n ;  none -> [nll_n] (shape (N) or ())
///
/// **Gradient** (ATen's `ctc_loss_backward_cpu`): beta is the mirrored recursion from t = T_n - 1
/// (beta[t, s] includes lp[t, l'_s], as alpha does), and for t < T_n
///
///     gamma[t, c] = logsumexp over s with l'_s == c of (alpha[t, s] + beta[t, s])   (-inf if none)
///     dL/dlp[t, n, c] = (exp(lp[t, c]) - exp(gamma[t, c] + nll - lp[t, c])) * g_n
///
/// and 0 for t >= T_n, with g_n = 1 (sum, none) or 1 / (N max(L_n, 1)) (mean). This is PyTorch's
/// gradient, not the derivative of the value above with respect to lp: the exp(lp) term is the
/// derivative of a log_softmax that ATen assumes produced lp. Composed with a log_softmax over C it
/// is the true gradient (that is what the generic gradient check differentiates); on unnormalised lp
/// lossd, like PyTorch, returns the formula above. With `zero_infinity` an impossible sequence gets a
/// zero gradient; without it its gradient is NaN for t < T_n (inf - inf in the formula; T_n = 0
/// gives 0), exactly as PyTorch.
///
/// - Options (YAML key, default): `blank` (0, in [0, C)), `reduction` (`mean`), `zero_infinity` (False).
/// - Shapes: `log_probs` (T, N, C) or (T, C), T, N, C > 0, finite; `targets` (N, S) padded (only the
///   first L_n entries of row n are read, S >= max L_n) or (sum L_n) concatenated, or (S) = (L)
///   unbatched; `input_lengths` and `target_lengths` (N), or () unbatched. Output scalar, or (N) / ()
///   for `none`.
/// - Errors as PyTorch: `blank` outside [0, C), input lengths outside [0, T], negative target lengths,
///   S < max L_n, a concatenated or unbatched `targets` whose size is not sum L_n. lossd also refuses
///   what PyTorch leaves undefined: a label outside [0, C) or equal to `blank` (PyTorch documents
///   that targets cannot be blank), and length shapes other than those documented ((N) or ()).
/// - Scratch: the alpha table (T x (2 max L_n + 1)) and two beta rows live in `workspace`; the
///   gradient buffer holds gamma while it is collected. No allocation after the first call.
public struct CTCLoss: BuiltinLoss {
    public static let descriptor = LossDescriptor(
        name: "ctc", pytorchName: "CTCLoss",
        summary: "connectionist temporal classification of log-probabilities vs label sequences",
        arguments: [
            ArgumentSpec("log_probs", .real(differentiable: true), "log-probabilities (T, N, C), or (T, C) unbatched"),
            ArgumentSpec("targets", .index, "labels (N, S) padded or (sum(target_lengths)) concatenated, or (S) unbatched"),
            ArgumentSpec("input_lengths", .index, "input lengths in [0, T], shape (N), or () unbatched"),
            ArgumentSpec("target_lengths", .index, "target lengths >= 0, shape (N), or () unbatched"),
        ],
        options: [
            OptionSpec("blank", .integer, default: .integer(0), "the blank label, in [0, C)"),
            .reduction,
            OptionSpec("zero_infinity", .bool, default: .bool(false), "zero infinite losses (impossible alignments) and their gradients"),
        ])

    public let blank: Int
    public let reduction: Reduction
    public let zeroInfinity: Bool

    public init(options: LossOptions) throws(LossError) {
        blank = options.integer("blank")
        reduction = options.reduction
        zeroInfinity = options.bool("zero_infinity")
        guard blank >= 0 else { throw .option("blank", "must be in the label range [0, C), got \(blank)") }
    }

    /// Sizes read from validated arguments.
    struct Layout {
        /// T, N, C.
        var steps: Int, batch: Int, labels: Int
        var isBatched: Bool
        /// Whether `targets` is (N, S) padded; otherwise concatenated (or unbatched).
        var isPadded: Bool
        /// S for padded targets.
        var rowLength: Int
        /// max_n L_n.
        var maxTargetLength: Int

        /// Requires `log_probs` of rank 2 or 3 and lengths of the right count (checked by `validate`).
        init(_ arguments: LossArguments) {
            let shape = arguments[0].shape
            isBatched = shape.count == 3
            steps = shape[0]
            batch = isBatched ? shape[1] : 1
            labels = shape[shape.count - 1]
            isPadded = isBatched && arguments[1].rank == 2
            rowLength = isPadded ? arguments[1].shape[1] : 0
            maxTargetLength = Int(arguments[3].scalars.max() ?? 0)
        }
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        let logProbs = arguments[0], targets = arguments[1]
        guard logProbs.rank == 2 || logProbs.rank == 3 else {
            throw .shape("log_probs", "expected (T, N, C) or unbatched (T, C), got shape \(logProbs.shapeDescription)")
        }
        guard logProbs.count > 0 else {
            throw .shape("log_probs", "shape \(logProbs.shapeDescription) is empty; T, N and C must be positive")
        }
        try Validation.requireFinite(logProbs, "log_probs")
        let isBatched = logProbs.rank == 3
        let steps = logProbs.shape[0], batch = isBatched ? logProbs.shape[1] : 1, labels = logProbs.shape[logProbs.rank - 1]
        guard blank < labels else {
            throw .option("blank", "blank \(blank) must be in the label range [0, C) = [0, \(labels))")
        }
        let lengthShape = isBatched ? [batch] : []
        for (index, name) in [(2, "input_lengths"), (3, "target_lengths")] {
            let lengths = arguments[index]
            guard lengths.shape == lengthShape else {
                throw .shape(name, "shape \(lengths.shapeDescription) must be "
                             + (isBatched ? "(N,) = (\(batch),)" : "() for an unbatched log_probs (T, C)"))
            }
            try Validation.requireIndexType(lengths, name, reason: "\(name) must be integral")
            try Validation.requireIntegral(lengths, name)
        }
        for (n, value) in arguments[2].scalars.enumerated() where !(0...Double(steps)).contains(value) {
            throw .value("input_lengths", "element \(n) is \(Int(value)); input lengths must be in [0, T] = [0, \(steps)]")
        }
        try Validation.requireIntegral(targets, "targets")
        let targetLengths = arguments[3].scalars
        for (n, value) in targetLengths.enumerated() {
            guard value >= 0 else { throw .value("target_lengths", "element \(n) is \(Int(value)); target lengths must be >= 0") }
            // No valid target length exceeds the number of labels given; this also keeps sums small.
            guard value <= Double(targets.count) else {
                throw .value("target_lengths", "element \(n) is \(Int(value)), but targets holds only \(targets.count) labels")
            }
        }
        let maxTargetLength = Int(targetLengths.max() ?? 0)
        let totalTargetLength = Int(targetLengths.reduce(0, +))
        if isBatched && targets.rank == 2 {
            guard targets.shape[0] == batch else {
                throw .shape("targets", "padded targets of shape \(targets.shapeDescription) need N = \(batch) rows")
            }
            guard targets.shape[1] >= maxTargetLength else {
                throw .shape("targets", "padded targets of shape \(targets.shapeDescription) have S = \(targets.shape[1]) columns, "
                             + "but target_lengths holds \(maxTargetLength)")
            }
        } else if targets.rank == 1 {
            guard targets.count == totalTargetLength else {
                throw .shape("targets", (isBatched ? "concatenated" : "unbatched") + " targets of shape \(targets.shapeDescription) "
                             + "must hold sum(target_lengths) = \(totalTargetLength) labels")
            }
        } else {
            throw .shape("targets", "expected " + (isBatched ? "(N, S) padded or (sum(target_lengths),) concatenated" : "(S,) for an unbatched log_probs (T, C)")
                         + ", got shape \(targets.shapeDescription)")
        }
        let layout = Layout(arguments)
        var offset = 0
        for n in 0..<batch {
            let length = Int(targetLengths[n])
            let start = layout.isPadded ? n * layout.rowLength : offset
            offset += length
            for position in start..<(start + length) {
                let label = targets.scalars[position]
                guard label >= 0, label < Double(labels) else {
                    throw .value("targets", "label \(Int(label)) at element \(position) is out of range for \(labels) classes [0, \(labels))")
                }
                guard Int(label) != blank else {
                    throw .value("targets", "label at element \(position) is the blank label \(blank); targets cannot contain blank")
                }
            }
        }
        if reduction != .none { return [] }
        return isBatched ? [batch] : []
    }

    public func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let layout = Layout(arguments)
        let width = 2 * layout.maxTargetLength + 1
        let wantsGradient = gradients.wants(0)
        let alphaCount = layout.steps * width
        let needed = alphaCount + (wantsGradient ? 2 * width : 0)
        if workspace.count < needed { workspace += repeatElement(0, count: needed - workspace.count) }
        let inputLengths = arguments[2].scalars, targetLengths = arguments[3].scalars
        let meanScale = 1 / Double(layout.batch)
        var total = 0.0
        // Sound: validated t < T_n <= T, n < N, labels in [0, C), s < 2 max L_n + 1; workspace sized above.
        arguments[0].scalars.withUnsafeBufferPointer { lp in
            arguments[1].scalars.withUnsafeBufferPointer { targets in
                workspace.withUnsafeMutableBufferPointer { work in
                    gradients.buffers[0].withUnsafeMutableBufferPointer { grad in
                        var offset = 0
                        for n in 0..<layout.batch {
                            let inputLength = Int(inputLengths[n]), targetLength = Int(targetLengths[n])
                            let item = BatchItem(
                                logProbs: lp, targets: targets, targetOffset: layout.isPadded ? n * layout.rowLength : offset,
                                blank: blank, inputLength: inputLength, targetLength: targetLength,
                                index: n, batch: layout.batch, labels: layout.labels)
                            offset += targetLength
                            let alpha = UnsafeMutableBufferPointer(rebasing: work[0..<alphaCount])
                            let nll = item.forward(alpha: alpha)
                            let isZeroed = zeroInfinity && nll == .infinity
                            let loss = isZeroed ? 0 : nll
                            let clampedLength = Double(Swift.max(targetLength, 1))
                            switch reduction {
                            case .none: output[n] = loss
                            case .sum: total += loss
                            case .mean: total += loss / clampedLength
                            }
                            guard wantsGradient else { continue }
                            let scale = reduction == .mean ? meanScale / clampedLength : 1
                            let beta = UnsafeMutableBufferPointer(rebasing: work[alphaCount..<(alphaCount + 2 * width)])
                            item.backward(alpha: alpha, beta: beta, nll: nll, scale: scale, zeroed: isZeroed,
                                          steps: layout.steps, grad: grad)
                        }
                    }
                }
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = total
        case .mean: output[0] = total / Double(layout.batch)
        }
    }

    /// One sequence n of the batch: its view of log_probs and targets, and the two recursions.
    struct BatchItem {
        let logProbs: UnsafeBufferPointer<Double>
        let targets: UnsafeBufferPointer<Double>
        let targetOffset: Int
        let blank: Int
        let inputLength: Int
        let targetLength: Int
        let index: Int
        let batch: Int
        let labels: Int

        /// The extended label l'_s: blank at even s, l_{(s+1)/2} at odd s.
        @inline(__always)
        func label(_ s: Int) -> Int {
            s & 1 == 0 ? blank : Int(targets[targetOffset + s >> 1])
        }

        /// Offset of lp[t, n, 0].
        @inline(__always)
        func row(_ t: Int) -> Int { (t * batch + index) * labels }

        /// log(exp(a - m) + exp(b - m) + exp(c - m)) + m with m the largest (0 when all are -inf),
        /// in ATen's operation order.
        @inline(__always)
        static func logSumExp(_ a: Double, _ b: Double, _ c: Double) -> Double {
            var m = a
            if b > m { m = b }
            if c > m { m = c }
            if m == -.infinity { m = 0 }
            return Double.log(Double.exp(a - m) + Double.exp(b - m) + Double.exp(c - m)) + m
        }

        /// Fills alpha (rows t < T_n, stride 2L + 1) and returns the negative log likelihood.
        func forward(alpha: UnsafeMutableBufferPointer<Double>) -> Double {
            if inputLength == 0 { return targetLength == 0 ? -0.0 : .infinity }
            let width = 2 * targetLength + 1
            for s in 0..<width { alpha[s] = -.infinity }
            alpha[0] = logProbs[row(0) + blank]
            if targetLength > 0 { alpha[1] = logProbs[row(0) + label(1)] }
            for t in 1..<inputLength {
                let current = t * width, previous = current - width, base = row(t)
                for s in 0..<width {
                    let l = label(s)
                    let a1 = alpha[previous + s]
                    let a2 = s > 0 ? alpha[previous + s - 1] : -.infinity
                    let a3 = s > 1 && label(s - 2) != l ? alpha[previous + s - 2] : -.infinity
                    alpha[current + s] = Self.logSumExp(a1, a2, a3) + logProbs[base + l]
                }
            }
            let last = (inputLength - 1) * width
            if targetLength == 0 { return -alpha[last] }
            let l1 = alpha[last + 2 * targetLength], l2 = alpha[last + 2 * targetLength - 1]
            var m = Swift.max(l1, l2)
            if m == -.infinity { m = 0 }
            return -(Double.log(Double.exp(l1 - m) + Double.exp(l2 - m)) + m)
        }

        /// Writes dL/dlp for every (t, n, c) of this sequence into `grad`, scaled by `scale`.
        func backward(alpha: UnsafeMutableBufferPointer<Double>, beta: UnsafeMutableBufferPointer<Double>,
                      nll: Double, scale: Double, zeroed: Bool, steps: Int, grad: UnsafeMutableBufferPointer<Double>) {
            let firstZeroStep = zeroed ? 0 : inputLength
            for t in firstZeroStep..<steps {
                let base = row(t)
                for c in 0..<labels { grad[base + c] = 0 }
            }
            guard !zeroed, inputLength > 0 else { return }
            // gamma is collected in place (log space), -inf where no extended label matches.
            for t in 0..<inputLength {
                let base = row(t)
                for c in 0..<labels { grad[base + c] = -.infinity }
            }
            let width = 2 * targetLength + 1, end = 2 * targetLength
            var next = 0, current = width
            let lastStep = inputLength - 1, lastBase = row(lastStep), lastAlpha = lastStep * width
            for s in 0..<width { beta[next + s] = -.infinity }
            beta[next + end] = logProbs[lastBase + blank]
            grad[lastBase + blank] = alpha[lastAlpha + end] + beta[next + end]
            if targetLength > 0 {
                let l = label(end - 1)
                beta[next + end - 1] = logProbs[lastBase + l]
                grad[lastBase + l] = alpha[lastAlpha + end - 1] + beta[next + end - 1]
            }
            var t = inputLength - 2
            while t >= 0 {
                let base = row(t), alphaRow = t * width
                for s in stride(from: end, through: 0, by: -1) {
                    let l = label(s)
                    let b1 = beta[next + s]
                    let b2 = s < end ? beta[next + s + 1] : -.infinity
                    let b3 = s < end - 1 && label(s + 2) != l ? beta[next + s + 2] : -.infinity
                    let b = Self.logSumExp(b1, b2, b3) + logProbs[base + l]
                    beta[current + s] = b
                    let product = alpha[alphaRow + s] + b
                    let collected = grad[base + l]
                    if collected == -.infinity {
                        grad[base + l] = product
                    } else {
                        let m = Swift.max(collected, product)
                        grad[base + l] = Double.log(Double.exp(collected - m) + Double.exp(product - m)) + m
                    }
                }
                swap(&next, &current)
                t -= 1
            }
            for t in 0..<inputLength {
                let base = row(t)
                for c in 0..<labels {
                    let lp = logProbs[base + c]
                    grad[base + c] = (Double.exp(lp) - Double.exp(grad[base + c] + nll - lp)) * scale
                }
            }
        }
    }
}
