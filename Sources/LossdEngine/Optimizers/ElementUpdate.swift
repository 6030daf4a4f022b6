// SPDX-License-Identifier: Apache-2.0

/// An optimizer whose update of one element can be applied on its own, inside another loop.
///
/// The fused step loop of element-wise losses (``PointwiseKernel``) updates element i and
/// evaluates the loss at its new value in the same pass, with no gradient buffer. Every
/// built-in optimizer conforms, and its ``Optimizer/apply(_:range:parameters:gradients:state:count:)``
/// is a loop over ``update(_:parameter:gradient:state:index:count:)``, so both paths round alike.
protocol ElementUpdate: Optimizer {
    /// The new value of parameter element `index` (now `parameter`) after one update with
    /// `gradient`; writes the element's state slots (slot `s` at `state[s * count + index]`).
    func update(_ constants: Constants, parameter: Double, gradient: Double,
                state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> Double
}

extension ElementUpdate {
    /// ``update(_:parameter:gradient:state:index:count:)`` over `range`.
    @inline(__always)
    func applyElements(_ constants: Constants, range: Range<Int>, parameters p: UnsafeMutablePointer<Double>,
                       gradients: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>, count: Int) {
        // Sound: Optimizer.apply's precondition (every pointer covers `range`).
        for i in range {
            p[i] = update(constants, parameter: p[i], gradient: gradients[i], state: state, index: i, count: count)
        }
    }
}
