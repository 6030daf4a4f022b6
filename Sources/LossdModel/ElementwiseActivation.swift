// SPDX-License-Identifier: Apache-2.0

/// A parameter-free layer applied to every element on its own: y = f(x), dx = dy * f'(x).
///
/// The conforming type gives `f` and its derivative (from `x` and, where PyTorch's backward uses
/// the result, `y = f(x)`); the loops over the batch live here once.
public protocol ElementwiseActivation: BuiltinLayer {
    /// f(x).
    func value(_ x: Double) -> Double
    /// dLoss/dx from dLoss/dy (`gradient`), `x` and `y = f(x)`, in PyTorch's formula order.
    func inputGradient(_ gradient: Double, x: Double, y: Double) -> Double
}

extension ElementwiseActivation {
    public func outputWidth(inputWidth: Int) throws(ModelError) -> Int { inputWidth }

    public func forward(input: UnsafeBufferPointer<Double>, rows: Int, inputWidth: Int, parameters: UnsafeBufferPointer<Double>,
                        scratch: UnsafeMutableBufferPointer<Double>, output: UnsafeMutableBufferPointer<Double>) {
        for index in 0..<(rows * inputWidth) { output[index] = value(input[index]) }
    }

    public func backward(input: UnsafeBufferPointer<Double>, output: UnsafeBufferPointer<Double>,
                         outputGradient: UnsafeBufferPointer<Double>, rows: Int, inputWidth: Int,
                         parameters: UnsafeBufferPointer<Double>, inputGradient: UnsafeMutableBufferPointer<Double>?,
                         parameterGradient: UnsafeMutableBufferPointer<Double>) {
        guard let inputGradient else { return }
        for index in 0..<(rows * inputWidth) {
            inputGradient[index] = self.inputGradient(outputGradient[index], x: input[index], y: output[index])
        }
    }
}
