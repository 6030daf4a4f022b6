// SPDX-License-Identifier: Apache-2.0

import LossKit
@testable import LossdModel
import LossdTestSupport
import Testing

/// Linear's product gives the same bits through the AVX2 kernel (on CPUs that have it) as through
/// the portable Swift loops, and both follow the documented order: each element one accumulator,
/// start plus a multiply then an add per index, ascending. Shapes cover every tile and edge.
@Suite("Linear's matrix kernels")
struct LinearKernelTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var rows: Int, inner: Int, columns: Int, transposed: Bool, withStart: Bool
        var testDescription: String { "\(rows)x\(inner)x\(columns)\(transposed ? " transposed" : "")\(withStart ? " +start" : "")" }
    }

    static let shapes: [Shape] = [(1, 1, 1), (3, 5, 7), (4, 8, 8), (5, 3, 12), (8, 32, 64), (9, 17, 27), (13, 64, 1), (256, 64, 64)]
        .flatMap { rows, inner, columns in
            [(false, true), (true, false), (false, false)].map { Shape(rows: rows, inner: inner, columns: columns, transposed: $0.0, withStart: $0.1) }
        }

    @Test(arguments: shapes)
    func wideAndPortableAgreeBitForBit(_ shape: Shape) {
        var random = SeededRandom(seed: UInt64(shape.rows * 1_000 + shape.inner * 10 + shape.columns))
        let a = random.uniform([shape.rows * shape.inner]).scalars
        let b = random.uniform([shape.inner * shape.columns]).scalars
        let start = random.uniform([shape.columns]).scalars
        // A(r, p) = a[r * rowStride + p * innerStride]: row-major, or a transposed (inner x rows) matrix.
        let (rowStride, innerStride) = shape.transposed ? (1, shape.rows) : (shape.inner, 1)
        var expected = [Double](repeating: 0, count: shape.rows * shape.columns)
        for r in 0..<shape.rows {
            for c in 0..<shape.columns {
                var sum = shape.withStart ? start[c] : 0
                for p in 0..<shape.inner {
                    let product = a[r * rowStride + p * innerStride] * b[p * shape.columns + c]
                    sum = sum + product
                }
                expected[r * shape.columns + c] = sum
            }
        }
        func product(portable: Bool) -> [Double] {
            var c = [Double](repeating: .nan, count: shape.rows * shape.columns)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    start.withUnsafeBufferPointer { start in
                        c.withUnsafeMutableBufferPointer { c in
                            LinearKernels.multiply(rows: shape.rows, inner: shape.inner, columns: shape.columns, a: a.baseAddress!,
                                                   aRowStride: rowStride, aInnerStride: innerStride, b: b.baseAddress!,
                                                   start: shape.withStart ? start.baseAddress! : nil, c: c.baseAddress!,
                                                   portable: portable)
                        }
                    }
                }
            }
            return c
        }
        #expect(product(portable: true).map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(product(portable: false).map(\.bitPattern) == expected.map(\.bitPattern),
                "AVX2 kernel in use: \(LinearKernels.hasAVX2)")
    }
}
