// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdEngine

/// How long `pause()` and `cancel()` take to take effect on running jobs (the engine's target:
/// under 100 ms, one time slice being 5 ms): the worst over two seed jobs and a wide job cut into
/// chunks, on two workers. The engine tests check that they take effect; this measures how fast.
public struct ControlLatency: Sendable {
    public var pauseMilliseconds: Double
    public var cancelMilliseconds: Double

    public init(pauseMilliseconds: Double, cancelMilliseconds: Double) {
        self.pauseMilliseconds = pauseMilliseconds
        self.cancelMilliseconds = cancelMilliseconds
    }
}

extension Workloads {
    public static func controlLatency() async -> ControlLatency {
        let engine = TrainingEngine(EngineConfiguration(workers: 2))
        defer { engine.shutdown() }
        let handles = [
            engine.submit(Jobs.seed(maxSteps: .max)),
            engine.submit(Jobs.wide(count: 200_000, maxSteps: .max)),
            engine.submit(Jobs.seed(maxSteps: .max)),
        ]
        while !handles.allSatisfy({ $0.progress.step > 0 }) { usleep(1_000) }
        var result = ControlLatency(pauseMilliseconds: 0, cancelMilliseconds: 0)
        for handle in handles {
            let pause = latency(of: handle.pause) { handle.status == .paused }
            result.pauseMilliseconds = max(result.pauseMilliseconds, pause)
            _ = await handle.settled()
            handle.resume()
        }
        while !handles.allSatisfy({ $0.status == .running }) { usleep(1_000) }
        for handle in handles {
            let cancel = latency(of: handle.cancel) { handle.status.isFinal }
            result.cancelMilliseconds = max(result.cancelMilliseconds, cancel)
        }
        return result
    }

    /// Milliseconds from `action` until `condition` holds, polled on this thread every 0.2 ms
    /// (an async wait would add the scheduler's resumption delay to the engine's).
    private static func latency(of action: () -> Void, until condition: () -> Bool) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        action()
        while !condition() { usleep(200) }
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
    }
}
