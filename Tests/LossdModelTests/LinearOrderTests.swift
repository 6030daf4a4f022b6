// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdModel
import LossdTestSupport
import Testing

/// Linear's documented summation order, bit for bit: every element is one accumulator that starts
/// from the bias (or 0) and adds its products in increasing index order, whatever tile it falls in.
@Suite struct LinearOrderTests {
    @Test(arguments: [(rows: 1, inFeatures: 1, outFeatures: 1), (7, 3, 9), (11, 21, 13), (4, 8, 16), (5, 16, 1), (9, 2, 4)])
    func resultsEqualTheDocumentedSequentialSums(rows: Int, inFeatures: Int, outFeatures: Int) throws {
        let layer = try Linear(inFeatures: inFeatures, outFeatures: outFeatures)
        var random = SeededRandom(seed: UInt64(rows * 1000 + inFeatures * 10 + outFeatures))
        let x = random.uniform([rows, inFeatures]).scalars
        let parameters = random.uniform([outFeatures * inFeatures + outFeatures]).scalars
        let g = random.uniform([rows, outFeatures]).scalars
        let w = { (j: Int, k: Int) in parameters[j * inFeatures + k] }
        let b = { (j: Int) in parameters[outFeatures * inFeatures + j] }

        var y: [Double] = []
        for i in 0..<rows {
            for j in 0..<outFeatures {
                var sum = b(j)
                for k in 0..<inFeatures { sum += x[i * inFeatures + k] * w(j, k) }
                y.append(sum)
            }
        }
        var dW: [Double] = [], dB: [Double] = [], dX: [Double] = []
        for j in 0..<outFeatures {
            for k in 0..<inFeatures {
                var sum = 0.0
                for i in 0..<rows { sum += g[i * outFeatures + j] * x[i * inFeatures + k] }
                dW.append(sum)
            }
        }
        for j in 0..<outFeatures {
            var sum = 0.0
            for i in 0..<rows { sum += g[i * outFeatures + j] }
            dB.append(sum)
        }
        for i in 0..<rows {
            for k in 0..<inFeatures {
                var sum = 0.0
                for j in 0..<outFeatures { sum += g[i * outFeatures + j] * w(j, k) }
                dX.append(sum)
            }
        }
        let output = try LayerHarness.forward(layer, input: x, rows: rows, width: inFeatures, parameters: parameters)
        let gradients = try LayerHarness.backward(layer, input: x, rows: rows, width: inFeatures, parameters: parameters, upstream: g)
        #expect(output == y)
        #expect(gradients.parameters == dW + dB)
        #expect(gradients.input == dX)
    }

    /// A row's output does not depend on the batch it is computed in.
    @Test func aRowComputesTheSameAloneAndInABatch() throws {
        let model = try Sequential([("linear", ["in_features": .integer(6), "out_features": .integer(12)]), ("relu", [:]),
                                    ("linear", ["in_features": .integer(12), "out_features": .integer(3)])], inputWidth: 6)
        var random = SeededRandom(seed: 9)
        let parameters = model.defaultParameters { Double.random(in: -$0...$0, using: &random) }
        let batch = random.uniform([9, 6]).scalars
        var workspace = model.makeWorkspace(rows: 9)
        model.forward(batch, rows: 9, parameters: parameters, workspace: &workspace)
        let together = Array(workspace.output.prefix(27))
        for row in 0..<9 {
            model.forward(Array(batch[(row * 6)..<(row * 6 + 6)]), rows: 1, parameters: parameters, workspace: &workspace)
            #expect(Array(workspace.output.prefix(3)) == Array(together[(row * 3)..<(row * 3 + 3)]))
        }
    }
}
