// SPDX-License-Identifier: Apache-2.0

import LossKit

/// The `betas` pair of the Adam family (Adam, AdamW, Adamax, NAdam, RAdam) and its range check,
/// as their PyTorch constructors make it: 0 <= betas[i] < 1.
extension OptionSpec {
    /// `betas` with PyTorch's default `(0.9, 0.999)`.
    static let betas = OptionSpec("betas", .optionalTensor, default: .tensor(Tensor([0.9, 0.999])),
                                  "coefficients of the running averages of the gradient and its square: [beta1, beta2], each in [0, 1)")

    /// `decoupled_weight_decay`: multiply the parameters by 1 - lr * weight_decay instead of
    /// adding weight_decay * p to the gradient (PyTorch's default: false). Added to Adam after job
    /// hashes were published: a job that leaves it false keeps it out of its complete options
    /// (``OptionSpec/omittedAtDefault``), so its hash stays the same.
    static let decoupledWeightDecay: OptionSpec = {
        var spec = OptionSpec("decoupled_weight_decay", .bool, default: .bool(false),
                              "decay the parameters directly (AdamW-style) instead of through the gradient")
        spec.omittedAtDefault = true
        return spec
    }()
}

extension ComponentOptions {
    /// Reads `betas` and checks it is two numbers, each in [0, 1).
    func betas() throws(EngineError) -> (Double, Double) {
        let betas = try list("betas") ?? []
        try check(betas.count == 2, "betas", "must be a list of two numbers [beta1, beta2], got \(betas.count) values")
        for (index, beta) in betas.enumerated() {
            try check((0..<1).contains(beta), "betas", "beta\(index + 1) must be in [0, 1), got \(beta)")
        }
        return (betas[0], betas[1])
    }

    /// Reads the list option `name` and checks it holds two numbers.
    func pair(_ name: String, _ meaning: String) throws(EngineError) -> (Double, Double) {
        let values = try list(name) ?? []
        try check(values.count == 2, name, "must be a list of two numbers \(meaning), got \(values.count) values")
        return (values[0], values[1])
    }
}
