// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdConfig
import Testing

/// A broken model job from `Fixtures/model-invalid` (its data files in `data/`), with every error
/// it must be refused with, exactly: one `# error: LINE:COLUMN: error: MESSAGE (at PATH)` line each
/// at the top of the file. `LOSSD_RECORD_SNAPSHOTS=1` rewrites those lines from what the loader
/// reports (and fails the test, so that a recording is always reviewed).
struct ModelFixture: Sendable, CustomTestStringConvertible {
    var url: URL
    /// The full descriptions expected (`FILE:LINE:COLUMN: error: MESSAGE (at PATH)`), in order.
    var expected: [String]

    var testDescription: String { url.lastPathComponent }

    static let directory = FixturePaths.tests.appendingPathComponent("Fixtures/model-invalid")
    static let all: [ModelFixture] = FixturePaths.yamlFiles(in: directory).map(ModelFixture.init)

    init(url: URL) {
        self.url = url
        let text = String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
        expected = text.split(separator: "\n").prefix { $0.hasPrefix("# error: ") }.map {
            url.lastPathComponent + ":" + $0.dropFirst("# error: ".count)
        }
    }
}

@Suite("Broken model jobs and their data are refused with exact located errors")
struct ModelJobFixtureTests {
    @Test("The corpus holds at least 30 broken model jobs, each with its errors")
    func corpusSize() {
        #expect(ModelFixture.all.count >= 30)
        for fixture in ModelFixture.all {
            #expect(!fixture.expected.isEmpty, "\(fixture.url.lastPathComponent) has no '# error:' line")
        }
    }

    @Test(arguments: ModelFixture.all)
    func refused(_ fixture: ModelFixture) {
        let loader = ConfigLoader(workingDirectory: ModelFixture.directory.path)
        do throws(ConfigErrors) {
            _ = try loader.load(path: fixture.url.lastPathComponent)
            Issue.record("\(fixture.url.lastPathComponent) was accepted")
        } catch {
            let listing = error.errors.map { "# error: " + $0.description.dropFirst(fixture.url.lastPathComponent.count + 1) }.joined(separator: "\n")
            if ProcessInfo.processInfo.environment["LOSSD_RECORD_SNAPSHOTS"] == "1" {
                record(error.errors, into: fixture)
                Issue.record("recorded \(fixture.url.lastPathComponent): review and run again")
                return
            }
            #expect(error.errors.map(\.description) == fixture.expected, "got:\n\(listing)")
        }
    }

    /// Rewrites the fixture's `# error:` lines; the lines of errors move by the change in their count.
    private func record(_ errors: [ConfigError], into fixture: ModelFixture) {
        let name = fixture.url.lastPathComponent
        let text = String(decoding: (try? Data(contentsOf: fixture.url)) ?? Data(), as: UTF8.self)
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("# error: ") }
        let shift = errors.count - fixture.expected.count
        let header = errors.map { error in
            var moved = error
            if moved.file == name { moved.mark.line += shift }
            return "# error: " + moved.description.dropFirst(name.count + 1)
        }
        try? Data((header + body.map(String.init)).joined(separator: "\n").utf8).write(to: fixture.url)
    }
}
