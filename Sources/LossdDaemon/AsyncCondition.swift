// SPDX-License-Identifier: Apache-2.0

import LossdSync

/// Tasks waiting for a condition on state kept elsewhere: ``wait()`` returns once `isMet` holds
/// or the waiting task is cancelled. Whoever changes the state calls ``signal()`` afterwards
/// (never while holding a lock that `isMet` takes).
///
/// `isMet` is evaluated under this object's lock, both by a waiter before it suspends and by
/// ``signal()``, so a change signalled after a waiter looked cannot be missed.
final class AsyncCondition: Sendable {
    private struct Waiting: Sendable {
        var next = 0
        var continuations: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let isMet: @Sendable () -> Bool
    private let waiting = Locked(Waiting())

    init(_ isMet: @escaping @Sendable () -> Bool) {
        self.isMet = isMet
    }

    /// Returns when the condition holds, or at once if the task is (or gets) cancelled.
    func wait() async {
        let id = waiting.withLock { w in
            defer { w.next += 1 }
            return w.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = waiting.withLock { w in
                    if Task.isCancelled || isMet() { return true }
                    w.continuations[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            waiting.withLock { $0.continuations.removeValue(forKey: id) }?.resume()
        }
    }

    /// Wakes every waiter if the condition now holds.
    func signal() {
        let ready = waiting.withLock { w -> [CheckedContinuation<Void, Never>] in
            guard isMet() else { return [] }
            defer { w.continuations = [:] }
            return Array(w.continuations.values)
        }
        for continuation in ready { continuation.resume() }
    }
}
