// SPDX-License-Identifier: Apache-2.0

public import LossdSystemd

/// A service manager that records every sd_notify message, for tests.
public final class RecordingNotifier: ServiceNotifier {
    public let recorder = Recorder<NotifyMessage>()
    public let watchdogInterval: Duration?

    /// `watchdogInterval` plays `WatchdogSec=` (nil: the watchdog is off).
    public init(watchdogInterval: Duration? = nil) {
        self.watchdogInterval = watchdogInterval
    }

    public func send(_ message: NotifyMessage) {
        recorder.append(message)
    }

    /// Every message sent so far, oldest first, as the text sent on the socket.
    public var messages: [String] { recorder.items.map(\.description) }

    /// The first message from index `start` on whose text satisfies `matches`, waiting for it.
    @discardableResult
    public func message(from start: Int = 0, where matches: @escaping @Sendable (String) -> Bool) async -> String {
        await recorder.first(from: start) { matches($0.description) }.description
    }
}

extension NotifyMessage {
    /// The value of `key` in this message, if it has that assignment.
    public func value(_ key: String) -> String? {
        assignments.first { $0.key == key }?.value
    }
}
