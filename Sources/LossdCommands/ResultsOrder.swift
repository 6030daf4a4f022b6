// SPDX-License-Identifier: Apache-2.0

import LossdJSON
import LossdState

/// `lossd results --sort KEY`: results ordered by one field, numbers ascending (or descending),
/// results without the field last, ties by job name. KEY is a dotted path into the result
/// document; a part may itself contain dots (`study.axes.optimizer.lr`), the longest key that
/// exists at each level wins.
///
/// Raw values of different losses are not comparable (an MSE of 0.1 is not better than an L1 of
/// 0.2), so sorting by `loss` or `best_loss` results of more than one loss function (or options)
/// is refused, naming them; sort by a metric instead.
struct ResultsOrder {
    var key: String
    var descending: Bool

    static let rawLossKeys: Set<String> = ["loss", "best_loss"]

    func sorted(_ results: [StateReader.StoredResult]) throws(CommandError) -> [StateReader.StoredResult] {
        if Self.rawLossKeys.contains(key) {
            let losses = Set(results.map { ($0.json["loss_function"]?.stringValue ?? "?") + ($0.json["loss_options"].map { " " + $0.serialized() } ?? "") })
            if losses.count > 1 {
                throw CommandError(.usage, "cannot rank by raw \(key): the results use \(losses.count) different losses "
                                   + "(\(losses.sorted().joined(separator: "; "))), whose values are not comparable; "
                                   + "sort by a metric (--sort metrics.mae) or select jobs of one loss")
            }
        }
        let keyed = results.map { (result: $0, value: Self.number(Self.lookup(key, in: $0.json))) }
        if !keyed.contains(where: { $0.value != nil }) && !results.isEmpty {
            throw CommandError(.usage, "no result has a numeric '\(key)' (try loss, best_loss, steps, metrics.NAME, config.PATH or study.axes.KEY)")
        }
        return keyed.sorted { a, b in
            switch (a.value, b.value) {
            case let (x?, y?) where x != y: return descending ? x > y : x < y
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a.result.record.name < b.result.record.name
            }
        }.map(\.result)
    }

    /// `key` as given when a result has it, else `metrics.KEY` (`--sort mae`) or `config.KEY`
    /// when one does.
    static func resolve(_ key: String, in results: [StateReader.StoredResult]) -> String {
        for candidate in [key, "metrics.\(key)", "config.\(key)", "study.axes.\(key)"]
        where results.contains(where: { lookup(candidate, in: $0.json) != nil }) {
            return candidate
        }
        return key
    }

    /// The value at dotted `path` in `json`, taking at each level the longest run of parts that
    /// names a key.
    static func lookup(_ path: String, in json: JSONValue) -> JSONValue? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var current = json
        var index = 0
        while index < parts.count {
            var found: (JSONValue, Int)?
            for end in stride(from: parts.count, to: index, by: -1) {
                if let value = current[parts[index..<end].joined(separator: ".")] { found = (value, end); break }
            }
            guard let (value, end) = found else { return nil }
            current = value
            index = end
        }
        return current
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .integer(let n)?: Double(n)
        case .number(let x)?: x.isNaN ? nil : x
        case .string(let text)?: Double(text)
        default: nil
        }
    }
}
