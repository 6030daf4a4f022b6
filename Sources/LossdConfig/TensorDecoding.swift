// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdEngine

/// Reads tensors: nested lists of numbers (the nesting gives the shape, as `torch.tensor` does),
/// a bare number (a scalar), or a random spec mapping.
struct TensorDecoder {
    let diagnostics: Diagnostics
    let limits: ConfigLimits
    /// A random tensor larger than this (in bytes) is refused where it is written; set once the
    /// `daemon` section is read.
    var memoryLimit = MemoryLimit(bytes: nil, origin: .none)
    /// Results by node position: a tensor shared by many jobs (defaults, sweeps, aliases) is read once.
    private var cache: [Location: TensorSpec?] = [:]

    init(diagnostics: Diagnostics, limits: ConfigLimits) {
        self.diagnostics = diagnostics
        self.limits = limits
    }

    static let randomKeys = ["random", "shape", "mean", "std", "low", "high", "seed"]

    /// The tensor at `node`, or nil (reported). `allowRandom` is false for loss options.
    mutating func tensor(_ node: ConfigNode, _ path: KeyPath, what: String, allowRandom: Bool = true) -> TensorSpec? {
        // Scalars are cheap and not cached: a sweep's drawn numbers share their spec's location.
        if node.scalar == nil, let cached = cache[node.location] { return cached }
        let result: TensorSpec?
        switch node.content {
        case .mapping:
            if allowRandom {
                result = random(node, path, what: what)
            } else {
                diagnostics.report(.wrongType, at: node, path: path, "\(what) must be a number or a list of numbers, got a mapping")
                result = nil
            }
        case .scalar:
            result = diagnostics.numberLiteral(node, path, what: what).map {
                .literal(Tensor(plainNumber: $0.value, dtype: $0.isInteger ? .int64 : .float64))
            }
        case .sequence:
            result = literal(node, path, what: what).map(TensorSpec.literal)
        }
        if node.scalar == nil { cache[node.location] = .some(result) }
        return result
    }

    // MARK: - Literal

    private func literal(_ node: ConfigNode, _ path: KeyPath, what: String) -> Tensor? {
        // The shape follows the first element at each level; every list must then match it.
        var shape: [Int] = []
        var probe = node
        while case .sequence(let items) = probe.content {
            shape.append(items.count)
            guard let first = items.first else { break }
            probe = first
        }
        var total = 1
        for extent in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= limits.maxTensorElements else {
                diagnostics.report(.limit, at: node, path: path, "\(what) has more than \(limits.maxTensorElements) elements")
                return nil
            }
            total = product
        }
        guard total > 0 else {
            diagnostics.report(.invalidTensor, at: node, path: path, "\(what) is empty (shape \(Tensor.describe(shape))); a tensor needs at least one element")
            return nil
        }
        var scalars: [Double] = []
        scalars.reserveCapacity(total)
        var valid = true
        var allIntegers = true
        collect(node, path, depth: 0, shape: shape, what: what, into: &scalars, allIntegers: &allIntegers, valid: &valid)
        guard valid else { return nil }
        return Tensor(shape: shape, scalars: scalars, dtype: allIntegers ? .int64 : .float64)
    }

    /// Appends the elements under `node` to `scalars`; `allIntegers` turns false at the first
    /// real literal (the tensor is then float64, as `torch.tensor` infers).
    private func collect(_ node: ConfigNode, _ path: KeyPath, depth: Int, shape: [Int], what: String,
                         into scalars: inout [Double], allIntegers: inout Bool, valid: inout Bool) {
        guard depth < shape.count else {
            if case .sequence = node.content {
                diagnostics.report(.invalidTensor, at: node, path: path, "\(what) is ragged: a list where the first row has a number (expected shape \(Tensor.describe(shape)))")
                valid = false
            } else if let literal = diagnostics.numberLiteral(node, path, what: "\(what) element") {
                scalars.append(literal.value)
                allIntegers = allIntegers && literal.isInteger
            } else {
                valid = false
            }
            return
        }
        guard case .sequence(let items) = node.content else {
            diagnostics.report(.invalidTensor, at: node, path: path, "\(what) is ragged: expected a list of \(shape[depth]) here like the first row (shape \(Tensor.describe(shape))), got \(node.kindDescription)")
            valid = false
            return
        }
        guard items.count == shape[depth] else {
            diagnostics.report(.invalidTensor, at: node, path: path, "\(what) is ragged: this list has \(items.count) elements, the first one at this depth has \(shape[depth]) (shape \(Tensor.describe(shape)))")
            valid = false
            return
        }
        for (index, item) in items.enumerated() {
            collect(item, path.index(index), depth: depth + 1, shape: shape, what: what, into: &scalars, allIntegers: &allIntegers, valid: &valid)
            if diagnostics.isFull { valid = false; return }
        }
    }

    // MARK: - Random

    private func random(_ node: ConfigNode, _ path: KeyPath, what: String) -> TensorSpec? {
        guard let map = diagnostics.mapping(node, path, what: "\(what) (a random tensor)", allowed: TensorDecoder.randomKeys) else { return nil }
        guard let kindNode = map.value("random") else {
            diagnostics.report(.missingKey, at: node, path: path, "\(what): a mapping here is a random tensor and needs 'random: normal' or 'random: uniform'")
            return nil
        }
        var valid = true
        let kind = diagnostics.string(kindNode, path.key("random"), what: "random")
        let parameters: (String, Double, String, Double)
        switch kind {
        case "normal": parameters = ("mean", 0, "std", 1)
        case "uniform": parameters = ("low", 0, "high", 1)
        case let other?:
            diagnostics.report(.invalidValue, at: kindNode, path: path.key("random"),
                               "unknown distribution '\(other)'" + Suggestions.didYouMean(other, among: ["normal", "uniform"]) + " (normal or uniform)")
            return nil
        case nil:
            return nil
        }
        for entry in map.entries where !["random", "shape", "seed", parameters.0, parameters.2].contains(entry.key) {
            diagnostics.report(.unknownKey, at: entry.keyNode, path: path.key(entry.key),
                               "'\(entry.key)' does not apply to random: \(kind!) (it takes shape, \(parameters.0), \(parameters.2), seed)")
            valid = false
        }
        func parameter(_ name: String, _ fallback: Double) -> Double? {
            guard let value = map.value(name) else { return fallback }
            return diagnostics.number(value, path.key(name), what: name)
        }
        let first = parameter(parameters.0, parameters.1)
        let second = parameter(parameters.2, parameters.3)
        let shape = self.shape(map, path, what: what)
        var seed: UInt64?
        if let node = map.value("seed") {
            if let found = diagnostics.integer(node, path.key("seed"), what: "seed"),
               diagnostics.require(found >= 0, node, path.key("seed"), "seed must be >= 0, got \(found)") {
                seed = UInt64(found)
            } else {
                valid = false
            }
        }
        guard valid, let first, let second, let shape else { return nil }
        let distribution: RandomTensor.Distribution
        if kind == "normal" {
            guard diagnostics.require(second > 0, map.value("std") ?? node, path.key("std"), "std must be > 0, got \(ScalarValue.format(second))") else { return nil }
            distribution = .normal(mean: first, std: second)
        } else {
            guard diagnostics.require(first < second, map.value("high") ?? node, path.key("high"),
                                      "high must be greater than low, got low \(ScalarValue.format(first)) and high \(ScalarValue.format(second))") else { return nil }
            distribution = .uniform(low: first, high: second)
        }
        return .random(RandomTensor(distribution: distribution, shape: shape, seed: seed))
    }

    private func shape(_ map: MappingView, _ path: KeyPath, what: String) -> [Int]? {
        guard let node = map.value("shape") else {
            diagnostics.report(.missingKey, at: map.node, path: path, "\(what): a random tensor needs 'shape', e.g. shape: [4, 3]")
            return nil
        }
        let shapePath = path.key("shape")
        guard let items = diagnostics.sequence(node, shapePath, what: "shape") else { return nil }
        var shape: [Int] = []
        var total = 1
        for (index, item) in items.enumerated() {
            guard let extent = diagnostics.integer(item, shapePath.index(index), what: "a shape extent") else { return nil }
            guard diagnostics.require(extent >= 1, item, shapePath.index(index), "shape extents must be >= 1, got \(extent)") else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= Int.max / 8 else {
                diagnostics.report(.limit, at: node, path: shapePath, "\(what) has more elements than memory can address (shape \(Tensor.describe(shape + [extent])) ...)")
                return nil
            }
            total = product
            shape.append(extent)
        }
        if let limit = memoryLimit.bytes, MemoryEstimate.bytes(total) > limit {
            diagnostics.report(.limit, at: node, path: shapePath,
                               "\(what) has \(total) elements (\(ByteSize.format(MemoryEstimate.bytes(total)))), more than the memory limit \(memoryLimit)")
            return nil
        }
        return shape
    }
}
