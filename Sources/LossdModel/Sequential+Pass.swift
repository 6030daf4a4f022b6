// SPDX-License-Identifier: Apache-2.0

extension Sequential {
    /// Forward over `rows` rows of `input` (row-major, at least `rows * inputWidth` values); the output
    /// (`rows * outputWidth`, row-major) is `workspace.output`'s first `rows * outputWidth` elements.
    public func forward(_ input: [Double], rows: Int, parameters: [Double], workspace: inout SequentialWorkspace) {
        precondition(input.count >= rows * inputWidth, "\(input.count) input values for \(rows) rows of \(inputWidth)")
        precondition(rows <= workspace.capacity, "\(rows) rows for a workspace of \(workspace.capacity)")
        workspace.withInput { buffer in
            input.withUnsafeBufferPointer { source in
                // Sound: both regions hold at least rows * inputWidth elements (checked above; the
                // workspace's input region holds capacity * inputWidth) and are distinct arrays.
                buffer.baseAddress!.update(from: source.baseAddress!, count: rows * inputWidth)
            }
        }
        forwardWrittenInput(rows: rows, parameters: parameters, workspace: &workspace)
    }

    /// Forward over the batch already written through ``SequentialWorkspace/withInput(_:)``.
    public func forwardWrittenInput(rows: Int, parameters: [Double], workspace: inout SequentialWorkspace) {
        precondition(parameters.count == layout.count, "\(parameters.count) parameters for a model of \(layout.count)")
        precondition(rows <= workspace.capacity, "\(rows) rows for a workspace of \(workspace.capacity)")
        // Take the buffers out of the workspace (a swap: no copy, no allocation) so that each has its own access.
        var activations: [Double] = []
        var output: [Double] = []
        var scratch: [Double] = []
        swap(&activations, &workspace.activations)
        swap(&output, &workspace.output)
        swap(&scratch, &workspace.scratch)
        defer {
            swap(&activations, &workspace.activations)
            swap(&output, &workspace.output)
            swap(&scratch, &workspace.scratch)
        }
        let offsets = workspace.activationOffsets
        activations.withUnsafeMutableBufferPointer { activations in
            output.withUnsafeMutableBufferPointer { output in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    parameters.withUnsafeBufferPointer { parameters in
                        for (position, layer) in layers.enumerated() {
                            let inWidth = widths[position]
                            let outCount = rows * widths[position + 1]
                            let input = activations.region(offsets[position], rows * inWidth)
                            let result = position == layers.count - 1 ? output.region(0, outCount) : activations.region(offsets[position + 1], outCount)
                            layer.forward(input: UnsafeBufferPointer(input), rows: rows, inputWidth: inWidth,
                                          parameters: parameters.region(parameterRanges[position]), scratch: scratch, output: result)
                        }
                    }
                }
            }
        }
    }

    /// Backward from dLoss/dOutput (`rows * outputWidth`, row-major) through the latest forward of
    /// `workspace` (same `rows` and `parameters`); OVERWRITES `parameterGradient` (`layout.count` elements).
    public func backward(outputGradient: [Double], rows: Int, parameters: [Double], workspace: inout SequentialWorkspace,
                         parameterGradient: inout [Double]) {
        precondition(outputGradient.count >= rows * outputWidth, "\(outputGradient.count) gradient values for \(rows) rows of \(outputWidth)")
        precondition(parameters.count == layout.count && parameterGradient.count == layout.count,
                     "parameters and their gradient must hold \(layout.count) values")
        precondition(rows <= workspace.capacity, "\(rows) rows for a workspace of \(workspace.capacity)")
        var activations: [Double] = []
        var output: [Double] = []
        var gradients: [Double] = []
        swap(&activations, &workspace.activations)
        swap(&output, &workspace.output)
        swap(&gradients, &workspace.gradients)
        defer {
            swap(&activations, &workspace.activations)
            swap(&output, &workspace.output)
            swap(&gradients, &workspace.gradients)
        }
        let offsets = workspace.activationOffsets
        let half = workspace.gradientHalf
        activations.withUnsafeMutableBufferPointer { activations in
            output.withUnsafeMutableBufferPointer { output in
                gradients.withUnsafeMutableBufferPointer { gradients in
                    parameters.withUnsafeBufferPointer { parameters in
                        parameterGradient.withUnsafeMutableBufferPointer { parameterGradient in
                            outputGradient.withUnsafeBufferPointer { outputGradient in
                                var upstreamHalf = 0
                                for position in layers.indices.reversed() {
                                    let inWidth = widths[position]
                                    let outCount = rows * widths[position + 1]
                                    let isLast = position == layers.count - 1
                                    let upstream = isLast ? outputGradient.region(0, outCount) : UnsafeBufferPointer(gradients.region(upstreamHalf * half, outCount))
                                    let downstreamHalf = isLast ? 0 : 1 - upstreamHalf
                                    let downstream = position == 0 ? nil : gradients.region(downstreamHalf * half, rows * inWidth)
                                    let result = isLast ? output.region(0, outCount) : activations.region(offsets[position + 1], outCount)
                                    layers[position].backward(
                                        input: UnsafeBufferPointer(activations.region(offsets[position], rows * inWidth)),
                                        output: UnsafeBufferPointer(result), outputGradient: upstream, rows: rows, inputWidth: inWidth,
                                        parameters: parameters.region(parameterRanges[position]), inputGradient: downstream,
                                        parameterGradient: parameterGradient.region(parameterRanges[position]))
                                    upstreamHalf = downstreamHalf
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension UnsafeMutableBufferPointer<Double> {
    /// The `count` elements from `offset` (inside the buffer: the callers size every region from one workspace).
    func region(_ offset: Int, _ count: Int) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(rebasing: self[offset..<(offset + count)])
    }

    func region(_ range: Range<Int>) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(rebasing: self[range])
    }
}

extension UnsafeBufferPointer<Double> {
    /// The `count` elements from `offset` (inside the buffer: the callers size every region from one workspace).
    func region(_ offset: Int, _ count: Int) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(rebasing: self[offset..<(offset + count)])
    }

    func region(_ range: Range<Int>) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(rebasing: self[range])
    }
}
