// SPDX-License-Identifier: Apache-2.0

/// The engine ids of a configured job's submissions: `name` for the first, then `name~2`,
/// `name~3`, ... A job restarted by a reload gets a fresh id, so late events of its previous run
/// are told apart from the new run's.
struct EngineIDs: Sendable {
    private var submissions: [String: Int] = [:]
    private var owners: [String: String] = [:]

    /// The id of submission `count` (1-based) of job `name`.
    static func id(_ name: String, submission count: Int) -> String {
        count == 1 ? name : "\(name)~\(count)"
    }

    /// The configured job an engine id of any process names (`name~3` -> `name`): job names
    /// never hold `~`.
    static func jobName(ofID id: String) -> String {
        guard let tilde = id.lastIndex(of: "~"), id[id.index(after: tilde)...].allSatisfy(\.isNumber) else { return id }
        return String(id[..<tilde])
    }

    /// A fresh id for the next submission of `name`.
    mutating func next(_ name: String) -> String {
        let count = (submissions[name] ?? 0) + 1
        submissions[name] = count
        let id = Self.id(name, submission: count)
        owners[id] = name
        return id
    }

    /// The configured job an engine id belongs to.
    func job(of id: String) -> String? { owners[id] }

    /// Whether `id` is the newest submission of its job.
    func isNewest(_ id: String) -> Bool {
        guard let name = owners[id] else { return false }
        return id == Self.id(name, submission: submissions[name] ?? 0)
    }
}
