// SPDX-License-Identifier: Apache-2.0

/// Where a running job's history goes as it is recorded (``JobSpec/historyOutput``), so that a job
/// keeps only one block of points in memory however long it runs.
///
/// The job's worker hands over each full block of ``blockSize`` points, oldest first, the moment
/// the block's next point is recorded; the points of the last, partial block stay with the job:
/// in its checkpoints (``JobCheckpoint/history``, with ``JobCheckpoint/historyRecorded`` counting
/// every point, written or not) and in its result (``JobResult/history``). `write` runs on the
/// worker, one call at a time per job, and must not call back into the engine.
public protocol HistoryOutput: AnyObject, Sendable {
    func write(_ points: [HistoryPoint])
}

/// The points a job with a ``HistoryOutput`` keeps before handing them over.
public let historyBlockSize = 128
