// SPDX-License-Identifier: Apache-2.0

/// The layer types built into lossd, in listing order.
extension LayerRegistry {
    static let builtinTypes: [any BuiltinLayer.Type] = [
        Linear.self, ReLU.self, LeakyReLU.self, ELU.self, GELU.self, SiLU.self, Tanh.self, Sigmoid.self, Softplus.self,
        LogSoftmax.self, Softmax.self,
    ]
}
