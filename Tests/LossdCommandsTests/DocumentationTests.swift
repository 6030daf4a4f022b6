// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdJSON
import LossdTestSupport
import Testing

/// The man pages and shell completions: they render, load, cover every command, option,
/// exit status, journal field, MESSAGE_ID and configuration key, and are not stale.
@Suite("Man pages and completions")
struct DocumentationTests {
    static let manPage = packageRoot.appendingPathComponent("docs/man/lossd.8").path
    static let configPage = packageRoot.appendingPathComponent("docs/man/lossd.yaml.5").path

    /// Runs `tool` (an absolute path) and returns its status, standard output and error.
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile(), err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    static func exists(_ tool: String) -> Bool { FileManager.default.isExecutableFile(atPath: tool) }

    /// A man page's text with roff escapes undone, for looking names up.
    static func text(_ path: String) throws -> String {
        var text = try String(contentsOfFile: path, encoding: .utf8)
        for (escape, plain) in [("\\-", "-"), ("\\&", ""), ("\\fB", ""), ("\\fI", ""), ("\\fR", ""), ("\\fP", ""), ("\\(aq", "'"), ("\\(dq", "\"")] {
            text = text.replacingOccurrences(of: escape, with: plain)
        }
        return text
    }

    // MARK: - Rendering

    @Test(.enabled(if: exists("/usr/bin/groff"))) func groffRendersWithoutWarnings() throws {
        for page in [Self.manPage, Self.configPage] {
            let (status, output, errors) = try Self.run("/usr/bin/groff", ["-man", "-ww", "-Tutf8", page])
            #expect(status == 0 && errors.isEmpty, "\(page): \(errors)")
            #expect(output.count > 10_000)
        }
    }

    @Test(.enabled(if: exists("/usr/bin/mandoc"))) func mandocLintIsClean() throws {
        for page in [Self.manPage, Self.configPage] {
            let (status, output, errors) = try Self.run("/usr/bin/mandoc", ["-Tlint", page])
            #expect(status == 0 && output.isEmpty && errors.isEmpty, "\(page): \(output)\(errors)")
        }
    }

    @Test(.enabled(if: exists("/usr/bin/man"))) func manShowsThePages() throws {
        let (status, output, errors) = try Self.run("/usr/bin/man", ["-l", Self.manPage], environment: ["MANPAGER": "cat", "MANWIDTH": "80", "PATH": "/usr/bin:/bin"])
        #expect(status == 0, "\(errors)")
        #expect(output.contains("lossd - fit outputs toward targets") && output.contains("EXIT STATUS"))
    }

    // MARK: - Coverage

    @Test func everyCommandAndOptionIsInLossd8() throws {
        let page = try Self.text(Self.manPage)
        let dump = try LossdProcess.run(["--experimental-dump-help"])
        let help = try JSONValue(parsing: dump.stdout)
        guard case .array(let all)? = help["command"]?["subcommands"] else { Issue.record("no subcommands"); return }
        let commands = all.filter { $0["commandName"] != .string("help") }
        #expect(commands.count == 12)
        /// The text of a command's section (up to the next section), or of OPTIONS.
        func section(_ heading: String) -> String {
            guard let start = page.range(of: heading) else { return "" }
            let rest = page[start.upperBound...]
            let end = [rest.range(of: "\n.SS ")?.lowerBound, rest.range(of: "\n.SH ")?.lowerBound].compactMap { $0 }.min() ?? rest.endIndex
            return String(rest[..<end])
        }
        // serve's options are described under run; results' and plot's state options under status.
        let sharing = ["serve": "run", "results": "status", "plot": "status"]
        for command in commands {
            guard case .string(let name)? = command["commandName"] else { continue }
            let own = section(".SS \"lossd \(name)")
            #expect(!own.isEmpty, "lossd.8 has a section for \(name)")
            let described = own + section(".SH OPTIONS") + (sharing[name].map { section(".SS \"lossd \($0)") } ?? "")
            guard case .array(let arguments)? = command["arguments"] else { continue }
            for argument in arguments {
                guard case .array(let names)? = argument["names"] else { continue }
                for entry in names where entry["kind"] == .string("long") {
                    guard case .string(let option)? = entry["name"] else { continue }
                    // An option list entry: `.B --x`, `.BI --x " value"`, `.BR --x " a|b"` or `.BR -o ", " --x ...`.
                    let entry = try Regex("\\n\\.B[IR]? (-[a-z] \", \" )?--\(option)[ \\n]")
                    #expect(described.firstMatch(of: entry) != nil,
                            "lossd.8 describes \(name) --\(option) in an option list")
                }
            }
        }
        #expect(page.contains("--generate-completion-script"))
    }

    @Test func everyExitStatusJournalFieldAndMessageIDIsInLossd8() throws {
        let page = try Self.text(Self.manPage)
        let exitSection = String(page[page.range(of: ".SH EXIT STATUS")!.lowerBound..<page.range(of: ".SH ENVIRONMENT")!.lowerBound])
        let errors = try String(contentsOf: packageRoot.appendingPathComponent("Sources/LossdCommands/CommandError.swift"), encoding: .utf8)
        let codes = ["0", "1", "73", "74"] + errors.matches(of: /case \w+ = (\d+)/).map { String($0.1) }
        for code in codes { #expect(exitSection.contains(".B \(code)\n"), "exit status \(code)") }

        let sources = try FileManager.default.subpathsOfDirectory(atPath: packageRoot.appendingPathComponent("Sources").path)
            .filter { $0.hasSuffix(".swift") }
            .map { try String(contentsOf: packageRoot.appendingPathComponent("Sources/\($0)"), encoding: .utf8) }.joined()
        let fields = Set(sources.matches(of: /"(LOSSD_[A-Z_]+)"/).map { String($0.1) }).subtracting(["LOSSD_TEST_FREEZE_JOB", "LOSSD_LOG_TARGET"])
        #expect(fields.count >= 15)
        for field in fields { #expect(try Regex("\\b\(field)\\b").firstMatch(in: page) != nil, "journal field \(field)") }

        let messageIDs = try String(contentsOf: packageRoot.appendingPathComponent("Sources/LossdSystemd/MessageID.swift"), encoding: .utf8)
        let catalog = try String(contentsOf: packageRoot.appendingPathComponent("systemd/lossd.catalog"), encoding: .utf8)
        let ids = messageIDs.matches(of: /= "([0-9a-f]{32})"/).map { String($0.1) }
        #expect(ids.count == 19)
        for id in ids {
            #expect(page.contains(".B \(id)\n"), "MESSAGE_ID \(id) in lossd.8")
            #expect(catalog.contains("-- \(id)"), "MESSAGE_ID \(id) in the catalog")
        }
        for file in ["results/", "history/", "checkpoints/", "charts/", "status.json", "/etc/lossd/lossd.yaml", "/var/lib/lossd",
                     "lossd.catalog", "lossd@.service", "SIGHUP", "SIGTERM", "STATE_DIRECTORY", "NOTIFY_SOCKET"] {
            #expect(page.contains(file), "\(file)")
        }
    }

    @Test func everyConfigurationKeyIsInLossdYaml5() throws {
        let page = try Self.text(Self.configPage)
        let reference = try String(contentsOf: packageRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        // The first cell of every table row of docs/configuration.md's key, optimizer and scheduler tables.
        let keys = reference.split(separator: "\n").compactMap { line -> String? in
            guard let match = line.firstMatch(of: /^\| `([a-z_]+)`/) else { return nil }
            return String(match.1)
        }
        #expect(keys.count >= 30, "\(keys)")
        for key in keys { #expect(page.contains(key), "lossd.yaml(5) documents \(key)") }
        for section in ["DAEMON", "DEFAULTS", "JOBS", "OPTIMIZERS", "SCHEDULERS", "TENSORS", "SWEEPS", "DROP-IN FILES", "SCALARS", "LIMITS"] {
            #expect(page.contains(".SH \(section)"))
        }
    }

    // MARK: - Completions

    @Test func completionsAreCurrent() throws {
        for (shell, file) in [("bash", "lossd.bash"), ("zsh", "_lossd"), ("fish", "lossd.fish")] {
            let generated = try LossdProcess.run(["--generate-completion-script", shell])
            let stored = try String(contentsOf: packageRoot.appendingPathComponent("docs/completions/\(file)"), encoding: .utf8)
            #expect(generated.status == 0 && stored == generated.stdout, "docs/completions/\(file) is stale: run Scripts/gen-completions")
        }
    }

    @Test(.enabled(if: exists("/bin/bash"))) func bashCompletionLoadsAndCompletes() throws {
        let file = packageRoot.appendingPathComponent("docs/completions/lossd.bash").path
        let (status, output, errors) = try Self.run("/bin/bash", ["-c", "source \(file) && complete -p lossd"])
        #expect(status == 0 && errors.isEmpty, "\(errors)")
        #expect(output.hasPrefix("complete ") && output.hasSuffix(" -F _lossd lossd\n"), "\(output)")
        // Completing `lossd st` offers the status subcommand; job names come from the state directory.
        let script = """
            source \(file)
            COMP_WORDS=(lossd st); COMP_CWORD=1; COMP_LINE='lossd st'; COMP_POINT=8
            _lossd lossd st lossd; printf '%s\\n' "${COMPREPLY[@]}"
            COMPREPLY=(); COMP_WORDS=(lossd status --state-dir \(SeedState.directory) seed-m); COMP_CWORD=4
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
            _lossd lossd seed-m \(SeedState.directory); printf '%s\\n' "${COMPREPLY[@]}"
            """
        let binary = LossdProcess.binary.deletingLastPathComponent().path
        let (_, completions, _) = try Self.run("/bin/bash", ["-c", script], environment: ["PATH": "\(binary):/usr/bin:/bin"])
        #expect(completions.split(separator: "\n").map(String.init) == ["status", "seed-mse"], "\(completions)")
    }
}
