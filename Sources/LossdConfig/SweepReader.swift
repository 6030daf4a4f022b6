// SPDX-License-Identifier: Apache-2.0

import LossKit

extension Sweep {
    /// Reads a sweep's entries into axes and dimensions (see ``Sweep``), reporting every problem.
    struct Reader {
        /// Sampled keys placed where the first one is written.
        struct Placement {
            var axes: [Axis]
            var count: Int
            var position: Int
        }

        let diagnostics: Diagnostics
        let path: KeyPath
        var axes: [Axis] = []
        var dimensions: [Dimension] = []
        var sampled: [(axis: Axis, spec: SampledAxis)] = []
        var sampledPosition = 0
        var samples: (count: Int, node: ConfigNode)?
        var seed: UInt64?
        var seedNode: ConfigNode?
        var repeatNode: ConfigNode?
        var earlyStopping: MappingView.Entry?
        var valid = true
        /// Where each swept key was first written.
        private var seen: [String: Location] = [:]

        init(diagnostics: Diagnostics, path: KeyPath) {
            self.diagnostics = diagnostics
            self.path = path
        }

        mutating func read(_ entry: MappingView.Entry) {
            let keyPath = path.key(entry.key)
            switch entry.key {
            case "early_stopping":
                // Read by the study's early-stopping reader (from ``Sweep/earlyStopping``): not a swept key.
                earlyStopping = entry
            case "search":
                diagnostics.report(.invalidSweep, at: entry.keyNode, path: keyPath,
                                   "model-based search (search: {method: tpe}) is not supported: it needs finished jobs' results to choose the next ones, so a study would depend on the worker count and timing; sample the space with {uniform: [a, b]}, {loguniform: [a, b]}, ... and samples: N, and prune with early_stopping")
                valid = false
            case "zip":
                readZip(entry.value, keyPath)
            case "repeat":
                guard let count = count(entry.value, keyPath, what: "repeat") else { return }
                guard repeatNode == nil else { return }
                repeatNode = entry.value
                dimensions.append(Dimension(kind: .repeats, axes: [], count: count))
            case "samples":
                guard let count = count(entry.value, keyPath, what: "samples") else { return }
                samples = (count, entry.value)
            case "seed" where entry.value.scalar != nil:
                // A number: the sampled keys' seed (a list of seeds is a grid axis of the job's seed).
                guard let found = diagnostics.integer(entry.value, keyPath, what: "sweep seed (the sampled keys' seed)"),
                      diagnostics.require(found >= 0, entry.value, keyPath, "sweep seed must be >= 0, got \(found)") else {
                    valid = false
                    return
                }
                seed = UInt64(found)
                seedNode = entry.value
            default:
                readAxis(entry, keyPath)
            }
        }

        /// A grid axis (a list) or a sampled key (a mapping).
        private mutating func readAxis(_ entry: MappingView.Entry, _ keyPath: KeyPath) {
            guard let parts = checkKey(entry.key, entry.keyNode, keyPath) else { return }
            switch entry.value.content {
            case .mapping:
                guard let spec = SampledAxis(entry.value, keyPath, key: entry.key, diagnostics: diagnostics, maxValues: Sweep.maxValues) else {
                    valid = false
                    return
                }
                if sampled.isEmpty { sampledPosition = dimensions.count }
                sampled.append((Axis(key: entry.key, parts: parts, keyNode: entry.keyNode, path: keyPath, values: [], labels: [],
                                     display: parts.last!, named: false), spec))
            default:
                guard let values = list(entry.value, keyPath, key: entry.key, sampledAllowed: true) else { return }
                axes.append(axis(entry, parts, keyPath, values))
                dimensions.append(Dimension(kind: .grid, axes: [axes.count - 1], count: values.count))
            }
        }

        /// `zip`: a list of groups (a single mapping is one group), each a mapping of keys to
        /// lists of one length.
        private mutating func readZip(_ node: ConfigNode, _ zipPath: KeyPath) {
            let groups: [(ConfigNode, KeyPath)]
            switch node.content {
            case .mapping: groups = [(node, zipPath)]
            case .sequence(let items) where !items.isEmpty: groups = items.enumerated().map { ($1, zipPath.index($0)) }
            default:
                diagnostics.report(.invalidSweep, at: node, path: zipPath,
                                   "zip must be a list of groups of keys varied together, e.g. zip: [{init: [[1], [2]], target: [[3], [4]]}], got \(node.kindDescription)")
                valid = false
                return
            }
            for (group, groupPath) in groups {
                guard let map = diagnostics.mapping(group, groupPath, what: "a zip group") else {
                    valid = false
                    continue
                }
                guard !map.entries.isEmpty else {
                    diagnostics.report(.invalidSweep, at: group, path: groupPath, "a zip group needs at least one key with a list of values")
                    valid = false
                    continue
                }
                var members: [Int] = []
                var length: (count: Int, key: String)?
                for entry in map.entries {
                    let keyPath = groupPath.key(entry.key)
                    guard let parts = checkKey(entry.key, entry.keyNode, keyPath),
                          let values = list(entry.value, keyPath, key: entry.key, sampledAllowed: false) else { continue }
                    if let length, length.count != values.count {
                        diagnostics.report(.invalidSweep, at: entry.value, path: keyPath,
                                           "zip lists must have the same length: '\(entry.key)' has \(values.count) value\(values.count == 1 ? "" : "s"), '\(length.key)' has \(length.count)")
                        valid = false
                        continue
                    }
                    length = length ?? (values.count, entry.key)
                    axes.append(axis(entry, parts, keyPath, values))
                    members.append(axes.count - 1)
                }
                if let length, !members.isEmpty {
                    dimensions.append(Dimension(kind: .zip, axes: members, count: length.count))
                }
            }
        }

        /// Draws the sampled keys' values; nil when there are none (or on a problem, which clears ``valid``).
        mutating func placeSamples(node: ConfigNode, jobSeed: ConfigNode?) -> Placement? {
            guard let first = sampled.first else {
                if let seedNode {
                    diagnostics.report(.invalidSweep, at: seedNode, path: path.key("seed"),
                                       "a sweep's seed seeds its sampled keys, and none is sampled; write the jobs' seed outside the sweep (seed: N), or a list to sweep it (seed: [1, 2, 3])")
                    valid = false
                }
                if let samples {
                    diagnostics.report(.invalidSweep, at: samples.node, path: path.key("samples"),
                                       "samples: \(samples.count) but no key is sampled; write a key's values as \(SampledAxis.forms)")
                    valid = false
                }
                return nil
            }
            guard let samples else {
                diagnostics.report(.invalidSweep, at: first.spec.node, path: first.axis.path,
                                   "'\(first.axis.key)' is sampled: give the number of points to draw with samples: N in the sweep")
                valid = false
                return nil
            }
            var generator = SplitMix64(seed: seed ?? Reader.seed(of: jobSeed))
            var columns = Array(repeating: [ConfigNode](), count: sampled.count)
            for _ in 0..<samples.count {
                for index in sampled.indices { columns[index].append(sampled[index].spec.draw(&generator)) }
            }
            let axes = sampled.indices.map { index in
                var axis = sampled[index].axis
                axis.values = columns[index]
                axis.labels = columns[index].indices.map { String($0 + 1) }
                return axis
            }
            return Placement(axes: axes, count: samples.count, position: sampledPosition)
        }

        /// The job's seed as written (0 when unset or not a non-negative integer: the job's own
        /// checks report a bad one).
        static func seed(of node: ConfigNode?) -> UInt64 {
            guard let node, let scalar = node.scalar, case .integer(let seed) = ScalarValue(resolving: scalar, tag: node.tag), seed >= 0 else { return 0 }
            return UInt64(seed)
        }

        // MARK: - Pieces

        private func axis(_ entry: MappingView.Entry, _ parts: [String], _ keyPath: KeyPath, _ values: [ConfigNode]) -> Axis {
            let (labels, named) = Sweep.labels(values)
            return Axis(key: entry.key, parts: parts, keyNode: entry.keyNode, path: keyPath, values: values, labels: labels,
                        display: parts.last!, named: named)
        }

        /// A list of 1 to ``Sweep/maxValues`` values.
        private mutating func list(_ node: ConfigNode, _ keyPath: KeyPath, key: String, sampledAllowed: Bool) -> [ConfigNode]? {
            guard case .sequence(let values) = node.content, !values.isEmpty, values.count <= Sweep.maxValues else {
                let sampledForms = sampledAllowed ? " or sampled values (\(SampledAxis.forms))" : ""
                diagnostics.report(.invalidSweep, at: node, path: keyPath,
                                   "sweep values of '\(key)' must be a list of 1 to \(Sweep.maxValues) values\(sampledForms), got \(node.kindDescription)")
                valid = false
                return nil
            }
            return values
        }

        /// `repeat` or `samples`: 1 to ``Sweep/maxValues``.
        private mutating func count(_ node: ConfigNode, _ keyPath: KeyPath, what: String) -> Int? {
            guard let count = diagnostics.integer(node, keyPath, what: what),
                  diagnostics.require((1...Sweep.maxValues).contains(count), node, keyPath, "\(what) must be 1 to \(Sweep.maxValues), got \(count)") else {
                valid = false
                return nil
            }
            return count
        }

        /// The key's parts, checked: a job key (or a dotted key into one of its mappings), swept once.
        private mutating func checkKey(_ key: String, _ keyNode: ConfigNode, _ keyPath: KeyPath) -> [String]? {
            let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let sweepable = JobDecoder.defaultKeys
            guard let head = parts.first, !parts.contains(where: \.isEmpty) else {
                diagnostics.report(.invalidSweep, at: keyNode, path: keyPath, "sweep key '\(key)' has an empty part")
                valid = false
                return nil
            }
            guard sweepable.contains(head) else {
                let close = Suggestions.closest(to: head, among: sweepable + Sweep.studyKeys).map { ([$0] + parts.dropFirst()).joined(separator: ".") }
                let hint = close.isEmpty ? "" : ", did you mean " + close.map { "'\($0)'" }.joined(separator: " or ") + "?"
                let extra = head == "name" || head == "sweep" ? " ('\(head)' cannot be swept)" : ""
                diagnostics.report(.invalidSweep, at: keyNode, path: keyPath, "sweep over unknown key '\(key)'\(hint)\(extra)")
                valid = false
                return nil
            }
            guard parts.count == 1 || Sweep.mappingKeys.contains(head) else {
                diagnostics.report(.invalidSweep, at: keyNode, path: keyPath, "cannot sweep '\(key)': '\(head)' is not a mapping; sweep '\(head)' itself")
                valid = false
                return nil
            }
            if let first = seen[key] {
                diagnostics.report(.invalidSweep, at: keyNode, path: keyPath, "'\(key)' is swept twice (first at \(first.mark)); sweep each key once")
                valid = false
                return nil
            }
            seen[key] = keyNode.location
            return parts
        }
    }
}
