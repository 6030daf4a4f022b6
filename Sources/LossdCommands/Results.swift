// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import CSV
import Foundation
import LossdConfig
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
                per job, a column per field of those documents (see lossd(8)), then one
                config.*, study.* and metrics.* column per setting; options, lists, shape and
                output are JSON text in their cells, tensors of more than 16 numbers left
                empty unless --with-output. The table is for reading.

                --best keeps the best job of each study; --group-by AXIS prints, per value of
                AXIS, the count, mean and sample standard deviation (n - 1) of the --sort key
                (default loss) over the other axes. Raw losses of different loss functions
                are never ranked or averaged together: use --sort metrics.NAME.
                --prune-stale moves the files of jobs the last daemon no longer runs to
                archive/<job>/<hash>/ (nothing is deleted).

                The state directory is chosen as for 'lossd status'.

                Exit status: 0 success (unreadable results are skipped with a warning), 64
                usage error or no job matches, 66 no state directory, 77 permission denied, 78
                the --config file is invalid.

                Examples:
                  lossd results --config configs/seed.yaml > seed.json
                  lossd results lr-grid --format csv --state-dir state > lr-grid.csv
                  lossd results 'study.*' --sort metrics.mae --top 5
                  lossd results a --all-runs
                  lossd results --best --sort mae --format table
                  lossd results loss-study --group-by loss --group-by optimizer.lr
                  lossd results --prune-stale
                  python3 -c 'import pandas; print(pandas.read_csv("lr-grid.csv"))'

                Several state directories (--state-dir given more than once, or a quoted
                pattern: --state-dir 'sweep/shard-*') are read as one; 'lossd results merge OUT
                DIR...' writes them into one directory (see lossd results merge --help; to
                select a job named merge, write it as a pattern: '[m]erge').
                """
        )

        /// The output formats.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case json
            case csv
            case table
        }

        @Argument(help: ArgumentHelp("Jobs to include: names, sweep names or shell patterns (default: all).", valueName: "job"), completion: .custom(JobSelection.complete))
        var jobs: [String] = []

        @OptionGroup var location: StateLocation

        @Option(help: "The output format: json (default), csv, or table (default with --group-by).")
        var format: Format?

        @Flag(name: .customLong("with-output"), help: "In CSV, keep large tensors (output, literal init/target values of more than 16 numbers).")
        var withOutput = false

        @Flag(help: "Also list the runs archived when a job's configuration changed (archive/<job>/<hash>/), each result with a \"run\" field: current or archived.")
        var allRuns = false

        @Option(help: ArgumentHelp("Sort by this field, ascending: loss, best_loss, steps, or a dotted path into the result (metrics.mae, config.optimizer.options.lr, study.axes.optimizer.lr).", valueName: "key"))
        var sort: String?

        @Flag(help: "With --sort, sort descending.")
        var reverse = false

        @Option(help: ArgumentHelp("Keep the first K results (after --sort and --best).", valueName: "k"))
        var top: Int?

        @Flag(help: "Only the best job of each study (by --sort, default loss; jobs of different loss functions need --sort metrics.NAME).")
        var best = false

        @Option(name: .customLong("group-by"), help: ArgumentHelp("Summarize --sort's key (default loss) per value of this study axis or result field: count, mean and sample standard deviation (n - 1) over the other axes, current runs only. Repeatable.", valueName: "axis"))
        var groupBy: [String] = []

        @Flag(name: .customLong("prune-stale"), help: "Move the stale jobs' files (jobs the last daemon's configuration no longer has) to archive/<job>/<hash>/, then list them.")
        var pruneStale = false

        public init() {}

        public func run() throws {
            var results: [StateReader.StoredResult] = []
            do throws(CommandError) {
                let set = try location.stateSet()
                if let top, top < 1 { throw CommandError(.usage, "--top must be at least 1, not \(top)") }
                if allRuns && !groupBy.isEmpty {
                    // An archived run is another configuration of the same job: averaged with the
                    // current runs, it would count a job twice under settings the group hides.
                    throw CommandError(.usage, "--group-by cannot be combined with --all-runs: an archived run has another configuration than the job's current one")
                }
                if pruneStale {
                    guard set.readers.count == 1 else { throw CommandError(.usage, "--prune-stale works on one state directory at a time") }
                    try Self.prune(set.readers[0])
                    return
                }
                let found = try set.jobs(archived: allRuns)
                let selected = try JobSelection(patterns: jobs).select(found.names)
                if (format ?? .json) == .json, sort == nil, !best, groupBy.isEmpty, !allRuns {
                    try Self.printDocuments(selected, set, found, top: top)
                    return
                }
                for name in selected {
                    let owner = found.owner[name]!, reader = set.readers[owner], catalog = found.catalogs[owner]
                    try Self.reading(reader) { () throws(StateReader.ReadError) -> Void? in
                        if let result = try reader.result(name, in: catalog) { results.append(allRuns ? Self.marked(result, run: "current") : result) }
                        if allRuns { results += try reader.archivedResults(name).map { Self.marked($0, run: "archived") } }
                        return ()
                    }
                }
                let key = sort.map { ResultsOrder.resolve($0, in: results) }
                if !groupBy.isEmpty {
                    if best || top != nil { throw CommandError(.usage, "--group-by cannot be combined with --best or --top") }
                    try printGroups(results, key: key ?? "loss")
                    return
                }
                if best { results = try ResultsStudy.best(results, order: ResultsOrder(key: key ?? "loss", descending: reverse)) }
                else if let key { results = try ResultsOrder(key: key, descending: reverse).sorted(results) }
                if let top { results = Array(results.prefix(top)) }
            } catch {
                throw Console.fail(error)
            }
            switch format ?? .json {
            case .table: print(ResultsColumns.table(results), terminator: "")
            case .json: print(JSONValue.array(results.map(\.json)).serialized())
            case .csv:
                do { print(try ResultsDocument.csv(results, extraColumns: allRuns ? ["run"] : [], withOutput: withOutput), terminator: "") } catch {
                    throw Console.fail(CommandError(.dataError, "cannot write CSV: \(error)"))
                }
            }
        }

        /// `--prune-stale`: moves every stale job's files (result, history, chart, model file,
        /// checkpoint) to `archive/<job>/<hash>/` (the hash of its result, else of its checkpoint)
        /// and prints one line per job; nothing is deleted.
        static func prune(_ reader: StateReader) throws(CommandError) {
            let found: [String]?
            do throws(StateReader.ReadError) { found = try reader.staleJobs(selects: { JobFilter($0).selects($1) }) } catch {
                throw StateLocation.commandError(error, directory: reader.directory)
            }
            guard let stale = found else {
                throw CommandError(.usage, "no daemon has run in \(reader.directory) (no status.json): which jobs are stale cannot be told")
            }
            let store: StateStore
            do throws(AtomicFile.WriteError) { store = try StateStore(directory: reader.directory) } catch {
                throw CommandError(.cannotCreate, "cannot open \(reader.directory): \(error)")
            }
            for job in stale {
                let hash = ((try? reader.result(job))??.record.configHash) ?? ((try? reader.checkpoint(job))??.configHash) ?? "unknown"
                do throws(AtomicFile.WriteError) {
                    let moved = try store.archiveRun(job, hash: hash, checkpoint: true)
                    print("\(job): archived to archive/\(job)/\(hash)/ (\(moved.joined(separator: ", ")))")
                } catch {
                    throw CommandError(.cannotCreate, "cannot archive stale job \(job): \(error)")
                }
            }
            if stale.isEmpty { print("no stale jobs") }
        }

        /// `--group-by`: one line per group of the axes' values.
        func printGroups(_ results: [StateReader.StoredResult], key: String) throws(CommandError) {
            let groups = try ResultsStudy.groups(results, axes: groupBy, key: key)
            switch format ?? .table {
            case .table: print(ResultsStudy.table(groups, axes: groupBy, key: key), terminator: "")
            case .json: print(ResultsStudy.json(groups, axes: groupBy, key: key).serialized())
            case .csv:
                do { print(try ResultsDocument.csv(rows: ResultsStudy.csvRows(groups, axes: groupBy, key: key)), terminator: "") } catch {
                    throw CommandError(.dataError, "cannot write CSV: \(error)")
                }
            }
        }

        /// The JSON array of the jobs' result documents as the index or the files hold them
        /// (what parsing and writing them out would print), written in pieces of about 1 MB.
        static func printDocuments(_ names: [String], _ set: StateSet, _ found: StateSet.Jobs, top: Int?) throws(CommandError) {
            var output: [UInt8] = [UInt8(ascii: "[")]
            var count = 0
            for name in names where count < top ?? .max {
                let owner = found.owner[name]!, reader = set.readers[owner], catalog = found.catalogs[owner]
                guard let document = try reading(reader, { () throws(StateReader.ReadError) in try reader.resultBytes(name, in: catalog) }) else { continue }
                if count > 0 { output += [UInt8(ascii: ","), UInt8(ascii: " ")] }
                output += document
                count += 1
                if output.count >= 1 << 20 {
                    FileHandle.standardOutput.write(Data(output))
                    output.removeAll(keepingCapacity: true)
                }
            }
            FileHandle.standardOutput.write(Data(output + Array("]\n".utf8)))
        }

        /// What `body` reads of a job; nil, with a warning, when a file of it is unreadable
        /// (permission denied stops the command).
        @discardableResult
        static func reading<T>(_ reader: StateReader, _ body: () throws(StateReader.ReadError) -> T?) throws(CommandError) -> T? {
            do throws(StateReader.ReadError) { return try body() } catch {
                if error.kind == .permission { throw StateLocation.commandError(error, directory: reader.directory) }
                Console.warning("skipped \(error)")
                return nil
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
    /// After these: ``ResultsColumns`` (config.*, study.*, metrics.*), then `extraColumns`.
    static func csv(_ results: [StateReader.StoredResult], extraColumns: [String] = [], withOutput: Bool = false) throws -> String {
        let settings = ResultsColumns.names(results)
        var rows = [columns + settings + extraColumns]
        for result in results {
            let fields = Dictionary(ResultsColumns.fields(result.json), uniquingKeysWith: { first, _ in first })
            rows.append(columns.map { ResultsColumns.cell(result.json[$0], withOutput: withOutput) }
                + settings.map { ResultsColumns.cell(fields[$0], withOutput: withOutput) }
                + extraColumns.map { cell(result.json[$0]) })
        }
        return try csv(rows: rows)
    }

    /// `rows` (the first is the header) as RFC 4180 CSV.
    static func csv(rows: [[String]]) throws -> String {
        let stream = OutputStream.toMemory()
        let writer = try CSVWriter(stream: stream)
        for row in rows { try writer.write(row: row) }
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
