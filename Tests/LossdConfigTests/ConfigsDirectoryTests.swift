// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdConfig
import Testing

/// Every file shipped in `configs/` loads (`lossd check` itself runs them in LossdCommandsTests).
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
    func loads(_ url: URL) {
        let loader = ConfigLoader(workingDirectory: FixturePaths.repository.path)
        let relative = String(url.path.dropFirst(FixturePaths.repository.path.count + 1))
        do throws(ConfigErrors) {
            let configuration = try loader.load(path: relative)
            #expect(!configuration.jobs.isEmpty, "\(relative) defines no job")
        } catch {
            Issue.record("\(relative) is rejected:\n\(error)")
        }
    }
}
