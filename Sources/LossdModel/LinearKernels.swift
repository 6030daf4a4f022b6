// SPDX-License-Identifier: Apache-2.0

/// The matrix loops of ``Linear``, over contiguous row-major memory, in a fixed summation order.
///
/// Shapes: X is `rows x inWidth`, W is `outWidth x inWidth` (PyTorch's `weight`), b is `outWidth`,
/// Y and G (dLoss/dY) are `rows x outWidth`. Every sum runs in increasing index order, one
/// accumulator per output element, so the results are the same on every run and thread count:
///
///     Y[i,j]  = (((b[j] + X[i,0] W[j,0]) + X[i,1] W[j,1]) + ...)          k ascending
///     dW[j,k] = ((G[0,j] X[0,k] + G[1,j] X[1,k]) + ...)                    i ascending
///     db[j]   = ((G[0,j] + G[1,j]) + ...)                                   i ascending
///     dX[i,k] = ((G[i,0] W[0,k] + G[i,1] W[1,k]) + ...)                    j ascending
///
/// Soundness: each function reads and writes only `[0, count)` of pointers whose counts the
/// caller's buffers guarantee (``Linear`` checks them with preconditions); outputs never alias
/// inputs (``Sequential`` hands out disjoint regions of one workspace).
enum LinearKernels {
    /// Y = X W^T + b (b optional).
    static func forward(x: UnsafePointer<Double>, weight: UnsafePointer<Double>, bias: UnsafePointer<Double>?,
                        y: UnsafeMutablePointer<Double>, rows: Int, inWidth: Int, outWidth: Int) {
        for i in 0..<rows {
            let xRow = x + i * inWidth
            let yRow = y + i * outWidth
            for j in 0..<outWidth {
                let wRow = weight + j * inWidth
                var sum = bias?[j] ?? 0
                for k in 0..<inWidth { sum += xRow[k] * wRow[k] }
                yRow[j] = sum
            }
        }
    }

    /// dW = G^T X, overwriting dW.
    static func weightGradient(g: UnsafePointer<Double>, x: UnsafePointer<Double>, dWeight: UnsafeMutablePointer<Double>,
                               rows: Int, inWidth: Int, outWidth: Int) {
        dWeight.update(repeating: 0, count: outWidth * inWidth)
        for i in 0..<rows {
            let xRow = x + i * inWidth
            let gRow = g + i * outWidth
            for j in 0..<outWidth {
                let factor = gRow[j]
                let dRow = dWeight + j * inWidth
                for k in 0..<inWidth { dRow[k] += factor * xRow[k] }
            }
        }
    }

    /// db = column sums of G, overwriting db.
    static func biasGradient(g: UnsafePointer<Double>, dBias: UnsafeMutablePointer<Double>, rows: Int, outWidth: Int) {
        dBias.update(repeating: 0, count: outWidth)
        for i in 0..<rows {
            let gRow = g + i * outWidth
            for j in 0..<outWidth { dBias[j] += gRow[j] }
        }
    }

    /// dX = G W, overwriting dX.
    static func inputGradient(g: UnsafePointer<Double>, weight: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>,
                              rows: Int, inWidth: Int, outWidth: Int) {
        dx.update(repeating: 0, count: rows * inWidth)
        for i in 0..<rows {
            let gRow = g + i * outWidth
            let dRow = dx + i * inWidth
            for j in 0..<outWidth {
                let factor = gRow[j]
                let wRow = weight + j * inWidth
                for k in 0..<inWidth { dRow[k] += factor * wRow[k] }
            }
        }
    }
}
