// SPDX-License-Identifier: Apache-2.0

/// The fixed order in which a chunk's per-element terms (loss values, squared gradients) are
/// summed: in 8 independent lanes, so that the adds of one lane never wait on another's, as in
/// a hand-written loop with several accumulators.
///
/// For a chunk of n elements starting at element b (t_i: element i's term):
///
///     n < 64:   s = ((0 + t_b) + t_b+1) + ... + t_b+n-1                       (one accumulator)
///     n >= 64:  lane_j = ((0 + t_b+j) + t_b+j+8) + t_b+j+16 + ...             (j = 0 ..< 8)
///               s = ((lane_0 + lane_4) + (lane_2 + lane_6)) + ((lane_1 + lane_5) + (lane_3 + lane_7))
///
/// Element i goes to lane (i - b) mod 8, so the order depends on the chunk's bounds only: never on
/// which thread runs it, how many threads there are, or where a run was interrupted. A short
/// chunk (the seed job's 3 elements) takes one accumulator, where the lanes' setup and final
/// adds would cost more than the adds they overlap.
public enum LaneSum {
    /// Lanes per chunk.
    public static let width = 8
    /// The shortest chunk summed in lanes.
    public static let lanedMinimum = 64

    /// The two sums (a, b) of `range`'s terms in the order above. `pair(i)` gives the terms of
    /// elements i and i + 1 (lane 0: element i), `single(i)` those of element i; each element is
    /// visited once, in index order, through `pair` except perhaps the last.
    @inlinable @inline(__always)
    public static func sums(_ range: Range<Int>, pair: (Int) -> (SIMD2<Double>, SIMD2<Double>),
                            single: (Int) -> (Double, Double)) -> (Double, Double) {
        var i = range.lowerBound
        let end = range.upperBound
        guard range.count >= lanedMinimum else {
            var sums = SIMD2<Double>(0, 0)  // [a, b], one element at a time
            while i &+ 1 < end {
                let (a, b) = pair(i)
                sums += SIMD2(a[0], b[0])
                sums += SIMD2(a[1], b[1])
                i &+= 2
            }
            if i < end {
                let (a, b) = single(i)
                sums += SIMD2(a, b)
            }
            return (sums[0], sums[1])
        }
        var a = SIMD8<Double>(repeating: 0), b = SIMD8<Double>(repeating: 0)
        while i &+ 8 <= end {
            let (a0, b0) = pair(i), (a1, b1) = pair(i &+ 2), (a2, b2) = pair(i &+ 4), (a3, b3) = pair(i &+ 6)
            a += SIMD8(lowHalf: SIMD4(lowHalf: a0, highHalf: a1), highHalf: SIMD4(lowHalf: a2, highHalf: a3))
            b += SIMD8(lowHalf: SIMD4(lowHalf: b0, highHalf: b1), highHalf: SIMD4(lowHalf: b2, highHalf: b3))
            i &+= 8
        }
        // The tail: element b + 8k + j into lane j. Adding +0 to the other lanes changes no bits
        // (a lane that starts at +0 never holds -0).
        var tailA = SIMD8<Double>(repeating: 0), tailB = SIMD8<Double>(repeating: 0)
        var lane = 0
        while i &+ 1 < end {
            let (pa, pb) = pair(i)
            tailA[lane] = pa[0]
            tailA[lane &+ 1] = pa[1]
            tailB[lane] = pb[0]
            tailB[lane &+ 1] = pb[1]
            lane &+= 2
            i &+= 2
        }
        if i < end {
            (tailA[lane], tailB[lane]) = single(i)
        }
        a += tailA
        b += tailB
        return (combine(a), combine(b))
    }

    /// The sum of `range`'s terms in the order above; `pair` and `single` as in
    /// ``sums(_:pair:single:)``.
    @inlinable @inline(__always)
    public static func sum(_ range: Range<Int>, pair: (Int) -> SIMD2<Double>, single: (Int) -> Double) -> Double {
        sums(range, pair: { (pair($0), SIMD2(repeating: 0)) }, single: { (single($0), 0) }).0
    }

    /// The lanes added pairwise: ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
    @inlinable @inline(__always)
    public static func combine(_ lanes: SIMD8<Double>) -> Double {
        let four = lanes.lowHalf + lanes.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }
}
