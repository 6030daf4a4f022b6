// SPDX-License-Identifier: Apache-2.0

import LossKit

extension ComponentDescriptor {
    /// torch.optim's SGD, Adam, AdamW, RMSprop and Adagrad with PyTorch's option names and defaults.
    ///
    /// Range checks follow PyTorch's constructors, except that `lr` must be > 0 (PyTorch accepts 0,
    /// which never moves). PyTorch's implementation switches (`foreach`, `fused`, `capturable`,
    /// `differentiable`) do not apply and are unknown options.
    public static let standardOptimizers: [ComponentDescriptor] = [
        ComponentDescriptor(
            name: "sgd", pytorchName: "SGD", summary: "stochastic gradient descent, optionally with momentum",
            options: [
                lr(0.001),
                OptionSpec("momentum", .number, default: .number(0), "momentum factor, >= 0"),
                OptionSpec("dampening", .number, default: .number(0), "dampening for momentum, in [0, 1]"),
                OptionSpec("weight_decay", .number, default: .number(0), "L2 penalty, >= 0"),
                OptionSpec("nesterov", .bool, default: .bool(false), "Nesterov momentum (needs momentum > 0, dampening 0)"),
                maximize,
            ],
            check: { options in
                var checks = OptionChecks(options)
                checks.positive("lr")
                checks.nonNegative("momentum")
                checks.within("dampening", 0, 1)
                checks.nonNegative("weight_decay")
                if options["nesterov"] == .bool(true) {
                    checks.require((checks.number("momentum") ?? 0) > 0 && checks.number("dampening") == 0, "nesterov",
                                   "requires momentum > 0 and dampening = 0")
                }
                return checks.problems
            }),
        adam(name: "adam", pytorchName: "Adam", summary: "Adam (Kingma & Ba), optionally AMSGrad", weightDecay: 0),
        adam(name: "adamw", pytorchName: "AdamW", summary: "Adam with decoupled weight decay (Loshchilov & Hutter)", weightDecay: 0.01),
        ComponentDescriptor(
            name: "rmsprop", pytorchName: "RMSprop", summary: "RMSprop (Hinton), optionally centered and with momentum",
            options: [
                lr(0.01),
                OptionSpec("alpha", .number, default: .number(0.99), "smoothing constant, >= 0"),
                OptionSpec("eps", .number, default: .number(1e-8), "term added to the denominator, >= 0"),
                OptionSpec("weight_decay", .number, default: .number(0), "L2 penalty, >= 0"),
                OptionSpec("momentum", .number, default: .number(0), "momentum factor, >= 0"),
                OptionSpec("centered", .bool, default: .bool(false), "normalise by an estimate of the gradient's variance"),
                maximize,
            ],
            check: { options in
                var checks = OptionChecks(options)
                checks.positive("lr")
                for name in ["alpha", "eps", "weight_decay", "momentum"] { checks.nonNegative(name) }
                return checks.problems
            }),
        ComponentDescriptor(
            name: "adagrad", pytorchName: "Adagrad", summary: "Adagrad (Duchi et al.)",
            options: [
                lr(0.01),
                OptionSpec("lr_decay", .number, default: .number(0), "learning-rate decay, >= 0"),
                OptionSpec("weight_decay", .number, default: .number(0), "L2 penalty, >= 0"),
                OptionSpec("initial_accumulator_value", .number, default: .number(0), "starting sum of squared gradients, >= 0"),
                OptionSpec("eps", .number, default: .number(1e-10), "term added to the denominator, >= 0"),
                maximize,
            ],
            check: { options in
                var checks = OptionChecks(options)
                checks.positive("lr")
                for name in ["lr_decay", "weight_decay", "initial_accumulator_value", "eps"] { checks.nonNegative(name) }
                return checks.problems
            }),
    ]

    // MARK: - Shared options

    private static func lr(_ value: Double) -> OptionSpec {
        OptionSpec("lr", .number, default: .number(value), "learning rate, > 0")
    }

    private static let maximize = OptionSpec("maximize", .bool, default: .bool(false), "maximise the objective instead of minimising it")

    private static func adam(name: String, pytorchName: String, summary: String, weightDecay: Double) -> ComponentDescriptor {
        ComponentDescriptor(
            name: name, pytorchName: pytorchName, summary: summary,
            options: [
                lr(0.001),
                OptionSpec("betas", .optionalTensor, default: .tensor(Tensor([0.9, 0.999])),
                           "coefficients of the running averages of the gradient and its square, two values in [0, 1)"),
                OptionSpec("eps", .number, default: .number(1e-8), "term added to the denominator, >= 0"),
                OptionSpec("weight_decay", .number, default: .number(weightDecay), "weight decay, >= 0"),
                OptionSpec("amsgrad", .bool, default: .bool(false), "use the AMSGrad variant"),
                maximize,
            ],
            check: { options in
                var checks = OptionChecks(options)
                checks.positive("lr")
                checks.nonNegative("eps")
                checks.nonNegative("weight_decay")
                if case .tensor(let betas)? = options["betas"] {
                    if betas.shape != [2] {
                        checks.require(false, "betas", "must be two numbers [beta1, beta2], got shape \(betas.shapeDescription)")
                    } else {
                        for (index, beta) in betas.scalars.enumerated() {
                            checks.require(beta >= 0 && beta < 1, "betas", "beta\(index + 1) must be in [0, 1), got \(ScalarValue.format(beta))")
                        }
                    }
                } else {
                    checks.require(false, "betas", "must be two numbers [beta1, beta2], got null")
                }
                return checks.problems
            })
    }
}
