// SPDX-License-Identifier: Apache-2.0

import Glibc

/// Earlier runs of a job kept when its configuration changes: nothing a user computed is
/// overwritten. A run is archived under the hash of the configuration that made it:
///
///     archive/<job>/<hash>/result.json        the result it wrote (results/<job>.json)
///     archive/<job>/<hash>/<job>.output.safetensors   its output, when large (OutputFile)
///     archive/<job>/<hash>/history.csv        its history
///     archive/<job>/<hash>/chart.svg          its chart
///     archive/<job>/<hash>/model.safetensors  a model job's trained parameters
///     archive/<job>/<hash>/checkpoint.ckpt    the checkpoint of a run that had not ended
///
/// Files are moved (renamed: no copy, no space needed beyond the new directories), the result
/// last, so that a crash part-way leaves the result in place and the next start archives the
/// rest; every directory touched is synced. Archiving the same hash again replaces that run's
/// files (the same configuration gives the same results).
extension StateStore {
    /// `archive/<job>/<hash>`.
    public func archivePath(_ job: String, hash: String) -> String { "\(directory)/archive/\(job)/\(hash)" }

    /// Moves the files of the job's run with configuration `hash` (its result, history, chart,
    /// model file; with `checkpoint`, its checkpoint) into ``archivePath(_:hash:)``. Returns the
    /// names of the files moved (empty when there was nothing to move).
    @discardableResult
    public func archiveRun(_ job: String, hash: String, result: Bool = true, checkpoint: Bool = false)
        throws(AtomicFile.WriteError) -> [String] {
        var moves: [(from: String, to: String)] = []
        if result {
            moves += [(historyPath(job), "history.csv"), (chartPath(job), "chart.svg"), (modelPath(job), "model.safetensors")]
        }
        if checkpoint {
            if let arrays = arraysPath(job) { moves.append((arrays, String(arrays.split(separator: "/").last!))) }
            moves.append((checkpointPath(job), "checkpoint.ckpt"))
        }
        if result { moves += [(outputPath(job), OutputFile.name(job)), (resultPath(job), "result.json")] }  // last: see the type's comment
        let present = moves.filter { access($0.from, F_OK) == 0 }
        guard !present.isEmpty else { return [] }
        let folder = archivePath(job, hash: hash)
        try AtomicFile.makeDirectory(folder)
        try AtomicFile.syncDirectory("\(directory)/archive/\(job)")
        try AtomicFile.syncDirectory("\(directory)/archive")
        try AtomicFile.syncDirectory(directory)
        var moved: [String] = []
        for (from, name) in present {
            guard rename(from, "\(folder)/\(name)") == 0 else {
                throw AtomicFile.failure(from, "cannot move to \(folder)/\(name)")
            }
            try AtomicFile.syncDirectory(folder)
            try AtomicFile.syncDirectory(AtomicFile.parent(of: from))
            moved.append(name)
        }
        return moved
    }
}
