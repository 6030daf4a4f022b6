// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import LossdDaemon

/// `--lock-timeout DURATION` (`30s`, `5m`; `0` exits at once, the default).
enum LockTimeout {
    static func parse(_ text: String?) throws -> Duration {
        guard let text else { return .zero }
        if text == "0" { return .zero }
        // The units of the configuration's durations (report_interval, checkpoint_interval).
        for (unit, milliseconds) in [("ms", 1.0), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)] where text.hasSuffix(unit) {
            if let amount = Double(text.dropLast(unit.count)), amount >= 0, amount * milliseconds <= 86_400_000,
               text.dropLast(unit.count).allSatisfy({ $0.isNumber || $0 == "." }) {
                return .milliseconds(amount * milliseconds)
            }
        }
        throw ValidationError("--lock-timeout '\(text)': expected a duration up to 24h such as 30s, 5m or 1h")
    }
}

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
                early stopping (or SIGINT/SIGTERM stopped the run after checkpointing; with --shard
                that is 75 instead while a job is unfinished, so that a scheduler does not count the
                shard done), 1 a job diverged or failed, 73 the state directory
                cannot be used or another lossd run or serve holds its lock (one writer per state
                directory; status, results and plot need no lock; --lock-timeout 5m waits that long
                for it first), 78 the configuration is invalid.

                Overrides (after the file) change the configuration before it is checked:
                KEY=VALUE replaces a key that is set (jobs.NAME.KEY... for the job of that name,
                daemon.KEY, defaults.KEY), +KEY=VALUE adds one that is not; VALUE is YAML
                (0.1, "text", [1, 2, 3], {name: adam, lr: 0.01}). A bad override is an error of
                the configuration (exit 78), named 'override N' with the override's text.
                --only PATTERN (repeatable) runs only the jobs it selects: a job's name, a sweep's
                name, or a shell pattern; every job is still checked.

                --shard I/N runs only shard I (from 0) of N: every job (sweeps expanded) is in
                exactly one shard, the shards balanced by elements x max_steps, the same on every
                machine (see lossd(8), SHARDS); the state directory is then STATE/shard-I, so
                that shards never share a file. --shard auto takes I and N from a Slurm array
                task (SLURM_ARRAY_TASK_ID, _COUNT, _MIN) or, with --shards N, from a Kubernetes
                Indexed Job (JOB_COMPLETION_INDEX). lossd results merge OUT STATE/shard-* joins
                the shards' results.

                Examples:
                  lossd run configs/seed.yaml --state-dir /tmp/seed-state
                  lossd run configs/seed.yaml jobs.seed-mse.optimizer.lr=0.1 daemon.workers=1
                  lossd run configs/seed.yaml --only 'seed-*' +defaults.patience=50
                  lossd run sweep.yaml --shard auto --state-dir /shared/sweep   # in a Slurm array task
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

        @OptionGroup var sharding: ShardOptions

        @Option(help: ArgumentHelp("Wait this long for another lossd to release the state directory (e.g. 5m) instead of exiting 73.",
                                   valueName: "duration"))
        var lockTimeout: String?

        public init() {}

        public func validate() throws {
            if let workers, workers < 1 || workers > 1024 { throw ValidationError("--workers must be between 1 and 1024") }
            _ = try LockTimeout.parse(lockTimeout)
        }

        public func run() async throws {
            var options = DaemonLauncher.Options(mode: .run, configPath: config, stateDirectory: stateDir, workers: workers,
                                                 overrides: overrides, only: only, shard: try sharding.selection())
            options.lockTimeout = try LockTimeout.parse(lockTimeout)
            let status = await DaemonLauncher.run(options)
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

        @OptionGroup var sharding: ShardOptions

        public init() {}

        public func validate() throws {
            if let workers, workers < 1 || workers > 1024 { throw ValidationError("--workers must be between 1 and 1024") }
        }

        public func run() async throws {
            let status = await DaemonLauncher.run(.init(mode: .serve, configPath: config, stateDirectory: stateDir, workers: workers,
                                                        shard: try sharding.selection()))
            if status != 0 { throw ExitCode(status) }
        }
    }
}
