// SPDX-License-Identifier: Apache-2.0

import LossKit
import RealModule

extension SyntheticData {
    /// Draws the dataset by the rules documented on each case.
    func generate(limits: DataLimits) throws(DataError) -> Dataset {
        switch self {
        case .regression(let spec): try spec.generate(name: name, limits: limits)
        case .classification(let spec): try spec.generate(name: name, limits: limits)
        }
    }

    /// `names` x0, x1, ... for `count` columns.
    static func columnNames(_ count: Int) -> [String] { (0..<count).map { "x\($0)" } }

    static func checkSize(_ name: String, rows: Int, features: Int, limits: DataLimits) throws(DataError) {
        guard rows > 0 else { throw DataError(.invalidArgument, file: name, "rows must be positive, not \(rows)") }
        guard features > 0 else { throw DataError(.invalidArgument, file: name, "features must be positive, not \(features)") }
        let (cells, overflow) = rows.multipliedReportingOverflow(by: features + 1)
        guard !overflow, cells <= limits.maxCells else {
            throw DataError(.tooLarge, file: name, "\(rows) rows x \(features + 1) columns exceed the limit of \(limits.maxCells) values")
        }
    }

    static func checkFinite(_ name: String, _ setting: String, _ value: Double, atLeast minimum: Double) throws(DataError) {
        guard value.isFinite, value >= minimum else {
            throw DataError(.invalidArgument, file: name, "\(setting) must be a finite number >= \(minimum), not \(value)")
        }
    }
}

/// The generators' draws (see ``SyntheticData``).
struct SyntheticDraws {
    var generator: SplitMix64

    mutating func unit() -> Double { generator.nextUnit() }
    mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * generator.nextUnit() }
    mutating func normal() -> Double {
        let u1 = generator.nextUnit(), u2 = generator.nextUnit()
        return (-2 * Double.log(1 - u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
    }
}

extension SyntheticData.Regression {
    func generate(name: String, limits: DataLimits) throws(DataError) -> Dataset {
        try SyntheticData.checkSize(name, rows: rows, features: features, limits: limits)
        try SyntheticData.checkFinite(name, "noise", noise, atLeast: 0)
        try SyntheticData.checkFinite(name, "outlier_scale", outlierScale, atLeast: 0)
        guard outlierFraction >= 0, outlierFraction <= 1 else {
            throw DataError(.invalidArgument, file: name, "outlier_fraction must be in [0, 1], not \(outlierFraction)")
        }
        if let coefficients, coefficients.count != features || !coefficients.allSatisfy(\.isFinite) {
            throw DataError(.invalidArgument, file: name,
                            "coefficients must be \(features) finite numbers (one per feature), not \(coefficients)")
        }
        if let intercept { try SyntheticData.checkFinite(name, "intercept", intercept, atLeast: -.infinity) }

        var draws = SyntheticDraws(generator: SplitMix64(seed: seed))
        let weights = coefficients ?? (0..<features).map { _ in draws.uniform(-2, 2) }
        let bias = intercept ?? draws.uniform(-1, 1)
        var x = [Double](repeating: 0, count: rows * features)
        var y = [Double](repeating: 0, count: rows)
        var outlierDraws = [Double](repeating: 0, count: rows)
        var outlierOffsets = [Double](repeating: 0, count: rows)
        for row in 0..<rows {
            var value = bias
            for column in 0..<features {
                let feature = draws.normal()
                x[row * features + column] = feature
                value += feature * weights[column]
            }
            y[row] = value + noise * draws.normal()
            outlierDraws[row] = draws.unit()
            outlierOffsets[row] = outlierScale * draws.normal()
        }
        let outliers = Int((outlierFraction * Double(rows)).rounded(.toNearestOrAwayFromZero))
        if outliers > 0 {
            let order = (0..<rows).sorted { (outlierDraws[$0], $0) < (outlierDraws[$1], $1) }
            for row in order[..<outliers] { y[row] += outlierOffsets[row] }
        }
        return Dataset(source: name, rows: rows, featureNames: SyntheticData.columnNames(features), features: x,
                       targetNames: ["y"], targets: y, truth: ["coefficients": weights, "intercept": [bias]],
                       locator: RowLocator(.rows(prefix: name)))
    }
}

extension SyntheticData.Classification {
    func generate(name: String, limits: DataLimits) throws(DataError) -> Dataset {
        try SyntheticData.checkSize(name, rows: rows, features: features, limits: limits)
        guard classes > 0 else { throw DataError(.invalidArgument, file: name, "classes must be positive, not \(classes)") }
        try SyntheticData.checkFinite(name, "imbalance", imbalance, atLeast: 1)
        try SyntheticData.checkFinite(name, "spread", spread, atLeast: 0)
        try SyntheticData.checkFinite(name, "center_range", centerRange, atLeast: 0)
        let sizes = classSizes()
        guard sizes.allSatisfy({ $0 > 0 }) else {
            throw DataError(.invalidArgument, file: name,
                            "\(rows) rows give class sizes \(sizes) at imbalance \(imbalance): every class needs a row")
        }

        var draws = SyntheticDraws(generator: SplitMix64(seed: seed))
        let centers = (0..<classes * features).map { _ in draws.uniform(-centerRange, centerRange) }
        let ordered = sizes.enumerated().flatMap { (label, size) in Array(repeating: label, count: size) }
        let labels = Permutation.fisherYates(count: rows, generator: &draws.generator).map { ordered[$0] }
        var x = [Double](repeating: 0, count: rows * features)
        for row in 0..<rows {
            for column in 0..<features {
                x[row * features + column] = centers[labels[row] * features + column] + spread * draws.normal()
            }
        }
        return Dataset(source: name, rows: rows, featureNames: SyntheticData.columnNames(features), features: x,
                       targetNames: ["y"], targets: labels.map(Double.init),
                       truth: ["centers": centers, "class_sizes": sizes.map(Double.init)],
                       locator: RowLocator(.rows(prefix: name)))
    }

    /// The class sizes by the documented rule (largest remainders).
    func classSizes() -> [Int] {
        let weights = (0..<classes).map { classes == 1 ? 1 : Double.pow(imbalance, -Double($0) / Double(classes - 1)) }
        let total = weights.reduce(0, +)
        let exact = weights.map { Double(rows) * $0 / total }
        var sizes = exact.map { Int($0.rounded(.down)) }
        let byRemainder = (0..<classes).sorted { (exact[$0] - Double(sizes[$0]), -$0) > (exact[$1] - Double(sizes[$1]), -$1) }
        for label in byRemainder.prefix(rows - sizes.reduce(0, +)) { sizes[label] += 1 }
        return sizes
    }
}
