// SPDX-License-Identifier: Apache-2.0

import LossdPlot
import Testing

@Suite("Chart axes")
struct AxisTests {
    @Test func stepAxisHasWholeNiceTicksCoveringTheData() {
        let axis = Axis.linear(from: 0, to: 35, count: 8, integral: true)
        #expect(axis.kind == .linear)
        #expect(axis.lower == 0 && axis.upper == 35)
        #expect(axis.ticks.map(\.label) == ["0", "5", "10", "15", "20", "25", "30", "35"])
        let long = Axis.linear(from: 0, to: 120_000, count: 8, integral: true)
        #expect(long.ticks.first?.label == "0" && long.ticks.last?.label == "120000")
        #expect(long.ticks.count <= 9)
        // A one-step job still gets an axis with a positive span.
        let single = Axis.linear(from: 0, to: 1, count: 8, integral: true)
        #expect(single.upper > single.lower)
    }

    @Test func linearLossAxisUsesDecimalsOfItsStep() {
        let axis = Axis.linear(from: -0.3, to: 0.45)
        #expect(axis.lower <= -0.3 && axis.upper >= 0.45)
        #expect(axis.ticks.contains { $0.label == "0" })
        #expect(axis.ticks.allSatisfy { $0.label?.contains(".") == true || $0.label == "0" })
        #expect(Axis.linear(from: 2, to: 2).upper > Axis.linear(from: 2, to: 2).lower)
    }

    @Test func logAxisSpansWholeDecadesWithReadableLabels() {
        let axis = Axis.log(from: 7.4e-10, to: 700)
        #expect(axis.kind == .log)
        #expect(axis.lower == 1e-10 && axis.upper == 1000)
        let labels = axis.ticks.compactMap(\.label)
        #expect(labels.contains("1") && labels.contains("0.01") && labels.contains("100"))
        #expect(labels.contains("1e-8"))
        #expect(axis.fraction(1e-10) == 0 && abs(axis.fraction(1000) - 1) < 1e-12)
        #expect(abs(axis.fraction(0.1) - 9.0 / 13.0) < 1e-12)
        #expect(axis.fraction(0) == 0 && axis.fraction(-1) == 0)
    }

    @Test func fewDecadesGetMinorGridLinesAndTwoFiveLabels() {
        let axis = Axis.log(from: 0.5, to: 9)
        #expect(axis.lower == 0.1 && axis.upper == 10)
        let labels = axis.ticks.compactMap(\.label)
        #expect(labels == ["0.1", "0.2", "0.5", "1", "2", "5", "10"])
        #expect(axis.ticks.count == 2 * 9 + 1)
        // Three or four decades: minor grid lines, powers of ten labelled only.
        let wider = Axis.log(from: 0.5, to: 40)
        #expect(wider.ticks.compactMap(\.label) == ["0.1", "1", "10", "100"])
        #expect(wider.ticks.count == 3 * 9 + 1)
    }

    @Test func manyDecadesAreLabelledSparsely() {
        let axis = Axis.log(from: 1e-30, to: 1e3)
        let labelled = axis.ticks.filter { $0.label != nil }
        #expect(labelled.count <= 9)
        #expect(axis.ticks.count == 34)  // one grid line per decade, no minor lines
    }

    @Test func narrowLogRangeFillsTheAxis() {
        // The probability-target cross entropy moves from 1.0986 to 1.0297 only.
        let axis = Axis.log(from: 1.0297, to: 1.0986)
        #expect(axis.lower > 1.0 && axis.lower < 1.0297)
        #expect(axis.upper > 1.0986 && axis.upper < 1.11)
        #expect(axis.ticks.count >= 3)
        #expect(axis.ticks.allSatisfy { $0.value >= axis.lower && $0.value <= axis.upper && $0.label != nil })
        // A flat curve still has a span and ticks.
        let flat = Axis.log(from: 1.03, to: 1.03)
        #expect(flat.upper > flat.lower && !flat.ticks.isEmpty)
    }

    @Test func powerLabels() {
        #expect(Axis.log(from: 1e-9, to: 1e5).ticks.compactMap(\.label).contains("1e-8"))
        #expect(Axis.log(from: 1e-3, to: 1e4).ticks.compactMap(\.label).contains("0.001"))
        #expect(Axis.log(from: 1e-3, to: 1e4).ticks.compactMap(\.label).contains("10000"))
        #expect(Axis.log(from: 1, to: 1e7).ticks.compactMap(\.label).contains("1e6"))
    }
}
