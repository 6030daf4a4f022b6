// SPDX-License-Identifier: Apache-2.0

import LossKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A sweep key whose values are drawn, not listed: `{uniform: [a, b]}`, `{loguniform: [a, b]}`,
/// `{int: [a, b]}` or `{choice: [v1, v2, ...]}`. The sweep's `samples: N` points are drawn once
/// per study, all sampled keys together, so every grid combination gets the same N points.
///
/// The generator (the same on every run, machine and worker count):
///
///     g = SplitMix64(seed: S)      S = sweep.seed, else the job's seed, else 0
///     for sample k = 1 ... N, for each sampled key in the order written:
///         u = Double(g.next() >> 11) * 2^-53                 (uniform in [0, 1), 53 bits)
///         uniform [a, b]:      a + (b - a) * u
///         loguniform [a, b]:   exp(log(a) + (log(b) - log(a)) * u)
///         int [a, b]:          a + floor(u * (b - a + 1))    (a and b included)
///         choice [v1 ... vn]:  v[1 + floor(u * n)]
///
/// Each draw takes exactly one output of the generator, so adding a sampled key after the others
/// leaves their values unchanged.
struct SampledAxis {
    enum Distribution: Equatable {
        case uniform(Double, Double)
        case logUniform(Double, Double)
        case integer(Int, Int)
        case choice(Int)
    }

    var distribution: Distribution
    /// The spec's node (`{uniform: [a, b]}`): drawn numbers are located here.
    var node: ConfigNode
    /// A `choice`'s values.
    var choices: [ConfigNode]

    static let kinds = ["uniform", "loguniform", "int", "choice"]
    static let forms = "{uniform: [a, b]}, {loguniform: [a, b]}, {int: [a, b]} or {choice: [v1, v2, ...]}"

    /// Reads a spec mapping; nil (reported) when it is not one.
    init?(_ node: ConfigNode, _ path: KeyPath, key: String, diagnostics: Diagnostics, maxValues: Int) {
        guard let map = diagnostics.mapping(node, path, what: "the sampled values of '\(key)'") else { return nil }
        guard map.entries.count == 1, let entry = map.entries.first, SampledAxis.kinds.contains(entry.key) else {
            let found = map.entries.map { "'\($0.key)'" }.joined(separator: ", ")
            let hint = map.entries.first.map { Suggestions.didYouMean($0.key, among: SampledAxis.kinds) } ?? ""
            diagnostics.report(.invalidSweep, at: map.entries.first?.keyNode ?? node, path: path,
                               "sampled values of '\(key)' must be one of \(SampledAxis.forms), got \(found.isEmpty ? "an empty mapping" : found)\(hint)")
            return nil
        }
        let valuePath = path.key(entry.key)
        guard let items = diagnostics.sequence(entry.value, valuePath, what: "\(entry.key) of '\(key)'") else { return nil }
        self.node = node
        choices = []
        switch entry.key {
        case "choice":
            guard diagnostics.require(!items.isEmpty && items.count <= maxValues, entry.value, valuePath,
                                      "choice of '\(key)' must list 1 to \(maxValues) values, got \(items.count)") else { return nil }
            choices = items
            distribution = .choice(items.count)
        case "int":
            guard SampledAxis.bounds(items, entry.value, valuePath, kind: "int", key: key, diagnostics: diagnostics),
                  let low = diagnostics.integer(items[0], valuePath.index(0), what: "the low end of int"),
                  let high = diagnostics.integer(items[1], valuePath.index(1), what: "the high end of int") else { return nil }
            guard diagnostics.require(low <= high && high.subtractingReportingOverflow(low).overflow == false
                                          && high - low < 1 << 52, entry.value, valuePath,
                                      "int of '\(key)' needs low <= high (both included, fewer than 2^52 values apart), got [\(low), \(high)]") else { return nil }
            distribution = .integer(low, high)
        default:
            guard SampledAxis.bounds(items, entry.value, valuePath, kind: entry.key, key: key, diagnostics: diagnostics),
                  let low = diagnostics.number(items[0], valuePath.index(0), what: "the low end of \(entry.key)"),
                  let high = diagnostics.number(items[1], valuePath.index(1), what: "the high end of \(entry.key)") else { return nil }
            guard diagnostics.require(low < high && (high - low).isFinite, entry.value, valuePath,
                                      "\(entry.key) of '\(key)' needs low < high, got [\(ScalarValue.format(low)), \(ScalarValue.format(high))]") else { return nil }
            if entry.key == "loguniform" {
                guard diagnostics.require(low > 0, items[0], valuePath.index(0),
                                          "loguniform of '\(key)' needs low > 0 (it samples log(x) uniformly), got \(ScalarValue.format(low))") else { return nil }
                distribution = .logUniform(low, high)
            } else {
                distribution = .uniform(low, high)
            }
        }
    }

    private static func bounds(_ items: [ConfigNode], _ node: ConfigNode, _ path: KeyPath, kind: String, key: String, diagnostics: Diagnostics) -> Bool {
        diagnostics.require(items.count == 2, node, path, "\(kind) of '\(key)' takes [low, high], got \(items.count) value\(items.count == 1 ? "" : "s")")
    }

    /// One drawn value, as the node the job is decoded from.
    func draw(_ generator: inout SplitMix64) -> ConfigNode {
        let u = generator.nextUnit()
        switch distribution {
        case .uniform(let low, let high):
            return number(low + (high - low) * u)
        case .logUniform(let low, let high):
            return number(exp(log(low) + (log(high) - log(low)) * u))
        case .integer(let low, let high):
            let value = low + Int((u * Double(high - low + 1)).rounded(.down))
            return ConfigNode(.scalar(ConfigNode.Scalar(text: String(value), isPlain: true)), at: node.location)
        case .choice(let count):
            return choices[min(Int((u * Double(count)).rounded(.down)), count - 1)]
        }
    }

    /// A float written so that it reads back to the same double, always as a float (`3.0`).
    private func number(_ value: Double) -> ConfigNode {
        ConfigNode(.scalar(ConfigNode.Scalar(text: String(value), isPlain: true)), at: node.location)
    }
}
