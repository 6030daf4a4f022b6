// SPDX-License-Identifier: Apache-2.0

/// A loss whose value is a sum of independent per-element terms of `input` (argument 0) and a
/// same-shaped `target` (argument 1), so that it can be evaluated chunk by chunk.
///
/// The training engine splits a wide tensor into fixed-size chunks, evaluates them on several
/// threads and adds the chunk sums in chunk order; with that order fixed, the result does not
/// depend on how many threads took part:
///
///     s_c   = sum_{i in chunk c} l_i            (evaluateChunk, in LaneSum's order)
///     total = ((0 + s_0) + s_1) + ...           (the caller, c in order)
///     value = chunkedValue(total)               (mean -> total / N ; sum, none -> total)
///     g_i   = dl_i/dx_i * chunkScale            (evaluateChunk writes it)
///
/// For `reduction: none` the value is the sum of the outputs, whose gradient `g` is.
/// ``LaneSum`` fixes the order within a chunk: 8 lanes, element i into lane (i - chunk start)
/// mod 8, the lanes added pairwise; a chunk under 64 elements is summed in index order. So a
/// single chunk under 64 elements gives the value and gradient of
/// ``Loss/evaluate(_:output:gradients:workspace:)`` bit for bit; a longer one, the same gradient
/// and a value within rounding of it.
public protocol ChunkedLoss: Loss {
    /// Whether these validated arguments can be evaluated chunk by chunk.
    func supportsChunks(_ arguments: LossArguments) -> Bool

    /// The factor applied to every per-element derivative: 1/N for `mean`, else 1.
    func chunkScale(count: Int) -> Double

    /// Returns sum_{i in range} l(input[i], target[i]), summed in ``LaneSum``'s order, and writes
    /// `gradient[i] = dl/dx_i * scale` for every i in `range`. Touches nothing outside `range`.
    ///
    /// - Precondition: `input`, `target` and `gradient` hold at least `range.upperBound` elements.
    func evaluateChunk(_ range: Range<Int>, input: UnsafePointer<Double>, target: UnsafePointer<Double>,
                       gradient: UnsafeMutablePointer<Double>, scale: Double) -> Double

    /// The loss value from the in-order sum of the chunk sums of all `count` elements.
    func chunkedValue(sum: Double, count: Int) -> Double
}
