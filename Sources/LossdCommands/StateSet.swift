// SPDX-License-Identifier: Apache-2.0

import LossdState

/// Several state directories read as one (`--state-dir A --state-dir B`, or a pattern such as
/// `'sweep/shard-*'`): the shards of a `--shard` run, side by side.
///
/// Each job is read from the directory that holds it. A job found in several directories is
/// read from the first that has its result (else the first that has it at all); two results of
/// it with different configuration hashes are an error naming both directories, since neither
/// can stand for the other (a job moved between shards by a changed configuration leaves
/// copies with the same hash, which are the same result).
struct StateSet {
    let readers: [StateReader]

    /// The directories, for messages: `A`, or `A, B and 2 more`.
    var description: String {
        let names = readers.map(\.directory)
        if names.count <= 2 { return names.joined(separator: " and ") }
        return "\(names[0]), \(names[1]) and \(names.count - 2) more"
    }

    /// Every job's directory (an index into ``readers``) and each directory's result catalog.
    struct Jobs {
        /// Every job, sorted.
        var names: [String]
        var owner: [String: Int]
        var catalogs: [StateReader.ResultCatalog]
    }

    /// Lists every directory's jobs (``StateReader/jobNames()``, plus archived jobs with
    /// `archived`) and resolves the jobs found more than once.
    func jobs(archived: Bool = false, documents: Bool = true) throws(CommandError) -> Jobs {
        var owner: [String: Int] = [:]
        var catalogs: [StateReader.ResultCatalog] = []
        for (index, reader) in readers.enumerated() {
            var names: [String]
            do throws(StateReader.ReadError) {
                names = try reader.jobNames()
                if archived { names += try reader.archivedJobNames() }
                catalogs.append(try reader.resultCatalog(documents: documents))
            } catch {
                throw StateLocation.commandError(error, directory: reader.directory)
            }
            for name in names {
                guard let first = owner[name] else {
                    owner[name] = index
                    continue
                }
                if first != index { owner[name] = try choose(name, first, index, catalogs) }
            }
        }
        return Jobs(names: owner.keys.sorted(), owner: owner, catalogs: catalogs)
    }

    /// Which of two directories holding `name` to read: see the type's documentation.
    private func choose(_ name: String, _ first: Int, _ second: Int, _ catalogs: [StateReader.ResultCatalog]) throws(CommandError) -> Int {
        func hash(_ index: Int) throws(StateReader.ReadError) -> String? {
            // The file, not the index's summary, which does not carry the hash.
            try readers[index].result(name)?.record.configHash
        }
        let firstHash: String?, secondHash: String?
        do throws(StateReader.ReadError) { secondHash = try hash(second) } catch {
            throw StateLocation.commandError(error, directory: readers[second].directory)
        }
        do throws(StateReader.ReadError) { firstHash = try hash(first) } catch {
            throw StateLocation.commandError(error, directory: readers[first].directory)
        }
        guard let secondHash else { return first }
        guard let firstHash else { return second }
        if firstHash == secondHash { return first }
        throw CommandError(.dataError, "job \(name) has different results in \(readers[first].directory) (config hash \(firstHash)) "
                           + "and \(readers[second].directory) (config hash \(secondHash)): read one directory, or move the stale one away "
                           + "(lossd results --prune-stale)")
    }
}
