// SPDX-License-Identifier: Apache-2.0

import CLossdPlugin
public import LossKit
import LossdSync

/// A plugin loss as a LossKit ``FallibleLoss``: created from checked options, it calls the
/// plugin's `compute` once per evaluation with lossd's buffers.
///
/// Around the call lossd enforces the contract of lossd/plugin.h: `input` and `target` have the
/// same shape and finite values (checked by ``validate(_:)``); a non-finite fitted input (a
/// diverged job) is not passed on and reads as NaN; an error return, or a NaN or infinity
/// written for finite inputs (including an element left unwritten), fails the evaluation with
/// ``LossError/Code/evaluationFailed``, which fails only the job that hit it.
///
/// Each call of `compute` is recorded on the ``PluginCallBoard`` (plugin file, loss, the worker's
/// job and step) and cleared on return, so that a crash inside the plugin is laid at its door.
public struct PluginLoss: FallibleLoss {
    public let descriptor: LossDescriptor
    /// `plugin PATH VERSION`, for messages.
    public let origin: String
    /// The plugin's resolved file, as the plugin-call board records it.
    public let path: String
    public let reduction: Reduction
    let functions: PluginFunctions
    let values: [lossd_value]

    /// The size of the buffer a plugin writes its error message into.
    static let errorCapacity = 1024

    init(spec: PluginLossSpec, origin: String, path: String, options: LossOptions) throws(LossError) {
        descriptor = spec.descriptor
        self.origin = origin
        self.path = path
        functions = spec.functions
        reduction = options.reduction
        var values: [lossd_value] = []
        for (offset, type) in spec.optionTypes.enumerated() {
            let name = spec.descriptor.options[offset + 1].name
            switch type {
            case .float: values.append(lossd_value(f: options.number(name)))
            case .integer: values.append(lossd_value(i: Int64(options.integer(name))))
            case .bool: values.append(lossd_value(b: options.bool(name) ? 1 : 0))
            }
        }
        self.values = values
        guard let check = functions.checkOptions else { return }
        let name = descriptor.name
        var message = ""
        let status = values.withUnsafeBufferPointer { options in
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: PluginLoss.errorCapacity) { error in
                // Sound: error holds errorCapacity bytes, NUL-terminated before and after the call.
                error[0] = 0
                let status = check(functions.context, options.baseAddress, error.baseAddress, PluginLoss.errorCapacity)
                error[PluginLoss.errorCapacity - 1] = 0
                message = String(cString: error.baseAddress!)
                return status
            }
        }
        guard status == LOSSD_OK else {
            throw LossError(.invalidOption, subject: name, message.isEmpty ? "the options are rejected by \(origin)" : message)
        }
    }

    public func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        guard arguments.has(0) else { throw LossError(.missingArgument, subject: "input", "\(descriptor.name) needs the tensor 'input'") }
        guard arguments.has(1) else { throw LossError(.missingArgument, subject: "target", "\(descriptor.name) needs the tensor 'target'") }
        let input = arguments[0], target = arguments[1]
        guard target.shape == input.shape else {
            throw LossError(.invalidShape, subject: "target",
                            "target: shape \(target.shapeDescription) must match input shape \(input.shapeDescription)")
        }
        guard input.count > 0 else { throw LossError(.invalidShape, subject: "input", "input: a plugin loss needs at least one element") }
        try Validation.requireFinite(input, "input")
        try Validation.requireFinite(target, "target")
        return reduction == .none ? input.shape : []
    }

    public func tryEvaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients,
                            workspace: inout [Double]) throws(LossError) {
        for index in output.indices { output[index] = .nan }
        for argument in gradients.buffers.indices where gradients.wanted[argument] {
            for index in gradients.buffers[argument].indices { gradients.buffers[argument][index] = .nan }
        }
        let input = arguments[0], target = arguments[1]
        // A diverged fitted tensor is not the plugin's problem: NaN reads as divergence.
        guard input.scalars.allSatisfy(\.isFinite), target.scalars.allSatisfy(\.isFinite) else { return }
        let wantsInput = gradients.wanted[0], wantsTarget = gradients.wanted.count > 1 && gradients.wanted[1]
        var message = ""
        let status = call(input, target, output: &output, gradients: &gradients, wantsInput: wantsInput,
                          wantsTarget: wantsTarget, message: &message)
        guard status == LOSSD_OK else {
            throw LossError(.evaluationFailed, subject: descriptor.name,
                            "plugin loss '\(descriptor.name)' (\(origin)) failed: \(message.isEmpty ? "no message (status \(status))" : message)")
        }
        try requireFinite(output, "output")
        if wantsInput { try requireFinite(gradients.buffers[0], "the gradient of input") }
        if wantsTarget { try requireFinite(gradients.buffers[1], "the gradient of target") }
    }

    /// One call of the plugin's `compute` with lossd's buffers; returns its status.
    private func call(_ input: Tensor, _ target: Tensor, output: inout [Double], gradients: inout LossGradients,
                      wantsInput: Bool, wantsTarget: Bool, message: inout String) -> Int32 {
        let rank = input.rank
        let capacity = PluginLoss.errorCapacity
        return withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(rank, 1)) { shape in
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { error in
                for (dimension, extent) in input.shape.enumerated() { shape[dimension] = Int64(extent) }
                error[0] = 0
                let status = gradients.withBuffers(0, 1) { gradInput, gradTarget in
                    input.scalars.withUnsafeBufferPointer { x in
                        target.scalars.withUnsafeBufferPointer { y in
                            output.withUnsafeMutableBufferPointer { out in
                                gradInput.withUnsafeMutableBufferPointer { gx in
                                    gradTarget.withUnsafeMutableBufferPointer { gy in
                                        values.withUnsafeBufferPointer { options in
                                            // Sound: every buffer lives for the call and holds what lossd_call
                                            // promises: count elements for input, target and each requested
                                            // gradient (validated), the output's element count, rank extents.
                                            var call = lossd_call(
                                                context: functions.context, options: options.baseAddress,
                                                reduction: reduction.atenValue, rank: UInt32(rank),
                                                shape: rank == 0 ? nil : UnsafePointer(shape.baseAddress),
                                                count: Int64(input.count), input: x.baseAddress, target: y.baseAddress,
                                                output: out.baseAddress, grad_input: wantsInput ? gx.baseAddress : nil,
                                                grad_target: wantsTarget ? gy.baseAddress : nil,
                                                error: error.baseAddress, error_size: capacity)
                                            let slot = PluginCallBoard.enter(plugin: path, loss: descriptor.name)
                                            defer { PluginCallBoard.leave(slot) }
                                            return functions.compute(&call)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                error[capacity - 1] = 0
                if status != LOSSD_OK { message = String(cString: error.baseAddress!) }
                return status
            }
        }
    }

    private func requireFinite(_ values: [Double], _ what: String) throws(LossError) {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return }
        let place = values.count == 1 ? what : "\(what) at element \(index)"
        throw LossError(.evaluationFailed, subject: descriptor.name,
                        "plugin loss '\(descriptor.name)' (\(origin)) returned \(values[index]) in \(place) for finite inputs")
    }
}
