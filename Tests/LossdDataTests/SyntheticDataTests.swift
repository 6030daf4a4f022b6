// SPDX-License-Identifier: Apache-2.0

import Testing
import LossKit
import LossdData
import RealModule

/// The generators against an independent reading of their documented rules (SyntheticData's doc comments).
@Suite struct SyntheticDataTests {
    /// The documented draws, written out again.
    struct Draws {
        var generator: SplitMix64
        mutating func unit() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
        mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * unit() }
        mutating func normal() -> Double {
            let u1 = unit(), u2 = unit()
            return Double.sqrt(-2 * Double.log(1 - u1)) * Double.cos(2 * Double.pi * u2)
        }
    }

    static let regressions: [SyntheticData.Regression] = [
        .init(rows: 50, features: 3, seed: 1),
        .init(rows: 200, features: 2, noise: 0.5, outlierFraction: 0.1, outlierScale: 20, seed: 7),
        .init(rows: 31, features: 1, noise: 0.1, outlierFraction: 0.5, coefficients: [3], intercept: -2, seed: 99),
    ]

    @Test(arguments: regressions)
    func regressionFollowsItsFormula(_ spec: SyntheticData.Regression) throws {
        let dataset = try DatasetLoader().load(.synthetic(.regression(spec)))
        var draws = Draws(generator: SplitMix64(seed: spec.seed))
        let w = spec.coefficients ?? (0..<spec.features).map { _ in draws.uniform(-2, 2) }
        let b = spec.intercept ?? draws.uniform(-1, 1)
        var x = [Double](), y = [Double](), u = [Double](), offsets = [Double]()
        for _ in 0..<spec.rows {
            let row = (0..<spec.features).map { _ in draws.normal() }
            x += row
            y.append(zip(row, w).reduce(b) { $0 + $1.0 * $1.1 } + spec.noise * draws.normal())
            u.append(draws.unit())
            offsets.append(spec.outlierScale * draws.normal())
        }
        let outlierCount = Int((spec.outlierFraction * Double(spec.rows)).rounded())
        for row in (0..<spec.rows).sorted(by: { u[$0] < u[$1] }).prefix(outlierCount) { y[row] += offsets[row] }

        #expect(dataset.features == x)
        #expect(dataset.targets == y)
        #expect(dataset.truth == ["coefficients": w, "intercept": [b]])
        #expect(dataset.featureNames == (0..<spec.features).map { "x\($0)" } && dataset.targetNames == ["y"])
    }

    @Test func regressionWithoutNoiseIsRecoveredByLeastSquares() throws {
        let dataset = try DatasetLoader().load(.synthetic(.regression(.init(rows: 100, features: 4, seed: 3))))
        let truth = try #require(dataset.truth)
        let solution = LeastSquares.solve(features: dataset.features, targets: dataset.targets, rows: 100, columns: 4)
        let expected = try #require(truth["coefficients"]) + (try #require(truth["intercept"]))
        for (found, wanted) in zip(solution, expected) { #expect(abs(found - wanted) < 1e-9) }
    }

    @Test func noiseAndOutliersKeepTheFeatures() throws {
        let loader = DatasetLoader()
        let clean = try loader.load(.synthetic(.regression(.init(rows: 40, features: 2, seed: 5))))
        let noisy = try loader.load(.synthetic(.regression(.init(rows: 40, features: 2, noise: 2, outlierFraction: 0.25, seed: 5))))
        #expect(clean.features == noisy.features)
        #expect(clean.truth == noisy.truth)
        #expect(clean.targets != noisy.targets)
    }

    @Test func theSameSeedGivesTheSameDataAndAnotherSeedOther() throws {
        let spec = SyntheticData.classification(.init(rows: 60, features: 2, classes: 3, imbalance: 4, seed: 11))
        var other = spec
        if case .classification(var settings) = other { settings.seed = 12; other = .classification(settings) }
        let first = try DatasetLoader().load(.synthetic(spec)), second = try DatasetLoader().load(.synthetic(spec))
        #expect(first.features == second.features && first.targets == second.targets)
        #expect(try DatasetLoader().load(.synthetic(other)).features != first.features)
    }

    static let classifications: [SyntheticData.Classification] = [
        .init(rows: 90, features: 2, classes: 3, seed: 1),
        .init(rows: 100, features: 3, classes: 4, imbalance: 10, spread: 0.5, seed: 2),
        .init(rows: 10, features: 1, classes: 1, seed: 3),
        .init(rows: 7, features: 2, classes: 2, imbalance: 2.5, spread: 0, centerRange: 1, seed: 4),
    ]

    @Test(arguments: classifications)
    func classificationFollowsItsFormula(_ spec: SyntheticData.Classification) throws {
        let dataset = try DatasetLoader().load(.synthetic(.classification(spec)))
        // Sizes: weights r^(-c/(C-1)), floor, then largest remainders.
        let weights = (0..<spec.classes).map { spec.classes == 1 ? 1 : Double.pow(spec.imbalance, -Double($0) / Double(spec.classes - 1)) }
        let exact = weights.map { Double(spec.rows) * $0 / weights.reduce(0, +) }
        var sizes = exact.map { Int($0) }
        let order = (0..<spec.classes).sorted { exact[$0] - Double(sizes[$0]) > exact[$1] - Double(sizes[$1]) }
        for label in order.prefix(spec.rows - sizes.reduce(0, +)) { sizes[label] += 1 }

        var draws = Draws(generator: SplitMix64(seed: spec.seed))
        let centers = (0..<spec.classes * spec.features).map { _ in draws.uniform(-spec.centerRange, spec.centerRange) }
        let ordered = sizes.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }
        let labels = Permutation.fisherYates(count: spec.rows, generator: &draws.generator).map { ordered[$0] }
        let x = labels.flatMap { label in (0..<spec.features).map { centers[label * spec.features + $0] + spec.spread * draws.normal() } }

        #expect(dataset.targets == labels.map(Double.init))
        #expect(dataset.features == x)
        #expect(dataset.truth == ["centers": centers, "class_sizes": sizes.map(Double.init)])
        #expect(try dataset.classIndices(classCount: spec.classes) == labels)
        let counts = (0..<spec.classes).map { label in labels.count { $0 == label } }
        #expect(counts == sizes)
        if spec.classes > 1, spec.rows >= 100 {
            // The documented ratio holds to within the rounding of the sizes.
            #expect(abs(Double(counts.max()!) / Double(counts.min()!) - spec.imbalance) / spec.imbalance < 0.15)
        }
    }

    static let badSettings: [(SyntheticData, String)] = [
        (.regression(.init(rows: 0, features: 2, seed: 0)), "rows must be positive, not 0"),
        (.regression(.init(rows: 5, features: 0, seed: 0)), "features must be positive, not 0"),
        (.regression(.init(rows: 5, features: 1, noise: -1, seed: 0)), "noise must be a finite number >= 0.0, not -1.0"),
        (.regression(.init(rows: 5, features: 1, outlierFraction: 1.5, seed: 0)), "outlier_fraction must be in [0, 1], not 1.5"),
        (.regression(.init(rows: 5, features: 2, coefficients: [1], seed: 0)), "coefficients must be 2 finite numbers"),
        (.classification(.init(rows: 5, features: 1, classes: 0, seed: 0)), "classes must be positive, not 0"),
        (.classification(.init(rows: 5, features: 1, classes: 2, imbalance: 0.5, seed: 0)), "imbalance must be a finite number >= 1.0"),
        (.classification(.init(rows: 5, features: 1, classes: 3, imbalance: 100, seed: 0)), "every class needs a row"),
    ]

    @Test(arguments: badSettings)
    func badSettingsAreRefused(_ spec: SyntheticData, _ expected: String) {
        #expect {
            try DatasetLoader().load(.synthetic(spec))
        } throws: { error in
            guard let description = (error as? DataError)?.description else { return false }
            return description.hasPrefix(spec.name + ": ") && description.contains(expected)
        }
    }

    @Test func theLimitBoundsGeneratedData() {
        #expect(throws: DataError.self) {
            try DatasetLoader(limits: DataLimits(maxCells: 99)).load(.synthetic(.regression(.init(rows: 50, features: 1, seed: 0))))
        }
    }
}

/// Ordinary least squares with an intercept, by the normal equations (Gauss–Jordan with partial
/// pivoting): the coefficients, then the intercept.
enum LeastSquares {
    static func solve(features: [Double], targets: [Double], rows: Int, columns: Int) -> [Double] {
        let n = columns + 1
        var system = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n)
        for row in 0..<rows {
            let x = Array(features[row * columns ..< (row + 1) * columns]) + [1]
            for i in 0..<n {
                for j in 0..<n { system[i][j] += x[i] * x[j] }
                system[i][n] += x[i] * targets[row]
            }
        }
        for pivot in 0..<n {
            let best = (pivot..<n).max { abs(system[$0][pivot]) < abs(system[$1][pivot]) }!
            system.swapAt(pivot, best)
            for i in 0..<n where i != pivot {
                let factor = system[i][pivot] / system[pivot][pivot]
                for j in pivot...n { system[i][j] -= factor * system[pivot][j] }
            }
        }
        return (0..<n).map { system[$0][n] / system[$0][$0] }
    }
}
