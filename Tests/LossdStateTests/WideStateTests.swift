// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdEngine
import LossdJSON
import LossdState
import Testing

/// Wide jobs' results and checkpoints: their vectors in safetensors files beside them, read back
/// bit for bit; narrow jobs' files exactly as before.
@Suite("Wide results and checkpoints")
struct WideStateTests {
    static func store() throws -> (StateStore, String) {
        let directory = NSTemporaryDirectory() + "lossd-wide-state-\(UUID().uuidString)"
        return (try StateStore(directory: directory), directory)
    }

    static func spec(_ count: Int) -> JobSpec {
        JobSpec(initialization: .random(shape: [count], distribution: .normal(mean: 0, std: 1), seed: 1),
                target: Tensor(shape: [count], scalars: (0..<count).map { Double($0 % 7) }),
                loss: JobSpec.Component("mse"), optimizer: JobSpec.Component("adam", options: ["lr": .number(0.1)]),
                stopping: StoppingRules(maxSteps: 5))
    }

    static func record(_ output: Tensor) -> JobRecord {
        JobRecord(name: "job", status: .maxSteps, steps: 5, loss: 0.5, output: output, lossFunction: "mse", optimizer: "sgd",
                  startedAt: 1_700_000_000, finishedAt: 1_700_000_001, configHash: "0123456789abcdef")
    }

    @Test("A wide checkpoint keeps its vectors beside it and resumes bit-identical; a narrow one is written as before",
          arguments: [OutputFile.threshold + 1, 1000])
    func checkpoint(_ count: Int) throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reference = try TrainingJob(Self.spec(count))
        reference.run()
        let first = try TrainingJob(Self.spec(count))
        first.run(steps: 2)
        let written = first.checkpoint()
        try store.writeCheckpoint("job", .init(configHash: "h", startedAt: 1, elapsedSeconds: 2, checkpoint: written))
        let wide = count > OutputFile.threshold
        let arrays = store.arraysPath("job")
        #expect((arrays != nil) == wide)
        #expect(arrays.map { FileManager.default.fileExists(atPath: $0) } ?? true)
        let bytes = try #require(FileManager.default.contents(atPath: store.checkpointPath("job")))
        if wide {
            #expect(bytes.count < 10_000)
        } else {
            #expect(Array(bytes) == Array("lossd-checkpoint 1 h \(JSONValue.format(1)) \(JSONValue.format(2))\n".utf8) + (try written.encoded()))
        }
        guard case .found(let read) = store.readCheckpoint("job") else { Issue.record("not read back"); return }
        #expect(read.checkpoint == written)
        let resumed = try TrainingJob(Self.spec(count), resumingFrom: read.checkpoint)
        resumed.run()
        #expect(resumed.parameters.scalars.map(\.bitPattern) == reference.parameters.scalars.map(\.bitPattern))
        // A new checkpoint replaces the vectors file; removing the checkpoint removes it.
        try store.writeCheckpoint("job", .init(configHash: "h", startedAt: 1, elapsedSeconds: 3, checkpoint: written))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/checkpoints").count == (wide ? 2 : 1))
        store.removeCheckpoint("job")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/checkpoints").isEmpty)
    }

    @Test("A wide checkpoint whose vectors file is gone is set aside, not resumed")
    func mismatchedCheckpoint() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let job = try TrainingJob(Self.spec(OutputFile.threshold + 1))
        let stored = StateStore.StoredCheckpoint(configHash: "h", startedAt: 1, elapsedSeconds: 2, checkpoint: job.checkpoint())
        try store.writeCheckpoint("job", stored)
        let older = try #require(FileManager.default.contents(atPath: store.checkpointPath("job")))
        try store.writeCheckpoint("job", stored)
        try older.write(to: URL(fileURLWithPath: store.checkpointPath("job")))
        guard case .corrupt = store.readCheckpoint("job") else { Issue.record("read"); return }
    }

    @Test("A wide output goes to a safetensors file named by the result, read back exactly; a narrow one stays inline")
    func result() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let count = OutputFile.threshold + 1
        let wide = Self.record(Tensor(shape: [count / 1, 1], scalars: (0..<count).map { Double($0) / 3 }))
        try store.writeResult(wide)
        let json = try JSONValue(parsing: String(contentsOfFile: store.resultPath("job"), encoding: .utf8))
        #expect(json["output"]?["file"] == .string("job.output.safetensors"))
        guard case .found(let read) = store.readResult("job") else { Issue.record("not read back"); return }
        #expect(read.output == wide.output && read.output?.shape == [count, 1])
        #expect(try StateReader(directory: directory).result("job")?.record.output == wide.output)

        let narrow = Self.record(Tensor(shape: [2], scalars: [1, 2]))
        try store.writeResult(narrow)
        #expect(try String(contentsOfFile: store.resultPath("job"), encoding: .utf8) == narrow.resultJSON.serialized() + "\n")
        #expect(!FileManager.default.fileExists(atPath: store.outputPath("job")))
    }

    @Test("A result whose output file is of another write is not read")
    func mismatchedResult() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let wide = Self.record(Tensor(repeating: 1, shape: [OutputFile.threshold + 1]))
        try store.writeResult(wide)
        let older = try #require(FileManager.default.contents(atPath: store.resultPath("job")))
        try store.writeResult(wide)
        try older.write(to: URL(fileURLWithPath: store.resultPath("job")))
        guard case .corrupt = store.readResult("job") else { Issue.record("read"); return }
    }
}
