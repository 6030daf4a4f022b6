// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdModel

/// Runs one layer on plain arrays, as ``Sequential`` does on its workspace.
enum LayerHarness {
    static func forward(_ layer: any Layer, input: [Double], rows: Int, width: Int, parameters: [Double]) throws -> [Double] {
        let outWidth = try layer.outputWidth(inputWidth: width)
        var output = [Double](repeating: .nan, count: rows * outWidth)
        var scratch = [Double](repeating: .nan, count: layer.scratchCount(inputWidth: width))
        input.withUnsafeBufferPointer { input in
            parameters.withUnsafeBufferPointer { parameters in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    output.withUnsafeMutableBufferPointer { output in
                        layer.forward(input: input, rows: rows, inputWidth: width, parameters: parameters, scratch: scratch, output: output)
                    }
                }
            }
        }
        return output
    }

    /// dLoss/dInput and dLoss/dParameters for dLoss/dOutput = `upstream`.
    static func backward(_ layer: any Layer, input: [Double], rows: Int, width: Int, parameters: [Double],
                         upstream: [Double]) throws -> (input: [Double], parameters: [Double]) {
        let output = try forward(layer, input: input, rows: rows, width: width, parameters: parameters)
        var inputGradient = [Double](repeating: .nan, count: input.count)
        var parameterGradient = [Double](repeating: .nan, count: parameters.count)
        input.withUnsafeBufferPointer { input in
            output.withUnsafeBufferPointer { output in
                upstream.withUnsafeBufferPointer { upstream in
                    parameters.withUnsafeBufferPointer { parameters in
                        inputGradient.withUnsafeMutableBufferPointer { inputGradient in
                            parameterGradient.withUnsafeMutableBufferPointer { parameterGradient in
                                layer.backward(input: input, output: output, outputGradient: upstream, rows: rows, inputWidth: width,
                                               parameters: parameters, inputGradient: inputGradient, parameterGradient: parameterGradient)
                            }
                        }
                    }
                }
            }
        }
        return (inputGradient, parameterGradient)
    }

    /// The parameter count of `layer` for `width`.
    static func parameterCount(_ layer: any Layer, width: Int) -> Int {
        layer.parameterShapes(inputWidth: width).reduce(0) { $0 + $1.shape.reduce(1, *) }
    }
}
