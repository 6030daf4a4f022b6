// SPDX-License-Identifier: Apache-2.0

/// Stale jobs: files left by jobs whose configuration is no longer in the file the daemon runs.
extension StateReader {
    /// The jobs with files here (results, histories, checkpoints) that the last daemon's
    /// `status.json` does not list (it lists every job of the configuration it runs, after
    /// each reload), by name; nil when no daemon has written a status file here. A job that
    /// the status file's `only` patterns (`lossd run --only`) do not select is not stale, only
    /// not run: `selects(patterns, name)` tells (the config's job filter).
    public func staleJobs(selects: ([String], String) -> Bool) throws(ReadError) -> [String]? {
        guard let status = try status() else { return nil }
        let known = Set(status.jobs.map(\.name))
        return try jobNames().filter { !known.contains($0) && selects(status.only, $0) }
    }
}
