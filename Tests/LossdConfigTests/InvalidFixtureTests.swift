// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdConfig
import Testing

/// A broken configuration from `Fixtures/invalid`, with the errors its first lines promise:
/// `# expect: [FILE:]LINE:COLUMN: MESSAGE` (MESSAGE is a substring of the reported message).
struct InvalidFixture: Sendable, CustomTestStringConvertible {
    struct Expectation: Sendable {
        var file: String?
        var line: Int
        var column: Int
        var message: String
    }

    var url: URL
    var expectations: [Expectation]

    var testDescription: String { url.lastPathComponent }

    static let all: [InvalidFixture] = FixturePaths.yamlFiles(in: FixturePaths.invalid).map(InvalidFixture.init)

    init(url: URL) {
        self.url = url
        let data = (try? Data(contentsOf: url)) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        expectations = text.split(separator: "\n", omittingEmptySubsequences: false).prefix { $0.hasPrefix("# expect: ") }.compactMap { line in
            // [FILE:]LINE:COLUMN: MESSAGE
            let body = line.dropFirst("# expect: ".count)
            let parts = body.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            if parts.count >= 3, let line = Int(parts[0]), let column = Int(parts[1]) {
                let message = parts.dropFirst(2).joined(separator: ":").trimmingCharacters(in: .whitespaces)
                return Expectation(file: nil, line: line, column: column, message: message)
            }
            if parts.count == 4, let line = Int(parts[1]), let column = Int(parts[2]) {
                return Expectation(file: parts[0], line: line, column: column, message: parts[3].trimmingCharacters(in: .whitespaces))
            }
            return nil
        }
    }
}

@Suite("Broken configurations are rejected with located errors")
struct InvalidFixtureTests {
    @Test("The corpus holds at least 40 broken files, each with an expectation")
    func corpusSize() {
        #expect(InvalidFixture.all.count >= 40)
        for fixture in InvalidFixture.all {
            #expect(!fixture.expectations.isEmpty, "\(fixture.url.lastPathComponent) has no '# expect:' line")
        }
    }

    @Test(arguments: InvalidFixture.all)
    func rejected(_ fixture: InvalidFixture) throws {
        let loader = ConfigLoader(workingDirectory: FixturePaths.invalid.path)
        let errors: [ConfigError]
        do throws(ConfigErrors) {
            _ = try loader.load(path: fixture.url.lastPathComponent)
            Issue.record("\(fixture.url.lastPathComponent) was accepted")
            return
        } catch {
            errors = error.errors
        }
        let listing = errors.map(\.description).joined(separator: "\n")
        for expected in fixture.expectations {
            let file = expected.file ?? fixture.url.lastPathComponent
            let found = errors.contains { error in
                error.file == file && error.mark == Mark(line: expected.line, column: expected.column) && error.message.contains(expected.message)
            }
            #expect(found, "expected \(file):\(expected.line):\(expected.column): \(expected.message)\ngot:\n\(listing)")
        }
        for error in errors {
            // Every error is located and rendered the documented way.
            #expect(error.description.hasPrefix("\(error.file):\(error.mark.line):\(error.mark.column): error: "))
            #expect(error.mark.line >= 1 && error.mark.column >= 1)
        }
    }
}
