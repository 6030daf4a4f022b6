// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdConfig
import LossdEngine
import Testing

/// Command-line overrides (`KEY=VALUE`, `+KEY=VALUE`) and `--only`, through the loader.
@Suite("Overrides and --only")
struct OverrideTests {
    static let base = """
        daemon:
          workers: 2
        defaults:
          optimizer: adam
          max_steps: 50
        jobs:
          - name: seed-mse
            loss: mse
            init: [10, 10, 10]
            target: [30, 20, 50]
            optimizer: {name: sgd, lr: 0.5}
          - name: grid
            loss: l1
            init: {random: normal, shape: [3]}
            target: [1, 2, 3]
            sweep:
              optimizer.lr: [0.01, 0.1]
          - name: v1.2
            loss: huber
            init: [1.0]
            target: [2.0]
            scheduler: {name: step_lr, step_size: 10}
        """

    static func load(_ overrides: [String], only: [String] = []) -> Result<LossdConfiguration, ConfigErrors> {
        var loader = ConfigLoader(workingDirectory: "/srv/lossd")
        loader.overrides = overrides
        loader.only = JobFilter(only)
        do throws(ConfigErrors) {
            return .success(try loader.load(bytes: Array(base.utf8), name: "study.yaml"))
        } catch {
            return .failure(error)
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var overrides: [String]
        var check: @Sendable (LossdConfiguration) -> Bool
        var testDescription: String { overrides.joined(separator: " ") }
    }

    static func job(_ configuration: LossdConfiguration, _ name: String) -> JobConfiguration? {
        configuration.jobs.first { $0.name == name }
    }

    static let accepted: [Case] = [
        Case(overrides: ["jobs.seed-mse.optimizer.lr=0.1"]) { job($0, "seed-mse")?.optimizer.options["lr"] == .number(0.1) },
        Case(overrides: ["daemon.workers=1"]) { $0.daemon.workers == .count(1) },
        Case(overrides: ["+daemon.report_interval=5s"]) { $0.daemon.reportInterval == .seconds(5) },
        // A key from defaults counts as set, for that job alone.
        Case(overrides: ["jobs.seed-mse.max_steps=7"]) { job($0, "seed-mse")?.stopping.maxSteps == 7 && job($0, "grid.lr-0.1")?.stopping.maxSteps == 50 },
        Case(overrides: ["defaults.max_steps=9"]) { $0.jobs.allSatisfy { $0.stopping.maxSteps == 9 } },
        // The short form `optimizer: adam` is {name: adam}: its name is set, its lr is added.
        Case(overrides: ["jobs.grid.optimizer.name=adamw", "+jobs.v1.2.optimizer.lr=0.3"]) {
            job($0, "grid.lr-0.1")?.optimizer.name == "adamw" && job($0, "v1.2")?.optimizer.options["lr"] == .number(0.3)
        },
        // YAML values: flow lists and mappings, a later override sees an earlier one.
        Case(overrides: ["jobs.seed-mse.init=[1, 2, 3]"]) { job($0, "seed-mse")?.initial == .literal(Tensor([1, 2, 3])) },
        Case(overrides: ["jobs.seed-mse.optimizer={name: adam, lr: 0.01}", "jobs.seed-mse.optimizer.lr=0.02"]) {
            job($0, "seed-mse")?.optimizer.name == "adam" && job($0, "seed-mse")?.optimizer.options["lr"] == .number(0.02)
        },
        // Inside sweep a dotted key is one key; adding one sweeps it.
        Case(overrides: ["jobs.grid.sweep.optimizer.lr=[0.5, 0.05, 0.005]"]) { $0.jobs.filter { $0.sweep?.template == "grid" }.count == 3 },
        Case(overrides: ["+jobs.grid.sweep.optimizer.eps=[1e-8, 1e-6]"]) { job($0, "grid.lr-0.01.eps-1e-6")?.optimizer.options["eps"] == .number(1e-6) },
        Case(overrides: ["+jobs.grid.sweep.repeat=3"]) { $0.jobs.filter { $0.sweep?.template == "grid" }.count == 6 },
        Case(overrides: ["+jobs.seed-mse.sweep.optimizer.lr=[0.1, 0.2]"]) { job($0, "seed-mse.lr-0.2")?.optimizer.options["lr"] == .number(0.2) },
        // A job name holding a dot; a list item by index; a random tensor's parameter.
        Case(overrides: ["jobs.v1.2.scheduler.step_size=5", "+jobs.v1.2.scheduler.gamma=0.5"]) {
            job($0, "v1.2")?.scheduler?.options["gamma"] == .number(0.5) && job($0, "v1.2")?.scheduler?.options["step_size"] == .integer(5)
        },
        Case(overrides: ["jobs.seed-mse.target.1=25"]) { job($0, "seed-mse")?.target == .literal(Tensor([30, 25, 50])) },
        Case(overrides: ["+jobs.grid.init.std=3", "+jobs.grid.init.seed=4"]) {
            job($0, "grid.lr-0.1")?.initial == .random(RandomTensor(distribution: .normal(mean: 0, std: 3), shape: [3], seed: 4))
        },
        Case(overrides: ["+jobs.grid.enabled=false"]) { job($0, "grid.lr-0.1")?.enabled == false && job($0, "seed-mse")?.enabled == true },
    ]

    @Test(arguments: accepted)
    func overrideApplies(_ test: Case) throws {
        switch Self.load(test.overrides) {
        case .success(let configuration): #expect(test.check(configuration))
        case .failure(let errors): Issue.record("rejected:\n\(errors)")
        }
    }

    @Test("Without overrides nothing changes, and an override that restates a value keeps the hash")
    func restatingKeepsHashes() throws {
        guard case .success(let plain) = Self.load([]), case .success(let restated) = Self.load(["jobs.seed-mse.optimizer.lr=0.5"]) else {
            Issue.record("rejected")
            return
        }
        #expect(plain.jobs.map(\.hash) == restated.jobs.map(\.hash))
    }

    /// An override that is refused: the override's number, the column in its text, and part of the message.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var overrides: [String]
        var number: Int
        var column: Int
        var message: String
        var testDescription: String { overrides.joined(separator: " ") }
    }

    static let refused: [Refusal] = [
        Refusal(overrides: ["jobs.nope.lr=0.1"], number: 1, column: 6, message: "no job named 'nope' (jobs: seed-mse, grid, v1.2)"),
        Refusal(overrides: ["daemon.workers=1", "jobs.nope.lr=0.1"], number: 2, column: 6, message: "no job named 'nope'"),
        Refusal(overrides: ["jobs.seed-mse.optimizer.lrr=0.1"], number: 1, column: 25,
                message: "'jobs.seed-mse.optimizer' has no key 'lrr', did you mean 'lr'?"),
        Refusal(overrides: ["jobs.seed-mse.patience=5"], number: 1, column: 15, message: "to add it, write +jobs.seed-mse.patience=..."),
        Refusal(overrides: ["+jobs.seed-mse.optimizer.lr=0.1"], number: 1, column: 26, message: "'jobs.seed-mse.optimizer.lr' is already set (to 0.5); drop the '+'"),
        Refusal(overrides: ["+jobs.seed-mse.max_steps=5"], number: 1, column: 16, message: "is already set (to 50)"),
        Refusal(overrides: ["lr"], number: 1, column: 1, message: "an override is KEY=VALUE, or +KEY=VALUE"),
        Refusal(overrides: ["=3"], number: 1, column: 1, message: "an override is KEY=VALUE"),
        Refusal(overrides: ["jobs..lr=1"], number: 1, column: 6, message: "has an empty part"),
        Refusal(overrides: ["jobs.grid=1"], number: 1, column: 6, message: "give a key of the job"),
        Refusal(overrides: ["jobs.grid.name=x"], number: 1, column: 11, message: "a job's name cannot be overridden"),
        Refusal(overrides: ["jobs.seed-mse.max_steps.x=1"], number: 1, column: 25, message: "is the integer 50, not a mapping"),
        Refusal(overrides: ["jobs.seed-mse.target.3=1"], number: 1, column: 22, message: "'3' is not one of its indices (0 to 2)"),
        // The value itself: YAML syntax, then the usual checks, located in the override.
        Refusal(overrides: ["jobs.seed-mse.init=[1, 2"], number: 1, column: 25, message: "the value is not valid YAML"),
        Refusal(overrides: ["jobs.seed-mse.optimizer.lr=-1"], number: 1, column: 28, message: "must be >= 0"),
        Refusal(overrides: ["jobs.seed-mse.optimizer.lr=fast"], number: 1, column: 28, message: "lr"),
        Refusal(overrides: ["jobs.seed-mse.target=[1, 2]"], number: 1, column: 22, message: "shape (2,) must match input shape (3,)"),
        Refusal(overrides: ["daemon.workers=0"], number: 1, column: 16, message: "workers must be auto or 1 to 1024"),
        Refusal(overrides: ["jobs.grid.sweep.optimizer.lr={uniform: [1, 0]}"], number: 1, column: 40, message: "uniform of 'optimizer.lr' needs low < high"),
        Refusal(overrides: ["jobs.grid.sweep.optimizer.lr={uniform: [0.1, 1]}"], number: 1, column: 30, message: "give the number of points to draw with samples: N"),
    ]

    @Test(arguments: refused)
    func overrideRefused(_ test: Refusal) throws {
        guard case .failure(let errors) = Self.load(test.overrides) else {
            Issue.record("accepted")
            return
        }
        let file = "override \(test.number) '\(test.overrides[test.number - 1])'"
        let listing = errors.errors.map(\.description).joined(separator: "\n")
        #expect(errors.errors.contains { $0.file == file && $0.mark == Mark(line: 1, column: test.column) && $0.message.contains(test.message) },
                "expected \(file):1:\(test.column): \(test.message)\ngot:\n\(listing)")
        for error in errors.errors {
            #expect(error.description.hasPrefix("\(error.file):\(error.mark.line):\(error.mark.column): error: "))
        }
    }

    @Test("Every bad override is reported at once")
    func everyBadOverrideReported() {
        guard case .failure(let errors) = Self.load(["jobs.a.lr=1", "daemon.workers=1", "jobs.b.lr=1"]) else {
            Issue.record("accepted")
            return
        }
        #expect(errors.errors.map(\.file) == ["override 1 'jobs.a.lr=1'", "override 3 'jobs.b.lr=1'"])
    }

    @Test("--only keeps the selected jobs", arguments: [
        (["seed-mse"], ["seed-mse"]),
        (["grid"], ["grid.lr-0.01", "grid.lr-0.1"]),
        (["grid.*0.1"], ["grid.lr-0.1"]),
        (["v1.2", "seed-*"], ["seed-mse", "v1.2"]),
        ([], ["seed-mse", "grid.lr-0.01", "grid.lr-0.1", "v1.2"]),
    ])
    func only(_ patterns: [String], _ names: [String]) {
        switch Self.load([], only: patterns) {
        case .success(let configuration): #expect(configuration.jobs.map(\.name) == names)
        case .failure(let errors): Issue.record("rejected:\n\(errors)")
        }
    }

    @Test("--only with a pattern that selects nothing is an error naming it")
    func onlyMatchingNothing() {
        guard case .failure(let errors) = Self.load([], only: ["grid", "gird.*"]) else {
            Issue.record("accepted")
            return
        }
        #expect(errors.errors.count == 1)
        #expect(errors.errors.first?.file == "--only 'gird.*'")
        #expect(errors.errors.first?.message.hasPrefix("no job matches 'gird.*'") == true)
    }

    @Test("--only still checks every job")
    func onlyChecksEveryJob() {
        guard case .failure(let errors) = Self.load(["jobs.grid.optimizer.name=nope"], only: ["seed-mse"]) else {
            Issue.record("accepted")
            return
        }
        #expect(errors.errors.contains { $0.message.contains("nope") })
    }
}
