// SPDX-License-Identifier: Apache-2.0

/// An optimizer whose update of one element can be applied on its own, inside another loop.
///
/// The fused pass of element-wise losses (``FusedStep``) updates element i and
/// evaluates the loss at its new value in the same pass, with no gradient buffer. Every
/// built-in optimizer conforms, and its ``Optimizer/apply(_:range:parameters:gradients:state:count:)``
/// is a loop over ``update(_:parameter:gradient:state:index:count:)``, so both paths round alike.
protocol ElementUpdate: Optimizer {
    /// The new value of parameter element `index` (now `parameter`) after one update with
    /// `gradient`; writes the element's state slots (slot `s` at `state[s * count + index]`).
    func update(_ constants: Constants, parameter: Double, gradient: Double,
                state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> Double

    /// Elements `index` and `index + 1` at once, lane by lane exactly
    /// ``update(_:parameter:gradient:state:index:count:)`` (the default calls it twice).
    func update(_ constants: Constants, parameters: SIMD2<Double>, gradients: SIMD2<Double>,
                state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> SIMD2<Double>
}

extension ElementUpdate {
    @inline(__always)
    func update(_ constants: Constants, parameters: SIMD2<Double>, gradients: SIMD2<Double>,
                state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> SIMD2<Double> {
        SIMD2(update(constants, parameter: parameters[0], gradient: gradients[0], state: state, index: index, count: count),
              update(constants, parameter: parameters[1], gradient: gradients[1], state: state, index: index &+ 1, count: count))
    }

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

/// An ``ElementUpdate`` written once, generic over ``ElementLanes``: its scalar and SIMD2 forms
/// are the same code, so the pair form is lane by lane the scalar formula (vector arithmetic
/// rounds per lane) and the fused loop updates two elements per instruction.
protocol LaneUpdate: ElementUpdate {
    /// Element `index`, or consecutive elements from `index` in `V`'s lanes: their new values;
    /// writes their state slots (slot `s` of element i at `state[s * count + i]`).
    func update<V: ElementLanes>(_ constants: Constants, lanes parameter: V, gradient: V,
                                 state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> V
}

extension LaneUpdate {
    @inline(__always)
    func update(_ constants: Constants, parameter: Double, gradient: Double,
                state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> Double {
        update(constants, lanes: parameter, gradient: gradient, state: state, index: index, count: count)
    }

    @inline(__always)
    func update(_ constants: Constants, parameters: SIMD2<Double>, gradients: SIMD2<Double>,
                state: UnsafeMutablePointer<Double>, index: Int, count: Int) -> SIMD2<Double> {
        update(constants, lanes: parameters, gradient: gradients, state: state, index: index, count: count)
    }
}
