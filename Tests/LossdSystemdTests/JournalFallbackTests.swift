// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import LossdSystemd
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Entries never vanish: with no journald socket accepting them they go to standard error, and
/// the switch is said once.
@Suite("Journal fallback to standard error")
struct JournalFallbackTests {
    static func temporaryPath() -> String { NSTemporaryDirectory() + "lossd-journal-\(UUID().uuidString.prefix(8))" }

    /// A datagram socket bound at `path`; the caller closes it. Close-on-exec: a process that
    /// another test spawns meanwhile must not inherit it and keep the address reachable.
    static func boundSocket(at path: String) -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        return descriptor
    }

    @Test(arguments: [false, true])
    func anUnreachableJournalFallsBackOnceSayingWhy(socketFileExists: Bool) {
        let path = Self.temporaryPath()
        defer { unlink(path) }
        // A socket file nobody listens on any more (bound, then closed): connecting is refused.
        if socketFileExists { close(Self.boundSocket(at: path)) }
        let written = Recorder<String>()
        let journal = SystemdJournal(socketPath: path, standardError: { written.append($0) })
        let logger = Logger(label: "test") { _ in JournalLogHandler(identifier: "lossd", sink: journal) }
        logger.notice("first", metadata: ["LOSSD_JOB": "a"])
        logger.error("second")
        let reason = socketFileExists ? "cannot connect to \(path): Connection refused" : "no socket at \(path)"
        #expect(written.items == [
            "lossd: journald is not reachable (\(reason)); logging to standard error\n",
            "lossd: notice: first\n",
            "lossd: error: second\n",
        ])
    }

    @Test func aListeningSocketIsReachable() {
        let path = Self.temporaryPath()
        defer { unlink(path) }
        let descriptor = Self.boundSocket(at: path)
        defer { close(descriptor) }
        #expect(JournalSocket.problem(at: path) == nil)
    }

    /// The real thing, where no journald runs: `LOSSD_LOG_TARGET=journal lossd run` still logs.
    @Test(.enabled(if: JournalSocket.problem() != nil, "a journald is listening here"))
    func lossdRunWithTheJournalTargetAndNoJournaldLogsToStandardError() throws {
        let state = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: state) }
        var environment = ProcessInfo.processInfo.environment
        for key in ["JOURNAL_STREAM", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { environment[key] = nil }
        environment["LOSSD_LOG_TARGET"] = "journal"
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("configs/seed.yaml").path
        let run = try LossdProcess.run(["run", seed, "--state-dir", state], environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let notice = "lossd: journald is not reachable (no socket at \(JournalSocket.path)); logging to standard error\n"
        #expect(run.stderr.hasPrefix(notice), "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "journald is not reachable").count == 2, "said once")
        #expect(run.stderr.contains("lossd: notice: job seed-mse converged at step 35"), "\(run.stderr)")
    }
}
