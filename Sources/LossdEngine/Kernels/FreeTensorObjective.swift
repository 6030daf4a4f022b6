// SPDX-License-Identifier: Apache-2.0

import LossKit

/// A free-tensor job's loss as an ``Objective``: argument 0 set to the parameters, the whole
/// loss evaluated (any loss, element-wise or not), its value the sum of the output's elements
/// (the output itself when reduced), its gradient the one for argument 0. Buffers are kept
/// across evaluations.
struct FreeTensorObjective: Objective {
    let loss: any Loss
    /// The same loss when its evaluation can fail (a plugin).
    let fallible: (any FallibleLoss)?
    private var arguments: LossArguments
    private var gradients: LossGradients
    private var output: [Double]
    private var workspace: [Double] = []

    init(_ setup: KernelSetup) {
        loss = setup.loss
        fallible = setup.loss as? any FallibleLoss
        arguments = setup.arguments
        let arity = setup.arguments.tensors.count
        gradients = LossGradients([Array(repeating: 0, count: setup.count)] + Array(repeating: [], count: arity - 1),
                                  wanted: [true] + Array(repeating: false, count: arity - 1))
        output = Array(repeating: 0, count: setup.outputCount)
    }

    mutating func evaluate(_ parameters: [Double]) throws(LossError) -> (loss: Double, gradient: [Double]) {
        arguments.tensors[0]!.scalars = parameters
        if let fallible {
            try fallible.tryEvaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
        } else {
            loss.evaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
        }
        var value = 0.0
        for element in output { value += element }
        return (value, gradients.buffers[0])
    }
}
