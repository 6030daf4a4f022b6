// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import LossdConfig

/// `--shard I/N|auto` and `--shards N` of `lossd run`, `serve` and `check` (see ``ShardSelection``).
struct ShardOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only shard I (from 0) of N of the jobs, into STATE/shard-I; auto: from the Slurm array task or Kubernetes Indexed Job.",
                               valueName: "I/N|auto"))
    var shard: String?

    @Option(help: ArgumentHelp("The number of shards for --shard auto under a Kubernetes Indexed Job (its completions).", valueName: "n"))
    var shards: Int?

    func validate() throws {
        if shards != nil, shard == nil { throw ValidationError("--shards needs --shard (auto, or I/N)") }
        _ = try selection()
    }

    /// The shard chosen, nil without `--shard`.
    func selection(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ShardSelection? {
        guard let shard else { return nil }
        do throws(ShardSelection.Problem) { return try ShardSelection.resolve(shard, shards: shards, environment: environment) } catch {
            throw ValidationError(error.description)
        }
    }
}
