// SPDX-License-Identifier: Apache-2.0

/// A one-off evaluation by argument names, allocating its own buffers (`lossd eval`, tests).
/// Training loops call ``Loss/evaluate(_:output:gradients:workspace:)`` with buffers they keep.
public struct LossEvaluation: Sendable {
    /// The loss output: a scalar, or per-element values for `reduction: none`.
    public var value: Tensor
    /// The gradient of `sum(value)` for each differentiable argument given, by PyTorch name.
    public var gradients: [String: Tensor]

    /// Evaluates `loss` on tensors named as in PyTorch (`input`, `target`, `var`, ...).
    ///
    /// Every argument of the loss must be given. The first one is read as float64 whatever its
    /// literals (it is differentiated); the others keep their ``Tensor/dtype``. Unknown names, missing arguments and invalid
    /// shapes or values throw, naming the argument; so does a ``FallibleLoss`` that fails.
    public init(loss: any Loss, arguments named: [String: Tensor], wantGradients: Bool = true) throws(LossError) {
        let descriptor = loss.descriptor
        for name in named.keys.sorted() where descriptor.argumentIndex(name) == nil {
            let known = descriptor.arguments.map(\.name)
            throw LossError(.unknownArgument, subject: name,
                            "\(descriptor.name) takes no tensor '\(EchoedText.escaped(name))'" + Suggestions.didYouMean(name, among: known)
                                + " (it takes: \(known.joined(separator: ", ")))")
        }
        var tensors: [Tensor?] = []
        for spec in descriptor.arguments {
            guard var tensor = named[spec.name] else {
                throw LossError(.missingArgument, subject: spec.name,
                                "\(descriptor.name) needs the tensor '\(spec.name)': \(spec.summary)")
            }
            if spec.kind == .index { try Validation.requireIntegral(tensor, spec.name) }
            // The first argument is the prediction lossd differentiates, as a float64 tensor with
            // requires_grad: written with integer literals ([1, 2, 3]) it is still float64.
            if tensors.isEmpty { tensor = tensor.floating }
            tensors.append(tensor)
        }
        let arguments = LossArguments(tensors)
        let shape = try loss.validate(arguments)
        var output = Array(repeating: Double.nan, count: shape.reduce(1, *))
        var gradients = wantGradients ? LossGradients(for: loss, arguments: arguments)
                                      : LossGradients(for: loss, arguments: arguments, wanted: [])
        var workspace: [Double] = []
        if let fallible = loss as? any FallibleLoss {
            try fallible.tryEvaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
        } else {
            loss.evaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
        }
        value = Tensor(shape: shape, scalars: output)
        var named: [String: Tensor] = [:]
        for (index, spec) in descriptor.arguments.enumerated() where gradients.wanted[index] {
            named[spec.name] = Tensor(shape: arguments[index].shape, scalars: gradients.buffers[index])
        }
        self.gradients = named
    }
}
