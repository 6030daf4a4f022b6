// SPDX-License-Identifier: Apache-2.0

import LossKit
import RealModule

/// A fully connected layer (PyTorch `torch.nn.Linear`), registry name `linear`.
///
///     Forward:   y = x W^T + b            W: (out_features, in_features), b: (out_features)
///     Backward:  dW = dy^T x ;  db = sum over rows of dy ;  dx = dy W
///
/// - Options (`torch.nn.Linear` keywords, default): `in_features` (required, >= 1),
///   `out_features` (required, >= 1), `bias` (true).
/// - Parameters (`state_dict` order): `weight` (out_features, in_features), then `bias` (out_features).
/// - Default init (`reset_parameters`: `kaiming_uniform_(a=sqrt(5))` and the bias rule):
///   weight and bias ~ U(-1/sqrt(in_features), 1/sqrt(in_features)).
/// - Summation order: see ``LinearKernels`` (fixed, per output element).
public struct Linear: BuiltinLayer {
    public static let descriptor = LayerDescriptor(
        name: "linear", pytorchName: "Linear", summary: "affine map y = x W^T + b",
        options: [
            OptionSpec("in_features", .integer, default: .integer(0), "size of each input row (required)"),
            OptionSpec("out_features", .integer, default: .integer(0), "size of each output row (required)"),
            OptionSpec("bias", .bool, default: .bool(true), "learn an additive bias"),
        ])

    public let inFeatures: Int
    public let outFeatures: Int
    public let hasBias: Bool

    public init(options: LayerOptions) throws(ModelError) {
        for name in ["in_features", "out_features"] where options.values[name] == nil {
            throw .option(name, "is required by Linear")
        }
        inFeatures = options.integer("in_features")
        outFeatures = options.integer("out_features")
        hasBias = options.bool("bias")
        guard inFeatures >= 1 else { throw .option("in_features", "must be >= 1, got \(inFeatures)") }
        guard outFeatures >= 1 else { throw .option("out_features", "must be >= 1, got \(outFeatures)") }
    }

    /// A layer with the given sizes.
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true) throws(ModelError) {
        try self.init(options: LayerOptions(
            ["in_features": .integer(inFeatures), "out_features": .integer(outFeatures), "bias": .bool(bias)], for: Self.descriptor))
    }

    public func parameterShapes(inputWidth: Int) -> [(name: String, shape: [Int])] {
        hasBias ? [("weight", [outFeatures, inFeatures]), ("bias", [outFeatures])] : [("weight", [outFeatures, inFeatures])]
    }

    public func initializationBounds(inputWidth: Int) -> [Double] {
        let bound = 1 / Double.sqrt(Double(inFeatures))
        return hasBias ? [bound, bound] : [bound]
    }

    public func outputWidth(inputWidth: Int) throws(ModelError) -> Int {
        guard inputWidth == inFeatures else {
            throw ModelError(.widthMismatch, subject: "in_features",
                             "in_features is \(inFeatures) but its input has \(inputWidth) feature\(inputWidth == 1 ? "" : "s")")
        }
        return outFeatures
    }

    public func scratchCount(inputWidth: Int) -> Int { inFeatures * outFeatures }

    public func forward(input: UnsafeBufferPointer<Double>, rows: Int, inputWidth: Int, parameters: UnsafeBufferPointer<Double>,
                        scratch: UnsafeMutableBufferPointer<Double>, output: UnsafeMutableBufferPointer<Double>) {
        precondition(input.count >= rows * inFeatures && output.count >= rows * outFeatures && parameters.count == parameterCount
                     && scratch.count >= inFeatures * outFeatures)
        guard rows > 0, let x = input.baseAddress, let weight = parameters.baseAddress, let transposed = scratch.baseAddress,
              let y = output.baseAddress else { return }
        // Y = X W^T + b as X (rows x in) times W^T (in x out), so that the product's inner loop reads rows.
        LinearKernels.transpose(weight, into: transposed, outWidth: outFeatures, inWidth: inFeatures)
        LinearKernels.multiply(rows: rows, inner: inFeatures, columns: outFeatures, a: x, aRowStride: inFeatures, aInnerStride: 1,
                               b: transposed, start: hasBias ? weight + outFeatures * inFeatures : nil, c: y)
    }

    public func backward(input: UnsafeBufferPointer<Double>, output: UnsafeBufferPointer<Double>,
                         outputGradient: UnsafeBufferPointer<Double>, rows: Int, inputWidth: Int,
                         parameters: UnsafeBufferPointer<Double>, inputGradient: UnsafeMutableBufferPointer<Double>?,
                         parameterGradient: UnsafeMutableBufferPointer<Double>) {
        precondition(input.count >= rows * inFeatures && outputGradient.count >= rows * outFeatures
                     && parameters.count == parameterCount && parameterGradient.count == parameterCount)
        guard rows > 0, let x = input.baseAddress, let g = outputGradient.baseAddress, let weight = parameters.baseAddress,
              let dWeight = parameterGradient.baseAddress else {
            parameterGradient.update(repeating: 0)
            inputGradient?.update(repeating: 0)
            return
        }
        // dW = G^T X: G read transposed (row j of G^T is column j of G).
        LinearKernels.multiply(rows: outFeatures, inner: rows, columns: inFeatures, a: g, aRowStride: 1, aInnerStride: outFeatures,
                               b: x, start: nil, c: dWeight)
        if hasBias {
            LinearKernels.biasGradient(g: g, dBias: dWeight + outFeatures * inFeatures, rows: rows, outWidth: outFeatures)
        }
        if let inputGradient, let dx = inputGradient.baseAddress {
            precondition(inputGradient.count >= rows * inFeatures)
            // dX = G W.
            LinearKernels.multiply(rows: rows, inner: outFeatures, columns: inFeatures, a: g, aRowStride: outFeatures, aInnerStride: 1,
                                   b: weight, start: nil, c: dx)
        }
    }

    public var description: String {
        "Linear(in_features=\(inFeatures), out_features=\(outFeatures), bias=\(hasBias ? "True" : "False"))"
    }

    private var parameterCount: Int { outFeatures * inFeatures + (hasBias ? outFeatures : 0) }
}
