// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LossdConfig
import LossdState

/// `--state-dir` and `--config`: which state directory `lossd status`, `results` and `plot` read.
///
/// `--state-dir` may be given several times, and a value holding `*`, `?` or `[` is expanded as
/// a shell pattern (`'/shared/sweep/shard-*'`): those commands then read the directories as one
/// (``StateSet``); the others take exactly one.
///
/// In order: `--state-dir DIR`; `--config FILE`, the directory the daemon uses for that file
/// (`daemon.state_directory`, else `$STATE_DIRECTORY`, else `state` beside the file);
/// `$STATE_DIRECTORY` (its first entry, as systemd sets it); `/var/lib/lossd` when it exists
/// (lossd.service's `StateDirectory=`); `./state`.
struct StateLocation: ParsableArguments {
    @Option(help: ArgumentHelp("The state directory to read (repeatable, or a quoted shell pattern, for status, results and plot).", valueName: "dir"),
            completion: .directory)
    var stateDir: [String] = []

    @Option(help: ArgumentHelp("Read the state directory this configuration's daemon uses.", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    /// lossd.service's state directory.
    static let serviceDirectory = "/var/lib/lossd"

    func validate() throws {
        if !stateDir.isEmpty, config != nil { throw ValidationError("give --state-dir or --config, not both") }
    }

    /// Every directory to read: the `--state-dir` values, patterns expanded (sorted, duplicates
    /// dropped), else the one ``resolve(environment:exists:)`` finds.
    func resolveAll() throws(CommandError) -> [String] {
        guard !stateDir.isEmpty else { return [try resolve()] }
        var directories: [String] = []
        for value in stateDir {
            if value.contains(where: { "*?[".contains($0) }), !FileManager.default.fileExists(atPath: value) {
                let matched = Self.glob(value)
                if matched.isEmpty { throw CommandError(.noInput, "--state-dir '\(value)' matches no directory") }
                directories += matched
            } else {
                directories.append(value)
            }
        }
        var seen = Set<String>()
        return directories.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.path).inserted }
    }

    /// The directories `pattern` matches, sorted.
    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, GLOB_ONLYDIR, nil, &result) == 0 else { return [] }
        // Sound: glob filled `gl_pathc` C strings at `gl_pathv`, valid until globfree.
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    /// The readers of ``resolveAll()``, each checked, as one view.
    func stateSet() throws(CommandError) -> StateSet {
        var readers: [StateReader] = []
        for directory in try resolveAll() {
            let reader = StateReader(directory: directory)
            do throws(StateReader.ReadError) { try reader.check() } catch { throw Self.commandError(error, directory: directory) }
            readers.append(reader)
        }
        return StateSet(readers: readers)
    }

    /// The directory to read (see the type's documentation).
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                 exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) throws(CommandError) -> String {
        if stateDir.count > 1 { throw CommandError(.usage, "this command reads one state directory; --state-dir was given \(stateDir.count) times") }
        if let stateDir = stateDir.first {
            if stateDir.contains(where: { "*?[".contains($0) }), !exists(stateDir) {
                let matched = Self.glob(stateDir)
                guard matched.count == 1 else {
                    throw CommandError(matched.isEmpty ? .noInput : .usage,
                                       "--state-dir '\(stateDir)' matches \(matched.count) directories; this command reads one")
                }
                return matched[0]
            }
            return stateDir
        }
        if let config {
            do throws(ConfigErrors) {
                return try ConfigLoader(environment: environment).load(path: config).daemon.stateDirectory
            } catch {
                let first = error.errors.first?.description ?? "invalid configuration"
                throw CommandError(.config, "\(config): \(first) (lossd check \(config) lists every problem)")
            }
        }
        if let first = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !first.isEmpty { return String(first) }
        if exists(Self.serviceDirectory) { return Self.serviceDirectory }
        return "state"
    }

    /// The reader of the resolved directory, checked; errors name the directory and what to do.
    func reader() throws(CommandError) -> StateReader {
        let directory = try resolve()
        let reader = StateReader(directory: directory)
        do throws(StateReader.ReadError) { try reader.check() } catch { throw Self.commandError(error, directory: directory) }
        return reader
    }

    /// The command-line error for a state file that cannot be read.
    static func commandError(_ error: StateReader.ReadError, directory: String) -> CommandError {
        switch error.kind {
        case .missing where error.path == directory:
            return CommandError(.noInput, "no state directory at \(directory) (give --state-dir DIR or --config FILE)")
        case .missing:
            return CommandError(.noInput, error.description)
        case .permission:
            return CommandError(.noPermission, "\(error.description) (lossd.service's state is readable by root only: try sudo)")
        case .invalid:
            return CommandError(.dataError, error.description)
        }
    }
}
