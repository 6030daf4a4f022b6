// SPDX-License-Identifier: Apache-2.0

/// Checks `condition` every `interval` until it holds or `seconds` pass (stretched by
/// ``TestTiming/scale``); returns whether it held. For conditions with no event to wait for
/// (a file appearing, a worker's progress): the bound only stops a test that would hang, it
/// never decides a verdict on a healthy machine. It is generous because a parallel `swift test`
/// on two cores can hold every pool thread for tens of seconds (synchronous tests, subprocesses),
/// and work a test waits for may need a pool thread to finish.
public func eventually(within seconds: Double = 120, every interval: Duration = .milliseconds(5), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .milliseconds(Int(seconds * TestTiming.scale * 1000))
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return condition()
}
