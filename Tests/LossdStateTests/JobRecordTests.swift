// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdEngine
import LossdJSON
import LossdState
import Testing

/// `results/<job>.json` written and read back: every field, non-finite numbers, failure codes,
/// and result files written before `status_code` existed.
@Suite("Job records")
struct JobRecordTests {
    static func record(_ status: JobStatus, loss: Double = 0.25) -> JobRecord {
        JobRecord(name: "job", status: status, steps: 12, loss: loss, bestLoss: -.infinity, gradientNorm: .infinity,
                  learningRate: 0.5, output: Tensor(shape: [2, 2], scalars: [1, .nan, -.infinity, 4]), lossFunction: "huber",
                  lossOptions: ["delta": .number(2), "reduction": .string("sum"), "weight": .tensor(Tensor(shape: [2], scalars: [1, 2]))],
                  optimizer: "adam", optimizerOptions: ["lr": .number(0.01), "amsgrad": .bool(true), "steps": .integer(3)],
                  scheduler: "cosine", startedAt: 1_700_000_000.125, finishedAt: 1_700_000_010.5, elapsedSeconds: 10.25,
                  resumed: true, configHash: "0123456789abcdef")
    }

    static let statuses: [JobStatus] = [
        .converged(.tolerance), .converged(.plateau), .maxSteps, .pruned, .diverged,
        .failed(code: .lossFailed, reason: "step 2: input[0] = 13 is outside [0, 1]"),
        .failed(code: .invalidLoss, reason: "lossd.yaml:3:9: error: unknown loss 'dup'"),
    ]

    @Test("a result reads back field for field", arguments: statuses)
    func resultRoundTrip(_ status: JobStatus) throws {
        let written = Self.record(status, loss: .nan)
        let text = written.resultJSON.serialized()
        let read = try #require(JobRecord(result: try JSONValue(parsing: text)))
        #expect(read.status == status)
        #expect(read.resultJSON == written.resultJSON)
        #expect(read.loss.isNaN && read.bestLoss == -.infinity && read.gradientNorm == .infinity)
        #expect(read.output?.shape == [2, 2] && read.output?.scalars[1].isNaN == true && read.output?.scalars[2] == -.infinity)
        #expect(read.lossOptions == written.lossOptions && read.optimizerOptions == written.optimizerOptions)
        #expect(read.startedAt == written.startedAt && read.finishedAt == written.finishedAt)
        #expect(read.elapsedSeconds == 10.25 && read.resumed && read.scheduler == "cosine" && read.configHash == "0123456789abcdef")
        // Non-finite numbers as Python's json writes them, never as strings.
        #expect(text.contains("\"loss\": NaN") && text.contains("\"best_loss\": -Infinity") && text.contains("\"grad_norm\": Infinity"))
    }

    @Test("the failure's code is the result's status_code", arguments: statuses)
    func statusFields(_ status: JobStatus) {
        let json = Self.record(status).resultJSON
        #expect(json["status"] == .string(status.name))
        #expect(json["status_detail"] == status.detail.map(JSONValue.string) ?? .null)
        if case .failed(let code, _) = status {
            #expect(json["status_code"] == .string(code.description))
        } else {
            #expect(json["status_code"] == .null)
        }
    }

    /// A result as lossd wrote it before results had `status_code` and checkpoints spelt NaN "nan".
    static let earlierResult = """
        {"name": "seed-mse", "status": "failed", "status_detail": "something broke", "steps": 35, "loss": NaN, \
        "best_loss": 1.5e-10, "grad_norm": Infinity, "lr": 0.5, "output": [29.99999, 20.00001, 49.99998], "shape": [3], \
        "loss_function": "mse", "loss_options": {}, "optimizer": "sgd", "optimizer_options": {"lr": 0.5}, \
        "scheduler": null, "started_at": "2026-01-31T12:00:00.125Z", "finished_at": "2026-01-31T12:00:01.500Z", \
        "elapsed_seconds": 1.375, "resumed": false, "config_hash": "0123456789abcdef"}
        """

    @Test func anEarlierResultStillReads() throws {
        let record = try #require(JobRecord(result: try JSONValue(parsing: Self.earlierResult)))
        #expect(record.name == "seed-mse" && record.steps == 35 && record.loss.isNaN && record.bestLoss == 1.5e-10)
        #expect(record.status.name == "failed" && record.status.detail == "something broke")
        #expect(record.optimizerOptions == ["lr": .number(0.5)] && record.output?.scalars.count == 3)
        #expect(Timestamp.rfc3339(record.finishedAt ?? 0) == "2026-01-31T12:00:01.500Z")
        #expect(JobRecord(result: .object([("name", .string("x"))])) == nil)
    }

    @Test("JobStatus encodes as the result's three status fields", arguments: statuses + [.queued, .running, .paused, .cancelled])
    func jobStatusCodable(_ status: JobStatus) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(status)
        #expect(try JSONDecoder().decode(JobStatus.self, from: data) == status)
        let json = try JSONValue(parsing: String(decoding: data, as: UTF8.self))
        #expect(json["status"] == .string(status.name))
        #expect(json["status_code"] == status.code.map { .string($0.description) } ?? .null)
    }

    @Test func unknownStatusesDoNotDecode() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JobStatus.self, from: Data(#"{"status": "done"}"#.utf8)) }
        #expect(JobStatus(name: "done", detail: nil, code: nil) == nil)
        // A failure from a file that has no code yet reads with the generic one.
        #expect(JobStatus(name: "failed", detail: "x", code: nil) == .failed(code: .invalidJob, reason: "x"))
        #expect(JobStatus.allNames == ["queued", "running", "paused", "converged", "max_steps", "diverged", "failed", "cancelled", "pruned"])
    }

    @Test("short numbers: four significant digits, non-finite as in JSON", arguments: [
        (0.123456, "0.1235"), (7.4281e-10, "7.428e-10"), (12346, "1.235e+04"), (.nan, "NaN"), (.infinity, "Infinity"),
        (-.infinity, "-Infinity"),
    ])
    func shortNumbers(_ value: Double, _ text: String) {
        #expect(NumberText.short(value) == text)
    }
}
