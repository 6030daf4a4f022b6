// SPDX-License-Identifier: Apache-2.0

import LossdEngine
import LossdSync

/// How many per-job journal entries lossd writes per second, so that any number of jobs stays
/// well under journald's default rate limit (`RateLimitIntervalSec=30s`, `RateLimitBurst=10000`).
///
/// Per one-second window (on the supervisor's monotonic clock):
/// - ``Limits/progress`` progress entries (besides the per-report cap of `ProgressReporter`);
/// - ``Limits/events`` start, resume, converged and max_steps entries, together;
/// - ``Limits/failures`` failed and diverged entries, a budget of their own: a failure's reason is
///   what people look for first, so a burst of starts never hides it;
/// - past a budget, entries are counted instead, and one summary entry per window
///   (`MESSAGE_ID` ``MessageID/jobEventSummary``) gives the counts of the window before.
///
/// Worst case per 30 s, every source of lossd together, with the defaults (report interval 1 s):
/// 600 progress + 30 progress summaries + 1,500 start/finish + 1,500 failure + 30 event summaries
/// = 3,660 entries, plus a handful of daemon entries (ready, reload, stopping). With the shortest
/// report interval (10 ms) the progress summaries reach 3,000: 6,630 entries.
final class JournalBudget: Sendable {
    /// Entries per window.
    struct Limits: Sendable {
        var progress = 20
        var events = 50
        var failures = 50
    }

    /// What is counted instead of logged.
    enum Event: Sendable { case started, converged, maxSteps, pruned, diverged, failed }

    /// Entries left out in one window, by kind.
    struct Suppressed: Sendable, Equatable {
        var started = 0, converged = 0, maxSteps = 0, pruned = 0, diverged = 0, failed = 0

        var total: Int { started + converged + maxSteps + pruned + diverged + failed }

        mutating func count(_ event: Event) {
            switch event {
            case .started: started += 1
            case .converged: converged += 1
            case .maxSteps: maxSteps += 1
            case .pruned: pruned += 1
            case .diverged: diverged += 1
            case .failed: failed += 1
            }
        }
    }

    private struct Window {
        var start = -Double.infinity
        var progress = 0, events = 0, failures = 0
        var suppressed = Suppressed()
    }

    let limits: Limits
    /// The window's length in seconds.
    static let window = 1.0
    private let now: @Sendable () -> Double
    private let state = Locked(Window())

    /// `now` reads a monotonic clock in seconds.
    init(limits: Limits = Limits(), now: @escaping @Sendable () -> Double) {
        self.limits = limits
        self.now = now
    }

    /// Whether an entry of `event` may be logged now; returns also the counts of a window that
    /// just ended with entries left out (to be logged as one summary before this entry).
    func admit(_ event: Event) -> (admitted: Bool, ended: Suppressed?) {
        state.withLock { window in
            let ended = roll(&window)
            let failure = event == .failed || event == .diverged
            if failure ? window.failures < limits.failures : window.events < limits.events {
                if failure { window.failures += 1 } else { window.events += 1 }
                return (true, ended)
            }
            window.suppressed.count(event)
            return (false, ended)
        }
    }

    /// How many of `wanted` progress entries may be logged now (they are then taken), and the
    /// counts of a window that just ended with entries left out.
    func takeProgress(_ wanted: Int) -> (granted: Int, ended: Suppressed?) {
        state.withLock { window in
            let ended = roll(&window)
            let granted = max(0, min(wanted, limits.progress - window.progress))
            window.progress += granted
            return (granted, ended)
        }
    }

    /// The counts of a window that has ended with entries left out (all of them when `force`:
    /// at the end of a run), for the summary entry; nil when there is nothing to summarise.
    func flush(force: Bool = false) -> Suppressed? {
        state.withLock { window in
            if force {
                defer { window.suppressed = Suppressed() }
                return window.suppressed.total > 0 ? window.suppressed : nil
            }
            return roll(&window)
        }
    }

    /// Starts a new window when the current one is over; returns its left-out counts, if any.
    private func roll(_ window: inout Window) -> Suppressed? {
        let time = now()
        guard time - window.start >= Self.window else { return nil }
        let ended = window.suppressed
        window = Window(start: time)
        return ended.total > 0 ? ended : nil
    }
}
