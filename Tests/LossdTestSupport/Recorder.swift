// SPDX-License-Identifier: Apache-2.0

import LossdSync

/// What a test double received, in order, with a way to wait for a particular item.
///
/// ``first(where:)`` returns at once when a matching item is already there and otherwise
/// suspends until one arrives: tests wait for events, never for a length of time.
public final class Recorder<Element: Sendable>: Sendable {
    private struct Waiter {
        let matches: @Sendable (Element) -> Bool
        let continuation: CheckedContinuation<Element, Never>
    }

    private struct State {
        var items: [Element] = []
        var waiters: [Waiter] = []
    }

    private let state = Locked(State())

    public init() {}

    /// Every item so far, oldest first.
    public var items: [Element] { state.withLock { $0.items } }

    /// Appends `item` and resumes every waiter it matches.
    public func append(_ item: Element) {
        let resumed = state.withLock { state -> [Waiter] in
            state.items.append(item)
            let matched = state.waiters.filter { $0.matches(item) }
            state.waiters.removeAll { $0.matches(item) }
            return matched
        }
        for waiter in resumed { waiter.continuation.resume(returning: item) }
    }

    /// The first item at index `from` or later that matches, waiting for it if need be.
    public func first(from start: Int = 0, where matches: @escaping @Sendable (Element) -> Bool) async -> Element {
        await withCheckedContinuation { continuation in
            let found = state.withLock { state -> Element? in
                if let item = state.items.dropFirst(start).first(where: matches) { return item }
                state.waiters.append(Waiter(matches: matches, continuation: continuation))
                return nil
            }
            if let found { continuation.resume(returning: found) }
        }
    }
}
