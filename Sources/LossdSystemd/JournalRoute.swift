// SPDX-License-Identifier: Apache-2.0

import Foundation
import Synchronization

/// Where ``SystemdJournal`` sends entries: journald until it is found unreachable, then
/// standard error for good (said once).
public final class JournalRoute: Sendable {
    private enum Route: Int { case unchecked, journal, standardError }

    private let route = Atomic<Int>(Route.unchecked.rawValue)
    private let socketPath: String
    let write: @Sendable (String) -> Void

    init(socketPath: String, write: @escaping @Sendable (String) -> Void) {
        self.socketPath = socketPath
        self.write = write
    }

    /// Whether entries go to journald; the socket is checked at the first call.
    func usesJournal() -> Bool {
        switch Route(rawValue: route.load(ordering: .acquiring)) {
        case .journal: return true
        case .standardError: return false
        default:
            if let problem = JournalSocket.problem(at: socketPath) {
                fallBack(problem)
                return false
            }
            _ = route.compareExchange(expected: Route.unchecked.rawValue, desired: Route.journal.rawValue, ordering: .acquiringAndReleasing)
            return route.load(ordering: .acquiring) == Route.journal.rawValue
        }
    }

    /// Switches to standard error, saying why the first time.
    func fallBack(_ reason: String) {
        guard route.exchange(Route.standardError.rawValue, ordering: .acquiringAndReleasing) != Route.standardError.rawValue else { return }
        write("lossd: journald is not reachable (\(reason)); logging to standard error\n")
    }

    /// An entry as a standard error line: `IDENTIFIER: LEVEL: MESSAGE`, the level from `PRIORITY`.
    static func line(_ fields: [JournalField]) -> String {
        func value(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        let levels = [0: "emergency", 1: "alert", 2: "critical", 3: "error", 4: "warning", 5: "notice", 6: "info", 7: "debug"]
        let level = value("PRIORITY").flatMap(Int.init).flatMap { levels[$0] } ?? "info"
        return "\(value("SYSLOG_IDENTIFIER") ?? "lossd"): \(level): \(value("MESSAGE") ?? "")\n"
    }

    /// Writes `text` to standard error.
    public static let writeStandardError: @Sendable (String) -> Void = { text in
        FileHandle.standardError.write(Data(text.utf8))
    }
}
