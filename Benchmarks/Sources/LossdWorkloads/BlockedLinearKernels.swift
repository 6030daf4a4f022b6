// SPDX-License-Identifier: Apache-2.0

/// A what-if for LossdModel's linear kernels, measured by `lossd-perf modelpasses`: the same sums
/// in the same order as `LinearKernels` (each output element's terms added one by one in
/// increasing index order, multiply then add, starting from the bias or 0), so the results are
/// bit for bit the same, with the loops arranged so that the work is not serialised:
///
/// - forward: Y = X W^T + b over blocks of 4 rows x 8 outputs held in vector accumulators
///   (k ascending), reading W^T (transposed once per call into a scratch buffer) so that 8
///   outputs' weights are one contiguous load; LossdModel's loop is one scalar dependency chain
///   per output (an add's latency per term).
/// - dW = G^T X and dX = G W over tiles of 4 x 4 elements held in vector accumulators for the
///   whole sum (LossdModel's loops read and write each dW and dX element once per term).
///
/// Soundness: every pointer is read or written within `[0, count)` of the buffers the caller
/// sized for `rows x inWidth`, `outWidth x inWidth` and `rows x outWidth`; outputs never alias inputs.
enum BlockedLinearKernels {
    static func forward(x: UnsafePointer<Double>, weight: UnsafePointer<Double>, bias: UnsafePointer<Double>,
                        transposed: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>,
                        rows: Int, inWidth: Int, outWidth: Int) {
        let wideColumns = outWidth / 8 * 8
        if wideColumns > 0 {
            for j in 0..<outWidth {
                for k in 0..<inWidth { transposed[k * outWidth + j] = weight[j * inWidth + k] }
            }
        }
        var i = 0
        while i + 4 <= rows {
            let x0 = x + i * inWidth, x1 = x0 + inWidth, x2 = x1 + inWidth, x3 = x2 + inWidth
            var j = 0
            while j < wideColumns {
                rowTile(x0, x1, x2, x3, terms: inWidth, vectors: transposed + j, stride: outWidth, start: load(bias + j),
                        output: y + i * outWidth + j, outputStride: outWidth)
                j += 8
            }
            for j in wideColumns..<outWidth {  // narrow outputs: 4 rows' chains side by side
                let w = weight + j * inWidth
                var s0 = bias[j], s1 = bias[j], s2 = bias[j], s3 = bias[j]
                for k in 0..<inWidth {
                    s0 += x0[k] * w[k]
                    s1 += x1[k] * w[k]
                    s2 += x2[k] * w[k]
                    s3 += x3[k] * w[k]
                }
                y[i * outWidth + j] = s0
                y[(i + 1) * outWidth + j] = s1
                y[(i + 2) * outWidth + j] = s2
                y[(i + 3) * outWidth + j] = s3
            }
            i += 4
        }
        for row in i..<rows {
            for j in 0..<outWidth {
                var sum = bias[j]
                for k in 0..<inWidth { sum += x[row * inWidth + k] * weight[j * inWidth + k] }
                y[row * outWidth + j] = sum
            }
        }
    }

    /// dW = G^T X, overwriting dW: tiles of 4 outputs x 4 inputs summed over all rows in
    /// vector accumulators (i ascending from 0, as LossdModel's loop adds them).
    static func weightGradient(g: UnsafePointer<Double>, x: UnsafePointer<Double>, dWeight: UnsafeMutablePointer<Double>,
                               rows: Int, inWidth: Int, outWidth: Int) {
        let wideInputs = inWidth / 4 * 4
        var j = 0
        while j + 4 <= outWidth {
            var k = 0
            while k < wideInputs {
                var a0 = SIMD4<Double>(repeating: 0), a1 = a0, a2 = a0, a3 = a0
                for i in 0..<rows {
                    let v = load4(x + i * inWidth + k)
                    let gRow = g + i * outWidth + j
                    a0 += gRow[0] * v
                    a1 += gRow[1] * v
                    a2 += gRow[2] * v
                    a3 += gRow[3] * v
                }
                store4(a0, dWeight + j * inWidth + k)
                store4(a1, dWeight + (j + 1) * inWidth + k)
                store4(a2, dWeight + (j + 2) * inWidth + k)
                store4(a3, dWeight + (j + 3) * inWidth + k)
                k += 4
            }
            for jj in j..<j + 4 { narrowWeightGradient(g: g, x: x, dWeight: dWeight, rows: rows, inWidth: inWidth, outWidth: outWidth, output: jj, from: wideInputs) }
            j += 4
        }
        for jj in j..<outWidth {  // one output: 4 blocks of 4 inputs at a time
            var k = 0
            while k + 16 <= wideInputs {
                var a0 = SIMD4<Double>(repeating: 0), a1 = a0, a2 = a0, a3 = a0
                for i in 0..<rows {
                    let f = g[i * outWidth + jj]
                    let row = x + i * inWidth + k
                    a0 += f * load4(row)
                    a1 += f * load4(row + 4)
                    a2 += f * load4(row + 8)
                    a3 += f * load4(row + 12)
                }
                let d = dWeight + jj * inWidth + k
                store4(a0, d)
                store4(a1, d + 4)
                store4(a2, d + 8)
                store4(a3, d + 12)
                k += 16
            }
            narrowWeightGradient(g: g, x: x, dWeight: dWeight, rows: rows, inWidth: inWidth, outWidth: outWidth, output: jj, from: k)
        }
    }

    /// dW[output, from...] one element at a time.
    private static func narrowWeightGradient(g: UnsafePointer<Double>, x: UnsafePointer<Double>, dWeight: UnsafeMutablePointer<Double>,
                                             rows: Int, inWidth: Int, outWidth: Int, output: Int, from: Int) {
        for k in from..<inWidth {
            var sum = 0.0
            for i in 0..<rows { sum += g[i * outWidth + output] * x[i * inWidth + k] }
            dWeight[output * inWidth + k] = sum
        }
    }

    /// db = column sums of G, overwriting db.
    static func biasGradient(g: UnsafePointer<Double>, dBias: UnsafeMutablePointer<Double>, rows: Int, outWidth: Int) {
        dBias.update(repeating: 0, count: outWidth)
        for i in 0..<rows {
            for j in 0..<outWidth { dBias[j] += g[i * outWidth + j] }
        }
    }

    /// dX = G W, overwriting dX: tiles of 4 rows x 4 inputs summed over the outputs in vector
    /// accumulators (j ascending from 0, as LossdModel's loop adds them).
    static func inputGradient(g: UnsafePointer<Double>, weight: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>,
                              rows: Int, inWidth: Int, outWidth: Int) {
        let wideInputs = inWidth / 4 * 4
        var i = 0
        while i + 4 <= rows {
            let g0 = g + i * outWidth, g1 = g0 + outWidth, g2 = g1 + outWidth, g3 = g2 + outWidth
            var k = 0
            while k < wideInputs {
                rowTile(g0, g1, g2, g3, terms: outWidth, vectors: weight + k, stride: inWidth, start: SIMD4<Double>(repeating: 0),
                        output: dx + i * inWidth + k, outputStride: inWidth)
                k += 4
            }
            for row in i..<i + 4 { narrowInputGradient(g: g, weight: weight, dx: dx, inWidth: inWidth, outWidth: outWidth, row: row, from: wideInputs) }
            i += 4
        }
        for row in i..<rows { narrowInputGradient(g: g, weight: weight, dx: dx, inWidth: inWidth, outWidth: outWidth, row: row, from: 0) }
    }

    /// dX[row, from...] one element at a time.
    private static func narrowInputGradient(g: UnsafePointer<Double>, weight: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>,
                                            inWidth: Int, outWidth: Int, row: Int, from: Int) {
        for k in from..<inWidth {
            var sum = 0.0
            for j in 0..<outWidth { sum += g[row * outWidth + j] * weight[j * inWidth + k] }
            dx[row * inWidth + k] = sum
        }
    }

    @inline(__always) private static func load4(_ pointer: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self)
    }

    @inline(__always) private static func store4(_ value: SIMD4<Double>, _ pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD4<Double>.self)
    }

    /// Four output rows' vectors: out_r = start + sum over t ascending of a_r[t] * V[t], V[t] the
    /// vector at `vectors + t * stride`; out_r is stored at `output + r * outputStride`.
    @inline(__always) private static func rowTile<V: SIMD>(
        _ a0: UnsafePointer<Double>, _ a1: UnsafePointer<Double>, _ a2: UnsafePointer<Double>, _ a3: UnsafePointer<Double>,
        terms: Int, vectors: UnsafePointer<Double>, stride: Int, start: V, output: UnsafeMutablePointer<Double>, outputStride: Int
    ) where V.Scalar == Double {
        var s0 = start, s1 = start, s2 = start, s3 = start
        for t in 0..<terms {
            let v = UnsafeRawPointer(vectors + t * stride).loadUnaligned(as: V.self)
            s0 += a0[t] * v
            s1 += a1[t] * v
            s2 += a2[t] * v
            s3 += a3[t] * v
        }
        let out = UnsafeMutableRawPointer(output)
        out.storeBytes(of: s0, as: V.self)
        out.storeBytes(of: s1, toByteOffset: outputStride * 8, as: V.self)
        out.storeBytes(of: s2, toByteOffset: 2 * outputStride * 8, as: V.self)
        out.storeBytes(of: s3, toByteOffset: 3 * outputStride * 8, as: V.self)
    }

    @inline(__always) private static func load(_ pointer: UnsafePointer<Double>) -> SIMD8<Double> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Double>.self)
    }

    @inline(__always) private static func store(_ value: SIMD8<Double>, _ pointer: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Double>.self)
    }
}
