// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import Foundation
import LossdState

#if canImport(Glibc)
import Glibc
#endif

extension Lossd.Results {
    /// `lossd results merge OUT DIR...`: the finished jobs of several state directories (the
    /// shards of a `--shard` run) copied into one.
    ///
    /// Started by `main` when the arguments begin with `results merge`, not as a subcommand of
    /// `results`: ArgumentParser gives every positional argument to `results`' `JOB...` list
    /// before it looks for a subcommand name among them.
    public struct Merge: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "lossd results merge",
            abstract: "Merge the finished jobs of several state directories (the shards of a --shard run) into one.",
            discussion: """
                Copies each finished job's files from the directories DIR (a quoted shell pattern
                such as 'sweep/shard-*' is expanded) into the state directory OUT, byte for byte:
                results/<job>.json (and a large output's results/<job>.output.safetensors),
                history/<job>.csv, models/<job>.safetensors, charts/<job>.svg; then indexes
                them (results.index). Each result is written after the files it names, so an
                interrupted merge leaves nothing half-merged and is simply run again.

                A job found in several places with the same configuration hash is the same
                result (a job's result does not depend on the shard or machine that ran it):
                the first is kept, and a job OUT already holds is left as it is, so merging
                again is a no-op. The same job with different configuration hashes is a
                conflict: the merge names both places and writes nothing (exit 65). Jobs still
                unfinished in a DIR (a checkpoint, no result) are listed and left out. OUT is
                locked like any state directory while the merge writes it.

                Exit status: 0 merged, 64 usage error, 65 conflicting results, 66 a DIR does not
                exist, 73 OUT cannot be written or another lossd holds its lock, 77 permission
                denied.

                Examples:
                  lossd results merge /shared/sweep/merged '/shared/sweep/shard-*'
                  lossd results --state-dir /shared/sweep/merged --format csv > sweep.csv
                """
        )

        @Argument(help: ArgumentHelp("The state directory to write (created if missing).", valueName: "out"), completion: .directory)
        var output: String

        @Argument(help: ArgumentHelp("The state directories to merge, or quoted shell patterns.", valueName: "dir"), completion: .directory)
        var sources: [String]

        public init() {}

        public func run() throws {
            do throws(CommandError) {
                var location = StateLocation()
                location.stateDir = sources
                let set = try location.stateSet()
                let out = URL(fileURLWithPath: output).standardizedFileURL.path
                if let same = set.readers.first(where: { URL(fileURLWithPath: $0.directory).standardizedFileURL.path == out }) {
                    throw CommandError(.usage, "\(same.directory) is both the output and a directory to merge")
                }
                let (store, lock) = try Self.open(output)
                let summary = try withExtendedLifetime(lock) { () throws(CommandError) in try StateMerge(sources: set.readers, into: store).run() }
                print(summary)
            } catch {
                throw Console.fail(error)
            }
        }

        static func open(_ directory: String) throws(CommandError) -> (StateStore, StateDirectoryLock) {
            do throws(StateDirectoryLock.Failure) {
                let (store, lock) = try StateStore.locked(directory: directory, command: CommandLine.arguments)
                return (store, lock)
            } catch {
                throw CommandError(.cannotCreate, error.description)
            }
        }
    }
}

/// The merge itself (see ``Lossd/Results/Merge``).
struct StateMerge {
    let sources: [StateReader]
    let store: StateStore

    init(sources: [StateReader], into store: StateStore) {
        self.sources = sources
        self.store = store
    }

    /// A finished job found in a source.
    struct Found {
        var source: Int
        var hash: String
    }

    func run() throws(CommandError) -> String {
        let target = StateReader(directory: store.directory)
        var existing: [String: String] = [:]
        var plan: [String: Found] = [:]
        var order: [String] = []
        var conflicts: [String] = []
        var unfinished: [(job: String, directory: String)] = []
        var duplicates = 0
        do throws(StateReader.ReadError) {
            let catalog = try target.resultCatalog()
            for name in catalog.names { existing[name] = try Self.hash(name, target, catalog) }
        } catch {
            throw StateLocation.commandError(error, directory: store.directory)
        }
        for (index, source) in sources.enumerated() {
            do throws(StateReader.ReadError) {
                let catalog = try source.resultCatalog()
                let finished = catalog.names
                let results = Set(finished)
                unfinished += try source.jobNames().filter { !results.contains($0) }.map { ($0, source.directory) }
                for name in finished {
                    guard let hash = try Self.hash(name, source, catalog) else { continue }
                    if let earlier = plan[name] {
                        if earlier.hash != hash {
                            conflicts.append("job \(name): config hash \(earlier.hash) in \(sources[earlier.source].directory), \(hash) in \(source.directory)")
                        }
                        duplicates += 1
                    } else if let kept = existing[name] {
                        if kept != hash {
                            conflicts.append("job \(name): config hash \(kept) in \(store.directory) (the output), \(hash) in \(source.directory)")
                        }
                        plan[name] = Found(source: index, hash: hash)
                    } else {
                        plan[name] = Found(source: index, hash: hash)
                        order.append(name)
                    }
                }
            } catch {
                throw StateLocation.commandError(error, directory: source.directory)
            }
        }
        guard conflicts.isEmpty else {
            let shown = conflicts.prefix(10).joined(separator: "\n  ")
            throw CommandError(.dataError, "\(conflicts.count) conflicting result\(conflicts.count == 1 ? "" : "s"), nothing merged "
                               + "(the same job run with different configurations; merge the directories of one configuration):\n  \(shown)"
                               + (conflicts.count > 10 ? "\n  and \(conflicts.count - 10) more" : ""))
        }
        for name in order { try copy(name, from: sources[plan[name]!.source]) }
        do throws(AtomicFile.WriteError) {
            for folder in ["results", "history", "models", "charts"] where access("\(store.directory)/\(folder)", F_OK) == 0 {
                try AtomicFile.syncDirectory("\(store.directory)/\(folder)")
            }
        } catch {
            throw CommandError(.cannotCreate, "cannot sync \(store.directory): \(error)")
        }
        _ = store.reconcileResultIndex()
        // A job unfinished in one directory but finished in another (moved between shards) is merged.
        let left = unfinished.filter { plan[$0.job] == nil && existing[$0.job] == nil }.map { "\($0.job) (\($0.directory))" }
        if !left.isEmpty {
            Console.warning("\(left.count) unfinished job\(left.count == 1 ? "" : "s") left out (no result yet): "
                            + left.prefix(10).joined(separator: ", ") + (left.count > 10 ? ", ..." : ""))
        }
        let kept = plan.count - order.count
        return "merged \(order.count) result\(order.count == 1 ? "" : "s") from \(sources.count) director\(sources.count == 1 ? "y" : "ies") into \(store.directory)"
            + (kept > 0 ? " (\(kept) already there)" : "") + (duplicates > 0 ? "; \(duplicates) found twice with the same configuration, merged once" : "")
    }

    /// The configuration hash of `name`'s result document (from the index, else the file; the
    /// index's summary does not carry it).
    static func hash(_ name: String, _ reader: StateReader, _ catalog: StateReader.ResultCatalog) throws(StateReader.ReadError) -> String? {
        try reader.result(name, in: catalog)?.record.configHash
    }

    /// Copies a job's files, its result last (it names the output file, and is what marks the
    /// job finished); only the output file is synced on its own, before the result.
    func copy(_ name: String, from source: StateReader) throws(CommandError) {
        let files = [
            ("results/\(LossdState.OutputFile.name(name))", true), ("history/\(name).csv", false), (StateStore.modelFile(name), false),
            ("charts/\(name).svg", false), ("results/\(name).json", false),
        ]
        for (file, sync) in files {
            let from = "\(source.directory)/\(file)"
            guard let bytes = AtomicFile.read(from) else {
                if errno == ENOENT, file != "results/\(name).json" { continue }  // the job has no such file
                throw CommandError(errno == EACCES ? .noPermission : .noInput, "cannot read \(from): \(String(cString: strerror(errno)))")
            }
            do throws(AtomicFile.WriteError) {
                let to = "\(store.directory)/\(file)"
                try AtomicFile.makeDirectory(URL(fileURLWithPath: to).deletingLastPathComponent().path)
                try AtomicFile.write(bytes, to: to, syncingDirectory: sync)
            } catch {
                throw CommandError(.cannotCreate, "cannot write \(store.directory)/\(file): \(error)")
            }
        }
    }
}
