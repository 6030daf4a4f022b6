// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import LossdConfig
import LossdState

/// `--state-dir` and `--config`: which state directory `lossd status`, `results` and `plot` read.
///
/// In order: `--state-dir DIR`; `--config FILE`, the directory the daemon uses for that file
/// (`daemon.state_directory`, else `$STATE_DIRECTORY`, else `state` beside the file);
/// `$STATE_DIRECTORY` (its first entry, as systemd sets it); `/var/lib/lossd` when it exists
/// (lossd.service's `StateDirectory=`); `./state`.
struct StateLocation: ParsableArguments {
    @Option(help: ArgumentHelp("The state directory to read.", valueName: "dir"), completion: .directory)
    var stateDir: String?

    @Option(help: ArgumentHelp("Read the state directory this configuration's daemon uses.", valueName: "file"),
            completion: .file(extensions: ["yaml", "yml"]))
    var config: String?

    /// lossd.service's state directory.
    static let serviceDirectory = "/var/lib/lossd"

    func validate() throws {
        if stateDir != nil, config != nil { throw ValidationError("give --state-dir or --config, not both") }
    }

    /// The directory to read (see the type's documentation).
    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment,
                 exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) throws(CommandError) -> String {
        if let stateDir { return stateDir }
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
