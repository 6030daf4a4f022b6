// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdState

/// Reading a study from its results: the best job of each study (`lossd results --best`) and
/// a measure summarized over the other axes (`lossd results --group-by AXIS`).
enum ResultsStudy {
    /// A result's study name (`study.name`), or its job name when no sweep made it.
    static func studyName(_ result: StateReader.StoredResult) -> String {
        result.json["study"]?["name"]?.stringValue ?? result.record.name
    }

    /// The first result of each study in `order` (which refuses raw losses of different loss
    /// functions, see ``ResultsOrder``), by study name. A study none of whose results has the
    /// key is left out, with a warning.
    static func best(_ results: [StateReader.StoredResult], order: ResultsOrder) throws(CommandError) -> [StateReader.StoredResult] {
        var studies: [String: [StateReader.StoredResult]] = [:]
        for result in results { studies[studyName(result), default: []].append(result) }
        var best: [StateReader.StoredResult] = []
        for name in studies.keys.sorted() {
            guard studies[name]!.contains(where: { ResultsOrder.number(ResultsOrder.lookup(order.key, in: $0.json)) != nil }) else {
                Console.warning("study \(name) left out: none of its results has a numeric '\(order.key)'")
                continue
            }
            do throws(CommandError) {
                if let first = try order.sorted(studies[name]!).first { best.append(first) }
            } catch {
                throw CommandError(error.status, "study \(name): \(error.message)")
            }
        }
        return best
    }

    /// One group of `--group-by`: the axis values it shares, and the measure over its results.
    struct Group {
        var values: [JSONValue]
        var count: Int
        var mean: Double
        /// Sample standard deviation (n - 1 in the denominator); nil for a group of one.
        var std: Double?
    }

    /// An axis's value in a result: `study.axes.AXIS`, else the dotted path AXIS into the
    /// result (`config.loss.name`, `loss_function`); null when it has none.
    static func axisValue(_ axis: String, in result: StateReader.StoredResult) -> JSONValue {
        if let value = result.json["study"]?["axes"]?[axis] { return value }
        return ResultsOrder.lookup(axis, in: result.json) ?? .null
    }

    /// Groups `results` by their values of `axes` and summarizes `key` in each (results
    /// without a numeric `key` are left out). Groups are in increasing order of their values
    /// (numbers by value, then text).
    /// An axis no result has is refused (a misspelt axis would otherwise put every result in
    /// one group, under `-`).
    static func groups(_ results: [StateReader.StoredResult], axes: [String], key: String) throws(CommandError) -> [Group] {
        for axis in axes where !results.isEmpty && results.allSatisfy({ axisValue(axis, in: $0) == .null }) {
            var known: [String] = []
            for result in results {
                if case .object(let pairs)? = result.json["study"]?["axes"] { known += pairs.map(\.0).filter { !known.contains($0) } }
            }
            let hint = known.isEmpty ? "" : " (the results' study axes: \(known.joined(separator: ", ")))"
            throw CommandError(.usage, "--group-by \(axis): no result has this study axis or field\(hint)")
        }
        var members: [[JSONValue]: [StateReader.StoredResult]] = [:]
        var order: [[JSONValue]] = []
        for result in results {
            let values = axes.map { axisValue($0, in: result) }
            if members[values] == nil { order.append(values) }
            members[values, default: []].append(result)
        }
        var groups: [Group] = []
        for values in order.sorted(by: precedes) {
            let group = members[values]!
            let description = zip(axes, values).map { "\($0)=\(ResultsDocument.cell($1))" }.joined(separator: ", ")
            do throws(CommandError) { _ = try ResultsOrder(key: key, descending: false).sorted(group) } catch {
                throw CommandError(error.status, "group \(description): \(error.message)")
            }
            let numbers = group.compactMap { ResultsOrder.number(ResultsOrder.lookup(key, in: $0.json)) }
            guard !numbers.isEmpty else { continue }
            let mean = numbers.reduce(0, +) / Double(numbers.count)
            let std = numbers.count < 2 ? nil
                : (numbers.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(numbers.count - 1)).squareRoot()
            groups.append(Group(values: values, count: numbers.count, mean: mean, std: std))
        }
        return groups
    }

    /// Numbers before text, numbers by value, text by its JSON.
    static func precedes(_ a: [JSONValue], _ b: [JSONValue]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            switch (ResultsOrder.number(x), ResultsOrder.number(y)) {
            case let (p?, q?) where p != q: return p < q
            case (_?, nil): return true
            case (nil, _?): return false
            default: return x.serialized() < y.serialized()
            }
        }
        return false
    }

    // MARK: - Rendering

    static func json(_ groups: [Group], axes: [String], key: String) -> JSONValue {
        .array(groups.map { group in
            .object([
                ("group", .object(Array(zip(axes, group.values)))), ("key", .string(key)), ("count", .integer(group.count)),
                ("mean", .number(group.mean)), ("std", group.std.map(JSONValue.number) ?? .null),
            ])
        })
    }

    static func header(axes: [String], key: String) -> [String] { axes + ["count", "mean \(key)", "std \(key)"] }

    static func table(_ groups: [Group], axes: [String], key: String) -> String {
        let rows = groups.map { group in
            group.values.map(label) + ["\(group.count)", NumberText.short(group.mean), group.std.map(NumberText.short) ?? "-"]
        }
        return TextTable.render(header: header(axes: axes, key: key).map { $0.uppercased() }, rows: rows,
                                rightAligned: Set(axes.count..<(axes.count + 3)))
    }

    /// An axis value in a table: numbers (also as YAML text) to six significant digits, `-` when absent.
    static func label(_ value: JSONValue) -> String {
        switch value {
        case .null: "-"
        case .number(let x): String(format: "%.6g", x)
        case .string(let text) where text.count > 8 && Double(text) != nil: String(format: "%.6g", Double(text)!)
        default: ResultsDocument.cell(value)
        }
    }

    static func csvRows(_ groups: [Group], axes: [String], key: String) -> [[String]] {
        [header(axes: axes, key: key).map { $0.replacingOccurrences(of: " ", with: "_") }]
            + groups.map { group in
                group.values.map { ResultsDocument.cell($0) } + ["\(group.count)", JSONValue.format(group.mean), group.std.map(JSONValue.format) ?? ""]
            }
    }
}
