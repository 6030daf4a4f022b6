// SPDX-License-Identifier: Apache-2.0

import LossKit
public import LossdData

/// The epoch of ``ModelPassSplit`` with ``BlockedLinearKernels`` in place of LossdModel's linear
/// kernels (the same relu, MSE, SGD and order of operations): what the restructured loops would
/// give, and a check that they give the same bits (``parameters`` and the loss equal LossdModel's).
public enum BlockedModelEpoch {
    public static func measure(_ model: ModelJobs.Model, data: Dataset) -> ModelPassSplit {
        let widths = model.widths, batchSize = ModelJobs.batchSize, layers = widths.count - 1
        // Flat parameters in state_dict order (weight then bias, layer by layer), as Sequential's layout.
        var parameters: [Double] = []
        for (_, tensor) in ModelJobs.initialParameters(model) { parameters += tensor.scalars }
        var offsets: [Int] = []
        var offset = 0
        for l in 0..<layers {
            offsets.append(offset)
            offset += widths[l + 1] * widths[l] + widths[l + 1]
        }
        var gradient = [Double](repeating: 0, count: parameters.count)
        // Per layer: its pre-activation Z and (hidden layers) relu(Z); the gradient of a layer's output.
        var z = (0..<layers).map { [Double](repeating: 0, count: batchSize * widths[$0 + 1]) }
        var h = (0..<layers).map { [Double](repeating: 0, count: batchSize * widths[$0 + 1]) }
        var dz = (0..<layers).map { [Double](repeating: 0, count: batchSize * widths[$0 + 1]) }
        var dh = [Double](repeating: 0, count: batchSize * (widths.max() ?? 1))
        var transposed = [Double](repeating: 0, count: (widths.max() ?? 1) * (widths.max() ?? 1))
        var batch = [Double](repeating: 0, count: batchSize * ModelJobs.features)
        var split = ModelPassSplit(batch: 0, forward: 0, loss: 0, backward: 0, update: 0, meanLoss: 0)
        var lossSum = 0.0
        let width = ModelJobs.features
        for start in stride(from: 0, to: data.rows, by: batchSize) {
            let rows = min(batchSize, data.rows - start)
            let t0 = Clock.now()
            batch.replaceSubrange(0..<rows * width, with: data.features[start * width..<(start + rows) * width])
            let t1 = Clock.now()
            parameters.withUnsafeBufferPointer { p in
                for l in 0..<layers {
                    let (fanIn, fanOut) = (widths[l], widths[l + 1])
                    let input = l == 0 ? batch : h[l - 1]
                    input.withUnsafeBufferPointer { x in
                        transposed.withUnsafeMutableBufferPointer { t in
                            z[l].withUnsafeMutableBufferPointer { y in
                                BlockedLinearKernels.forward(x: x.baseAddress!, weight: p.baseAddress! + offsets[l],
                                                             bias: p.baseAddress! + offsets[l] + fanOut * fanIn,
                                                             transposed: t.baseAddress!, y: y.baseAddress!,
                                                             rows: rows, inWidth: fanIn, outWidth: fanOut)
                            }
                        }
                    }
                    if l + 1 < layers {
                        z[l].withUnsafeBufferPointer { z in
                            h[l].withUnsafeMutableBufferPointer { h in
                                for index in 0..<rows * fanOut { h[index] = z[index] < 0 ? 0 : z[index] }
                            }
                        }
                    }
                }
            }
            let t2 = Clock.now()
            var sum = 0.0
            let scale = 2 / Double(rows)
            for row in 0..<rows {
                let difference = z[layers - 1][row] - data.targets[start + row]
                sum += difference * difference
                dz[layers - 1][row] = scale * difference
            }
            lossSum += sum / Double(rows)
            let t3 = Clock.now()
            gradient.withUnsafeMutableBufferPointer { gradient in
                parameters.withUnsafeBufferPointer { p in
                    for l in (0..<layers).reversed() {
                        let (fanIn, fanOut) = (widths[l], widths[l + 1])
                        let input = l == 0 ? batch : h[l - 1]
                        let dWeight = gradient.baseAddress! + offsets[l]
                        dz[l].withUnsafeBufferPointer { g in
                            input.withUnsafeBufferPointer { x in
                                BlockedLinearKernels.weightGradient(g: g.baseAddress!, x: x.baseAddress!, dWeight: dWeight,
                                                                    rows: rows, inWidth: fanIn, outWidth: fanOut)
                            }
                            BlockedLinearKernels.biasGradient(g: g.baseAddress!, dBias: dWeight + fanOut * fanIn, rows: rows,
                                                              outWidth: fanOut)
                            if l > 0 {
                                dh.withUnsafeMutableBufferPointer { dx in
                                    BlockedLinearKernels.inputGradient(g: g.baseAddress!, weight: p.baseAddress! + offsets[l],
                                                                       dx: dx.baseAddress!, rows: rows, inWidth: fanIn, outWidth: fanOut)
                                }
                            }
                        }
                        if l > 0 {
                            z[l - 1].withUnsafeBufferPointer { z in
                                dh.withUnsafeBufferPointer { dh in
                                    dz[l - 1].withUnsafeMutableBufferPointer { dz in
                                        for index in 0..<rows * fanIn { dz[index] = z[index] > 0 ? dh[index] : 0 }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            let t4 = Clock.now()
            for index in parameters.indices { parameters[index] -= ModelJobs.learningRate * gradient[index] }
            split.add([t0, t1, t2, t3, t4, Clock.now()])
        }
        split.meanLoss = lossSum / Double(ModelJobs.batches)
        split.parameters = parameters
        return split
    }
}
