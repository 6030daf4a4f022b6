// SPDX-License-Identifier: Apache-2.0

import LossdConfig
import LossdJSON
import LossdState

/// `studies/<study>.json` in the state directory: a study's rule and its rung decisions, each
/// written (atomically) before it is applied, so that a restart applies the same ones.
///
///     {"study": "cmp", "method": "asha", "metric": "loss", "mode": "min", "grace_steps": 9,
///      "reduction_factor": 3, "jobs": ["cmp-lr0.1", ...], "rungs": [{"step": 9, "kept": 27,
///      "jobs": [{"name": "cmp-lr0.1", "value": 0.0123}, ...]}, ...]}
///
/// The top-level `jobs` are the study's members (sorted); a rung's `jobs` are ranked best first:
/// the first `kept` went on, the others were pruned.
extension StudyRungs {
    static func path(_ store: StateStore, study: String) -> String { "\(store.directory)/studies/\(study).json" }

    /// The decisions written for `rule` and `members`; none when the file is missing, unreadable,
    /// or for another rule or other jobs.
    static func read(_ store: StateStore, study: String, rule: StudyEarlyStopping, members: Set<String>) -> [Int: Decision] {
        guard let bytes = AtomicFile.read(path(store, study: study)),
              let json = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)),
              header(header(rule)) == header(header(json)),
              json["jobs"] == .array(members.sorted().map(JSONValue.string)) else { return [:] }
        guard case .array(let rungs)? = json["rungs"] else { return [:] }
        var decisions: [Int: Decision] = [:]
        for rung in rungs {
            guard case .integer(let step)? = rung["step"], case .integer(let kept)? = rung["kept"],
                  case .array(let jobs)? = rung["jobs"] else { return [:] }
            let ranked = jobs.compactMap { job -> (name: String, value: Double)? in
                guard case .string(let name)? = job["name"] else { return nil }
                return (name, number(job["value"]))
            }
            decisions[step] = Decision(step: step, ranked: ranked, kept: kept)
        }
        return decisions
    }

    /// Writes the decisions (best effort: a failed write is decided again, identically, after a restart).
    static func write(_ store: StateStore, study: String, rule: StudyEarlyStopping, members: Set<String>, decisions: [Int: Decision]) {
        let rungs: [JSONValue] = decisions.keys.sorted().compactMap { step in
            guard let decision = decisions[step] else { return nil }
            return .object([
                ("step", .integer(step)), ("kept", .integer(decision.kept)),
                ("jobs", .array(decision.ranked.map { .object([("name", .string($0.name)), ("value", .number($0.value))]) })),
            ])
        }
        let json = JSONValue.object([("study", .string(study))] + header(rule)
                                    + [("jobs", .array(members.sorted().map(JSONValue.string))), ("rungs", .array(rungs))])
        do throws(AtomicFile.WriteError) {
            try AtomicFile.makeDirectory("\(store.directory)/studies")
            try AtomicFile.write(json.serialized() + "\n", to: path(store, study: study))
        } catch {}
    }

    private static func header(_ rule: StudyEarlyStopping) -> [(String, JSONValue)] {
        [("method", .string(rule.method.rawValue)), ("metric", .string(rule.metric)), ("mode", .string(rule.mode.rawValue)),
         ("grace_steps", .integer(rule.graceSteps)), ("reduction_factor", .integer(rule.reductionFactor))]
    }

    private static func header(_ rule: [(String, JSONValue)]) -> [String] { rule.map { "\($0.0)=\($0.1.serialized())" } }

    private static func header(_ json: JSONValue) -> [(String, JSONValue)] {
        ["method", "metric", "mode", "grace_steps", "reduction_factor"].map { ($0, json[$0] ?? .null) }
    }

    private static func number(_ value: JSONValue?) -> Double {
        switch value {
        case .integer(let integer)?: Double(integer)
        case .number(let number)?: number
        default: .nan
        }
    }
}
