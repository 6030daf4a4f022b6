// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdSync

/// SIGTERM, SIGINT and SIGHUP for `lossd run` and `lossd serve`, caught from the first moment of
/// `main` until the process ends.
///
/// ``install(_:)`` runs before anything else (before the configuration, the plugins and the
/// jobs): from then on these signals no longer take their default action (ending the process
/// with status 143, 130 or 129). The handler only writes the signal's number to a pipe
/// (async-signal-safe); a thread of the relay reads it and calls what was subscribed for that
/// signal, or records it. A subscriber gets the signals recorded before it subscribed at once, so
/// a SIGTERM that arrives while the configuration loads still becomes a graceful stop.
public enum SignalRelay {
    private struct State {
        var installed: Set<Int32> = []
        var handlers: [Int32: @Sendable () -> Void] = [:]
        var pending: [Int32: Int] = [:]
    }

    private static let state = Locked(State())

    /// Catches `signals` from now on (call first thing in `main`, once). `arrivedEarlier` says
    /// how many times a signal arrived before (the executable's early handler counts them from the
    /// process's start); they are recorded as if they had arrived now.
    public static func install(_ signals: [Int32], arrivedEarlier: (Int32) -> Int = { _ in 0 }) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // Neither end leaks into plugins' children; the write end never blocks (the handler
        // must not), the read end does (the relay thread waits on it).
        for end in [readEnd, writeEnd] { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        signalPipe = writeEnd
        state.withLock { $0.installed.formUnion(signals) }
        // A parent may hand these signals down blocked (a mask survives exec): unblocked here, on
        // the main thread before lossd starts any thread of its own, so that every thread inherits
        // the unblocked mask and a stop request is never left pending.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        let reader = Thread { relay(from: readEnd) }
        reader.name = "lossd-signals"
        reader.stackSize = 1 << 18
        reader.start()
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = recordSignal
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
        // Read after the handlers above replaced the early one: every signal is counted by one
        // of the two. Once each is enough (a stop, a reload).
        for signal in signals where arrivedEarlier(signal) > 0 {
            state.withLock { $0.pending[signal, default: 0] += 1 }
        }
    }

    /// Whether ``install(_:)`` catches `signal`.
    public static func isInstalled(_ signal: Int32) -> Bool { state.withLock { $0.installed.contains(signal) } }

    /// Calls `handler` (on the relay's thread) for every `signal` from now on, and at once if one
    /// arrived before. Returns false if the relay does not catch `signal`.
    @discardableResult
    public static func subscribe(_ signal: Int32, _ handler: @escaping @Sendable () -> Void) -> Bool {
        let (installed, missed) = state.withLock { s -> (Bool, Int) in
            guard s.installed.contains(signal) else { return (false, 0) }
            s.handlers[signal] = handler
            return (true, s.pending.removeValue(forKey: signal) ?? 0)
        }
        if missed > 0 { handler() }
        return installed
    }

    /// Stops calling the handler of `signal`; later ones are recorded again.
    public static func unsubscribe(_ signal: Int32) {
        _ = state.withLock { $0.handlers.removeValue(forKey: signal) }
    }

    private static func relay(from fd: Int32) {
        var byte: UInt8 = 0
        while true {
            let count = read(fd, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { return }
            let signal = Int32(byte)
            let handler = state.withLock { s -> (@Sendable () -> Void)? in
                if let handler = s.handlers[signal] { return handler }
                s.pending[signal, default: 0] += 1
                return nil
            }
            handler?()
        }
    }
}

/// The write end of the relay's pipe, set once before any handler is installed and only read
/// afterwards (by the handler), so the handler's unsynchronised read is sound.
nonisolated(unsafe) private var signalPipe: Int32 = -1

/// The signal handler: writes the signal's number to the pipe, nothing else (`write` is
/// async-signal-safe; the pipe is non-blocking, so a full pipe drops the byte instead of hanging).
private func recordSignal(_ signal: Int32) {
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(signalPipe, &byte, 1)
    errno = saved
}
