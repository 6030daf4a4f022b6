// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// Earlier runs of a job, kept under `results/archive/<job>/`:
///
///     results/archive/<job>/<hash>.json         its result (as results/<job>.json was)
///     results/archive/<job>/<hash>.csv          its history
///     results/archive/<job>/<hash>.svg          its chart
///     results/archive/<job>/<hash>.safetensors  a model job's trained parameters
///     results/archive/<job>/<hash>.ckpt         the checkpoint of a run that had not ended
///
/// `<hash>` is the run's `config_hash`; a hash archived before (a configuration edited back
/// and forth) takes the next free `<hash>.N` (N = 2, 3, ...). Files are moved by `rename(2)`
/// (atomic), then the directories are synced: nothing is deleted.
extension StateStore {
    /// The archive folder of `job`.
    public func archiveDirectory(_ job: String) -> String { "\(directory)/results/archive/\(job)" }

    /// Moves the files of `job`'s ended run (result, history, chart, model file) and, when
    /// `checkpoint` is true, its checkpoint (those that exist) into its archive under `hash`;
    /// returns the archived result's path (nil when the job had no result). The first failed
    /// move stops and is thrown; files already moved stay in the archive.
    @discardableResult
    public func archiveRun(_ job: String, hash: String, checkpoint: Bool = false) throws(AtomicFile.WriteError) -> String? {
        let ended: [(path: String, suffix: String)] = [
            (resultPath(job), "json"), (historyPath(job), "csv"), (chartPath(job), "svg"), (modelPath(job), "safetensors"),
        ]
        return try move(job, ended + (checkpoint ? [(checkpointPath(job), "ckpt")] : []), hash: hash)
    }

    /// Moves the checkpoint of `job` (of a run whose configuration changed) into its archive
    /// under `hash`.
    public func archiveCheckpoint(_ job: String, hash: String) throws(AtomicFile.WriteError) {
        try move(job, [(checkpointPath(job), "ckpt")], hash: hash)
    }

    @discardableResult
    private func move(_ job: String, _ files: [(path: String, suffix: String)], hash: String) throws(AtomicFile.WriteError) -> String? {
        let sources = files.filter { access($0.path, F_OK) == 0 }
        guard !sources.isEmpty else { return nil }
        let folder = archiveDirectory(job)
        try AtomicFile.makeDirectory(folder)
        let stem = Self.freeStem(in: folder, hash: hash.isEmpty ? "unknown" : hash)
        var touched: Set<String> = [folder]
        for source in sources {
            let target = "\(folder)/\(stem).\(source.suffix)"
            guard rename(source.path, target) == 0 else { throw AtomicFile.failure(source.path, "cannot move to \(target)") }
            touched.insert(AtomicFile.parent(of: source.path))
        }
        for path in touched.sorted() { try AtomicFile.syncDirectory(path) }
        try AtomicFile.syncDirectory(AtomicFile.parent(of: folder))
        return sources.contains { $0.suffix == "json" } ? "\(folder)/\(stem).json" : nil
    }

    /// `hash`, or `hash.N` for the first N >= 2 whose files are not in `folder` yet.
    static func freeStem(in folder: String, hash: String) -> String {
        func taken(_ stem: String) -> Bool {
            ["json", "csv", "svg", "safetensors", "ckpt"].contains { access("\(folder)/\(stem).\($0)", F_OK) == 0 }
        }
        var stem = hash
        var counter = 2
        while taken(stem) {
            stem = "\(hash).\(counter)"
            counter += 1
        }
        return stem
    }
}
