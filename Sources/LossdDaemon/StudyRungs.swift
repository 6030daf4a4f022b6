// SPDX-License-Identifier: Apache-2.0

import LossdConfig
import LossdJSON
import LossdState
import LossdSync

/// Early stopping across a study (`sweep.early_stopping`): synchronous successive halving.
///
/// Every live job of a study pauses exactly at each rung step (``StudyEarlyStopping/rung(atOrAfter:)``;
/// the engine never runs a batch past it). When all of them are there, they are ranked by the
/// metric at that step (NaN last, ties by job name); the best `ceil(n / r)` (at least one) go on
/// to the next rung, the others end `pruned`. Jobs that end before a rung (converged, diverged,
/// failed, max_steps) leave the pool. Asynchronous ASHA would promote by arrival order, which
/// depends on the worker count and on timing; waiting for the whole rung makes the pruned set a
/// function of the configuration alone.
///
/// Restarts: each decision is written to `studies/<study>.json` before it is applied, and
/// applied again to a job that arrives at a decided rung (a job resumed from an older
/// checkpoint); a rung not yet decided is decided afresh from the same numbers (a resumed job
/// repeats its steps bit for bit), so a kill -9 at any moment gives the same pruned set.
final class StudyRungs: Sendable {
    /// What to do with a job that arrived at a rung.
    enum Action: Equatable, Sendable {
        /// Go on, pausing again at this step.
        case resume(pausingAt: Int)
        case prune
    }

    /// One rung's decision: the arrivals ranked best first, and how many went on.
    struct Decision: Equatable, Sendable {
        var step: Int
        var ranked: [(name: String, value: Double)]
        var kept: Int

        static func == (a: Decision, b: Decision) -> Bool {
            a.step == b.step && a.kept == b.kept && a.ranked.map(\.name) == b.ranked.map(\.name)
                && zip(a.ranked, b.ranked).allSatisfy { $0.value == $1.value || ($0.value.isNaN && $1.value.isNaN) }
        }

        func keeps(_ job: String) -> Bool { ranked.prefix(kept).contains { $0.name == job } }
        func prunes(_ job: String) -> Bool { ranked.dropFirst(kept).contains { $0.name == job } }
    }

    struct Study: Sendable {
        var rule: StudyEarlyStopping
        /// Every member (ended or not): a decisions file written for other members is not used.
        var members: Set<String> = []
        /// Members that have not ended.
        var live: Set<String> = []
        /// Arrivals at undecided rungs: step -> job -> metric value.
        var arrived: [Int: [String: Double]] = [:]
        /// Decided rungs by step.
        var decisions: [Int: Decision] = [:]
    }

    private let studies = Locked<[String: Study]>([:])
    /// Set when the daemon stops: a rung is then left undecided (the next start decides it).
    private let stopped = Locked(false)
    let store: StateStore

    init(store: StateStore) { self.store = store }

    /// Adds the jobs of studies with early stopping as live members (before any is submitted,
    /// so that no rung is decided before every member could arrive), reading the decisions a
    /// previous run wrote.
    func register(_ jobs: [JobConfiguration]) {
        studies.withLock { studies in
            var created: Set<String> = []
            for job in jobs {
                guard let sweep = job.sweep, let rule = sweep.earlyStopping else { continue }
                if studies[sweep.template] == nil || studies[sweep.template]?.rule != rule {
                    studies[sweep.template] = Study(rule: rule)
                    created.insert(sweep.template)
                }
                studies[sweep.template]?.members.insert(job.name)
                studies[sweep.template]?.live.insert(job.name)
            }
            // A new study takes the decisions a previous run of the same jobs wrote (a subset
            // run with --only, or another list of jobs, decides afresh).
            for name in created {
                guard let study = studies[name] else { continue }
                studies[name]?.decisions = StudyRungs.read(store, study: name, rule: study.rule, members: study.members)
            }
        }
    }

    /// The step a member starting (or resuming) at `step` pauses at first; nil for a job
    /// without early stopping.
    func firstPause(_ job: JobConfiguration, from step: Int) -> Int? {
        job.sweep?.earlyStopping?.rung(atOrAfter: step)
    }

    /// The daemon is stopping: decide nothing more.
    func stop() { stopped.withLock { $0 = true } }

    /// A member ended (or was found finished): it leaves the pool, which may complete a rung.
    func leave(_ job: JobConfiguration) -> [String: Action] {
        guard let study = job.sweep?.template, job.sweep?.earlyStopping != nil else { return [:] }
        return studies.withLock { studies -> [String: Action] in
            guard studies[study]?.live.remove(job.name) != nil else { return [:] }
            for step in (studies[study]?.arrived.keys).map(Array.init) ?? [] { studies[study]?.arrived[step]?[job.name] = nil }
            return decideReady(&studies, study)
        }
    }

    /// A member paused at rung `step` with `value`: what to do with it (and with others, when
    /// its arrival completes the rung).
    func arrive(_ job: JobConfiguration, step: Int, value: Double) -> [String: Action] {
        guard let study = job.sweep?.template, job.sweep?.earlyStopping != nil else { return [:] }
        return studies.withLock { studies -> [String: Action] in
            guard let current = studies[study], current.live.contains(job.name) else { return [:] }
            if let decision = current.decisions[step] {
                // Decided before (this run or a previous one): apply it again.
                if decision.prunes(job.name) { return [job.name: .prune] }
                return [job.name: .resume(pausingAt: current.rule.rung(after: step))]
            }
            studies[study]?.arrived[step, default: [:]][job.name] = value
            return decideReady(&studies, study)
        }
    }

    /// Decides every rung whose arrivals are all the live members; writes the decision first.
    private func decideReady(_ studies: inout [String: Study], _ name: String) -> [String: Action] {
        guard var study = studies[name], !stopped.withLock({ $0 }) else { return [:] }
        var actions: [String: Action] = [:]
        for step in study.arrived.keys.sorted() {
            guard let arrivals = study.arrived[step], !study.live.isEmpty, study.live.isSubset(of: arrivals.keys) else { continue }
            let decision = StudyRungs.decide(step: step, arrivals, rule: study.rule)
            study.decisions[step] = decision
            study.arrived[step] = nil
            StudyRungs.write(store, study: name, rule: study.rule, members: study.members, decisions: study.decisions)
            for (index, entry) in decision.ranked.enumerated() {
                if index < decision.kept {
                    actions[entry.name] = .resume(pausingAt: study.rule.rung(after: step))
                } else {
                    actions[entry.name] = .prune
                    study.live.remove(entry.name)
                }
            }
        }
        studies[name] = study
        return actions
    }

    /// Ranks `arrivals` best first by the rule's mode (NaN last, ties by name) and keeps
    /// ceil(n / r), at least one.
    static func decide(step: Int, _ arrivals: [String: Double], rule: StudyEarlyStopping) -> Decision {
        let ranked = arrivals.map { (name: $0.key, value: $0.value) }.sorted { a, b in
            if a.value.isNaN != b.value.isNaN { return b.value.isNaN }
            if !a.value.isNaN, a.value != b.value { return rule.mode == .min ? a.value < b.value : a.value > b.value }
            return a.name < b.name
        }
        return Decision(step: step, ranked: ranked, kept: rule.survivors(of: ranked.count))
    }
}
