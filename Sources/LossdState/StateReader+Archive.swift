// SPDX-License-Identifier: Apache-2.0

import Glibc
import LossdJSON

/// The runs kept under `archive/<job>/<hash>/` (see ``StateStore/archiveRun(_:hash:result:checkpoint:)``).
extension StateReader {
    /// The jobs that have archived runs, by name.
    public func archivedJobNames() throws(ReadError) -> [String] {
        try list("archive").filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The archived results of `job` (runs that ended before its configuration changed), oldest
    /// first (by `finished_at`); runs archived before they ended have no result and are left out.
    public func archivedResults(_ job: String) throws(ReadError) -> [StoredResult] {
        var results: [StoredResult] = []
        for hash in try list("archive/\(job)") where !hash.hasPrefix(".") {
            let path = "archive/\(job)/\(hash)/result.json"
            guard let text = try read("\(directory)/\(path)") else { continue }
            let json: JSONValue
            do throws(JSONSyntaxError) { json = try JSONValue(parsing: text) } catch {
                throw ReadError(kind: .invalid, path: "\(directory)/\(path)", reason: "not JSON: \(error)")
            }
            guard let record = JobRecord(result: json, directory: "\(directory)/archive/\(job)/\(hash)"), record.name == job else {
                throw ReadError(kind: .invalid, path: "\(directory)/\(path)", reason: "not a lossd result for job \(job)")
            }
            results.append(StoredResult(json: json, record: record))
        }
        return results.sorted { ($0.record.finishedAt ?? 0, $0.record.configHash) < ($1.record.finishedAt ?? 0, $1.record.configHash) }
    }
}
