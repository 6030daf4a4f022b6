// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import Foundation
import LossKit
import LossdConfig
import LossdEngine
import LossdData
import LossdPlugins

extension Lossd {
    /// `lossd check CONFIG`: validates a configuration and its drop-ins and lists the jobs it
    /// would run; every problem goes to standard error as `FILE:LINE:COLUMN: error: MESSAGE`.
    public struct Check: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Check a configuration file and its drop-ins; list the jobs it would run.",
            discussion: """
                Every problem is reported, each as FILE:LINE:COLUMN: error: MESSAGE (at KEY.PATH)
                followed by the line and a caret, on standard error; the exit status is then 78
                (EX_CONFIG). A valid file prints the daemon settings and one line per job, sweeps
                expanded, and exits 0. See docs/configuration.md for the format.

                With - as the file, the configuration is read from standard input and named <stdin>
                in messages; its relative paths are taken from the current directory.

                Examples:
                  lossd check configs/seed.yaml
                  generate-config | lossd check -
                  lossd check --quiet /etc/lossd/lossd.yaml && systemctl reload lossd

                The plugins of daemon.plugins are loaded and checked as the daemon does; here a plugin
                that does not load is an error of the file.

                Overrides and --only are those of lossd run, checked the same way: KEY=VALUE
                replaces a key that is set, +KEY=VALUE adds one, and an error in an override is
                reported as override N 'TEXT':LINE:COLUMN: error: MESSAGE.
                  lossd check configs/seed.yaml jobs.seed-mse.optimizer.lr=0.1 --only seed-mse

                --shard I/N lists only the jobs of shard I of N (as lossd run --shard runs them),
                with the shard's share of the work and its state directory.
                  lossd check sweep.yaml --shard 2/4
                """
        )

        @Argument(help: "The configuration file (YAML); - reads it from standard input.")
        var config: String

        @Argument(help: ArgumentHelp("Overrides: KEY=VALUE sets a key that is set, +KEY=VALUE adds one (VALUE is YAML).",
                                     valueName: "key=value"))
        var overrides: [String] = []

        @Option(help: ArgumentHelp("List only the jobs this selects: a job's or sweep's name, or a shell pattern (repeatable).",
                                   valueName: "pattern"))
        var only: [String] = []

        @OptionGroup var sharding: ShardOptions

        @Flag(name: .shortAndLong, help: "Print nothing when the file is valid.")
        var quiet = false

        @Flag(name: .customLong("no-snippets"), help: "Do not quote the offending line under each error.")
        var noSnippets = false

        @Option(name: .customLong("plugin"), help: ArgumentHelp("Also load this loss plugin, before daemon.plugins (repeatable).", valueName: "PATH"))
        var plugins: [String] = []

        public init() {}

        public func run() throws {
            let plugins = PluginOptions.loader()
            let losses: LossRegistry
            do throws(CommandError) { losses = try PluginOptions.registry(self.plugins, loader: plugins) } catch {
                throw Console.fail(error)
            }
            // The daemon's loader and registries: check and run always agree.
            var loader = ConfigLoader.production(plugins: plugins, environment: ProcessInfo.processInfo.environment, losses: losses)
            loader.overrides = overrides
            loader.only = JobFilter(only)
            loader.shard = try sharding.selection()
            var configuration: LossdConfiguration
            let registries: TrainingRegistries
            do throws(ConfigErrors) {
                (configuration, registries) = config == "-" ? try loader.loadStandardInputWithRegistries() : try loader.loadWithRegistries(path: config)
            } catch {
                var text = error.errors.map { noSnippets ? $0.description : $0.rendered }.joined(separator: "\n") + "\n"
                if error.truncated { text += "(stopped after \(error.errors.count) errors)\n" }
                FileHandle.standardError.write(Data(text.utf8))
                let count = error.errors.count
                let name = config == "-" ? ConfigLoader.standardInputName : config
                throw Console.fail(CommandError(.config, "\(name): \(count)\(error.truncated ? "+" : "") error\(count == 1 ? "" : "s")"))
            }
            if let shard = loader.shard { configuration.daemon.stateDirectory = shard.stateDirectory(base: configuration.daemon.stateDirectory) }
            if !quiet {
                print(CheckReport.render(configuration, registries: registries), terminator: "")
            }
        }
    }
}

/// The summary `lossd check` prints for a valid configuration.
enum CheckReport {
    static func render(_ configuration: LossdConfiguration, registries: TrainingRegistries) -> String {
        let daemon = configuration.daemon
        let dropIns = configuration.dropIns.count
        var text = "\(configuration.file): OK, \(configuration.jobs.count) job\(configuration.jobs.count == 1 ? "" : "s")"
        text += dropIns == 0 ? "\n" : " (\(dropIns) drop-in file\(dropIns == 1 ? "" : "s"))\n"
        text += "daemon: workers \(daemon.workers), report every \(format(daemon.reportInterval)), checkpoint every \(format(daemon.checkpointInterval))\n"
        text += "  state directory: \(daemon.stateDirectory)\n"
        if let shard = configuration.shard { text += "  \(shard.summary)\n" }
        if let jobs = daemon.jobsDirectory { text += "  jobs directory: \(jobs)\n" }
        let memory = configuration.memory
        text += "  memory: about \(ByteSize.format(memory.estimate)) for the enabled jobs, limit \(memory.limit)\n"
        for plugin in registries.losses.plugins {
            text += "  \(plugin.origin): \(plugin.losses.joined(separator: ", "))\n"
        }
        guard !configuration.jobs.isEmpty else { return text }
        let header = ["NAME", "LOSS", "SHAPES", "OPTIMIZER", "SCHEDULER", "STOP", "HASH", "SOURCE"]
        let rows = configuration.jobs.map { job -> [String] in
            var loss = job.loss.name
            if let entry = try? registries.losses.entry(named: job.loss.name) {
                loss += changed(job.loss.options, entry.descriptor.options)
            }
            var shapes = "\(job.initial.shape.describe)->\(job.target.shape.describe)"
            if job.initial.isRandom || job.target.isRandom { shapes += " random" }
            if let model = job.model {
                // A model job: its training data's (rows, features)->(rows, targets), and the
                // validation rows.
                let train = model.train.dataset
                shapes = "(\(train.rows),\(train.featureCount))->(\(train.rows),\(train.targetWidth))"
                if let validation = model.validation { shapes += " val \(validation.dataset.rows)" }
            }
            let optimizer = job.optimizer.name
                + changed(job.optimizer.options, (try? registries.optimizers.entry(named: job.optimizer.name))?.descriptor.options ?? [])
            let scheduler = job.scheduler.map { schedulerText($0.name, $0.options, registries.schedulers) } ?? "-"
            var stop = "\(job.stopping.maxSteps) steps"
            if let epochs = job.model?.epochs { stop = "\(epochs) epochs, " + stop }
            if let tolerance = job.stopping.tolerance { stop += ", loss<=\(number(tolerance))" }
            if let patience = job.stopping.patience { stop += ", patience \(patience)" }
            if !job.enabled { stop += " (disabled)" }
            return [job.name, loss, shapes, optimizer, scheduler, stop, job.hash.description, job.source.description]
        }
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ") + "\n"
        }
        return text + line(header) + rows.map(line).joined()
    }

    /// A scheduler and its changed options; a composite's children in brackets, each likewise.
    static func schedulerText(_ name: String, _ options: [String: OptionValue], _ registry: SchedulerRegistry) -> String {
        var options = options
        var children = ""
        if case .mappings(let items)? = options["schedulers"] {
            options["schedulers"] = nil
            children = " schedulers=[" + items.map { item in
                guard case .string(let child)? = item["name"] else { return "?" }
                return schedulerText(child, item.filter { $0.key != "name" }, registry)
            }.joined(separator: ", ") + "]"
        }
        return name + children + changed(options, (try? registry.entry(named: name))?.descriptor.options ?? [])
    }

    /// ` key=value ...` for the options that differ from their defaults.
    static func changed(_ options: [String: OptionValue], _ specs: [OptionSpec]) -> String {
        let parts = specs.compactMap { spec -> String? in
            guard let value = options[spec.name], value != spec.defaultValue else { return nil }
            return "\(spec.name)=\(describe(value))"
        }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " ")
    }

    static func describe(_ value: OptionValue) -> String {
        switch value {
        case .number(let value): number(value)
        case .string(let string): string
        case .bool(let flag): String(flag)
        case .tensor(let tensor) where tensor.shape.isEmpty: number(tensor.scalars[0])  // a number given for a tensor option
        case .tensor(let tensor) where tensor.count <= 4: "[" + tensor.scalars.map(number).joined(separator: ",") + "]"
        default: value.description
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// `500ms`, `1s`, `1.5s`, `2m`, `1h`.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        if milliseconds < 1000 { return "\(number(milliseconds))ms" }
        if milliseconds.truncatingRemainder(dividingBy: 3_600_000) == 0 { return "\(number(milliseconds / 3_600_000))h" }
        if milliseconds.truncatingRemainder(dividingBy: 60_000) == 0 { return "\(number(milliseconds / 60_000))m" }
        return "\(number(milliseconds / 1000))s"
    }
}

extension Array where Element == Int {
    fileprivate var describe: String { Tensor.describe(self) }
}

extension TensorSpec {
    fileprivate var isRandom: Bool {
        if case .random = self { return true }
        return false
    }
}
