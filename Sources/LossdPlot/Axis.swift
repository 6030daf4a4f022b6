// SPDX-License-Identifier: Apache-2.0

import Foundation

/// One axis of a chart: its data range, whether it is logarithmic, and its ticks.
public struct Axis: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case linear
        case log
    }

    /// A position on the axis with a grid line; `label` is nil for unlabelled (minor) ticks.
    public struct Tick: Sendable, Hashable {
        public var value: Double
        public var label: String?
    }

    public var kind: Kind
    /// The data values at the start and end of the axis (both > 0 for a log axis).
    public var lower: Double
    public var upper: Double
    public var ticks: [Tick]

    /// Where `value` falls along the axis, 0 at `lower` and 1 at `upper` (outside for values
    /// beyond the range; a log axis puts values ≤ 0 at 0).
    public func fraction(_ value: Double) -> Double {
        switch kind {
        case .linear:
            return (value - lower) / (upper - lower)
        case .log:
            guard value > 0 else { return 0 }
            return (Foundation.log10(value) - Foundation.log10(lower)) / (Foundation.log10(upper) - Foundation.log10(lower))
        }
    }

    // MARK: - Linear

    /// A linear axis from `low` to `high` widened to whole multiples of a 1-2-5 step, with about
    /// `count` labelled ticks. `integral` keeps the step a whole number (steps of training).
    public static func linear(from low: Double, to high: Double, count: Int = 6, integral: Bool = false) -> Axis {
        var (low, high) = (low, high)
        if !(high > low) {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        var step = niceStep((high - low) / Double(max(1, count)))
        if integral { step = max(1, step.rounded()) }
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        let decimals = max(0, -Int((Foundation.log10(step)).rounded(.down)))
        let ticks = stride(from: first, through: last, by: 1).map { index -> Tick in
            let value = index * step
            return Tick(value: value, label: linearLabel(value, decimals: decimals))
        }
        return Axis(kind: .linear, lower: first * step, upper: last * step, ticks: ticks)
    }

    /// The 1, 2 or 5 times a power of ten at or above `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = Foundation.pow(10, (Foundation.log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    static func linearLabel(_ value: Double, decimals: Int) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1e6 || decimals > 6 { return scientific(value) }
        return String(format: "%.\(decimals)f", value)
    }

    // MARK: - Logarithmic

    /// A log axis covering `low`...`high` (both > 0). A range of a decade or more is widened to
    /// whole decades, ticked at each power of ten (every second or more when there are many),
    /// with unlabelled grid lines at 2...9 times each power when few decades are shown. A
    /// narrower range is padded a little and ticked at 1-2-5 values inside it, so that a curve
    /// that moves by a few percent still fills the chart.
    public static func log(from low: Double, to high: Double) -> Axis {
        precondition(low > 0 && high >= low)
        let logLow = Foundation.log10(low), logHigh = Foundation.log10(high)
        if logHigh - logLow < 1 {
            let pad = max(0.08 * (logHigh - logLow), 0.002)
            let lower = Foundation.pow(10, logLow - pad), upper = Foundation.pow(10, logHigh + pad)
            let inner = linear(from: lower, to: upper, count: 5)
            let step = inner.ticks.count > 1 ? inner.ticks[1].value - inner.ticks[0].value : 1
            let decimals = max(0, -Int((Foundation.log10(step)).rounded(.down)))
            let ticks = inner.ticks.filter { $0.value >= lower && $0.value <= upper && $0.value > 0 }
                .map { Tick(value: $0.value, label: linearLabel($0.value, decimals: decimals)) }
            return Axis(kind: .log, lower: lower, upper: upper, ticks: ticks)
        }
        let first = Int((logLow + 1e-9).rounded(.down)), last = Int((logHigh - 1e-9).rounded(.up))
        let decades = last - first
        let every = max(1, (decades + 7) / 8)
        var ticks: [Tick] = []
        for exponent in first...last {
            let labelled = exponent % every == 0
            ticks.append(Tick(value: Foundation.pow(10, Double(exponent)), label: labelled ? powerLabel(1, exponent) : nil))
            guard exponent < last, decades <= 4 else { continue }
            for multiple in 2...9 {
                let label = decades <= 2 && (multiple == 2 || multiple == 5) ? powerLabel(multiple, exponent) : nil
                ticks.append(Tick(value: Double(multiple) * Foundation.pow(10, Double(exponent)), label: label))
            }
        }
        return Axis(kind: .log, lower: Foundation.pow(10, Double(first)), upper: Foundation.pow(10, Double(last)), ticks: ticks)
    }

    /// `multiple` × 10^`exponent` as `0.002`, `1`, `50000`, or `1e-9` / `2e6` beyond 10^-3...10^4.
    static func powerLabel(_ multiple: Int, _ exponent: Int) -> String {
        switch exponent {
        case 0...4: return String(multiple) + String(repeating: "0", count: exponent)
        case -3 ... -1: return "0." + String(repeating: "0", count: -exponent - 1) + String(multiple)
        default: return "\(multiple)e\(exponent)"
        }
    }

    static func scientific(_ value: Double) -> String {
        let exponent = Int((Foundation.log10(abs(value))).rounded(.down))
        let mantissa = value / Foundation.pow(10, Double(exponent))
        var digits = String(format: "%.2f", mantissa)
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.hasSuffix(".") { digits.removeLast() }
        return "\(digits)e\(exponent)"
    }
}
