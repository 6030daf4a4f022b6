// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import LossdCommands
import LossdTestSupport
import Testing

/// `lossd check` on broken model jobs and data (the corpus of LossdConfigTests, whose tests pin
/// each exact message): every one exits with EX_CONFIG (78).
@Suite("lossd check on broken model jobs")
struct CheckModelJobTests {
    static let directory = packageRoot.appendingPathComponent("Tests/LossdConfigTests/Fixtures/model-invalid")
    static let files: [URL] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }

    @Test("The corpus is there")
    func corpus() {
        #expect(Self.files.count >= 30)
    }

    @Test("lossd check exits with 78", arguments: files)
    func exitsWithConfigError(_ url: URL) throws {
        let command = try Lossd.Check.parse(["--no-snippets", url.path])
        #expect { try command.run() } throws: { error in
            Lossd.exitCode(for: error).rawValue == 78
        }
    }
}
