// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdEngine
import LossdJSON
import LossdState
import Testing

/// `results.index`: readers answer from it, and from the result files wherever it is missing,
/// torn, behind or stale; the daemon's opening repairs it.
@Suite("Result index")
struct ResultIndexTests {
    static func record(_ name: String, status: JobStatus = .converged(.tolerance), steps: Int = 35) -> JobRecord {
        JobRecord(name: name, status: status, steps: steps, loss: 1e-9, bestLoss: 2e-9, gradientNorm: 0.5, learningRate: 0.5,
                  output: Tensor(shape: [2], scalars: [1, 2]), lossFunction: "mse", optimizer: "sgd", startedAt: 1000,
                  finishedAt: 1010.25, elapsedSeconds: 10, configHash: "0123456789abcdef")
    }

    /// A state directory, removed by ``remove()``.
    struct Directory {
        let path = NSTemporaryDirectory() + "lossd-index-\(UUID().uuidString)"
        let store: StateStore

        init() throws { store = try StateStore(directory: path) }

        var reader: StateReader { StateReader(directory: path) }
        var index: String { (try? String(contentsOfFile: store.resultIndexPath, encoding: .utf8)) ?? "" }

        /// The documents `lossd results` prints, and how many of them the index answered.
        func documents() throws -> (texts: [String], indexed: Int) {
            let catalog = try reader.resultCatalog()
            return (try catalog.names.compactMap { try text($0, catalog) }, catalog.indexedCount)
        }

        /// The document `lossd results` prints for `job`.
        func text(_ job: String, _ catalog: StateReader.ResultCatalog) throws -> String? {
            try reader.resultBytes(job, in: catalog).map { String(decoding: $0, as: UTF8.self) }
        }

        /// The documents as the result files hold them.
        func files(_ names: [String]) throws -> [String] {
            try names.map { try String(contentsOfFile: store.resultPath($0), encoding: .utf8).trimmingCharacters(in: .newlines) }
        }

        /// Opens the directory as the daemon does (under its lock).
        func open() throws -> StateStore.IndexRepair {
            let (store, lock) = try StateStore.locked(directory: path, command: ["lossd", "test"])
            withExtendedLifetime(lock) {}
            return store.indexRepair
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func readersAnswerFromTheIndex() throws {
        let directory = try Directory()
        defer { directory.remove() }
        for name in ["a", "b", "c"] { try directory.store.writeResult(Self.record(name)) }
        #expect(directory.index.hasPrefix("lossd-result-index 1\n") && directory.index.split(separator: "\n").count == 4)
        let (texts, indexed) = try directory.documents()
        let files = try directory.files(["a", "b", "c"])
        #expect(indexed == 3 && texts == files)
        let summaries = try directory.reader.resultCatalog(documents: false)
        #expect(summaries.indexedCount == 3 && summaries.document("a") == nil && summaries.summary("c")?.steps == 35)
        // The same file (inode) rewritten in place: the index, not the file, answers.
        let handle = try #require(FileHandle(forWritingAtPath: directory.store.resultPath("b")))
        try handle.write(contentsOf: Data("{}\n".utf8))
        try handle.close()
        #expect(try directory.documents().texts == texts)
    }

    @Test func missingIndexIsRebuiltAndFilesAnswerMeanwhile() throws {
        let directory = try Directory()
        defer { directory.remove() }
        for name in ["a", "b"] { try directory.store.writeResult(Self.record(name)) }
        let expected = try directory.files(["a", "b"])
        try FileManager.default.removeItem(atPath: directory.store.resultIndexPath)
        #expect(try directory.documents() == (expected, 0))
        #expect(try directory.open() == StateStore.IndexRepair(indexed: 2, rewritten: true))
        #expect(try directory.documents() == (expected, 2))
        #expect(try directory.open() == StateStore.IndexRepair(), "an index in line with the results is left as it is")
    }

    @Test func tornLastLineIsIgnoredThenRepaired() throws {
        let directory = try Directory()
        defer { directory.remove() }
        for name in ["a", "b", "c"] { try directory.store.writeResult(Self.record(name)) }
        let expected = try directory.files(["a", "b", "c"])
        let index = directory.index
        var all = expected
        try String(index.dropLast(40)).write(toFile: directory.store.resultIndexPath, atomically: false, encoding: .utf8)
        #expect(try directory.documents() == (expected, 2))
        // A line appended after the torn one continues it: both jobs are read from their files.
        try directory.store.writeResult(Self.record("d"))
        all += try directory.files(["d"])
        #expect(try directory.documents() == (all, 2))
        #expect(try directory.open() == StateStore.IndexRepair(indexed: 2, rewritten: true))
        #expect(try directory.documents() == (all, 4))
        #expect(directory.index.hasSuffix("\n"))
    }

    @Test func resultWrittenButNotIndexedIsPickedUp() throws {
        let directory = try Directory()
        defer { directory.remove() }
        try directory.store.writeResult(Self.record("a"))
        // A crash after the file is durable and before its line is appended.
        try directory.store.writeResult(Self.record("b", steps: 7), syncingDirectory: false)
        try AtomicFile.syncDirectory(directory.path + "/results")
        let expected = try directory.files(["a", "b"])
        #expect(try directory.documents() == (expected, 1))
        let overview = try StateOverview.read(directory.reader)
        #expect(overview.jobs.map(\.step) == [35, 7])
        #expect(try directory.open() == StateStore.IndexRepair(indexed: 1, rewritten: false))
        #expect(try directory.documents().indexed == 2)
    }

    @Test func replacedArchivedAndRemovedResultsAreNotClaimed() throws {
        let directory = try Directory()
        defer { directory.remove() }
        for name in ["a", "b", "c"] { try directory.store.writeResult(Self.record(name)) }
        try directory.store.archiveRun("a", hash: "0123456789abcdef")
        try FileManager.default.removeItem(atPath: directory.store.resultPath("b"))
        // Replaced (a new file) without its line, as after a crash.
        try directory.store.writeResult(Self.record("c", steps: 99), syncingDirectory: false)
        let catalog = try directory.reader.resultCatalog()
        #expect(catalog.names == ["c"] && catalog.indexedCount == 0)
        #expect(try directory.reader.result("c", in: catalog)?.record.steps == 99)
        #expect(try directory.reader.result("a", in: catalog) == nil)
        #expect(try directory.open() == StateStore.IndexRepair(indexed: 1, rewritten: true), "3 dead lines of 1 live: compacted")
        #expect(directory.index.split(separator: "\n").count == 2)
    }

    @Test func flatStateDirectoryOfAnOlderLossdIsReadThenIndexed() throws {
        let directory = try Directory()
        defer { directory.remove() }
        // What lossd wrote before the index: result files only (any JSON spacing).
        let json = Self.record("old").resultJSON
        try (json.serialized().replacingOccurrences(of: ", \"", with: ",\n  \"") + "\n")
            .write(toFile: directory.store.resultPath("old"), atomically: true, encoding: .utf8)
        try "not json".write(toFile: directory.store.resultPath("broken"), atomically: true, encoding: .utf8)
        // A name no configuration gives (a space): read from its file, never indexed.
        let spaced = Self.record("by hand").resultJSON.serialized()
        try spaced.write(toFile: directory.store.resultPath("by hand"), atomically: true, encoding: .utf8)
        let catalog = try directory.reader.resultCatalog()
        #expect(try directory.text("old", catalog) == json.serialized(), "printed as lossd results always did")
        #expect(throws: StateReader.ReadError.self) { try directory.text("broken", catalog) }
        #expect(try directory.open() == StateStore.IndexRepair(indexed: 1, rewritten: true), "the unreadable result is left to readers")
        let indexed = try directory.reader.resultCatalog()
        #expect(indexed.indexedCount == 1 && indexed.document("old") == json.serialized())
        #expect(try directory.text("by hand", indexed) == spaced)
        #expect(try directory.open() == StateStore.IndexRepair(), "nothing left to index or repair")
    }

    /// Results of about 0.9 MB each: the opening reads the index a few MiB at a time, so that
    /// lines cross those pieces' ends.
    @Test func anIndexLargerThanTheOpeningsPiecesIsRead() throws {
        let directory = try Directory()
        defer { directory.remove() }
        let names = (0..<12).map { "wide-\($0)" }
        for name in names {
            var record = Self.record(name)
            record.output = Tensor(shape: [45_000], scalars: (0..<45_000).map { 0.1 + Double($0) * 1e-7 })
            try directory.store.writeResult(record)
        }
        #expect(directory.index.utf8.count > 4 << 20, "more than one piece")
        #expect(try directory.open() == StateStore.IndexRepair(), "every line read back, none damaged")
        let index = directory.index
        try String(index.dropLast(1000)).write(toFile: directory.store.resultIndexPath, atomically: false, encoding: .utf8)
        #expect(try directory.open() == StateStore.IndexRepair(indexed: 1, rewritten: true))
        let expected = try directory.files(names.sorted())
        #expect(try directory.documents() == (expected, 12))
    }

    static let statuses: [JobStatus] = [.converged(.plateau), .maxSteps, .diverged, .failed(code: .invalidLoss, reason: "loss is NaN"), .cancelled]

    /// `lossd status` shows the same from the index as from the files.
    @Test(arguments: statuses, [false, true])
    func statusFromTheIndexIsStatusFromTheFiles(_ status: JobStatus, model: Bool) throws {
        let directory = try Directory()
        defer { directory.remove() }
        var record = Self.record("a", status: status)
        record.loss = 3.5
        record.bestLoss = .infinity
        if model {
            record.model = ModelSummary(layers: [JobSpec.Component("linear")], parameters: [ModelSummary.Parameter(name: "0.weight", shape: [1, 2])])
            record.epoch = EpochRecord(epoch: 3, step: 35, trainLoss: 0.25, validationLoss: nil, accuracy: 0.75, learningRate: 0.5)
        }
        try directory.store.writeResult(record)
        let indexed = try StateOverview.read(directory.reader)
        try FileManager.default.removeItem(atPath: directory.store.resultIndexPath)
        let fromFiles = try StateOverview.read(directory.reader)
        #expect(try directory.reader.resultCatalog().summary("a") == nil)
        #expect(indexed.jobs == fromFiles.jobs && indexed.jobs.first?.epoch?.epoch == (model ? 3 : nil))
    }
}
