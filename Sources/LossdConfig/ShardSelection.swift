// SPDX-License-Identifier: Apache-2.0

/// `--shard I/N` of `lossd run`, `serve` and `check`: shard `I` (from 0) of `N`, each shard a
/// disjoint part of the configuration's jobs (see ``ShardPlan``), run into its own state
/// directory, `BASE/shard-I`.
///
/// `--shard auto` takes the shard from the scheduler that started the process: a Slurm array
/// task (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`, `SLURM_ARRAY_TASK_MIN`,
/// `SLURM_ARRAY_TASK_STEP`: shard `(ID - MIN) / STEP` of `COUNT`), or a Kubernetes Indexed Job
/// (`JOB_COMPLETION_INDEX`, with the Job's `completions` given as `--shards N`).
public struct ShardSelection: Sendable, Hashable, CustomStringConvertible {
    /// The shard, from 0.
    public let index: Int
    /// How many shards there are.
    public let count: Int

    /// The most shards a configuration can be split into.
    public static let maxCount = 1_000_000

    /// Why a shard could not be chosen; the message names the argument or variable at fault.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public init(index: Int, count: Int) throws(Problem) {
        guard (1...Self.maxCount).contains(count) else {
            throw Problem("the number of shards must be between 1 and \(Self.maxCount), not \(count)")
        }
        guard (0..<count).contains(index) else {
            throw Problem("shard \(index) does not exist: shards of \(count) are numbered 0 to \(count - 1)")
        }
        self.index = index
        self.count = count
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// The shard's own state directory under `base`.
    public func stateDirectory(base: String) -> String {
        (base.hasSuffix("/") && base.count > 1 ? String(base.dropLast()) : base) + "/shard-\(index)"
    }

    /// The shard `argument` names: `I/N`, or `auto` read from `environment`; `shards` is
    /// `--shards N`.
    public static func resolve(_ argument: String, shards: Int?, environment: [String: String]) throws(Problem) -> ShardSelection {
        let selection: ShardSelection
        if argument == "auto" {
            selection = try automatic(shards: shards, environment: environment)
        } else {
            let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
                throw Problem("--shard '\(argument)': expected I/N (shard I of N, I from 0 to N-1, e.g. 0/4) or auto")
            }
            do throws(Problem) { selection = try ShardSelection(index: index, count: count) } catch {
                throw Problem("--shard '\(argument)': \(error)")
            }
        }
        if let shards, shards != selection.count {
            throw Problem("--shards \(shards) disagrees with the \(selection.count) shards of --shard \(argument == "auto" ? "auto (\(selection))" : argument)")
        }
        return selection
    }

    static func automatic(shards: Int?, environment: [String: String]) throws(Problem) -> ShardSelection {
        func number(_ name: String) throws(Problem) -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw Problem("--shard auto: \(name)='\(text)' is not a whole number") }
            return value
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            guard let count = try number("SLURM_ARRAY_TASK_COUNT") else {
                throw Problem("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
            }
            let minimum = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = max(1, try number("SLURM_ARRAY_TASK_STEP") ?? 1)
            let offset = id - minimum
            guard offset >= 0, offset % step == 0 else {
                throw Problem("--shard auto: array task \(id) is not in the range \(minimum)-... step \(step); submit the array as --array=0-\(count - 1)")
            }
            do throws(Problem) { return try ShardSelection(index: offset / step, count: count) } catch {
                throw Problem("--shard auto: array task \(id) (SLURM_ARRAY_TASK_MIN=\(minimum), SLURM_ARRAY_TASK_COUNT=\(count)): \(error); submit the array as --array=0-\(count - 1)")
            }
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let shards else {
                throw Problem("--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the number of shards is not: give --shards N, the Job's completions")
            }
            do throws(Problem) { return try ShardSelection(index: index, count: shards) } catch {
                throw Problem("--shard auto: JOB_COMPLETION_INDEX=\(index) with --shards \(shards): \(error)")
            }
        }
        throw Problem("--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm array task) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard I/N")
    }
}
