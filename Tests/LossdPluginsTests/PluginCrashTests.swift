// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdEngine
import LossdState
import LossdTestSupport
import Testing

/// A plugin that crashes lossd: the next start fails that job (`pluginCrashed`, naming the
/// plugin, loss and step) without running it again, and runs the others.
@Suite("Plugin crashes")
struct PluginCrashTests {
    @Test func theJobAPluginCrashedInFailsAtTheNextStartAndIsNotRunAgain() throws {
        let sandbox = PluginSandbox("crash")
        defer { sandbox.remove() }
        let plugin = sandbox.broken("segv")
        let config = sandbox.write("lossd.yaml", """
            daemon:
              plugins: [broken-segv.so]
              workers: 1
            defaults:
              optimizer: {name: sgd, lr: 0.1}
              max_steps: 200
            jobs:
              - {name: crasher, loss: crash_at_12345, init: [12345, 0], target: [1, -1]}
              - {name: plain, loss: mse, init: [0, 0], target: [1, -1]}
            """)
        let state = sandbox.path("state")
        let environment = DaemonPluginTests.environment(sandbox)
        let crashed = try LossdProcess.run(["run", config, "--state-dir", state], environment: environment)
        #expect(crashed.status != 0 && crashed.status != 1, "lossd died by the plugin's SIGSEGV: \(crashed.status) \(crashed.stderr)")
        #expect(DaemonPluginTests.record(state, "crasher") == nil)

        let next = try LossdProcess.run(["run", config, "--state-dir", state], environment: environment)
        #expect(next.status == 1, "a job failed: \(next.stderr)")
        let failed = try #require(DaemonPluginTests.record(state, "crasher"))
        #expect(failed.status.name == "failed" && failed.status.code == .pluginCrashed)
        #expect(failed.status.detail == "crashed in plugin \(plugin) (loss crash_at_12345) at step 1")
        #expect(next.stderr.contains("job crasher failed: crashed in plugin \(plugin) (loss crash_at_12345) at step 1; it is not run again"),
                "\(next.stderr)")
        #expect(DaemonPluginTests.record(state, "plain")?.status.name == "max_steps")

        // The failure is final: a third start finds both results and runs nothing.
        let third = try LossdProcess.run(["run", config, "--state-dir", state], environment: environment)
        #expect(third.status == 1 && third.stderr.contains("job crasher already finished (failed); not run again"), "\(third.stderr)")
    }
}
