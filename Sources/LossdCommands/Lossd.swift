// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import Foundation
import LossKit

/// The `lossd` command: the root lists the subcommands, each a nested type in its own file.
public struct Lossd: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lossd",
        abstract: "Fit outputs toward targets by gradient descent on PyTorch-exact losses.",
        discussion: """
            Quick start:
              lossd run configs/seed.yaml         # fit the seed jobs in the foreground
              lossd check configs/seed.yaml       # validate a configuration
              lossd eval mse --input '[1,2,3]' --target '[1,2,5]'
              lossd status --config configs/seed.yaml     # the jobs and where they stand
              lossd plot --config configs/seed.yaml -o seed.svg

            Exit status: 0 success, 1 a job diverged or failed (run), 64 usage error,
            65 bad data, 66 no input (state directory), 69 a needed tool is missing,
            73 cannot create a file (or another lossd writes the state directory),
            75 reload --wait timed out, 77 permission denied, 78 bad configuration.
            See lossd(8).
            """,
        version: LossdVersion.current,
        subcommands: [Run.self, Serve.self, Reload.self, Check.self, Losses.self, Optimizers.self, Schedulers.self, Eval.self, Status.self, Results.self, Plot.self, Predict.self]
    )

    public init() {}

    /// Usage errors begin as every other error does (`lossd: error: ...`, then the usage hint,
    /// exit status 64), not with ArgumentParser's `Error:`.
    public static var _errorPrefix: String { "lossd: error: " }
}

/// The version printed by `lossd --version`.
public enum LossdVersion {
    public static let current = "0.1.0"
}

/// Output helpers shared by the subcommands.
enum Console {
    /// Writes `lossd: warning: MESSAGE` to standard error.
    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("lossd: warning: \(EchoedText.sanitized(message))\n".utf8))
    }

    /// Writes `lossd: error: MESSAGE` to standard error.
    /// Control characters (a NUL, an ANSI escape) in user text it repeats are escaped.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("lossd: error: \(EchoedText.sanitized(message))\n".utf8))
    }

    /// Reports `error` and returns the exit code to throw.
    static func fail(_ error: CommandError) -> ExitCode {
        Console.error(error.message)
        return ExitCode(error.status.rawValue)
    }
}
