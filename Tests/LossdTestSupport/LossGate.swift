// SPDX-License-Identifier: Apache-2.0

import Foundation
public import LossKit
import LossdSync

/// Holds the workers that evaluate a `gated_mse` loss, as a worker stuck inside a step would be
/// held: the engine sees a slice that does not end, and nothing moves until the gate opens.
///
/// `gated_mse` is MSE with one more option, `hold_after` (default 0): while the gate is closed,
/// each job's loss evaluates `hold_after` times, then waits inside its next evaluation until
/// ``open()``. A job's position when it is held is therefore exact (its step `hold_after`), on any
/// machine, and a held worker costs no CPU while a test looks at the daemon. ``close()`` holds the
/// next evaluations again. An open gate changes nothing: results equal those of `mse`.
public final class LossGate: Sendable {
    private struct State {
        var isOpen: Bool
        var held = 0
    }

    private let state: Locked<State>
    private let condition = NSCondition()

    public init(open: Bool = false) {
        state = Locked(State(isOpen: open))
    }

    /// Lets every held evaluation go on, and all later ones through.
    public func open() {
        condition.lock()
        state.withLock { $0.isOpen = true }
        condition.broadcast()
        condition.unlock()
    }

    /// Holds every later evaluation past its job's `hold_after` until the next ``open()``.
    public func close() {
        condition.lock()
        state.withLock { $0.isOpen = false }
        condition.unlock()
    }

    /// How many evaluations wait at the gate now.
    public var held: Int { state.withLock { $0.held } }

    /// Blocks the calling worker while the gate is closed.
    func pass() {
        condition.lock()
        defer { condition.unlock() }
        guard !state.withLock({ $0.isOpen }) else { return }
        state.withLock { $0.held += 1 }
        while !state.withLock({ $0.isOpen }) { condition.wait() }
        state.withLock { $0.held -= 1 }
    }

    /// `registry` plus `gated_mse`, bound to this gate.
    public func registry(extending registry: LossRegistry = .builtins) -> LossRegistry {
        var builder = LossRegistry.Builder(registry)
        try! builder.register(descriptor: GatedMSELoss.descriptor, origin: "tests") { options throws(LossError) in
            GatedMSELoss(inner: MSELoss(options: options), holdAfter: options.integer("hold_after"), gate: self)
        }
        return builder.build()
    }
}

/// MSE that waits at a ``LossGate`` after `holdAfter` evaluations (see there).
struct GatedMSELoss: Loss {
    static let descriptor = LossDescriptor(
        name: "gated_mse", pytorchName: "GatedMSELoss", summary: "MSE held at a gate (tests only)",
        arguments: LossDescriptor.inputTarget,
        options: MSELoss.descriptor.options + [OptionSpec("hold_after", .integer, default: .integer(0), "evaluations before the gate holds")])

    let inner: MSELoss
    let holdAfter: Int
    let gate: LossGate
    /// Evaluations so far; a reference so that copies of one job's loss share it.
    let evaluations = Locked(0)

    var descriptor: LossDescriptor { Self.descriptor }

    func validate(_ arguments: LossArguments) throws(LossError) -> [Int] {
        try inner.validate(arguments)
    }

    func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double]) {
        let count = evaluations.withLock { count in
            count += 1
            return count
        }
        if count > holdAfter { gate.pass() }
        inner.evaluate(arguments, output: &output, gradients: &gradients, workspace: &workspace)
    }
}
