// SPDX-License-Identifier: Apache-2.0

/// Where everything goes: the canvas, the plot frame, the legend and the two axes, and the
/// mapping from (step, loss) to canvas coordinates. Tests use it to check the drawn points.
public struct ChartLayout: Sendable, Hashable {
    /// An axis-aligned rectangle in canvas pixels (y grows downwards, as in SVG).
    public struct Rect: Sendable, Hashable {
        public var x: Double
        public var y: Double
        public var width: Double
        public var height: Double
        public var maxX: Double { x + width }
        public var maxY: Double { y + height }
    }

    public var width: Double
    public var height: Double
    /// The plot area: lines are clipped to it.
    public var frame: Rect
    /// The legend's top-left corner (to the right of the frame).
    public var legendX: Double
    public var legendY: Double
    public var legendRowHeight: Double
    /// The room for legend text; longer lines are cut with an ellipsis.
    public var legendTextWidth: Double
    public var steps: Axis
    public var losses: Axis

    /// The canvas x of a step.
    public func x(_ step: Double) -> Double { frame.x + steps.fraction(step) * frame.width }

    /// The canvas y of a loss (a log axis draws losses ≤ 0 on the frame's bottom edge).
    public func y(_ loss: Double) -> Double { frame.maxY - losses.fraction(loss) * frame.height }

    /// The layout of `chart`: axes fitted to its data, the canvas grown when the legend needs room.
    public init(_ chart: LossChart) {
        let points = chart.series.flatMap { $0.segments.joined() }
        let maxStep = points.map(\.step).max() ?? 1
        steps = Axis.linear(from: 0, to: Double(max(maxStep, 1)), count: 8, integral: true)
        losses = Self.lossAxis(points.map(\.loss), kind: chart.resolvedScale)

        let hasDetails = chart.series.contains { $0.detail != nil }
        let textWidth = chart.series.map { series in
            max(Self.nameWidth * Double(series.name.count), Self.detailWidth * Double(series.detail?.count ?? 0))
        }.max() ?? 0
        legendTextWidth = min(textWidth, Self.maximumLegendShare * chart.width)
        let legendWidth = chart.series.isEmpty ? 0 : 36 + legendTextWidth
        let left = 76.0, right = 24 + legendWidth, top = chart.subtitle == nil ? 48.0 : 66.0, bottom = 54.0
        legendRowHeight = hasDetails ? 34 : 20
        width = max(chart.width, left + right + 360)
        let legendHeight = Double(chart.series.count) * legendRowHeight + 8
        height = max(chart.height, top + bottom + max(240, legendHeight))
        frame = Rect(x: left, y: top, width: width - left - right, height: height - top - bottom)
        legendX = frame.maxX + 20
        legendY = frame.y + 4
    }

    /// Average advance of a character of the legend's name (12 px) and detail (11 px) lines,
    /// for DejaVu Sans and similar fonts: enough to keep the text clear of the canvas edge.
    static let nameWidth = 7.0
    static let detailWidth = 6.3
    /// The legend takes at most this share of the requested width.
    static let maximumLegendShare = 0.34

    static func lossAxis(_ losses: [Double], kind: Axis.Kind) -> Axis {
        switch kind {
        case .log:
            let positive = losses.filter { $0 > 0 }
            guard let low = positive.min(), let high = positive.max() else { return Axis.log(from: 0.1, to: 10) }
            return Axis.log(from: low, to: high)
        case .linear:
            guard let low = losses.min(), let high = losses.max() else { return Axis.linear(from: 0, to: 1) }
            // Start at 0 when the losses are all positive and 0 is not far below them.
            let start = low > 0 && low < 0.5 * high ? 0 : low
            return Axis.linear(from: start, to: high)
        }
    }
}
