// SPDX-License-Identifier: Apache-2.0

/// One tensor's second moment in ``Adafactor``: whole (0 or 1 dimension) or factored by rows
/// and columns over its last two dimensions, as `_single_tensor_adafactor` keeps it.
public enum AdafactorMoment: Sendable, Hashable {
    case variance([Double])
    /// Row factors (batch x R) and column factors (batch x C), batch-major, of a tensor of
    /// shape [..., R, C] whose leading dimensions hold `batch` elements.
    case factored(rows: [Double], columns: [Double], batch: Int)

    /// The tensor's element count.
    var count: Int {
        switch self {
        case .variance(let values): values.count
        case .factored(let rows, let columns, let batch): rows.count * columns.count / batch
        }
    }

    /// Updates the moment with gradient `g` (the tensor's elements, row-major) and returns
    /// the variance estimate, one value per element.
    mutating func update(_ g: [Double], weight: Double, eps1: Double) -> [Double] {
        switch self {
        case .variance(var v):
            for i in v.indices { v[i] = TorchArithmetic.lerp(v[i], g[i] * g[i], weight) }
            self = .variance(v)
            return v
        case .factored(var rowVar, var colVar, let batch):
            let rows = rowVar.count / batch, columns = colVar.count / batch
            var estimate = g
            for b in 0..<batch {
                let base = b * rows * columns
                for r in 0..<rows {  // vector_norm(g, dim=-1).square_().div_(C)
                    var squares = 0.0
                    for c in 0..<columns { squares += g[base + r * columns + c] * g[base + r * columns + c] }
                    let norm = squares.squareRoot()
                    rowVar[b * rows + r] = TorchArithmetic.lerp(rowVar[b * rows + r], norm * norm / Double(columns), weight)
                }
                for c in 0..<columns {  // vector_norm(g, dim=-2).square_().div_(R)
                    var squares = 0.0
                    for r in 0..<rows { squares += g[base + r * columns + c] * g[base + r * columns + c] }
                    let norm = squares.squareRoot()
                    colVar[b * columns + c] = TorchArithmetic.lerp(colVar[b * columns + c], norm * norm / Double(rows), weight)
                }
                var rowSum = 0.0  // row_var.mean(dim=-2).clamp_(min=eps1)
                for r in 0..<rows { rowSum += rowVar[b * rows + r] }
                let rowMean = Adafactor.clamp(rowSum / Double(rows), min: eps1)
                for r in 0..<rows {
                    for c in 0..<columns {
                        estimate[base + r * columns + c] = rowVar[b * rows + r] * colVar[b * columns + c] / rowMean
                    }
                }
            }
            self = .factored(rows: rowVar, columns: colVar, batch: batch)
            return estimate
        }
    }
}
