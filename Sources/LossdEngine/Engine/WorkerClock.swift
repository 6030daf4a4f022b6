// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

/// When a worker became busy (monotonic nanoseconds), 0 while it is parked.
final class WorkerClock: Sendable {
    private let value = Atomic<UInt64>(0)

    var since: UInt64 { value.load(ordering: .relaxed) }

    func begin() { value.store(Swift.max(1, WorkerClock.now()), ordering: .relaxed) }

    func end() { value.store(0, ordering: .relaxed) }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
