// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdDaemon
import LossdJSON
import LossdModel
import LossdSync
import LossdSystemd
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Model jobs through the daemon: a run writes the result's model section, the epoch columns of
/// the history and `models/<job>.safetensors`; `kill -9` and a restart end bit-identical to an
/// uninterrupted run, model file included; a reload adds and changes model jobs.
@Suite("Model jobs in the daemon", .timeLimit(.minutes(10)))
struct ModelJobDaemonTests {
    /// 64 rows, `x1,x2,y,class`: y = 3 x1 - 2 x2 + 1 (exactly), class = how many of x1, x2 are positive.
    static let data: String = {
        var text = "x1,x2,y,class\n"
        for row in 0..<64 {
            let x1 = Double(row % 8) / 4 - 0.875, x2 = Double(row / 8) / 4 - 0.875
            text += "\(x1),\(x2),\(3 * x1 - 2 * x2 + 1),\((x1 > 0 ? 1 : 0) + (x2 > 0 ? 1 : 0))\n"
        }
        return text
    }()

    /// A regression and a 3-class job on `data.csv`, 8 batches per epoch, `epochs` each.
    static func config(epochs: Int, checkpointInterval: String = "50ms", extra: String = "") -> String {
        """
        daemon:
          report_interval: 25ms
          checkpoint_interval: \(checkpointInterval)
        defaults:
          batch_size: 6
          epochs: \(epochs)
          seed: 3
        jobs:
          - name: regression
            loss: mse
            optimizer: {name: sgd, lr: 0.02, momentum: 0.9}
            model:
              layers: [{linear: {in_features: 2, out_features: 16}}, tanh, {linear: {in_features: 16, out_features: 1}}]
            data:
              train: {path: data.csv, features: [x1, x2], target: y}
              validation: {split: 0.25}
          - name: classes
            loss: cross_entropy
            optimizer: {name: adam, lr: 0.01}
            model:
              layers: [{linear: {in_features: 2, out_features: 8}}, relu, {linear: {in_features: 8, out_features: 3}}]
            data:
              train: {path: data.csv, features: [x1, x2], target: class}
              validation: {split: 0.25}
        \(extra)
        """
    }

    static func fixture(_ name: String, epochs: Int) -> DaemonFixture {
        let fixture = DaemonFixture(name)
        fixture.write(Self.data, to: fixture.root + "/data.csv")
        fixture.write(Self.config(epochs: epochs))
        return fixture
    }

    static let jobs = ["regression", "classes"]

    static func modelFile(_ fixture: DaemonFixture, _ job: String) -> [UInt8]? {
        FileManager.default.contents(atPath: fixture.state() + "/models/\(job).safetensors").map(Array.init)
    }

    @Test func aRunWritesTheModelItsEpochsAndItsResult() async throws {
        let fixture = Self.fixture("model-run", epochs: 5)
        defer { fixture.remove() }
        let run = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(run.status == 0, "\(run.stderr)")
        for (job, count, accuracy) in [("regression", 2 * 16 + 16 + 16 + 1, false), ("classes", 2 * 8 + 8 + 8 * 3 + 3, true)] {
            let result = try #require(fixture.result(job), "\(job): \(run.stderr)")
            let model = try #require(result["model"])
            #expect(result["steps"] == .integer(5 * 8), "48 training rows in batches of 6: 8 steps per epoch")
            #expect(model["parameter_count"] == .integer(count) && model["epochs"] == .integer(5))
            #expect(model["features"] == .array([.string("x1"), .string("x2")]))
            #expect(model["file"] == .string("models/\(job).safetensors"))
            #expect(model["val_loss"]?.doubleValue?.isFinite == true)
            #expect((model["accuracy"]?.doubleValue != nil) == accuracy, "\(job): accuracy only for class targets")
            // The model file holds the result's output by name, bit for bit.
            let tensors = try SafeTensors.decode(try #require(Self.modelFile(fixture, job)))
            #expect(tensors.map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
            let output = try #require(result["output"]?.arrayValue?.compactMap { $0.doubleValue })
            #expect(tensors.flatMap(\.tensor.scalars).map(\.bitPattern) == output.map(\.bitPattern))
            // One epoch row per epoch, at steps 8, 16, ...
            let history = try String(contentsOfFile: fixture.state() + "/history/\(job).csv", encoding: .utf8)
            let lines = history.split(separator: "\n")
            #expect(lines.first == "step,loss,grad_norm,lr,epoch,train_loss,val_loss,accuracy,lr_configured")
            let epochRows = lines.dropFirst().filter { $0.split(separator: ",", omittingEmptySubsequences: false)[4] != "" }
            #expect(epochRows.map { Int($0.split(separator: ",", omittingEmptySubsequences: false)[0]) } == [8, 16, 24, 32, 40])
        }
    }

    @Test func killNineThenRestartIsBitIdentical() async throws {
        let reference = Self.fixture("model-reference", epochs: 2000)
        defer { reference.remove() }
        let first = try await LossdProcess.finish(["run", reference.config, "--state-dir", reference.state()])
        #expect(first.status == 0, "\(first.stderr)")

        let fixture = Self.fixture("model-kill9", epochs: 2000)
        defer { fixture.remove() }
        let child = try LossdChild(["run", fixture.config, "--state-dir", fixture.state()], logPath: fixture.log("killed"))
        let checkpoint = fixture.checkpoint("regression")
        _ = await child.signal(SIGKILL) { fixture.exists(checkpoint) }
        await child.exit()
        let left = Self.jobs.filter { fixture.exists(fixture.checkpoint($0)) && fixture.result($0) == nil }
        #expect(left.contains("regression"), "killed at its first checkpoint, the job was mid-run")
        let restart = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(restart.status == 0, "\(restart.stderr)")
        for job in Self.jobs {
            #expect(fixture.result(job)?.resultBits == reference.result(job)?.resultBits, "\(job)")
            #expect(Self.modelFile(fixture, job) == Self.modelFile(reference, job), "\(job): the model file")
        }
        for job in left {
            #expect(fixture.result(job)?["resumed"] == .bool(true), "\(job) had a checkpoint")
        }
    }

    @Test func reloadAddsAndChangesModelJobs() async throws {
        let fixture = Self.fixture("model-reload", epochs: 3)
        defer { fixture.remove() }
        let daemon = try InProcessDaemon(fixture, mode: .serve)
        try await daemon.running { trigger in
            #expect(await eventually { Self.jobs.allSatisfy { fixture.result($0) != nil } })
            let before = try #require(fixture.result("classes"))
            // The end entry carries the last epoch's numbers.
            let end = await daemon.journal.entry(.jobMaxSteps, job: "classes")
            #expect(end["LOSSD_EPOCH"] == "3" && end["LOSSD_VAL_LOSS"] != nil && end["LOSSD_ACCURACY"] != nil, "\(end)")
            let added = """
                  - name: added
                    loss: huber
                    optimizer: {name: sgd, lr: 0.05}
                    model:
                      layers: [{linear: {in_features: 2, out_features: 1}}]
                    data:
                      train: {path: data.csv, features: [x1, x2], target: y}
                """
            fixture.write(Self.config(epochs: 3, extra: added).replacingOccurrences(of: "{name: adam, lr: 0.01}", with: "{name: adam, lr: 0.02}"))
            await daemon.service.reload()
            #expect(daemon.messages.contains { $0.contains("STATUS=reloaded: 1 added, 1 changed, 0 removed, 1 unchanged") }, "\(daemon.messages)")
            #expect(await eventually { fixture.result("added")?["model"]?["epochs"] == .integer(3) })
            #expect(await eventually { fixture.result("classes").map { $0["config_hash"] != before["config_hash"] } == true })
            #expect(Self.modelFile(fixture, "added") != nil)
            await daemon.stop(trigger)
        }
    }
}
