// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdEngine
import LossdJSON
import LossdState
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What a failed state write is called, how `status.json` carries it, and the opening sweep of
/// temporary files that interrupted writes leave.
@Suite("State write failures")
struct StateWriteFailureTests {
    @Test(arguments: [
        (ENOSPC, "state directory full"), (EDQUOT, "state directory full"), (EROFS, "state directory read-only"),
        (ENOENT, "state directory missing"), (EIO, "state directory I/O error"), (EACCES, "state directory not writable"),
        (ENOTDIR, "state directory not writable"), (EPERM, "state directory not writable"),
    ])
    func eachErrnoHasItsStatusText(code: Int32, text: String) {
        let problem = StateWriteProblem(errno: code)
        #expect(problem.description == text)
        #expect(StateWriteProblem(description: text) == problem, "status.json's text reads back")
    }

    @Test func anUnknownErrnoKeepsItsText() {
        let problem = StateWriteProblem(errno: EMFILE)
        #expect(problem == .other(String(cString: strerror(EMFILE))))
        #expect(StateWriteProblem(description: problem.description) == problem)
    }

    @Test func aWriteIntoAFileInPlaceOfAFolderFailsWithItsErrno() throws {
        let directory = NSTemporaryDirectory() + "lossd-writefail-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "a file".write(toFile: directory + "/results", atomically: false, encoding: .utf8)
        do {
            try AtomicFile.write("{}", to: directory + "/results/job.json")
            Issue.record("a write below a file succeeded")
        } catch {
            #expect(error.code == ENOTDIR && error.problem == .notWritable)
            #expect(error.path == directory + "/results/job.json", "the message names the file, not its temporary")
        }
    }

    @Test(arguments: [StateWriteProblem.full, .readOnly, .missing, .ioError, .notWritable, .other("Too many open files")])
    func statusJSONMarksAnUnsavedJob(problem: StateWriteProblem) {
        var record = JobRecord(name: "big", status: .paused, steps: 21773, maxSteps: 200_000, loss: 2.5, bestLoss: 2.5,
                               lossFunction: "mse", optimizer: "sgd", startedAt: 1)
        #expect(JobRecord(statusEntry: record.statusJSON)?.unsaved == nil)
        #expect(record.statusJSON["unsaved"] == nil, "absent while saved")
        record.unsaved = problem
        #expect(record.statusJSON["unsaved"]?.stringValue == problem.description)
        #expect(JobRecord(statusEntry: record.statusJSON)?.unsaved == problem)
    }

    @Test(arguments: [
        (".big.svg.4242.tmp", true), (".big.json.4242.17.tmp", true), (".status.json.1.2.tmp", true),
        ("big.json", false), (".hidden", false), ("notes.tmp", false), (".x.tmp", false), (".big.json.pid.tmp", false),
    ])
    func temporaryNames(name: String, temporary: Bool) {
        #expect(AtomicFile.isTemporaryName(name) == temporary)
    }

    @Test func theLockHolderSweepsTemporariesInEveryFolder() throws {
        let directory = NSTemporaryDirectory() + "lossd-sweep-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for folder in ["results", "history", "checkpoints", "charts"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
        }
        // A live process's pid too: under the lock no other writer can be mid-write here.
        let stale = ["charts/.big.svg.\(getpid()).tmp", "results/.big.json.1.3.tmp", "history/.big.csv.99999.1.tmp",
                     "checkpoints/.big.ckpt.7.7.tmp", ".status.json.12.4.tmp"]
        let kept = ["results/big.json", "charts/.hidden", "history/notes.tmp", "status.json"]
        for path in stale + kept { try "x".write(toFile: "\(directory)/\(path)", atomically: false, encoding: .utf8) }
        let (store, lock) = try StateStore.locked(directory: directory, command: ["lossd", "run"])
        #expect(store.sweptTemporaries == stale.count)
        for path in stale { #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(path)"), "\(path) swept") }
        for path in kept { #expect(FileManager.default.fileExists(atPath: "\(directory)/\(path)"), "\(path) kept") }
        #expect(try StateStore(directory: directory).sweptTemporaries == 0, "only the lock holder sweeps")
        withExtendedLifetime(lock) {}
    }
}
