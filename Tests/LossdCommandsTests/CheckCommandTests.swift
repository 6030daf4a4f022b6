// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import LossdCommands
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
}
