// SPDX-License-Identifier: Apache-2.0

/// One job's loss curve: the points to draw and the text of its legend entry.
public struct LossSeries: Sendable, Hashable {
    /// One recorded step of the curve.
    public struct Point: Sendable, Hashable {
        public var step: Int
        public var loss: Double

        public init(step: Int, loss: Double) {
            self.step = step
            self.loss = loss
        }
    }

    /// The job's name: the legend's first line and the polyline's `data-job` attribute.
    public var name: String
    /// The legend's second, smaller line (how the job ended, or where it is), if any.
    public var detail: String?
    /// In step order. Non-finite losses break the line (a diverged job's last point is NaN).
    public var points: [Point]

    public init(name: String, detail: String? = nil, points: [Point]) {
        self.name = name
        self.detail = detail
        self.points = points
    }

    /// The name and the detail on one line (tooltips).
    public var label: String { detail.map { "\(name): \($0)" } ?? name }

    /// The runs of consecutive finite points, each drawn as one polyline.
    public var segments: [[Point]] {
        var result: [[Point]] = []
        var current: [Point] = []
        for point in points {
            if point.loss.isFinite {
                current.append(point)
            } else if !current.isEmpty {
                result.append(current)
                current = []
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
