// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import CSV
import Foundation
import LossdState
import LossdJSON

extension Lossd {
    /// `lossd results`: every finished job's result as one JSON or CSV document.
    public struct Results: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Print every finished job's result as one JSON or CSV document.",
            discussion: """
                JSON (the default) is an array of the results/<job>.json documents, by job
                name, every field as the daemon wrote it; non-finite numbers are NaN, Infinity
                and -Infinity as Python's json module reads them. CSV has a header and one row
                per job, a column per field of those documents (see lossd(8)); options,
                shape and output are JSON text in their cells.

                The state directory is chosen as for 'lossd status'.

                Exit status: 0 success (unreadable results are skipped with a warning), 64
                usage error or no job matches, 66 no state directory, 77 permission denied, 78
                the --config file is invalid.

                Examples:
                  lossd results --config configs/seed.yaml > seed.json
                  lossd results lr-grid --format csv --state-dir state > lr-grid.csv
                  lossd results 'study.*' --sort metrics.mae --top 5
                  lossd results a --all-runs
                  python3 -c 'import pandas; print(pandas.read_csv("lr-grid.csv"))'
                """
        )

        /// The output formats.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case json
            case csv
        }

        @Argument(help: ArgumentHelp("Jobs to include: names, sweep names or shell patterns (default: all).", valueName: "job"), completion: .custom(JobSelection.complete))
        var jobs: [String] = []

        @OptionGroup var location: StateLocation

        @Option(help: "The output format.")
        var format: Format = .json

        @Flag(help: "Also list the runs archived when a job's configuration changed (archive/<job>/<hash>/), each result with a \"run\" field: current or archived.")
        var allRuns = false

        @Option(help: ArgumentHelp("Sort by this field, ascending: loss, best_loss, steps, or a dotted path into the result (metrics.mae, config.optimizer.options.lr, study.axes.optimizer.lr).", valueName: "key"))
        var sort: String?

        @Flag(help: "With --sort, sort descending.")
        var reverse = false

        @Option(help: ArgumentHelp("Keep the first K results (after --sort).", valueName: "k"))
        var top: Int?

        public init() {}

        public func run() throws {
            var results: [StateReader.StoredResult] = []
            do throws(CommandError) {
                let reader = try location.reader()
                if let top, top < 1 { throw CommandError(.usage, "--top must be at least 1, not \(top)") }
                var names: [String]
                do throws(StateReader.ReadError) {
                    names = try reader.jobNames()
                    if allRuns { names = Array(Set(names + (try reader.archivedJobNames()))).sorted() }
                } catch {
                    throw StateLocation.commandError(error, directory: reader.directory)
                }
                for name in try JobSelection(patterns: jobs).select(names) {
                    do throws(StateReader.ReadError) {
                        if let result = try reader.result(name) { results.append(allRuns ? Self.marked(result, run: "current") : result) }
                        if allRuns { results += try reader.archivedResults(name).map { Self.marked($0, run: "archived") } }
                    } catch {
                        if error.kind == .permission { throw StateLocation.commandError(error, directory: reader.directory) }
                        Console.warning("skipped \(error)")
                    }
                }
                if let sort { results = try ResultsOrder(key: sort, descending: reverse).sorted(results) }
                if let top { results = Array(results.prefix(top)) }
            } catch {
                throw Console.fail(error)
            }
            switch format {
            case .json: print(JSONValue.array(results.map(\.json)).serialized())
            case .csv:
                do { print(try ResultsDocument.csv(results, extraColumns: allRuns ? ["run"] : []), terminator: "") } catch {
                    throw Console.fail(CommandError(.dataError, "cannot write CSV: \(error)"))
                }
            }
        }

        /// The result with a `run` field (`current` or `archived`) appended.
        static func marked(_ result: StateReader.StoredResult, run: String) -> StateReader.StoredResult {
            guard case .object(let pairs) = result.json else { return result }
            var marked = result
            marked.json = .object(pairs + [("run", .string(run))])
            return marked
        }
    }
}

/// The CSV rendering of results.
enum ResultsDocument {
    static let columns = [
        "name", "status", "status_detail", "status_code", "steps", "loss", "best_loss", "grad_norm", "lr", "loss_function", "loss_options",
        "optimizer", "optimizer_options", "scheduler", "started_at", "finished_at", "elapsed_seconds", "resumed", "config_hash",
        "shape", "output",
    ]

    /// RFC 4180 CSV (lines end with LF) with a header row.
    static func csv(_ results: [StateReader.StoredResult], extraColumns: [String] = []) throws -> String {
        let stream = OutputStream.toMemory()
        let writer = try CSVWriter(stream: stream)
        let columns = columns + extraColumns
        try writer.write(row: columns)
        for result in results {
            try writer.write(row: columns.map { cell(result.json[$0]) })
        }
        writer.stream.close()
        guard let data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else { throw CSVError.cannotWriteStream }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// A field's text: strings bare, null empty, numbers as JSON writes them, the rest as JSON.
    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: ""
        case .string(let text)?: text
        case let other?: other.serialized()
        }
    }
}
