// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import Foundation

/// The `lossd` command: the root lists the subcommands, each a nested type in its own file.
public struct Lossd: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lossd",
        abstract: "Fit outputs toward targets by gradient descent on PyTorch-exact losses.",
        discussion: """
            Exit status: 0 success, 64 usage error, 65 bad data, 66 missing input, 78 bad config.
            """,
        version: LossdVersion.current,
        subcommands: [Losses.self, Eval.self, Check.self]
    )

    public init() {}
}

/// The version printed by `lossd --version`.
public enum LossdVersion {
    public static let current = "0.1.0"
}

/// Output helpers shared by the subcommands.
enum Console {
    /// Writes `lossd: error: MESSAGE` to standard error.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("lossd: error: \(message)\n".utf8))
    }

    /// Reports `error` and returns the exit code to throw.
    static func fail(_ error: CommandError) -> ExitCode {
        Console.error(error.message)
        return ExitCode(error.status.rawValue)
    }
}
