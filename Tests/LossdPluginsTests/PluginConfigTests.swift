// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdConfig
import Testing

/// `daemon.plugins` in the configuration loader: references, the hook, and the two ways a plugin
/// problem is reported (an error for `lossd check`, a failed job for the daemon).
@Suite("daemon.plugins in the configuration loader")
struct PluginConfigTests {
    static let text = """
        daemon:
          plugins: [lossd-logcosh, ./local/libx.so, /opt/liby.so]
        jobs:
          - name: uses-plugin
            loss: {name: logcosh, sharpness: 2}
            init: [0]
            target: [1]
            optimizer: sgd
            max_steps: 10
          - name: builtin
            loss: mse
            init: [0]
            target: [1]
            optimizer: sgd
            max_steps: 10
        """

    /// A hook that "loads" nothing and reports the second plugin as broken.
    static let failing: @Sendable ([PluginReference], LossRegistry) -> PluginResolution = { references, losses in
        PluginResolution(losses: losses, problems: [.init(index: 1, message: "plugin \(references[1].path) is broken")])
    }

    @Test func referencesKeepNamesAndResolvePaths() throws {
        let configuration = try ConfigLoader().load(bytes: Array(Self.text.replacingOccurrences(of: "{name: logcosh, sharpness: 2}", with: "mse").utf8), name: "/srv/lossd/lossd.yaml")
        #expect(configuration.daemon.plugins.map(\.path) == ["lossd-logcosh", "/srv/lossd/local/libx.so", "/opt/liby.so"])
        #expect(configuration.daemon.plugins.map(\.source.description) == ["/srv/lossd/lossd.yaml:2:13", "/srv/lossd/lossd.yaml:2:28", "/srv/lossd/lossd.yaml:2:45"])
    }

    @Test func forCheckAPluginProblemIsAnErrorOfTheFile() throws {
        var loader = ConfigLoader()
        loader.resolvePlugins = Self.failing
        #expect { _ = try loader.load(bytes: Array(Self.text.utf8), name: "/srv/lossd.yaml") } throws: { error in
            let errors = (error as? ConfigErrors)?.errors ?? []
            return errors.map(\.description) == [
                "/srv/lossd.yaml:2:28: error: plugin /srv/local/libx.so is broken (at daemon.plugins[1])",
                "/srv/lossd.yaml:5:18: error: unknown loss 'logcosh' (see 'lossd losses') (at jobs[0].loss.name)",
            ] && errors.first?.code == .plugin
        }
    }

    @Test func forTheDaemonOnlyTheJobsOfAMissingLossFail() throws {
        var loader = ConfigLoader()
        loader.resolvePlugins = Self.failing
        loader.pluginProblemsFailJobsOnly = true
        let configuration = try loader.load(bytes: Array(Self.text.utf8), name: "/srv/lossd.yaml")
        #expect(configuration.pluginProblems.map(\.description) == ["/srv/lossd.yaml:2:28: error: plugin /srv/local/libx.so is broken (at daemon.plugins[1])"])
        #expect(configuration.jobs.map(\.name) == ["uses-plugin", "builtin"])
        #expect(configuration.jobs[0].unavailable?.description
                == "/srv/lossd.yaml:5:18: error: unknown loss 'logcosh' (see 'lossd losses'); plugins that failed to load: /srv/local/libx.so (at jobs[0].loss.name)")
        #expect(configuration.jobs[1].unavailable == nil)
        // With every plugin loaded, an unknown loss stays an error even for the daemon.
        loader.resolvePlugins = { _, losses in PluginResolution(losses: losses, problems: []) }
        #expect(throws: ConfigErrors.self) { _ = try loader.load(bytes: Array(Self.text.utf8), name: "/srv/lossd.yaml") }
    }
}
