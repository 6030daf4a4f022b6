// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Loss curves as a self-contained SVG document: no script, no external font, image or style
/// sheet, so it opens the same in a browser, an image viewer or a notebook, offline.
///
/// The chart has a title, a step axis, a loss axis (logarithmic unless told otherwise or a loss
/// is negative) with labelled ticks and grid lines, one line per job clipped to the plot frame
/// with a dot on its last point, and a legend to the right naming each job.
public struct LossChart: Sendable, Hashable {
    /// How the loss axis is scaled.
    public enum Scale: String, Sendable, Hashable, CaseIterable {
        /// Logarithmic when every finite loss is ≥ 0, linear otherwise.
        case auto
        case log
        case linear
    }

    public var title: String
    public var subtitle: String?
    public var series: [LossSeries]
    public var scale: Scale
    /// The canvas size in pixels; grown when the legend needs more room.
    public var width: Double
    public var height: Double

    public init(title: String, subtitle: String? = nil, series: [LossSeries], scale: Scale = .auto,
                width: Double = 960, height: Double = 540) {
        self.title = title
        self.subtitle = subtitle
        self.series = series
        self.scale = scale
        self.width = width
        self.height = height
    }

    /// The loss axis's kind after `auto` is decided (log needs no negative loss and one positive).
    public var resolvedScale: Axis.Kind {
        switch scale {
        case .log: return .log
        case .linear: return .linear
        case .auto:
            let finite = series.flatMap { $0.points.map(\.loss) }.filter(\.isFinite)
            return finite.allSatisfy { $0 >= 0 } && finite.contains { $0 > 0 } ? .log : .linear
        }
    }

    public var layout: ChartLayout { ChartLayout(self) }

    // MARK: - SVG

    /// The SVG document.
    public func svg() -> String {
        let layout = self.layout
        let frame = layout.frame
        var svg = SVGWriter()
        svg.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        svg.group("svg", [
            "xmlns": "http://www.w3.org/2000/svg", "width": Self.number(layout.width), "height": Self.number(layout.height),
            "viewBox": "0 0 \(Self.number(layout.width)) \(Self.number(layout.height))",
            "font-family": "DejaVu Sans, Helvetica, Arial, sans-serif", "font-size": "12", "fill": "#222",
        ]) { svg in
            svg.element("title", [:], text: title)
            svg.element("desc", [:], text: description)
            svg.empty("rect", ["width": "100%", "height": "100%", "fill": "white"])
            svg.group("defs", [:]) { svg in
                svg.group("clipPath", ["id": "lossd-plot-area"]) { svg in
                    // The frame and the radius of the end dots, so that a dot on the frame is whole.
                    svg.empty("rect", Self.rect(ChartLayout.Rect(x: frame.x - 4, y: frame.y - 4, width: frame.width + 8,
                                                                 height: frame.height + 8)))
                }
            }
            svg.element("text", ["class": "title", "x": Self.number(frame.x), "y": "24", "font-size": "16", "font-weight": "bold"], text: title)
            if let subtitle {
                svg.element("text", ["class": "subtitle", "x": Self.number(frame.x), "y": "44", "fill": "#555"], text: subtitle)
            }
            drawGrid(&svg, layout)
            drawSeries(&svg, layout)
            svg.empty("rect", ["class": "frame", "x": Self.number(frame.x), "y": Self.number(frame.y),
                               "width": Self.number(frame.width), "height": Self.number(frame.height), "fill": "none", "stroke": "#333"])
            drawAxes(&svg, layout)
            drawLegend(&svg, layout)
        }
        return svg.text
    }

    /// A one-paragraph text alternative (the SVG's `<desc>`).
    var description: String {
        let kind = resolvedScale == .log ? "logarithmic" : "linear"
        let jobs = series.map { "\($0.name) (\($0.points.count) points)" }.joined(separator: ", ")
        return "Loss against training step, \(kind) loss axis, for \(series.count) job\(series.count == 1 ? "" : "s"): \(jobs)."
    }

    private func drawGrid(_ svg: inout SVGWriter, _ layout: ChartLayout) {
        let frame = layout.frame
        svg.group("g", ["class": "grid", "stroke-width": "1"]) { svg in
            for tick in layout.steps.ticks {
                let x = Self.number(layout.x(tick.value))
                svg.empty("line", ["x1": x, "x2": x, "y1": Self.number(frame.y), "y2": Self.number(frame.maxY), "stroke": "#e6e6e6"])
            }
            for tick in layout.losses.ticks {
                let y = Self.number(layout.y(tick.value))
                svg.empty("line", ["x1": Self.number(frame.x), "x2": Self.number(frame.maxX), "y1": y, "y2": y,
                                   "stroke": tick.label == nil ? "#f0f0f0" : "#e0e0e0"])
            }
        }
    }

    private func drawSeries(_ svg: inout SVGWriter, _ layout: ChartLayout) {
        svg.group("g", ["class": "series", "clip-path": "url(#lossd-plot-area)", "fill": "none", "stroke-width": "1.5",
                        "stroke-linejoin": "round", "stroke-linecap": "round"]) { svg in
            for index in drawingOrder(layout) {
                let series = self.series[index]
                let color = Palette.color(index)
                for (number, segment) in series.segments.enumerated() {
                    let points = segment.map { "\(Self.number(layout.x(Double($0.step)))),\(Self.number(layout.y($0.loss)))" }
                    svg.group("polyline", ["data-job": series.name, "data-segment": String(number), "points": points.joined(separator: " "),
                                           "stroke": color, "stroke-dasharray": Palette.dash(index)]) { svg in
                        svg.element("title", [:], text: series.label)
                    }
                }
                if let last = series.segments.last?.last {
                    svg.empty("circle", ["class": "end", "data-job": series.name, "cx": Self.number(layout.x(Double(last.step))),
                                         "cy": Self.number(layout.y(last.loss)), "r": "3", "fill": color, "stroke": "none"])
                }
            }
        }
    }

    /// `loss (log scale)`, noting where losses of 0 (or below) are drawn when there are any.
    var lossAxisTitle: String {
        guard resolvedScale == .log else { return "loss" }
        let clipped = series.contains { $0.points.contains { $0.loss.isFinite && $0.loss <= 0 } }
        return clipped ? "loss (log scale; 0 on the bottom edge)" : "loss (log scale)"
    }

    /// Series indices, the most jagged line first: a job whose loss oscillates step to step
    /// covers a band of the chart, and drawn last it would hide the smooth curves beneath it.
    /// Jaggedness is the drawn line's vertical travel in pixels.
    func drawingOrder(_ layout: ChartLayout) -> [Int] {
        let travel = series.map { series in
            series.segments.reduce(0.0) { total, segment in
                zip(segment, segment.dropFirst()).reduce(total) { $0 + abs(layout.y($1.1.loss) - layout.y($1.0.loss)) }
            }
        }
        return series.indices.sorted { travel[$0] != travel[$1] ? travel[$0] > travel[$1] : $0 < $1 }
    }

    private func drawAxes(_ svg: inout SVGWriter, _ layout: ChartLayout) {
        let frame = layout.frame
        svg.group("g", ["class": "axis steps", "text-anchor": "middle"]) { svg in
            for tick in layout.steps.ticks {
                let x = Self.number(layout.x(tick.value))
                svg.empty("line", ["x1": x, "x2": x, "y1": Self.number(frame.maxY), "y2": Self.number(frame.maxY + 5), "stroke": "#333"])
                if let label = tick.label {
                    svg.element("text", ["x": x, "y": Self.number(frame.maxY + 19)], text: label)
                }
            }
            svg.element("text", ["class": "axis-title", "x": Self.number(frame.x + frame.width / 2), "y": Self.number(frame.maxY + 42)],
                        text: "step")
        }
        svg.group("g", ["class": "axis losses", "text-anchor": "end"]) { svg in
            for tick in layout.losses.ticks {
                let y = Self.number(layout.y(tick.value))
                svg.empty("line", ["x1": Self.number(frame.x - 5), "x2": Self.number(frame.x), "y1": y, "y2": y, "stroke": "#333"])
                if let label = tick.label {
                    svg.element("text", ["x": Self.number(frame.x - 8), "y": Self.number(layout.y(tick.value) + 4)], text: label)
                }
            }
            let x = Self.number(18), y = Self.number(frame.y + frame.height / 2)
            svg.element("text", ["class": "axis-title", "x": x, "y": y, "text-anchor": "middle", "transform": "rotate(-90 \(x) \(y))"],
                        text: lossAxisTitle)
        }
    }

    private func drawLegend(_ svg: inout SVGWriter, _ layout: ChartLayout) {
        guard !series.isEmpty else { return }
        svg.group("g", ["class": "legend"]) { svg in
            for (index, series) in self.series.enumerated() {
                let y = layout.legendY + Double(index) * layout.legendRowHeight + 10
                let x = layout.legendX
                svg.group("g", ["class": "entry", "data-job": series.name]) { svg in
                    svg.element("title", [:], text: series.label)
                    svg.empty("line", ["x1": Self.number(x), "x2": Self.number(x + 24), "y1": Self.number(y), "y2": Self.number(y),
                                       "stroke": Palette.color(index), "stroke-width": "2.5", "stroke-dasharray": Palette.dash(index)])
                    svg.empty("circle", ["cx": Self.number(x + 24), "cy": Self.number(y), "r": "3", "fill": Palette.color(index)])
                    let room = layout.legendTextWidth
                    svg.element("text", ["x": Self.number(x + 32), "y": Self.number(y + 4)],
                                text: Self.fit(series.name, Int(room / ChartLayout.nameWidth)))
                    if let detail = series.detail {
                        svg.element("text", ["class": "detail", "x": Self.number(x + 32), "y": Self.number(y + 18), "font-size": "11",
                                             "fill": "#666"], text: Self.fit(detail, Int(room / ChartLayout.detailWidth)))
                    }
                }
            }
        }
    }

    // MARK: - Formatting

    /// Canvas coordinates with two decimals, without trailing zeros.
    static func number(_ value: Double) -> String {
        var text = String(format: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    static func rect(_ rect: ChartLayout.Rect) -> KeyValuePairs<String, String> {
        ["x": number(rect.x), "y": number(rect.y), "width": number(rect.width), "height": number(rect.height)]
    }

    /// `text`, cut to `count` characters with an ellipsis when longer.
    static func fit(_ text: String, _ count: Int) -> String {
        text.count <= count ? text : String(text.prefix(max(1, count - 1))) + "…"
    }
}
