// SPDX-License-Identifier: Apache-2.0

/// Steps done in a measured time.
public struct Timing: Sendable {
    /// Optimizer steps, summed over jobs.
    public var steps: Int
    /// Elements per step (per job).
    public var elements: Int
    public var seconds: Double

    public init(steps: Int, elements: Int, seconds: Double) {
        self.steps = steps
        self.elements = elements
        self.seconds = seconds
    }

    public var stepsPerSecond: Double { Double(steps) / seconds }
    public var nanosecondsPerStep: Double { seconds * 1e9 / Double(steps) }
    /// Element updates per second (steps * elements / s).
    public var elementsPerSecond: Double { Double(steps) * Double(elements) / seconds }
}
