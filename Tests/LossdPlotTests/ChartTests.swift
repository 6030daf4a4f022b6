// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdPlot
import LossdTestSupport
import Testing

@Suite("Loss charts (SVG)")
struct ChartTests {
    /// The seed MSE job's curve: the loss falls by 1/9 per step from 700.
    static let mse = LossSeries(name: "seed-mse", detail: "converged at step 35", points: (1...35).map {
        LossSeries.Point(step: $0, loss: 700 * pow(1.0 / 9.0, Double($0 - 1)))
    })
    /// An oscillating curve, like the seed L1 job once its outputs reach their targets.
    static let l1 = LossSeries(name: "seed-l1", detail: "max_steps at step 1000", points: (1...1000).map {
        LossSeries.Point(step: $0, loss: $0 < 400 ? 23.3 - Double($0) * 0.058 : ($0 % 2 == 0 ? 0.1 : 1e-13))
    })

    @Test func everyPolylinePointIsItsHistoryRowOnTheAxes() throws {
        let chart = LossChart(title: "two jobs", series: [Self.mse, Self.l1])
        let svg = try SVGChart(parsing: chart.svg())
        let layout = chart.layout
        #expect(svg.title == "two jobs")
        #expect(svg.frame.x == layout.frame.x && svg.frame.width == (layout.frame.width * 100).rounded() / 100)
        for series in [Self.mse, Self.l1] {
            let lines = svg.lines(of: series.name)
            #expect(lines.count == 1)
            let points = try #require(lines.first).points
            #expect(points.count == series.points.count)
            for (drawn, row) in zip(points, series.points) {
                #expect(abs(drawn.x - layout.x(Double(row.step))) <= 0.005)
                #expect(abs(drawn.y - layout.y(row.loss)) <= 0.005)
                // And back: the drawn point read on the axes is the row's step and loss.
                let step = layout.steps.lower + (drawn.x - layout.frame.x) / layout.frame.width * (layout.steps.upper - layout.steps.lower)
                #expect(abs(step - Double(row.step)) < 0.01 * Double(row.step) + 0.05)
                let decades = log10(layout.losses.upper / layout.losses.lower)
                let loss = layout.losses.lower * pow(10, (layout.frame.maxY - drawn.y) / layout.frame.height * decades)
                #expect(abs(log10(loss) - log10(row.loss)) < 0.01 * decades)
            }
        }
    }

    @Test func linesStayInsideTheFrame() throws {
        let svg = try SVGChart(parsing: LossChart(title: "t", series: [Self.mse, Self.l1]).svg())
        let frame = svg.frame
        for line in svg.lines {
            for point in line.points {
                #expect(point.x >= frame.x - 0.01 && point.x <= frame.x + frame.width + 0.01, "\(line.job) x \(point.x)")
                #expect(point.y >= frame.y - 0.01 && point.y <= frame.y + frame.height + 0.01, "\(line.job) y \(point.y)")
            }
        }
    }

    @Test func hasLabelledAxesLegendAndTitleAndNothingExternal() throws {
        let chart = LossChart(title: "lossd seed", subtitle: "state", series: [Self.mse, Self.l1])
        let text = chart.svg()
        let svg = try SVGChart(parsing: text)
        #expect(svg.texts.contains("step"))
        #expect(svg.texts.contains("loss (log scale)"))
        #expect(svg.texts.contains("lossd seed") && svg.texts.contains("state"))
        let labels = (chart.layout.steps.ticks + chart.layout.losses.ticks).compactMap(\.label)
        #expect(labels.count >= 8)
        for label in labels { #expect(svg.texts.contains(label), "tick label \(label)") }
        #expect(svg.texts.contains("1") && svg.texts.contains("1e-20"))
        #expect(svg.texts.contains("0") && svg.texts.contains("1000"))
        #expect(svg.legend.map(\.job) == ["seed-mse", "seed-l1"])
        #expect(svg.legend[0].texts == ["seed-mse", "converged at step 35"])
        #expect(Set(svg.lines.map(\.stroke)).count == 2)
        // Self-contained: no script, no link, no external resource.
        #expect(!svg.elements.contains("script") && !svg.elements.contains("image") && !svg.elements.contains("a"))
        #expect(!svg.attributes.contains { $0.contains("href") || $0.hasPrefix("on") })
        #expect(!text.contains("http") || text.components(separatedBy: "http").count == 2)  // the xmlns only
    }

    @Test func jaggedLinesAreDrawnBeneathSmoothOnes() throws {
        let svg = try SVGChart(parsing: LossChart(title: "t", series: [Self.mse, Self.l1]).svg())
        #expect(svg.lines.map(\.job) == ["seed-l1", "seed-mse"])
        // The legend keeps the given order.
        #expect(svg.legend.map(\.job) == ["seed-mse", "seed-l1"])
    }

    @Test func nonFiniteLossesBreakTheLine() throws {
        let diverged = LossSeries(name: "d", points: [.init(step: 1, loss: 1), .init(step: 2, loss: 2), .init(step: 3, loss: .nan),
                                                      .init(step: 4, loss: 3), .init(step: 5, loss: .infinity)])
        #expect(diverged.segments.map { $0.map(\.step) } == [[1, 2], [4]])
        let svg = try SVGChart(parsing: LossChart(title: "t", series: [diverged]).svg())
        #expect(svg.lines(of: "d").map(\.points.count) == [2, 1])
    }

    @Test func negativeLossesSwitchToALinearAxis() throws {
        let series = LossSeries(name: "gaussian", points: [.init(step: 1, loss: 2), .init(step: 2, loss: -0.5)])
        let chart = LossChart(title: "t", series: [series])
        #expect(chart.resolvedScale == .linear)
        let svg = try SVGChart(parsing: chart.svg())
        #expect(svg.texts.contains("loss"))
        let layout = chart.layout
        #expect(layout.losses.lower <= -0.5 && layout.losses.upper >= 2)
        #expect(abs(svg.lines[0].points[1].y - layout.y(-0.5)) <= 0.005)
        #expect(LossChart(title: "t", series: [Self.mse], scale: .linear).resolvedScale == .linear)
        #expect(LossChart(title: "t", series: [series], scale: .log).resolvedScale == .log)
    }

    @Test func zerosOnALogAxisAreDrawnOnTheBottomEdge() throws {
        let series = LossSeries(name: "exact", points: [.init(step: 1, loss: 4), .init(step: 2, loss: 0.01), .init(step: 3, loss: 0)])
        let chart = LossChart(title: "t", series: [series])
        #expect(chart.resolvedScale == .log)
        let svg = try SVGChart(parsing: chart.svg())
        #expect(svg.lines[0].points.last!.y == chart.layout.frame.maxY)
        #expect(svg.texts.contains("loss (log scale; 0 on the bottom edge)"))
    }

    @Test func namesAreEscaped() throws {
        let name = "a&b<c>\"d'"
        let svg = try SVGChart(parsing: LossChart(title: "<&>", series: [LossSeries(name: name, detail: "x & y", points: [.init(step: 1, loss: 1)])]).svg())
        #expect(svg.title == "<&>")
        #expect(svg.lines(of: name).count == 1)
        #expect(svg.legend.first?.texts == [name, "x & y"])
    }

    @Test func emptyChartIsStillADocument() throws {
        let svg = try SVGChart(parsing: LossChart(title: "nothing", series: []).svg())
        #expect(svg.lines.isEmpty && svg.legend.isEmpty)
        #expect(svg.texts.contains("step"))
    }

    @Test func longLegendsGrowTheCanvasAndAreCut() throws {
        let many = (0..<40).map { index in
            LossSeries(name: "sweep.lr-\(index).a-very-long-generated-name-that-goes-on-and-on", detail: "running",
                       points: [.init(step: 1, loss: Double(index + 1))])
        }
        let chart = LossChart(title: "t", series: many)
        let svg = try SVGChart(parsing: chart.svg())
        #expect(svg.height > 540)
        #expect(chart.layout.frame.width >= 360)
        #expect(svg.legend.count == 40)
        #expect(svg.legend.allSatisfy { $0.texts[0].hasSuffix("…") })
        #expect(Set(svg.lines.map(\.stroke)).count == Palette.colors.count)
    }
}
