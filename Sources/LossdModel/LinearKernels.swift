// SPDX-License-Identifier: Apache-2.0

import CLossdKernels

/// The matrix loops of ``Linear``: one register-tiled product over contiguous row-major memory,
/// in a fixed summation order.
///
/// Shapes: X is `rows x in`, W is `out x in` (PyTorch's `weight`), b is `out`, Y and G (dLoss/dY)
/// are `rows x out`. Every element is one accumulator that starts from the bias (or 0) and adds
/// its products in increasing index order, a multiply and an add each (no fused multiply-add):
///
///     Y[i,j]  = (((b[j] + X[i,0] W[j,0]) + X[i,1] W[j,1]) + ...)         k ascending  (Y = X W^T + b)
///     dW[j,k] = (((0 + G[0,j] X[0,k]) + G[1,j] X[1,k]) + ...)            i ascending  (dW = G^T X)
///     db[j]   = (((0 + G[0,j]) + G[1,j]) + ...)                           i ascending
///     dX[i,k] = (((0 + G[i,0] W[0,k]) + G[i,1] W[1,k]) + ...)            j ascending  (dX = G W)
///
/// The tiling (4 rows by 8 columns of SIMD accumulators, then narrower tiles and single
/// elements at the edges) only decides which elements are computed together, never the order
/// within one: an element's value is the same wherever it falls, on every run and thread count.
///
/// On x86-64 CPUs with AVX2, ``multiply`` runs `lossd_multiply_avx2` (CLossdKernels, chosen at
/// run time): the same loops in 256-bit vectors, with the same operations in the same order for
/// every element, so the bits do not depend on the CPU or the path. Elsewhere, these Swift loops.
///
/// Soundness: each function reads and writes only the elements its shape arguments describe,
/// which ``Linear`` checks against the buffers' counts with preconditions; outputs never alias
/// inputs (``Sequential`` hands out disjoint regions of one workspace).
enum LinearKernels {
    typealias Vector = SIMD4<Double>

    /// Whether this CPU runs the AVX2 kernel (asked once).
    static let hasAVX2 = lossd_kernels_have_avx2() != 0

    /// C = start + A B over `p` ascending: C[r, c] = start[c] + sum_p A(r, p) B[p, c], where
    /// A(r, p) = a[r * aRowStride + p * aInnerStride] (A or a transposed A), B is `inner x columns`
    /// and C is `rows x columns`, both row-major; `start` nil means 0.
    static func multiply(rows: Int, inner: Int, columns: Int, a: UnsafePointer<Double>, aRowStride: Int, aInnerStride: Int,
                         b: UnsafePointer<Double>, start: UnsafePointer<Double>?, c: UnsafeMutablePointer<Double>,
                         portable: Bool = false) {
        if hasAVX2 && !portable {
            lossd_multiply_avx2(rows, inner, columns, a, aRowStride, aInnerStride, b, start, c)
            return
        }
        var row = 0
        while row + 4 <= rows {
            multiplyRows(4, row: row, inner: inner, columns: columns, a: a, aRowStride: aRowStride, aInnerStride: aInnerStride,
                         b: b, start: start, c: c)
            row += 4
        }
        while row < rows {
            multiplyRows(1, row: row, inner: inner, columns: columns, a: a, aRowStride: aRowStride, aInnerStride: aInnerStride,
                         b: b, start: start, c: c)
            row += 1
        }
    }

    /// `count` (4 or 1) rows of C from `row`: 8-column tiles, then 4-column tiles, then single columns.
    @inline(__always)
    private static func multiplyRows(_ count: Int, row: Int, inner: Int, columns: Int, a: UnsafePointer<Double>,
                                     aRowStride: Int, aInnerStride: Int, b: UnsafePointer<Double>,
                                     start: UnsafePointer<Double>?, c: UnsafeMutablePointer<Double>) {
        var column = 0
        if count == 4 {
            let a0 = a + row * aRowStride, a1 = a0 + aRowStride, a2 = a1 + aRowStride, a3 = a2 + aRowStride
            let c0 = c + row * columns, c1 = c0 + columns, c2 = c1 + columns, c3 = c2 + columns
            while column + 8 <= columns {
                let low = start.map { load($0 + column) } ?? Vector(), high = start.map { load($0 + column + 4) } ?? Vector()
                var s0l = low, s0h = high, s1l = low, s1h = high, s2l = low, s2h = high, s3l = low, s3h = high
                for p in 0..<inner {
                    let bRow = b + p * columns + column
                    let bl = load(bRow), bh = load(bRow + 4)
                    let offset = p * aInnerStride
                    let x0 = a0[offset], x1 = a1[offset], x2 = a2[offset], x3 = a3[offset]
                    s0l += bl * x0; s0h += bh * x0
                    s1l += bl * x1; s1h += bh * x1
                    s2l += bl * x2; s2h += bh * x2
                    s3l += bl * x3; s3h += bh * x3
                }
                store(s0l, c0 + column); store(s0h, c0 + column + 4)
                store(s1l, c1 + column); store(s1h, c1 + column + 4)
                store(s2l, c2 + column); store(s2h, c2 + column + 4)
                store(s3l, c3 + column); store(s3h, c3 + column + 4)
                column += 8
            }
            while column + 4 <= columns {
                let initial = start.map { load($0 + column) } ?? Vector()
                var s0 = initial, s1 = initial, s2 = initial, s3 = initial
                for p in 0..<inner {
                    let bv = load(b + p * columns + column)
                    let offset = p * aInnerStride
                    s0 += bv * a0[offset]; s1 += bv * a1[offset]; s2 += bv * a2[offset]; s3 += bv * a3[offset]
                }
                store(s0, c0 + column); store(s1, c1 + column); store(s2, c2 + column); store(s3, c3 + column)
                column += 4
            }
            while column < columns {
                let initial = start?[column] ?? 0
                var s0 = initial, s1 = initial, s2 = initial, s3 = initial
                for p in 0..<inner {
                    let bv = b[p * columns + column]
                    let offset = p * aInnerStride
                    s0 += a0[offset] * bv; s1 += a1[offset] * bv; s2 += a2[offset] * bv; s3 += a3[offset] * bv
                }
                c0[column] = s0; c1[column] = s1; c2[column] = s2; c3[column] = s3
                column += 1
            }
            return
        }
        let a0 = a + row * aRowStride
        let c0 = c + row * columns
        while column + 4 <= columns {
            var s0 = start.map { load($0 + column) } ?? Vector()
            for p in 0..<inner { s0 += load(b + p * columns + column) * a0[p * aInnerStride] }
            store(s0, c0 + column)
            column += 4
        }
        while column < columns {
            var s0 = start?[column] ?? 0
            for p in 0..<inner { s0 += a0[p * aInnerStride] * b[p * columns + column] }
            c0[column] = s0
            column += 1
        }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Double>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    private static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector.self)
    }

    /// W^T (`in x out`, row-major) from W (`out x in`), for the forward's product.
    static func transpose(_ weight: UnsafePointer<Double>, into transposed: UnsafeMutablePointer<Double>, outWidth: Int, inWidth: Int) {
        for j in 0..<outWidth {
            for k in 0..<inWidth { transposed[k * outWidth + j] = weight[j * inWidth + k] }
        }
    }

    /// db = column sums of G (i ascending), overwriting db.
    static func biasGradient(g: UnsafePointer<Double>, dBias: UnsafeMutablePointer<Double>, rows: Int, outWidth: Int) {
        dBias.update(repeating: 0, count: outWidth)
        for i in 0..<rows {
            let gRow = g + i * outWidth
            for j in 0..<outWidth { dBias[j] += gRow[j] }
        }
    }
}
