// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdState
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The state directory's lock, in one process: each `StateDirectoryLock` opens the file anew, so
/// two of them are separate open file descriptions and their `flock`s conflict as two processes' do.
@Suite("State directory lock")
struct StateDirectoryLockTests {
    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "lossd-lock-\(UUID().uuidString)"
    }

    @Test func aSecondLockIsRefusedAndNamesTheHolder() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let held = try StateDirectoryLock(directory: directory + "/state", command: ["lossd", "serve", "--config", "a b.yaml"])
        #expect(held.path == directory + "/state/lock")
        do {
            _ = try StateDirectoryLock(directory: directory + "/state", command: ["lossd", "run", "c.yaml"])
            Issue.record("a second lock on the same directory was granted")
        } catch {
            guard case .inUse(let path, let holder?) = error else { Issue.record("unexpected failure: \(error)"); return }
            #expect(path == directory + "/state")
            #expect(holder == .current(command: ["lossd", "serve", "--config", "a b.yaml"]))
            #expect(holder.pid == getpid() && !holder.host.isEmpty)
            #expect(error.description == "state directory \(directory)/state is in use by pid \(getpid()) on \(holder.host) (lossd serve --config a b.yaml)")
        }
        withExtendedLifetime(held) {}
    }

    @Test func aReleasedLockIsTakenAndItsFileRewrittenInPlace() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A dead holder's file, longer than what the new holder writes: nothing of it may remain.
        let stale = #"{"pid": 999999, "host": "\#(String(repeating: "x", count: 500))", "command": "lossd run old.yaml"}"# + "\n"
        try stale.write(toFile: directory + "/lock", atomically: false, encoding: .utf8)
        let inode = try FileManager.default.attributesOfItem(atPath: directory + "/lock")[.systemFileNumber] as? Int
        var first: StateDirectoryLock? = try StateDirectoryLock(directory: directory, command: ["lossd", "run", "first.yaml"])
        #expect(first != nil)
        first = nil
        let second = try StateDirectoryLock(directory: directory, command: ["lossd", "run", "second.yaml"])
        let bytes = try #require(FileManager.default.contents(atPath: second.path))
        #expect(StateDirectoryLock.Holder(lockFile: Array(bytes)) == .current(command: ["lossd", "run", "second.yaml"]))
        #expect(String(decoding: bytes, as: UTF8.self).hasSuffix("}\n"))
        #expect(try FileManager.default.attributesOfItem(atPath: second.path)[.systemFileNumber] as? Int == inode,
                "the lock file was replaced, not rewritten in place")
    }

    @Test(arguments: ["", "{\"pid\": 12", "{\"pid\": 1.5, \"host\": \"h\", \"command\": \"c\"}", "not json"])
    func aLockFileThatNamesNobodyGivesNoHolder(_ content: String) {
        #expect(StateDirectoryLock.Holder(lockFile: Array(content.utf8)) == nil)
    }

    @Test func aDirectoryThatCannotBeCreatedIsUnusable() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "a file".write(toFile: directory, atomically: false, encoding: .utf8)
        #expect {
            try StateDirectoryLock(directory: directory + "/state", command: ["lossd"])
        } throws: { error in
            guard case .unusable = error as? StateDirectoryLock.Failure else { return false }
            return "\(error)".hasPrefix("cannot use the state directory: \(directory)")
        }
    }
}
