// SPDX-License-Identifier: Apache-2.0

import CLossdKernels

/// One element's value (`Double`) or consecutive elements' values in vector lanes
/// (`SIMD2<Double>`), so that an optimizer writes its per-element update once, generic over this,
/// and runs it on one element or on several at once.
///
/// Every operation rounds per lane as the scalar one does (IEEE arithmetic and square root are
/// exact-rounded lane by lane), so each lane's bits are those of the scalar formula.
protocol ElementLanes {
    /// Every lane `scalar`.
    init(broadcast scalar: Double)
    /// Lanes from `pointer[0]`, `pointer[1]`, ...
    init(loading pointer: UnsafePointer<Double>)
    /// Writes lane j to `pointer[j]`.
    func store(to pointer: UnsafeMutablePointer<Double>)

    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    static func / (lhs: Self, rhs: Self) -> Self
    static prefix func - (operand: Self) -> Self
    /// The correctly rounded square root of each lane: `squareRoot()` for one element, one
    /// `sqrtpd` for a pair (Swift's `squareRoot()` on SIMD2 calls libm once per lane).
    func laneSquareRoot() -> Self
    /// Lane by lane ``TorchArithmetic/maximum(_:_:)``: the larger value, NaN if either is NaN.
    static func torchMaximum(_ a: Self, _ b: Self) -> Self
}

extension Double: ElementLanes {
    @inline(__always)
    init(broadcast scalar: Double) { self = scalar }

    @inline(__always)
    init(loading pointer: UnsafePointer<Double>) { self = pointer.pointee }

    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Double>) { pointer.pointee = self }

    @inline(__always)
    func laneSquareRoot() -> Double { squareRoot() }

    @inline(__always)
    static func torchMaximum(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return .nan }
        return a > b ? a : b
    }
}

extension SIMD2: ElementLanes where Scalar == Double {
    @inline(__always)
    init(broadcast scalar: Double) { self.init(repeating: scalar) }

    @inline(__always)
    init(loading pointer: UnsafePointer<Double>) { self.init(pointer[0], pointer[1]) }

    @inline(__always)
    func store(to pointer: UnsafeMutablePointer<Double>) {
        pointer[0] = self[0]
        pointer[1] = self[1]
    }

    @inline(__always)
    func laneSquareRoot() -> SIMD2<Double> { lossd_sqrt2(self) }

    @inline(__always)
    static func torchMaximum(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> SIMD2<Double> {
        let larger = b.replacing(with: a, where: a .> b)
        return larger.replacing(with: .nan, where: (a .!= a) .| (b .!= b))
    }
}
