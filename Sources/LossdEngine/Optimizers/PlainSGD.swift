// SPDX-License-Identifier: Apache-2.0

import LossKit

/// ``SGD`` without momentum, weight decay or `maximize`: per element `p = p + (-lr) * grad`,
/// exactly SGD's arithmetic for those options, with no per-element test of them.
///
/// Not registered: jobs name `sgd`, and ``KernelFactory`` runs such jobs with this type so that
/// their step loop is as short as a hand-written one.
struct PlainSGD: Optimizer, ElementUpdate {
    static var descriptor: ComponentDescriptor { SGD.descriptor }

    let learningRate: Double

    init(options: ComponentOptions) throws(EngineError) {
        let sgd = try SGD(options: options)
        learningRate = sgd.learningRate
    }

    /// The plain form of `sgd`, or nil when it uses momentum, weight decay or maximize.
    init?(_ sgd: SGD) {
        guard !sgd.hasMomentumBuffer, sgd.weightDecay == 0, !sgd.maximize else { return nil }
        learningRate = sgd.learningRate
    }

    var stateNames: [String] { [] }

    struct Constants: Sendable {
        var learningRate: Double
    }

    func constants(update: Int, learningRate: Double) -> Constants {
        Constants(learningRate: learningRate)
    }

    func apply(_ constants: Constants, range: Range<Int>, parameters: UnsafeMutablePointer<Double>,
               gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        applyElements(constants, range: range, parameters: parameters, gradients: gradients, state: state, count: count)
    }

    @inline(__always)
    func update(_ constants: Constants, parameter: Double, gradient: Double,
                state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> Double {
        parameter + (-constants.learningRate) * gradient
    }

    @inline(__always)
    func update(_ constants: Constants, parameters: SIMD2<Double>, gradients: SIMD2<Double>,
                state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> SIMD2<Double> {
        parameters + (-constants.learningRate) * gradients
    }
}
