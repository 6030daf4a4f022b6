// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import LossdDaemon

extension Lossd {
    /// `lossd run`: every job of a configuration, in the foreground, to its end.
    public struct Run: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run every job of a configuration to its end, then exit.",
            discussion: """
                Results go to the state directory (--state-dir, daemon.state_directory, or 'state'
                beside the configuration): results/<job>.json, history/<job>.csv, checkpoints/.
                A job already finished with the same configuration is not run again; an interrupted
                one resumes from its checkpoint. On a terminal a live table shows each job.

                Exit status: 0 every job converged, reached max_steps or was pruned by its study's
                early stopping (or SIGINT/SIGTERM stopped the run after checkpointing), 1 a job diverged or failed, 73 the state directory
                cannot be used or another lossd run or serve holds its lock (one writer per state
                directory; status, results and plot need no lock), 78 the configuration is invalid.

                Overrides (after the file) change the configuration before it is checked:
                KEY=VALUE replaces a key that is set (jobs.NAME.KEY... for the job of that name,
                daemon.KEY, defaults.KEY), +KEY=VALUE adds one that is not; VALUE is YAML
                (0.1, "text", [1, 2, 3], {name: adam, lr: 0.01}). A bad override is an error of
                the configuration (exit 78), named 'override N' with the override's text.
                --only PATTERN (repeatable) runs only the jobs it selects: a job's name, a sweep's
                name, or a shell pattern; every job is still checked.

                Examples:
                  lossd run configs/seed.yaml --state-dir /tmp/seed-state
                  lossd run configs/seed.yaml jobs.seed-mse.optimizer.lr=0.1 daemon.workers=1
                  lossd run configs/seed.yaml --only 'seed-*' +defaults.patience=50
                """
        )

        @Argument(help: "The configuration file.")
        var config: String

        @Argument(help: ArgumentHelp("Overrides: KEY=VALUE sets a key that is set, +KEY=VALUE adds one (VALUE is YAML).",
                                     valueName: "key=value"))
        var overrides: [String] = []

        @Option(help: ArgumentHelp("Run only the jobs this selects: a job's or sweep's name, or a shell pattern (repeatable).",
                                   valueName: "pattern"))
        var only: [String] = []

        @Option(help: "Where results, histories and checkpoints go (overrides daemon.state_directory).")
        var stateDir: String?

        @Option(help: "Worker threads (overrides daemon.workers; default: one per CPU).")
        var workers: Int?

        public init() {}

        public func validate() throws {
            if let workers, workers < 1 || workers > 1024 { throw ValidationError("--workers must be between 1 and 1024") }
        }

        public func run() async throws {
            let status = await DaemonLauncher.run(.init(mode: .run, configPath: config, stateDirectory: stateDir, workers: workers,
                                                        overrides: overrides, only: only))
            if status != 0 { throw ExitCode(status) }
        }
    }

    /// `lossd serve`: the long-running service systemd starts.
    public struct Serve: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run the jobs as a service: stay up, reload on SIGHUP, stop with a checkpoint on SIGTERM.",
            discussion: """
                Reports to journald and to systemd (READY=1, STATUS=, WATCHDOG=1, RELOADING=1,
                STOPPING=1). On SIGHUP the configuration and its drop-ins are read again: new and
                changed jobs start, removed ones stop with a checkpoint, unchanged ones run on; a
                configuration that fails validation is rejected and the old one keeps running.
                Like run, it holds the state directory's lock until it exits (exit status 73 when
                another lossd holds it).

                Example (what lossd.service runs):
                  lossd serve --config /etc/lossd/lossd.yaml
                """
        )

        @Option(help: "The configuration file.")
        var config: String

        @Option(help: "Where results, histories and checkpoints go (default: $STATE_DIRECTORY under systemd).")
        var stateDir: String?

        @Option(help: "Worker threads (overrides daemon.workers).")
        var workers: Int?

        public init() {}

        public func validate() throws {
            if let workers, workers < 1 || workers > 1024 { throw ValidationError("--workers must be between 1 and 1024") }
        }

        public func run() async throws {
            let status = await DaemonLauncher.run(.init(mode: .serve, configPath: config, stateDirectory: stateDir, workers: workers))
            if status != 0 { throw ExitCode(status) }
        }
    }
}
