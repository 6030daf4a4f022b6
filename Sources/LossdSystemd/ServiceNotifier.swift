// SPDX-License-Identifier: Apache-2.0

internal import CSystemd

/// One sd_notify(3) message: newline-separated `KEY=value` assignments.
public struct NotifyMessage: Sendable, Hashable, CustomStringConvertible {
    public var assignments: [(key: String, value: String)]

    public init(_ assignments: [(key: String, value: String)]) {
        self.assignments = assignments
    }

    public static func == (lhs: NotifyMessage, rhs: NotifyMessage) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// The text sent on the socket.
    public var description: String {
        assignments.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
    }

    /// `STATUS=` must be one line of UTF-8: newlines become spaces.
    static func statusLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// `READY=1` (also ends a reload) with a status line.
    public static func ready(status: String) -> NotifyMessage {
        NotifyMessage([("READY", "1"), ("STATUS", statusLine(status))])
    }

    /// `STATUS=` alone.
    public static func status(_ text: String) -> NotifyMessage {
        NotifyMessage([("STATUS", statusLine(text))])
    }

    /// `WATCHDOG=1`: the service is alive and making progress.
    public static let watchdog = NotifyMessage([("WATCHDOG", "1")])

    /// `RELOADING=1` with `MONOTONIC_USEC=` (CLOCK_MONOTONIC at the start of the reload).
    public static func reloading(monotonicMicroseconds: UInt64, status: String) -> NotifyMessage {
        NotifyMessage([("RELOADING", "1"), ("MONOTONIC_USEC", String(monotonicMicroseconds)), ("STATUS", statusLine(status))])
    }

    /// `STOPPING=1` with a status line.
    public static func stopping(status: String) -> NotifyMessage {
        NotifyMessage([("STOPPING", "1"), ("STATUS", statusLine(status))])
    }

    /// `EXTEND_TIMEOUT_USEC=`: asks the manager for this much more time for the current start or stop.
    public static func extendTimeout(microseconds: UInt64) -> NotifyMessage {
        NotifyMessage([("EXTEND_TIMEOUT_USEC", String(microseconds))])
    }
}

/// Talks to the service manager. The daemon holds one and passes it explicitly.
public protocol ServiceNotifier: Sendable {
    /// Sends `message`; failures are not errors (no manager listening is normal in a terminal).
    func send(_ message: NotifyMessage)
    /// The watchdog interval from `WatchdogSec=`, or `nil` when the watchdog is off.
    var watchdogInterval: Duration? { get }
}

/// The real service manager, through libsystemd.
///
/// `sd_notify` returns 0 when `$NOTIFY_SOCKET` is unset; results are ignored as systemd's own
/// daemons do. The corresponding C functions are `sd_notify` and `sd_watchdog_enabled`.
public struct SystemdNotifier: ServiceNotifier {
    public init() {}

    public func send(_ message: NotifyMessage) {
        _ = lossd_notify(message.description)
    }

    public var watchdogInterval: Duration? {
        let microseconds = lossd_watchdog_usec()
        return microseconds == 0 ? nil : .microseconds(Int64(microseconds))
    }
}
