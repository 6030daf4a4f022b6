// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import Foundation
import LossdState
import LossdPlot

extension Lossd {
    /// `lossd plot`: the loss curves of the jobs in a state directory on one chart.
    public struct Plot: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Draw the loss curves of jobs on one chart (SVG, or PNG through rsvg-convert).",
            discussion: """
                One line per job from history/<job>.csv (written at each checkpoint while a
                job runs and when it ends), with a legend naming each job and how it ended.
                The loss axis is logarithmic unless a loss is negative (--scale changes it);
                losses of 0 on a log axis are drawn on its bottom edge. A sweep's name selects
                all of its jobs, so they can be compared on one chart. The SVG is
                self-contained (no script, no external resource): open it in a browser or an
                image viewer. A model job draws two lines, 'JOB train' (each epoch's mean
                training loss) and 'JOB validation' (each epoch's validation loss, with
                validation data), at the step each epoch ended.

                The daemon also draws each job's chart into charts/<job>.svg when the job
                ends. The state directory is chosen as for 'lossd status'.

                Exit status: 0 success, 64 usage error or no job matches, 65 a history file is
                malformed, 66 no state directory or no history to plot, 69 PNG output without
                rsvg-convert (Debian: librsvg2-bin), 73 the output file cannot be written, 77
                permission denied, 78 the --config file is invalid.

                Examples:
                  lossd plot --config configs/seed.yaml -o seed.svg
                  lossd plot lr-grid --state-dir state --title 'Adam rates' -o lr-grid.svg
                  lossd plot 'seed-cross*' --scale linear -o ce.png
                """
        )

        @Argument(help: ArgumentHelp("Jobs to draw: names, sweep names or shell patterns (default: all with a history).",
                                     valueName: "job"), completion: .custom(JobSelection.complete))
        var jobs: [String] = []

        @OptionGroup var location: StateLocation

        @Option(name: .shortAndLong, help: ArgumentHelp("Write the chart here: .svg, or .png (default: SVG on standard output).",
                                                         valueName: "file"),
                completion: .file(extensions: ["svg", "png"]))
        var output: String?

        @Option(help: "The chart's title (default: names the job, sweep or state directory).")
        var title: String?

        @Option(help: ArgumentHelp("The loss axis: auto (log unless a loss is negative), log or linear.", valueName: "scale"))
        var scale: LossChart.Scale = .auto

        @Option(help: "The canvas width in pixels (it grows to fit a long legend).")
        var width = 960

        @Option(help: "The canvas height in pixels (it grows to fit a long legend).")
        var height = 540

        public init() {}

        public func validate() throws {
            guard (320...10000).contains(width), (200...10000).contains(height) else {
                throw ValidationError("--width must be 320...10000 and --height 200...10000")
            }
            if let output, output != "-", !["svg", "png"].contains(Self.fileExtension(output)) {
                throw ValidationError("--output must end in .svg or .png")
            }
        }

        public func run() throws {
            do throws(CommandError) {
                let chart = try PlotBuilder(states: try location.stateSet(), patterns: jobs).chart(title: title, scale: scale, width: width, height: height)
                try write(chart.svg())
            } catch {
                throw Console.fail(error)
            }
        }

        func write(_ svg: String) throws(CommandError) {
            if let output, output != "-", Self.fileExtension(output) == "png" {
                try PNGConverter.convert(svg, to: output)
                return
            }
            try OutputFile.write(svg, to: output)
        }

        static func fileExtension(_ path: String) -> String {
            URL(fileURLWithPath: path).pathExtension.lowercased()
        }
    }
}

extension LossChart.Scale: ExpressibleByArgument {}

/// Collects the curves `lossd plot` draws.
struct PlotBuilder {
    let states: StateSet
    let patterns: [String]

    func chart(title: String?, scale: LossChart.Scale, width: Int, height: Int) throws(CommandError) -> LossChart {
        let found = try states.jobs(documents: false)
        let selected = try JobSelection(patterns: patterns).select(found.names)
        // Where unfinished jobs stand (running, stopped), for the legend.
        var live: [String: String] = [:]
        for (index, reader) in states.readers.enumerated() {
            guard let overview = try? StateOverview.read(reader) else { continue }
            for job in overview.jobs where job.standing != .unknown && found.owner[job.name] == index {
                live[job.name] = job.step.map { "\(job.standing.name) at step \($0)" } ?? job.standing.name
            }
        }
        var series: [LossSeries] = []
        var drawn: [String] = []
        var missing: [String] = []
        for name in selected {
            let reader = states.readers[found.owner[name]!]
            do throws(StateReader.ReadError) {
                guard let (history, epochs) = try reader.historyWithEpochs(name), !history.isEmpty || epochs?.isEmpty == false else {
                    missing.append(name)
                    continue
                }
                let record = try? reader.result(name)?.record
                series += JobChart.curves(name, history, epochs: epochs ?? [], detail: JobChart.detail(record: record, standing: live[name]))
                drawn.append(name)
            } catch {
                throw StateLocation.commandError(error, directory: reader.directory)
            }
        }
        guard !series.isEmpty else {
            let what = patterns.isEmpty ? "no job" : "none of \(selected.joined(separator: ", "))"
            throw CommandError(.noInput, "\(what) in \(states.description) has a history yet (histories are written at checkpoints and when a job ends)")
        }
        if !patterns.isEmpty, !missing.isEmpty { Console.warning("no history yet for \(missing.joined(separator: ", "))") }
        return LossChart(title: title ?? defaultTitle(drawn), subtitle: subtitle(series), series: series,
                         scale: scale, width: Double(width), height: Double(height))
    }

    /// `lossd job NAME`, `lossd sweep NAME (N jobs)` or `lossd: N jobs`.
    func defaultTitle(_ names: [String]) -> String {
        if names.count == 1 { return "lossd job \(names[0])" }
        let bases = Set(names.map { $0.split(separator: ".", maxSplits: 1).first.map(String.init) ?? $0 })
        if bases.count == 1, let base = bases.first, names.allSatisfy({ $0.hasPrefix(base + ".") }) {
            return "lossd sweep \(base) (\(names.count) jobs)"
        }
        return "lossd: \(names.count) jobs"
    }

    func subtitle(_ series: [LossSeries]) -> String {
        let points = series.reduce(0) { $0 + $1.points.count }
        return "\(states.description): \(points) recorded steps"
    }
}

/// PNG output: the SVG rasterised by librsvg's `rsvg-convert` (Debian: librsvg2-bin), the
/// renderer GNOME uses, rather than a rasteriser of lossd's own.
enum PNGConverter {
    static func convert(_ svg: String, to path: String) throws(CommandError) {
        guard let tool = executable("rsvg-convert") else {
            throw CommandError(.unavailable, "PNG output needs rsvg-convert (Debian and Ubuntu: apt-get install librsvg2-bin); or write .svg")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--format", "png", "--background-color", "white", "--output", path]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { throw CommandError(.unavailable, "cannot run \(tool): \(error.localizedDescription)") }
        input.fileHandleForWriting.write(Data(svg.utf8))
        try? input.fileHandleForWriting.close()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandError(.cannotCreate, "rsvg-convert could not write \(path): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// The first executable `name` on `$PATH`.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
