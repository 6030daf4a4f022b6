// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import LossdCommands
import LossdConfig
import Testing

/// Every file shipped in `configs/` passes `lossd check`.
@Suite("The configs/ directory")
struct ConfigsDirectoryTests {
    /// `plugins.yaml` needs the example plugins built and on LOSSD_PLUGIN_PATH: LossdPluginsTests checks it.
    static let files = FixturePaths.yamlFilesRecursively(in: FixturePaths.configs).filter { $0.lastPathComponent != "plugins.yaml" }

    @Test("configs/ holds the seed, the reference and further examples")
    func expectedFiles() {
        let names = Set(Self.files.map(\.lastPathComponent))
        #expect(names.isSuperset(of: ["seed.yaml", "lossd.yaml"]))
        #expect(Self.files.count >= 5)
    }

    @Test(arguments: files)
    func loads(_ url: URL) throws {
        let loader = ConfigLoader(workingDirectory: FixturePaths.repository.path)
        let relative = String(url.path.dropFirst(FixturePaths.repository.path.count + 1))
        do throws(ConfigErrors) {
            let configuration = try loader.load(path: relative)
            #expect(!configuration.jobs.isEmpty, "\(relative) defines no job")
        } catch {
            Issue.record("\(relative) is rejected:\n\(error)")
        }
        // And through the command itself, as a user runs it.
        let command = try Lossd.Check.parse(["--quiet", url.path])
        try command.run()
    }

    @Test("lossd check accepts configs/seed.yaml")
    func checkCommand() throws {
        let command = try Lossd.Check.parse(["--quiet", FixturePaths.configs.appendingPathComponent("seed.yaml").path])
        try command.run()
    }

    @Test("lossd check exits with EX_CONFIG (78) on a broken file")
    func checkCommandFails() throws {
        let command = try Lossd.Check.parse(["--no-snippets", FixturePaths.invalid.appendingPathComponent("01-typo-option.yaml").path])
        #expect { try command.run() } throws: { error in
            Lossd.exitCode(for: error).rawValue == 78
        }
    }
}
