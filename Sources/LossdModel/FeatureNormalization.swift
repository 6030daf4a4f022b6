// SPDX-License-Identifier: Apache-2.0

/// A layer that normalises each row over its features (`Softmax`, `LogSoftmax`): `dim` names the
/// feature dimension of a `(batch, features)` input, 1 or -1; the width is unchanged.
public protocol FeatureNormalization: BuiltinLayer {
    /// The dimension as given: 1 or -1.
    var dim: Int { get }
    init(dim: Int)
}

extension FeatureNormalization {
    public init(options: LayerOptions) throws(ModelError) {
        try options.featureDimension()
        self.init(dim: options.integer("dim"))
    }

    public var description: String { "\(descriptor.pytorchName)(dim=\(dim))" }

    public func outputWidth(inputWidth: Int) throws(ModelError) -> Int { inputWidth }

    /// max_c x[base + c] over the row's `count` features (ATen subtracts it before exponentiating).
    func rowMaximum(_ x: UnsafeBufferPointer<Double>, base: Int, count: Int) -> Double {
        var maximum = -Double.infinity
        for c in 0..<count { maximum = Swift.max(maximum, x[base + c]) }
        return maximum
    }
}
