// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdConfig
import LossdDaemon
import LossdEngine
import LossdJSON
import LossdState
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `lossd run`, `serve`, `check`, `losses` and `eval` with plugins, as processes.
@Suite("Plugins in the daemon and the commands")
struct DaemonPluginTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// This process's environment with the sandbox as the plugin search path.
    static func environment(_ sandbox: PluginSandbox) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM"] { environment[key] = nil }
        environment["LOSSD_PLUGIN_PATH"] = sandbox.directory
        return environment
    }

    static func record(_ state: String, _ job: String) -> JobRecord? {
        guard let data = FileManager.default.contents(atPath: "\(state)/results/\(job).json"),
              let json = try? JSONValue(parsing: String(decoding: data, as: UTF8.self)) else { return nil }
        return JobRecord(result: json)
    }

    @Test func lossdRunOnTheExamplePluginsMatchesTheSwiftReference() throws {
        let sandbox = PluginSandbox("run-examples")
        defer { sandbox.remove() }
        sandbox.stage("lossd-logcosh")
        sandbox.stage("lossd-pinball")
        let config = Self.repository.appendingPathComponent("configs/plugins.yaml").path
        let state = sandbox.path("state")
        let run = try LossdProcess.run(["run", config, "--state-dir", state], environment: Self.environment(sandbox))
        #expect(run.status == 0, "\(run.stderr)")
        // The same jobs on the Swift implementations of the same losses, in process.
        let reference = ReferenceLosses.registry
        let loader = ConfigLoader(registries: TrainingRegistries(losses: reference))
        let configuration = try loader.load(path: config)
        #expect(configuration.jobs.map(\.name) == ["logcosh-fit", "logcosh-random", "pinball-q90"])
        for job in configuration.jobs {
            let training = try TrainingJob(job.spec(losses: reference), registries: TrainingRegistries(losses: reference))
            let status = training.run()
            let result = try #require(Self.record(state, job.name), "no result for \(job.name)")
            #expect(result.status.name == status.name, "\(job.name)")
            #expect(result.steps == training.progress.step, "\(job.name)")
            #expect(result.output?.shape == training.parameters.shape)
            for (got, want) in zip(result.output?.scalars ?? [], training.parameters.scalars) {
                #expect(abs(got - want) <= 1e-12 * max(1, abs(want)), "\(job.name): \(got) vs \(want)")
            }
            #expect(abs(result.loss - training.progress.loss) <= 1e-12 * max(1, abs(training.progress.loss)), "\(job.name)")
        }
        #expect(Self.record(state, "logcosh-fit")?.status.name == "converged")
        #expect(run.stderr.contains("loaded plugin \(sandbox.path("liblossd-logcosh.so")) 1.0: logcosh"), "\(run.stderr)")
    }

    /// A configuration with two plugins that fail and one that loads, and jobs on each.
    static func mixedConfig(_ sandbox: PluginSandbox) -> String {
        sandbox.stage("lossd-logcosh")
        sandbox.broken("gradient")
        return sandbox.write("lossd.yaml", """
            daemon:
              plugins:
                - ./missing.so
                - broken-gradient.so
                - lossd-logcosh
            defaults:
              optimizer: {name: sgd, lr: 0.5}
              max_steps: 300
            jobs:
              - name: on-logcosh
                loss: logcosh
                init: [0, 0]
                target: [1, -1]
              - name: on-broken
                loss: bad_gradient
                init: [0, 0]
                target: [1, -1]
              - name: builtin
                loss: mse
                init: [0, 0]
                target: [1, -1]
            """)
    }

    @Test func aPluginThatFailsToLoadFailsOnlyTheJobsUsingIt() throws {
        let sandbox = PluginSandbox("run-mixed")
        defer { sandbox.remove() }
        let config = Self.mixedConfig(sandbox)
        let state = sandbox.path("state")
        let run = try LossdProcess.run(["run", config, "--state-dir", state], environment: Self.environment(sandbox))
        #expect(run.status == 1, "a job failed: \(run.stderr)")
        #expect(run.stderr.contains("\(config):3:7: error: plugin \(sandbox.path("missing.so")) cannot be read: No such file or directory (at daemon.plugins[0])"), "\(run.stderr)")
        #expect(run.stderr.contains("\(config):4:7: error: plugin \(sandbox.path("broken-gradient.so")) 0.1 refused: loss 'bad_gradient' fails the gradient check"), "\(run.stderr)")
        #expect(Self.record(state, "on-logcosh")?.status.name == "max_steps")
        #expect(Self.record(state, "builtin")?.status.name == "max_steps")
        let failed = try #require(Self.record(state, "on-broken"))
        #expect(failed.status.name == "failed" && failed.status.code == .invalidLoss)
        #expect(failed.status.detail?.hasPrefix("\(config):15:11: error: unknown loss 'bad_gradient'") == true, "\(failed.status.detail ?? "")")
        #expect(failed.status.detail?.contains("plugins that failed to load: \(sandbox.path("missing.so")), broken-gradient.so") == true, "\(failed.status.detail ?? "")")
    }

    @Test func lossdCheckReportsPluginsAsErrorsOfTheFile() throws {
        let sandbox = PluginSandbox("check")
        defer { sandbox.remove() }
        let config = Self.mixedConfig(sandbox)
        let check = try LossdProcess.run(["check", "--no-snippets", config], environment: Self.environment(sandbox))
        #expect(check.status == 78)
        #expect(check.stderr.contains("\(config):3:7: error: plugin \(sandbox.path("missing.so")) cannot be read"), "\(check.stderr)")
        #expect(check.stderr.contains("\(config):4:7: error: plugin \(sandbox.path("broken-gradient.so")) 0.1 refused"), "\(check.stderr)")
        #expect(check.stderr.contains("\(config):15:11: error: unknown loss 'bad_gradient'"), "\(check.stderr)")
        sandbox.stage("lossd-pinball")
        let examples = Self.repository.appendingPathComponent("configs/plugins.yaml").path
        let good = try LossdProcess.run(["check", examples], environment: Self.environment(sandbox))
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("plugin \(sandbox.path("liblossd-pinball.so")) 1.0: pinball"), "\(good.stdout)")
        // --plugin adds plugins to a file that names none.
        let plain = sandbox.write("plain.yaml", "jobs:\n  - {name: a, loss: logcosh, init: [0], target: [1], optimizer: sgd, max_steps: 5}\n")
        #expect(try LossdProcess.run(["check", plain], environment: Self.environment(sandbox)).status == 78)
        let withPlugin = try LossdProcess.run(["check", "--plugin", "lossd-logcosh", plain], environment: Self.environment(sandbox))
        #expect(withPlugin.status == 0, "\(withPlugin.stderr)")
        // Without the plugins the same file names the unknown losses.
        let empty = PluginSandbox("empty")
        defer { empty.remove() }
        let bare = try LossdProcess.run(["check", examples], environment: Self.environment(empty))
        #expect(bare.status == 78 && bare.stderr.contains("plugin 'lossd-logcosh' not found"), "\(bare.stderr)")
    }

    @Test func lossesAndEvalTakePlugins() throws {
        let sandbox = PluginSandbox("commands")
        defer { sandbox.remove() }
        let logcosh = sandbox.stage("lossd-logcosh")
        sandbox.broken("abi")
        sandbox.broken("error")
        let environment = Self.environment(sandbox)
        let table = try LossdProcess.run(["losses", "--plugin", logcosh], environment: environment)
        #expect(table.status == 0)
        #expect(table.stdout.split(separator: "\n").last?.hasSuffix("plugin \(logcosh) 1.0") == true, "\(table.stdout)")
        let json = try LossdProcess.run(["losses", "logcosh", "--json", "--plugin", "lossd-logcosh"], environment: environment)
        #expect(json.stdout.contains("\"origin\": \"plugin \(logcosh) 1.0\""), "\(json.stdout)")
        let refused = try LossdProcess.run(["losses", "--plugin", "broken-abi.so"], environment: environment)
        #expect(refused.status == 69)
        #expect(refused.stderr.contains("--plugin broken-abi.so: plugin \(sandbox.path("broken-abi.so")) was built for plugin ABI version 99"), "\(refused.stderr)")
        let eval = try LossdProcess.run(["eval", "logcosh", "--plugin", "lossd-logcosh", "--input", "[0, 1]", "--target", "[0, 0]", "--precision", "6"],
                                        environment: environment)
        #expect(eval.stdout == "0.216890\n", "\(eval.stdout)\(eval.stderr)")
        let failing = try LossdProcess.run(["eval", "unit_interval", "--plugin", "broken-error.so", "--input", "[2]", "--target", "[0]"],
                                           environment: environment)
        #expect(failing.status == 65)
        #expect(failing.stderr.contains("failed: input[0] = 2 is outside [0, 1]"), "\(failing.stderr)")
    }

    @Test func serveLoadsPluginsAddedOnReloadAndStaysUp() async throws {
        let sandbox = PluginSandbox("reload")
        defer { sandbox.remove() }
        let state = sandbox.path("state")
        let job = { (name: String, loss: String) in
            "  - name: \(name)\n    loss: \(loss)\n    init: [0, 0]\n    target: [1, -1]\n    optimizer: {name: sgd, lr: 0.5}\n    max_steps: 100\n"
        }
        let config = sandbox.write("lossd.yaml", "jobs:\n" + job("first", "mse"))
        let child = try LossdChild(["serve", "--config", config, "--state-dir", state], environment: ["LOSSD_PLUGIN_PATH": sandbox.directory],
                                   logPath: sandbox.path("serve.log"))
        defer { child.signal(SIGKILL) }
        func waitFor(_ job: String) async -> JobRecord? {
            _ = await eventually(every: .milliseconds(20)) { Self.record(state, job) != nil }
            return Self.record(state, job)
        }
        #expect(await waitFor("first")?.status.name == "max_steps")
        sandbox.stage("lossd-logcosh")
        sandbox.write("lossd.yaml", "daemon:\n  plugins: [lossd-logcosh]\njobs:\n" + job("first", "mse") + job("second", "logcosh"))
        child.signal(SIGHUP)
        #expect(await waitFor("second")?.status.name == "max_steps")
        sandbox.broken("nan")
        sandbox.write("lossd.yaml", "daemon:\n  plugins: [lossd-logcosh, broken-nan.so, broken-twice.so]\njobs:\n"
                      + job("first", "mse") + job("second", "logcosh") + "  - name: third\n    loss: naive_logcosh\n    init: [1000]\n    target: [0]\n    optimizer: sgd\n    max_steps: 5\n"
                      + job("fourth", "dup"))
        sandbox.broken("twice")
        child.signal(SIGHUP)
        let third = await waitFor("third"), fourth = await waitFor("fourth")
        #expect(third?.status.name == "failed" && third?.status.code == .lossFailed)
        #expect(third?.status.detail?.contains("returned inf in output for finite inputs") == true, "\(third?.status.detail ?? "")")
        #expect(fourth?.status.name == "failed" && fourth?.status.code == .invalidLoss)
        #expect(fourth?.status.detail?.contains("error: unknown loss 'dup'") == true, "\(fourth?.status.detail ?? "")")
        #expect(child.process.isRunning, "lossd stays up")
        child.signal(SIGTERM)
        #expect(await child.exit() == 0)
        let log = (try? String(contentsOfFile: sandbox.path("serve.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("declares the loss 'dup' twice (at daemon.plugins[2]); its jobs fail, the others run"), "\(log)")
    }
}
