// SPDX-License-Identifier: Apache-2.0

/// A seeded synthetic dataset: the same settings and seed give the same numbers on every run and
/// platform. Every draw comes from one ``LossKit/SplitMix64`` stream in the order documented on
/// each case; `uniform(a, b) = a + (b - a) * nextUnit()`, and `normal()` is Box–Muller on two
/// fresh uniforms, `sqrt(-2 ln(1 - u1)) * cos(2 pi u2)` (the sine half is not used).
public enum SyntheticData: Sendable, Hashable {
    /// Linear regression with Gaussian noise and gross outliers (see ``Regression``).
    case regression(Regression)
    /// Gaussian blobs, one per class, with imbalanced class sizes (see ``Classification``).
    case classification(Classification)

    /// `y = x . w + b + noise (+ outlier)` for x ~ N(0, I).
    ///
    /// Draw order: if `coefficients` is nil, w_j = uniform(-2, 2) for j = 0..<features; if
    /// `intercept` is nil, b = uniform(-1, 1). Then per row i: x_i0, ..., x_i(F-1) = normal();
    /// e_i = normal(); u_i = nextUnit(); s_i = normal(). Every draw happens whatever the settings,
    /// so changing `noise` or the outliers keeps the same x.
    ///
    ///     y_i = sum_j x_ij w_j + b + noise * e_i + (outlier_i ? outlierScale * s_i : 0)
    ///
    /// The outlier rows are the round(outlierFraction x rows) rows with the smallest u_i (ties by
    /// row), so the fraction is exact. ``Dataset/truth`` holds `coefficients` (w) and `intercept` ([b]).
    /// Columns: `x0`, ..., `x(F-1)` and `y`.
    public struct Regression: Sendable, Hashable {
        public var rows: Int
        public var features: Int
        /// The standard deviation of the Gaussian noise (0: none).
        public var noise: Double
        /// The fraction of rows, in [0, 1], that get an outlier.
        public var outlierFraction: Double
        /// The standard deviation of an outlier's offset.
        public var outlierScale: Double
        /// w (one per feature), or nil to draw them.
        public var coefficients: [Double]?
        /// b, or nil to draw it.
        public var intercept: Double?
        public var seed: UInt64

        public init(rows: Int, features: Int, noise: Double = 0, outlierFraction: Double = 0, outlierScale: Double = 10,
                    coefficients: [Double]? = nil, intercept: Double? = nil, seed: UInt64) {
            self.rows = rows
            self.features = features
            self.noise = noise
            self.outlierFraction = outlierFraction
            self.outlierScale = outlierScale
            self.coefficients = coefficients
            self.intercept = intercept
            self.seed = seed
        }
    }

    /// Gaussian blobs: class c's rows are `center_c + spread * normal()` per feature.
    ///
    /// Class sizes: weights r^(-c/(C-1)) for c = 0..<C (1 for C = 1), so class 0 is the largest and
    /// the last class `imbalance` times smaller; sizes are rows x weight / sum(weights) rounded down,
    /// the remaining rows going one each to the classes with the largest remainders (ties: lower
    /// class first); every class needs at least one row.
    ///
    /// Draw order: centers center_cj = uniform(-centerRange, centerRange), class by class; then the
    /// labels (class 0's rows, then class 1's, ...) are put in a random order by
    /// ``Permutation/fisherYates(count:generator:)`` on the same stream; then per row i, in row order,
    /// x_ij = center_(y_i)j + spread * normal() for j = 0..<F. Targets are the class indices 0..<C
    /// (one column `y`); ``Dataset/truth`` holds `centers` (C x F, row-major) and `class_sizes`.
    public struct Classification: Sendable, Hashable {
        public var rows: Int
        public var features: Int
        public var classes: Int
        /// The size of the largest class over the smallest (>= 1; 1: balanced).
        public var imbalance: Double
        /// The standard deviation of each blob around its center.
        public var spread: Double
        /// Centers are drawn in [-centerRange, centerRange] per feature.
        public var centerRange: Double
        public var seed: UInt64

        public init(rows: Int, features: Int, classes: Int, imbalance: Double = 1, spread: Double = 1,
                    centerRange: Double = 5, seed: UInt64) {
            self.rows = rows
            self.features = features
            self.classes = classes
            self.imbalance = imbalance
            self.spread = spread
            self.centerRange = centerRange
            self.seed = seed
        }
    }

    /// `"synthetic regression"` or `"synthetic classification"`.
    public var name: String {
        switch self {
        case .regression: "synthetic regression"
        case .classification: "synthetic classification"
        }
    }
}
