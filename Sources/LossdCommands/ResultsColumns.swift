// SPDX-License-Identifier: Apache-2.0

import LossdEngine
import LossdJSON
import LossdState

/// The settings columns of `lossd results --format csv|table`: the result's `config` flattened
/// to dotted keys (`config.loss.name`, `config.optimizer.options.lr`, `config.init.random`),
/// its study (`study.name` and one `study.AXIS` per axis) and its `metrics` (`metrics.mae`),
/// in the order they first appear. A list is one cell (JSON text); a large tensor (more than
/// ``largeTensor`` numbers: `output`, literal `init`/`target` values) is left empty unless
/// `--with-output` is given.
enum ResultsColumns {
    /// Tensors with more numbers than this are left out of CSV and tables without `--with-output`.
    static let largeTensor = 16

    /// The flattened settings of one result.
    static func fields(_ json: JSONValue) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = []
        func flatten(_ prefix: String, _ value: JSONValue) {
            if case .object(let members) = value, !members.isEmpty {
                for (key, member) in members { flatten("\(prefix).\(key)", member) }
            } else {
                fields.append((prefix, value))
            }
        }
        if let config = json["config"] { flatten("config", config) }
        if let study = json["study"], study != .null {
            fields.append(("study.name", study["name"] ?? .null))
            if case .object(let axes)? = study["axes"] { for (axis, value) in axes { fields.append(("study.\(axis)", value)) } }
        }
        if case .object(let metrics)? = json["metrics"] { for (name, value) in metrics { fields.append(("metrics.\(name)", value)) } }
        return fields
    }

    /// The settings columns of `results`, in first-appearance order.
    static func names(_ results: [StateReader.StoredResult]) -> [String] {
        var seen = Set<String>()
        var names: [String] = []
        for result in results {
            for (name, _) in fields(result.json) where seen.insert(name).inserted { names.append(name) }
        }
        return names
    }

    /// How many numbers a (nested) list holds; 0 for anything else.
    static func numbers(_ value: JSONValue) -> Int {
        guard case .array(let items) = value else { return 0 }
        return items.reduce(0) { count, item in
            if case .array = item { return count + numbers(item) }
            return count + 1
        }
    }

    /// A cell: empty for a large tensor unless `withOutput`.
    static func cell(_ value: JSONValue?, withOutput: Bool) -> String {
        if let value, !withOutput, numbers(value) > largeTensor { return "" }
        return ResultsDocument.cell(value)
    }

    /// The table of `lossd results --format table`: job, status, steps, loss function, loss,
    /// best loss, then each metric and study axis found.
    static func table(_ results: [StateReader.StoredResult]) -> String {
        let extra = names(results).filter { $0.hasPrefix("metrics.") || ($0.hasPrefix("study.") && $0 != "study.name") }
        let header = ["JOB", "STATUS", "STEPS", "LOSS FUNCTION", "LOSS", "BEST LOSS"] + extra.map { $0.uppercased() }
            + (results.contains { $0.json["run"] != nil } ? ["RUN"] : [])
        let rows = results.map { result -> [String] in
            let settings = Dictionary(fields(result.json), uniquingKeysWith: { first, _ in first })
            func number(_ value: JSONValue?) -> String {
                ResultsOrder.number(value).map(NumberText.short) ?? ResultsDocument.cell(value)
            }
            return [result.record.name, result.record.status.name, "\(result.record.steps)", result.record.lossFunction,
                    number(result.json["loss"]), number(result.json["best_loss"])]
                + extra.map { number(settings[$0]) } + (header.last == "RUN" ? [ResultsDocument.cell(result.json["run"])] : [])
        }
        return TextTable.render(header: header, rows: rows, rightAligned: Set([2, 4, 5]))
    }
}
