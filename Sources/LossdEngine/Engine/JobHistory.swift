// SPDX-License-Identifier: Apache-2.0

/// The history points a finished job kept, oldest first, read in place.
///
/// A view of the job's own history storage, not a copy: taking a result costs no allocation,
/// whatever the history's length. It keeps that storage alive while it exists.
public struct JobHistory: RandomAccessCollection, Sendable {
    // Sound to share: only a job that has ended hands out its log, and an ended job's log is
    // never written again; the handle's lock, taken by the worker that ended the job and by
    // the reader that took the result, orders the last writes before every read.
    private nonisolated(unsafe) let log: HistoryLog?

    init(_ log: HistoryLog?) {
        self.log = log
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { log?.count ?? 0 }

    public subscript(position: Int) -> HistoryPoint {
        guard let log else { preconditionFailure("history index \(position) out of an empty history") }
        return log.point(at: position)
    }
}
