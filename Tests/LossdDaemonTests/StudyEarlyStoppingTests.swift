// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdConfig
@testable import LossdDaemon
import LossdJSON
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Early stopping across a study (`sweep.early_stopping`, synchronous successive halving): the
/// rung rule, and `lossd run` on an 81-job study for 1 and 2 workers, after kill -9 at several
/// moments, and against the full grid. Serialized: each test runs whole studies of lossd
/// processes, and side by side (under ThreadSanitizer) they starved the rest of the suite.
@Suite("Study early stopping", .serialized, .timeLimit(.minutes(10)))
struct StudyEarlyStoppingTests {
    // MARK: - The rule

    @Test(arguments: [(3, 3, [3, 9, 27, 81]), (5, 2, [5, 10, 20, 40]), (1, 4, [1, 4, 16, 64])])
    func rungsAreGraceTimesPowersOfTheFactor(grace: Int, factor: Int, rungs: [Int]) {
        let rule = StudyEarlyStopping(metric: "loss", graceSteps: grace, reductionFactor: factor)
        var computed = [rule.rung(atOrAfter: 0)]
        while computed.count < rungs.count { computed.append(rule.rung(after: computed.last!)) }
        #expect(computed == rungs)
        // A job resumed between two rungs pauses at the next one; one resumed on a rung, there.
        #expect(rule.rung(atOrAfter: rungs[1]) == rungs[1])
        #expect(rule.rung(atOrAfter: rungs[1] + 1) == rungs[2])
    }

    @Test(arguments: [(81, 3, 27), (10, 3, 4), (2, 3, 1), (1, 3, 1), (9, 2, 5)])
    func aRungKeepsTheCeilingOfNOverR(count: Int, factor: Int, kept: Int) {
        #expect(StudyEarlyStopping(metric: "loss", graceSteps: 1, reductionFactor: factor).survivors(of: count) == kept)
    }

    @Test(arguments: [StudyEarlyStopping.Mode.min, .max])
    func rankingIsByValueThenNameWithNaNLast(mode: StudyEarlyStopping.Mode) {
        let rule = StudyEarlyStopping(metric: "mae", graceSteps: 1, reductionFactor: 2, mode: mode)
        let arrivals = ["d": Double.nan, "c": 2, "b": 1, "a": 2, "e": 3]
        let decision = StudyRungs.decide(step: 1, arrivals, rule: rule)
        let expected = mode == .min ? ["b", "a", "c", "e", "d"] : ["e", "a", "c", "b", "d"]
        #expect(decision.ranked.map(\.name) == expected)
        #expect(decision.kept == 3)
    }

    @Test(arguments: ["accuracy", "mae", "loss"])
    func theModeDefaultsPerMetric(metric: String) {
        #expect(StudyEarlyStopping(metric: metric, graceSteps: 1).mode == (metric == "accuracy" ? .max : .min))
    }

    // MARK: - lossd run

    /// 3 optimizers x 3 learning rates x 9 repeats; rungs at 3, 9, 27, 81 (max_steps 243).
    static func study(earlyStopping: Bool, workers: Int = 2) -> String {
        """
        daemon:
          workers: \(workers)
          report_interval: 10ms
          checkpoint_interval: 20ms
        jobs:
          - name: study
            loss: mse
            init: {random: normal, shape: [256]}
            target: {random: normal, shape: [256], std: 3, seed: 1}
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 243
            sweep:
              optimizer: [{name: sgd, lr: 0.1}, {name: adam, lr: 0.1}, {name: rmsprop, lr: 0.1}]
              optimizer.lr: [0.003, 0.01, 0.03]
              repeat: 9
        \(earlyStopping ? "      early_stopping: {method: asha, metric: loss, grace_steps: 3, reduction_factor: 3}" : "")
        """
    }

    /// Every result of a state directory by job name.
    static func results(_ fixture: DaemonFixture) -> [String: JSONValue] {
        let folder = fixture.state() + "/results"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return Dictionary(uniqueKeysWithValues: names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.compactMap { file in
            let name = String(file.dropLast(5))
            return fixture.result(name).map { (name, $0) }
        })
    }

    static func pruned(_ results: [String: JSONValue]) -> Set<String> {
        Set(results.filter { $0.value["status"] == .string("pruned") }.keys)
    }

    static func steps(_ results: [String: JSONValue]) -> Int {
        results.values.reduce(0) { total, result in
            if case .integer(let steps)? = result["steps"] { return total + steps }
            return total
        }
    }

    /// The job with the smallest final loss among those not pruned.
    static func best(_ results: [String: JSONValue]) -> String? {
        results.filter { $0.value["status"] != .string("pruned") }.compactMap { name, result -> (String, Double)? in
            switch result["loss"] {
            case .number(let loss)?: (name, loss)
            case .integer(let loss)?: (name, Double(loss))
            default: nil
            }
        }.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    /// The study run once with 2 workers, uninterrupted.
    static let reference = Task { () throws -> [String: JSONValue] in
        let fixture = DaemonFixture("study-reference")
        defer { fixture.remove() }
        fixture.write(study(earlyStopping: true))
        let result = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
        guard result.status == 0 else { throw LifecycleTests.ReferenceRunFailed(stderr: result.stderr) }
        return results(fixture)
    }

    @Test func theStudyPrunesAllButOneAndExitsZero() async throws {
        let reference = try await Self.reference.value
        #expect(reference.count == 81)
        // 81 -> 27 -> 9 -> 3 -> 1: 80 pruned, one runs to max_steps.
        #expect(Self.pruned(reference).count == 80)
        let survivor = reference.filter { $0.value["status"] != .string("pruned") }
        #expect(survivor.count == 1 && survivor.first?.value["status"] == .string("max_steps"))
        // Pruned jobs stopped exactly on a rung.
        for (name, result) in reference where result["status"] == .string("pruned") {
            #expect([3, 9, 27, 81].map { JSONValue.integer($0) }.contains(result["steps"] ?? .null), "\(name)")
        }
    }

    @Test func oneWorkerPrunesTheSameJobsBitForBit() async throws {
        let reference = try await Self.reference.value
        let fixture = DaemonFixture("study-one-worker")
        defer { fixture.remove() }
        fixture.write(Self.study(earlyStopping: true, workers: 1))
        let run = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(run.status == 0, "\(run.stderr)")
        let results = Self.results(fixture)
        #expect(Self.pruned(results) == Self.pruned(reference))
        for (name, result) in reference {
            #expect(results[name]?.resultBits == result.resultBits, "\(name)")
            #expect(results[name]?["steps"] == result["steps"], "\(name)")
        }
    }

    @Test func theStudyFindsTheGridsBestInUnderHalfTheSteps() async throws {
        let reference = try await Self.reference.value
        let fixture = DaemonFixture("study-grid")
        defer { fixture.remove() }
        fixture.write(Self.study(earlyStopping: false))
        let run = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
        #expect(run.status == 0, "\(run.stderr)")
        let grid = Self.results(fixture)
        #expect(grid.count == 81 && Self.pruned(grid).isEmpty)
        #expect(Self.best(reference) != nil && Self.best(reference) == Self.best(grid))
        #expect(Self.steps(reference) * 2 < Self.steps(grid), "\(Self.steps(reference)) vs \(Self.steps(grid))")
    }

    /// Where `kill -9` lands.
    enum Moment: String, CaseIterable, Sendable {
        /// A checkpoint is on disk (jobs under way, maybe paused at the first rung).
        case checkpointed
        /// The first rung's decision is written; its pruned results may not be.
        case firstRung
        /// Some pruned result is written.
        case somePruned
        /// The third rung is decided.
        case thirdRung
    }

    @Test(arguments: Moment.allCases)
    func killNineMidStudyPrunesTheSameJobs(at moment: Moment) async throws {
        let reference = try await Self.reference.value
        let fixture = DaemonFixture("study-kill9-\(moment)")
        defer { fixture.remove() }
        fixture.write(Self.study(earlyStopping: true))
        let state = fixture.state()
        let child = try LossdChild(["run", fixture.config, "--state-dir", state], logPath: fixture.log("killed"))
        let rungs = state + "/studies/study.json"
        let condition: @Sendable () -> Bool = switch moment {
        case .checkpointed:
            { ((try? FileManager.default.contentsOfDirectory(atPath: state + "/checkpoints")) ?? []).contains { $0.hasSuffix(".ckpt") } }
        case .firstRung:
            { FileManager.default.fileExists(atPath: rungs) }
        case .somePruned:
            { ((try? FileManager.default.contentsOfDirectory(atPath: state + "/results")) ?? []).contains { $0.hasSuffix(".json") } }
        case .thirdRung:
            {
                guard let text = try? String(contentsOfFile: rungs, encoding: .utf8),
                      case .array(let decided)? = try? JSONValue(parsing: text)["rungs"] else { return false }
                return decided.count >= 3
            }
        }
        // Wherever it lands (or if the run ends first), the restart must give the same study.
        _ = await child.signal(SIGKILL, when: condition)
        await child.exit()
        let restart = try await LossdProcess.finish(["run", fixture.config, "--state-dir", state])
        #expect(restart.status == 0, "\(restart.stderr)")
        let results = Self.results(fixture)
        #expect(Self.pruned(results) == Self.pruned(reference), "killed at \(moment)")
        for (name, result) in reference {
            #expect(results[name]?.resultBits == result.resultBits, "killed at \(moment): \(name)")
        }
    }

    // MARK: - The worked example

    /// The best job by `metric` among those not pruned.
    static func best(_ results: [String: JSONValue], metric: String) -> String? {
        results.filter { $0.value["status"] != .string("pruned") }.compactMap { name, result -> (String, Double)? in
            guard case .number(let value)? = result["metrics"]?[metric] else { return nil }
            return (name, value)
        }.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }?.0
    }

    /// configs/study.yaml as shipped, and without its early_stopping line (the full grid): the
    /// figures its comment and the README give.
    @Test func theWorkedExampleMatchesItsDocumentedFigures() async throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/study.yaml")
        let text = try String(contentsOf: shipped, encoding: .utf8)
        var found: [Bool: [String: JSONValue]] = [:]
        for pruning in [true, false] {
            let fixture = DaemonFixture("study-example-\(pruning)")
            defer { fixture.remove() }
            fixture.write(pruning ? text : text.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("early_stopping:") }.joined(separator: "\n"))
            let run = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
            #expect(run.status == 0, "\(run.stderr)")
            found[pruning] = Self.results(fixture)
        }
        let study = found[true] ?? [:], grid = found[false] ?? [:]
        #expect(study.count == 81 && grid.count == 81)
        #expect(Self.steps(study) == 891 && Self.steps(grid) == 19_683, "\(Self.steps(study)) and \(Self.steps(grid))")
        #expect(Self.best(study, metric: "mae") == "losses.loss-huber.sample-3.repeat-2")
        #expect(Self.best(grid, metric: "mae") == "losses.loss-huber.sample-3.repeat-2")
    }

    // MARK: - Model jobs

    /// 18 model jobs on iris (2 losses x 3 learning rates x 3 repeats), pruned by validation
    /// accuracy (larger is better): the same pruned set and results for 1 and 2 workers.
    @Test func aModelStudyPrunesByAccuracyTheSameForAnyWorkerCount() async throws {
        let iris = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs/data/iris.csv").path
        var found: [[String: JSONValue]] = []
        for workers in [1, 2] {
            let fixture = DaemonFixture("study-model-\(workers)")
            defer { fixture.remove() }
            fixture.write("""
                daemon: {workers: \(workers)}
                jobs:
                  - name: iris
                    model:
                      layers:
                        - {linear: {in_features: 4, out_features: 16}}
                        - relu
                        - {linear: {in_features: 16, out_features: 3}}
                    data:
                      train: {path: \(iris), target: species}
                      validation: {split: 0.2}
                    optimizer: {name: adam, lr: 0.01}
                    batch_size: 16
                    epochs: 30
                    seed: 1
                    metrics: [accuracy]
                    sweep:
                      loss: [cross_entropy, multi_margin]
                      optimizer.lr: [0.001, 0.01, 0.1]
                      repeat: 3
                      early_stopping: {method: asha, metric: accuracy, grace_steps: 8, reduction_factor: 3}
                """)
            let run = try await LossdProcess.finish(["run", fixture.config, "--state-dir", fixture.state()])
            #expect(run.status == 0, "\(run.stderr)")
            found.append(Self.results(fixture))
        }
        #expect(found[0].count == 18 && Self.pruned(found[0]).count == 17)
        #expect(Self.pruned(found[0]) == Self.pruned(found[1]))
        for (name, result) in found[0] { #expect(found[1][name]?.resultBits == result.resultBits, "\(name)") }
        // The survivor is the most accurate at the last rung: at least as accurate as any pruned job's end.
        let survivor = found[0].first { $0.value["status"] != .string("pruned") }
        guard case .number(let best)? = survivor?.value["metrics"]?["accuracy"] else {
            Issue.record("no accuracy for the survivor")
            return
        }
        #expect(best >= 0.9)
    }
}
