// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import LossdCommands
import LossdTestSupport
import Testing

/// `lossd check` on the shipped configurations and on a broken one, as a user runs it.
@Suite("lossd check")
struct CheckCommandTests {
    static let configs = packageRoot.appendingPathComponent("configs")
    static let invalid = packageRoot.appendingPathComponent("Tests/LossdConfigTests/Fixtures/invalid")

    /// `plugins.yaml` needs the example plugins built and on LOSSD_PLUGIN_PATH: LossdPluginsTests checks it.
    static let files: [URL] = {
        let enumerator = FileManager.default.enumerator(atPath: configs.path)
        var found: [URL] = []
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".yaml"), !relative.hasSuffix("plugins.yaml") { found.append(configs.appendingPathComponent(relative)) }
        }
        return found.sorted { $0.path < $1.path }
    }()

    @Test("lossd check accepts every file in configs/", arguments: files)
    func acceptsShippedConfigs(_ url: URL) throws {
        let command = try Lossd.Check.parse(["--quiet", url.path])
        try command.run()
    }

    @Test("lossd check accepts configs/seed.yaml")
    func checkCommand() throws {
        let command = try Lossd.Check.parse(["--quiet", Self.configs.appendingPathComponent("seed.yaml").path])
        try command.run()
    }

    @Test("lossd check exits with EX_CONFIG (78) on a broken file")
    func checkCommandFails() throws {
        let command = try Lossd.Check.parse(["--no-snippets", Self.invalid.appendingPathComponent("01-typo-option.yaml").path])
        #expect { try command.run() } throws: { error in
            Lossd.exitCode(for: error).rawValue == 78
        }
    }

    @Test("lossd check - reads standard input and names it <stdin>")
    func standardInput() throws {
        let seed = try String(contentsOf: Self.configs.appendingPathComponent("seed.yaml"), encoding: .utf8)
        let valid = try LossdProcess.run(["check", "-"], stdin: seed)
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(valid.stdout.hasPrefix("<stdin>: OK, 4 jobs\n"), "\(valid.stdout)")
        let broken = try LossdProcess.run(["check", "-"], stdin: "jobs:\n  - name: x\n    loss: nope\n")
        #expect(broken.status == 78)
        #expect(broken.stderr.contains("<stdin>:3:11: error: unknown loss 'nope'"), "\(broken.stderr)")
        #expect(broken.stderr.hasSuffix("lossd: error: <stdin>: 5 errors\n"), "\(broken.stderr)")
    }

    @Test("lossd check shows a composite scheduler's children with their changed options")
    func compositeScheduler() throws {
        let job = "  - name: NAME\n    loss: mse\n    init: [10, 10]\n    target: [1, 2]\n    optimizer: {name: sgd, lr: 0.05}\n"
            + "    max_steps: 50\n    scheduler: SCHEDULER\n"
        func entry(_ name: String, _ scheduler: String) -> String {
            job.replacingOccurrences(of: "NAME", with: name).replacingOccurrences(of: "SCHEDULER", with: scheduler)
        }
        let config = "jobs:\n"
            + entry("seq", "{name: sequential_lr, schedulers: [{name: linear_lr, start_factor: 0.1, total_iters: 5}, "
                           + "{name: cosine_annealing_lr, T_max: 40}], milestones: [5]}")
            + entry("chain", "{name: ChainedScheduler, schedulers: [{name: exponential_lr, gamma: 0.98}, {name: StepLR, step_size: 10}]}")
        let result = try LossdProcess.run(["check", "-"], stdin: config)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(
            "sequential_lr schedulers=[linear_lr start_factor=0.1, cosine_annealing_lr T_max=40] milestones=[5]"), "\(result.stdout)")
        #expect(result.stdout.contains("chained_scheduler schedulers=[exponential_lr gamma=0.98, step_lr step_size=10]"), "\(result.stdout)")
    }

    @Test("The job table shows changed optimizer options, a number given for a tensor option as a number")
    func changedOptions() throws {
        let text = """
            jobs:
              - {name: a, loss: mse, init: [1, 2], target: [3, 4], optimizer: {name: LBFGS, max_eval: 30, line_search_fn: strong_wolfe}, max_steps: 5}
              - {name: b, loss: mse, init: [[1, 2]], target: [[3, 4]], optimizer: {name: adafactor, eps: [1e-30, 0.01]}, max_steps: 5}
            """
        let result = try LossdProcess.run(["check", "-"], stdin: text)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(" lbfgs max_eval=30 line_search_fn=strong_wolfe "), "\(result.stdout)")
        #expect(result.stdout.contains(" adafactor eps=[1e-30,0.01] "), "\(result.stdout)")
    }

    @Test("An unreadable or empty file's error has no caret line under nothing", arguments: [
        ("/nonexistent/lossd.yaml", "cannot read /nonexistent/lossd.yaml: No such file or directory"),
        ("/dev/null", "/dev/null is not a regular file"),
    ])
    func unreadableFileHasNoSnippet(path: String, message: String) throws {
        let result = try LossdProcess.run(["check", path])
        #expect(result.status == 78)
        #expect(result.stderr == "\(path):1:1: error: \(message)\nlossd: error: \(path): 1 error\n")
    }
}
