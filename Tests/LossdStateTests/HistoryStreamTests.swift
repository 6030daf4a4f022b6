// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdEngine
import LossdState
import Testing

/// `history/<job>.csv` written while its job runs (``HistoryStream``): the same file as one
/// written at the end, and a resumed job keeps exactly the rows its checkpoint counts.
@Suite("History stream")
struct HistoryStreamTests {
    static func rows(_ steps: Range<Int>, metrics: Int) -> [HistoryRow] {
        steps.map { HistoryRow(step: $0, loss: 1 / Double($0), gradientNorm: Double($0), learningRate: 0.1,
                               metrics: (0..<metrics).map { Double($0) + 0.5 }) }
    }

    static func directory(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "history-stream-\(name)-\(UUID().uuidString)"
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func text(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test("blocks, then the last rows: the text written at the end in one go", arguments: [(nil, 0), (0.1, 0), (0.1, 2)] as [(Double?, Int)])
    func sameText(configured: Double?, metrics: Int) throws {
        let directory = Self.directory("same")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = (0..<metrics).map { "m\($0)" }
        let all = Self.rows(1..<301, metrics: metrics) + [HistoryRow(step: 305, loss: 0.001, gradientNorm: 1, learningRate: 0.1)]
        let path = directory + "/job.csv"
        try "stale rows of an earlier run\n".write(toFile: path, atomically: false, encoding: .utf8)
        let stream = HistoryStream(path: path, configuredLearningRate: configured, metrics: names)
        stream.write(Array(all[0..<128]))
        #expect(Self.text(path)?.split(separator: "\n").count == 129, "the first block replaces the stale file")
        stream.write(Array(all[128..<256]))
        stream.finish(Array(all[256...]))
        stream.finish(Array(all[256...]))  // a retried commit: appended once
        try stream.sync()
        #expect(Self.text(path) == HistoryFile.text(all, epochs: nil, configuredLearningRate: configured, metrics: names))
        #expect(try stream.rows() == all.map { row in
            HistoryRow(step: row.step, loss: row.loss, gradientNorm: row.gradientNorm, learningRate: row.learningRate)
        })
    }

    @Test("a resumed stream keeps the rows its checkpoint counts and drops the later ones", arguments: [0, 1, 128, 200, 256])
    func resume(kept: Int) throws {
        let directory = Self.directory("resume")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let all = Self.rows(1..<400, metrics: 0)
        let path = directory + "/job.csv"
        let first = HistoryStream(path: path, configuredLearningRate: 0.1, metrics: [])
        first.write(Array(all[0..<128]))
        first.write(Array(all[128..<256]))
        let resumed = HistoryStream(path: path, configuredLearningRate: 0.1, metrics: [])
        #expect(resumed.resume(keepingRows: kept))
        resumed.finish(Array(all[kept...]))
        try resumed.sync()
        #expect(Self.text(path) == HistoryFile.text(all, epochs: nil, configuredLearningRate: 0.1))
    }

    @Test("a file with fewer rows than the checkpoint counts, or another header, cannot be resumed")
    func refused() throws {
        let directory = Self.directory("refused")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/job.csv"
        #expect(!HistoryStream(path: path, configuredLearningRate: nil, metrics: []).resume(keepingRows: 1), "no file")
        let stream = HistoryStream(path: path, configuredLearningRate: nil, metrics: [])
        stream.write(Self.rows(1..<129, metrics: 0))
        #expect(!HistoryStream(path: path, configuredLearningRate: nil, metrics: []).resume(keepingRows: 129))
        #expect(!HistoryStream(path: path, configuredLearningRate: 0.1, metrics: []).resume(keepingRows: 1), "another header")
        #expect(Self.text(path)?.split(separator: "\n").count == 129, "a refused resume leaves the file as it was")
    }
}
