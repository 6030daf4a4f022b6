// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdSync

/// The step loop of a job whose loss is evaluated whole (not element-wise: cross entropy, ...),
/// on one thread. Specialised for the optimizer; the loss is called through its protocol once
/// per step, with buffers kept across steps (no allocation per step).
///
/// The loss value is the sum of the loss output's elements (the output itself when reduced).
final class WholeLossKernel<O: Optimizer>: JobKernel, @unchecked Sendable {
    // @unchecked Sendable: see JobKernel's ownership rule (never touched by two threads at once).
    let loss: any Loss
    /// The same loss when its evaluation can fail (a plugin): a failure ends the job as `failed`.
    let fallible: (any FallibleLoss)?
    let optimizer: O
    let count: Int
    private(set) var control: StepControl
    private(set) var status: JobStatus = .running
    private var arguments: LossArguments
    private var gradients: LossGradients
    private var output: [Double]
    private var workspace: [Double] = []
    private var state: [Double]
    /// ``runLoop(_:)``, passed in from a site where O is concrete (see KernelFactory).
    private let loop: (WholeLossKernel, Int) -> JobStatus

    init(loss: any Loss, optimizer: O, setup: KernelSetup, loop: @escaping (WholeLossKernel, Int) -> JobStatus) {
        self.loop = loop
        self.loss = loss
        fallible = loss as? any FallibleLoss
        self.optimizer = optimizer
        count = setup.count
        control = setup.control
        arguments = setup.arguments
        let arity = setup.arguments.tensors.count
        gradients = LossGradients([Array(repeating: 0, count: setup.count)] + Array(repeating: [], count: arity - 1),
                                  wanted: [true] + Array(repeating: false, count: arity - 1))
        output = Array(repeating: 0, count: setup.outputCount)
        state = optimizer.initialStateBuffer(count: count)
    }

    var parameterValues: [Double] { arguments[0].scalars }
    var optimizerState: [Double] { optimizer.stateNames.isEmpty ? [] : state }

    func restore(_ snapshot: KernelSnapshot) {
        control.restore(snapshot)
        status = snapshot.status
        arguments.tensors[0]!.scalars = snapshot.parameters
        if !optimizer.stateNames.isEmpty { state = snapshot.optimizerState }
    }

    func run(steps budget: Int, executor: (any ChunkExecutor)?) -> JobStatus {
        status = statusAfter { loop(self, budget) }
        return status
    }

    func runLoop(_ budget: Int) -> JobStatus {
        var c = control
        defer { control = c }
        let n = count, optimizer = self.optimizer
        for _ in 0..<budget {
            if let fallible {
                WorkerContext.setStep(c.step + 1)  // for the plugin-call board
                do throws(LossError) {
                    try fallible.tryEvaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
                } catch {
                    return .failed(code: .lossFailed, reason: "step \(c.step + 1): \(error.message)")
                }
            } else {
                loss.evaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
            }
            var value = 0.0
            for element in output { value += element }
            let stop: JobStatus? = gradients.buffers[0].withUnsafeBufferPointer { g in
                // Sound: the gradient buffer, the parameters and each state slot hold `count`
                // elements (the loss writes exactly its argument's count).
                let gp = g.baseAddress!
                var squares = 0.0
                for i in 0..<n { squares += gp[i] * gp[i] }
                // The parameters are still those the loss was evaluated at (metrics of a recorded row).
                let judged = arguments.tensors[0]!.scalars.withUnsafeBufferPointer { p in
                    c.judge(loss: value, squares: squares, output: p.baseAddress, gradientIsFinite: { StepControl.allFinite(gp, n) })
                }
                if let stop = judged { return stop }
                let constants = optimizer.constants(update: c.step, learningRate: c.learningRate, momentum: c.momentum,
                                                    scalars: &c.optimizerScalars)
                arguments.tensors[0]!.scalars.withUnsafeMutableBufferPointer { p in
                    state.withUnsafeMutableBufferPointer { s in
                        optimizer.apply(constants, range: 0..<n, parameters: p.baseAddress!, gradients: gp,
                                        state: s.baseAddress!, count: n)
                    }
                }
                return c.advance()
            }
            if let stop { return stop }
        }
        return .running
    }
}
