// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Which slice of steps (or chunk phase) a worker is in: a count that goes up by one when the
/// worker takes work and by one when it is done, so it is odd while the worker is busy and a
/// given odd value names one slice.
final class WorkerActivity: Sendable {
    private let value = Atomic<UInt64>(0)

    var mark: UInt64 { value.load(ordering: .relaxed) }

    func begin() { value.add(1, ordering: .relaxed) }

    func end() { value.add(1, ordering: .relaxed) }
}

/// What every worker of an engine was doing at one moment (``TrainingEngine/workerSnapshot()``).
///
/// The watchdog compares two snapshots taken an interval apart: a worker inside the same slice in
/// both has been stuck for at least that interval (slices last milliseconds).
public struct WorkerSnapshot: Sendable, Equatable {
    let marks: [UInt64]

    /// How many workers are inside the same slice (or chunk phase) as in `earlier`.
    public func stuckWorkers(since earlier: WorkerSnapshot) -> Int {
        zip(marks, earlier.marks).filter { now, then in now == then && now % 2 == 1 }.count
    }
}
