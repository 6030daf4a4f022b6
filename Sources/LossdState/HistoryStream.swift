// SPDX-License-Identifier: Apache-2.0

public import LossdEngine
import LossdSync
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `history/<job>.csv` of a free-tensor job, written while the job runs: the engine hands over
/// each full block of points (``HistoryOutput``), which is appended at once (no `fsync`); the
/// job's end appends the rest and syncs the file before its result is written, and a checkpoint
/// syncs it before the checkpoint that counts its rows is written.
///
/// After a crash the file holds at least the rows its job's last checkpoint counts; a resumed
/// job keeps exactly those (``resume(keepingRows:)``) and appends from there, so its history
/// ends as an uninterrupted run's. The file is opened for each append and closed after it: a job
/// waiting in the queue holds no descriptor and no buffer. Rows that could not be written (a full
/// disk) are kept here and written first at the next append, the end or a retry.
public final class HistoryStream: HistoryOutput {
    public let path: String
    private let configuredLearningRate: Double?
    private let metrics: [String]

    private struct State {
        /// The file was replaced (or kept, resuming) by this process: later writes append.
        var started = false
        /// Text not yet appended.
        var unwritten = ""
        /// The job's last rows were queued (``finish(_:)`` appends them once).
        var ended = false
        /// The latest append that failed, until one succeeds.
        var failure: AtomicFile.WriteError?
    }

    private let state = Locked(State())

    /// A stream to `path` with the `lr_configured` column when `configuredLearningRate` is
    /// given and one column per name of `metrics`, as ``HistoryFile`` writes them. Its first
    /// append replaces whatever file is there, unless ``resume(keepingRows:)`` kept one.
    public init(path: String, configuredLearningRate: Double?, metrics: [String]) {
        self.path = path
        self.configuredLearningRate = configuredLearningRate
        self.metrics = metrics
    }

    public func write(_ points: [HistoryPoint]) {
        state.withLock { state in
            state.unwritten += HistoryFile.lines(points, configuredLearningRate: configuredLearningRate, metricCount: metrics.count)
            append(&state)
        }
    }

    /// The job ended: appends `rows` (the points it kept and its final row) once, however often
    /// this is called. Rows that cannot be written are kept for ``sync()``, which the result's
    /// commit calls.
    public func finish(_ rows: [HistoryRow]) {
        state.withLock { state in
            guard !state.ended else { return }
            state.ended = true
            state.unwritten += HistoryFile.lines(rows, configuredLearningRate: configuredLearningRate, metricCount: metrics.count)
            append(&state)
        }
    }

    /// Makes the rows appended so far durable (before a checkpoint that counts them); throws
    /// when some could not be appended or synced.
    public func sync() throws(AtomicFile.WriteError) {
        try state.withLock { (state: inout State) throws(AtomicFile.WriteError) in
            append(&state)
            if let failure = state.failure { throw failure }
            try syncFile()
        }
    }

    /// Keeps the file's header and its first `rows` rows, dropping any written after (a job resumed
    /// from a checkpoint that counts `rows`), and appends after them from now on. Returns false
    /// when the file has fewer rows or another header (the checkpoint cannot be resumed).
    public func resume(keepingRows rows: Int) -> Bool {
        guard rows > 0 else { return true }
        guard let bytes = AtomicFile.read(path) else { return false }
        let header = Array(HistoryFile.header(model: false, configuredLearningRate: configuredLearningRate, metrics: metrics).utf8)
        guard bytes.starts(with: header) else { return false }
        var end = header.count
        var kept = 0
        while kept < rows {
            guard let newline = bytes[end...].firstIndex(of: UInt8(ascii: "\n")) else { return false }
            end = newline + 1
            kept += 1
        }
        if end < bytes.count, truncate(path, off_t(end)) != 0 { return false }
        state.withLock { $0.started = true }
        return true
    }

    /// The file's rows as written so far (for the chart drawn at the job's end).
    public func rows() throws(StateReader.ReadError) -> [HistoryRow] {
        guard let bytes = AtomicFile.read(path) else {
            throw StateReader.ReadError(kind: .invalid, path: path, reason: "cannot read the history written so far")
        }
        return try HistoryFile.parse(String(decoding: bytes, as: UTF8.self), path: path).rows
    }

    /// Appends `state.unwritten` (after the header, replacing the file, at the first append);
    /// on failure keeps it and records the failure, leaving the file as it was.
    private func append(_ state: inout State) {
        guard !state.unwritten.isEmpty || !state.started else { return }
        let replacing = !state.started
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (replacing ? O_TRUNC : 0), 0o600)
        guard descriptor >= 0 else {
            state.failure = AtomicFile.failure(path, "cannot open")
            return
        }
        defer { close(descriptor) }
        let start = lseek(descriptor, 0, SEEK_END)
        let header = replacing ? HistoryFile.header(model: false, configuredLearningRate: configuredLearningRate, metrics: metrics) : ""
        let bytes = Array((header + state.unwritten).utf8)
        var written = 0
        while written < bytes.count {
            // Sound: the pointer addresses `bytes`' storage, valid for this call; count is in bounds.
            let result = bytes.withUnsafeBytes { raw in Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                state.failure = AtomicFile.failure(path, "cannot write")
                // No partial row stays behind: the next append writes these rows whole.
                _ = ftruncate(descriptor, Swift.max(start, 0))
                return
            }
            written += result
        }
        state.started = true
        state.unwritten = ""
        state.failure = nil
    }

    private func syncFile() throws(AtomicFile.WriteError) {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw AtomicFile.failure(path, "cannot open") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw AtomicFile.failure(path, "cannot fsync") }
    }
}
