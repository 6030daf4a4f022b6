// SPDX-License-Identifier: Apache-2.0

/// The buffers one thread needs to run a ``Sequential`` forward and backward, sized once for
/// batches of up to ``capacity`` rows: every layer's input, the output, two gradient buffers
/// used in turn and the layers' scratch. Forward and backward allocate nothing.
public struct SequentialWorkspace: Sendable {
    /// The largest batch it holds.
    public let capacity: Int
    /// The model's output of the latest forward: its first `rows * outputWidth` elements, row-major.
    public internal(set) var output: [Double]
    /// Layer `i`'s input (rows x widths[i]) starts at `activationOffsets[i]`; layer 0's is a copy of the batch.
    var activations: [Double]
    let activationOffsets: [Int]
    /// Two halves of `gradientHalf` elements: dLoss/d(activation) of the layer boundary being processed and the next.
    var gradients: [Double]
    let gradientHalf: Int
    /// The largest scratch a layer asks for (``Layer/scratchCount(inputWidth:)``).
    var scratch: [Double]

    init(widths: [Int], capacity: Int, scratchCount: Int) {
        precondition(capacity >= 0 && widths.count >= 2)
        self.capacity = capacity
        var offsets: [Int] = []
        var total = 0
        for width in widths.dropLast() {
            offsets.append(total)
            total += capacity * width
        }
        activationOffsets = offsets
        activations = [Double](repeating: 0, count: total)
        output = [Double](repeating: 0, count: capacity * widths[widths.count - 1])
        // Gradients flow into the inputs of layers 1..<count (the model's input needs none).
        gradientHalf = capacity * (widths.dropFirst().dropLast().max() ?? 0)
        gradients = [Double](repeating: 0, count: 2 * gradientHalf)
        scratch = [Double](repeating: 0, count: scratchCount)
    }

    /// Lets `body` write a batch straight into the model's input buffer (`capacity * inputWidth`
    /// elements, row-major), for ``Sequential/forwardWrittenInput(rows:parameters:workspace:)``:
    /// this saves the copy that ``Sequential/forward(_:rows:parameters:workspace:)`` makes.
    public mutating func withInput<Result>(_ body: (UnsafeMutableBufferPointer<Double>) throws -> Result) rethrows -> Result {
        let count = (activationOffsets.count > 1 ? activationOffsets[1] : activations.count)
        return try activations.withUnsafeMutableBufferPointer { all in
            try body(UnsafeMutableBufferPointer(rebasing: all[0..<count]))
        }
    }
}
