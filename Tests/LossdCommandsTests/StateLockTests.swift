// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdState
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One writer per state directory, between real processes: a `lossd serve` holds the lock, a
/// `lossd run` on the same directory is refused with exit status 73 (read-only commands are not),
/// and once the holder dies (SIGKILL: no clean-up) the next run takes the lock.
@Suite("State directory lock between processes")
struct StateLockTests {
    /// The holder the lock file names, once it names one.
    static func holder(_ path: String) -> StateDirectoryLock.Holder? {
        FileManager.default.contents(atPath: path).flatMap { StateDirectoryLock.Holder(lockFile: Array($0)) }
    }

    @Test func aSecondWriterIsRefusedUntilTheHolderDies() async throws {
        let directory = NSTemporaryDirectory() + "lossd-lock-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = packageRoot.path + "/configs/seed.yaml", state = directory + "/st", lockFile = directory + "/st/lock"

        let serve = try LossdChild(["serve", "--config", config, "--state-dir", state], logPath: directory + "/serve.log")
        _ = await eventually(every: .milliseconds(20)) { Self.holder(lockFile)?.pid == serve.pid }
        let holder = try #require(Self.holder(lockFile), "the serve never wrote its lock file")
        #expect(holder.pid == serve.pid && holder.command.hasSuffix("serve --config \(config) --state-dir \(state)"))

        let refused = try await LossdProcess.finish(["run", config, "--state-dir", state])
        #expect(refused.status == 73, "\(refused.stderr)")
        #expect(refused.stderr.contains("lossd: error: state directory \(state) is in use by pid \(serve.pid) on \(holder.host) (\(holder.command))"),
                "\(refused.stderr)")
        #expect(Self.holder(lockFile) == holder, "the refused run touched the lock file")
        let status = try await LossdProcess.finish(["status", "--state-dir", state])
        #expect(status.status == 0, "a read-only command needs no lock: \(status.stderr)")

        serve.signal(SIGKILL)
        #expect(await serve.exit() == SIGKILL)
        let taken = try await LossdProcess.finish(["run", config, "--state-dir", state])
        #expect(taken.status == 0, "\(taken.stderr)")
        let after = try #require(Self.holder(lockFile))
        #expect(after.pid != serve.pid && after.command.hasSuffix("run \(config) --state-dir \(state)"))
        #expect(FileManager.default.fileExists(atPath: state + "/results/seed-mse.json"))
    }
}
