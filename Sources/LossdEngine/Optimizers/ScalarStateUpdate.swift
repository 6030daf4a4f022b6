// SPDX-License-Identifier: Apache-2.0

/// An optimizer with scalar state (``Optimizer/scalarNames``), which implements
/// ``Optimizer/constants(update:learningRate:scalars:)``; its plain
/// ``Optimizer/constants(update:learningRate:)`` starts from ``Optimizer/initialScalars``, which
/// is right for the first update only (the engine always passes the job's scalars).
protocol ScalarStateUpdate: Optimizer {}

extension ScalarStateUpdate {
    public func constants(update: Int, learningRate: Double) -> Constants {
        var scalars = initialScalars
        return constants(update: update, learningRate: learningRate, scalars: &scalars)
    }
}
