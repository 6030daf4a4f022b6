// SPDX-License-Identifier: Apache-2.0

import LossdConfig

/// What a reload changes: the jobs of the new configuration against those the supervisor has.
/// New and changed jobs start, removed ones stop with a checkpoint, unchanged ones run on.
struct ReloadPlan {
    /// Enabled jobs of the new configuration that are not running yet.
    var added: [JobConfiguration] = []
    /// Running jobs whose effective configuration (hash) changed, with their new configuration.
    var changed: [JobConfiguration] = []
    /// Running jobs no longer configured (or disabled).
    var removed: [String] = []
    var unchanged = 0

    /// The plan from `current` (the supervisor's jobs in order) to `configuration`.
    init(current: [JobConfiguration], configuration: LossdConfiguration) {
        let enabled = configuration.jobs.filter(\.enabled)
        let wanted = Dictionary(enabled.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for job in current {
            if let new = wanted[job.name] {
                if new.hash == job.hash { unchanged += 1 } else { changed.append(new) }
            } else {
                removed.append(job.name)
            }
        }
        let known = Set(current.map(\.name))
        added = enabled.filter { !known.contains($0.name) }
    }

    var summary: Supervisor.ReloadSummary {
        Supervisor.ReloadSummary(added: added.map(\.name), changed: changed.map(\.name), removed: removed, unchanged: unchanged)
    }
}

extension Supervisor {
    /// What a reload changed.
    public struct ReloadSummary: Sendable, CustomStringConvertible {
        public var added: [String] = []
        public var changed: [String] = []
        public var removed: [String] = []
        public var unchanged = 0
        public var description: String {
            "\(added.count) added, \(changed.count) changed, \(removed.count) removed, \(unchanged) unchanged"
        }
    }
}
