// SPDX-License-Identifier: Apache-2.0

/// Bounds on what a configuration may cost to load. Every input, however hostile, is rejected
/// with an error once it would exceed one of them; none is reached by a configuration written by
/// hand. The defaults keep a load under about 100 MB of memory and a second of time.
///
/// They bound what a file spells out. What it only asks for (random tensors, data files) is
/// bounded by memory instead: each job's ``MemoryEstimate`` against `daemon.memory_limit`
/// (``MemoryBudget``).
public struct ConfigLimits: Sendable, Hashable {
    /// Bytes in one file (4 MiB).
    public var maxFileBytes: Int = 4 << 20
    /// Bytes in the main file and all drop-ins together (64 MiB).
    public var maxTotalBytes: Int = 64 << 20
    /// YAML nodes in one file (250,000).
    public var maxNodes: Int = 250_000
    /// Nesting of lists and mappings (64).
    public var maxDepth: Int = 64
    /// Anchors (`&name`) in one file (256).
    public var maxAnchors: Int = 256
    /// Aliases (`*name`) in one file, bounded by counting `*` characters (100,000).
    public var maxAliasMarkers: Int = 100_000
    /// Nodes of one file once aliases are expanded (1,000,000): a "billion laughs" file stops here.
    public var maxExpandedNodes: Int = 1_000_000
    /// Elements of one literal tensor (2^22 = 4,194,304). A random tensor has no such bound: its
    /// size in bytes must fit in an `Int` and within the memory limit.
    public var maxTensorElements: Int = 1 << 22
    /// Elements of all literal tensors of all jobs together, sweeps expanded (2^24 = 16,777,216):
    /// a literal shared by many jobs (an alias, `defaults`, a sweep) is checked and hashed once
    /// per job.
    public var maxTotalTensorElements: Int = 1 << 24
    /// Bytes of one random tensor, whatever `daemon.memory_limit` says (no bound beyond the
    /// memory limit and the physical memory by default; a harness that must bound each load,
    /// such as the fuzz target, sets it).
    public var maxRandomTensorBytes: Int = .max
    /// Jobs after sweep expansion, in all files together (1,000,000). The one bound above the
    /// 100 MB / one second budget: loading a sweep costs about 2 KB and 30 µs per job
    /// (100,000 jobs: 220 MB, 3 s; 1,000,000: 1.8 GB, 40 s).
    public var maxJobs: Int = 1_000_000
    /// Bytes of a model job's `model.init` safetensors file (256 MiB).
    public var maxInitFileBytes: Int = 256 << 20
    /// Drop-in files read from `daemon.jobs_directory` (1,000).
    public var maxDropInFiles: Int = 1_000
    /// Errors reported before the loader stops looking (100).
    public var maxErrors: Int = 100
    /// Characters in a job name, generated sweep names included (200).
    public var maxNameLength: Int = 200

    /// The defaults above.
    public init() {}

    /// The defaults.
    public static let `default` = ConfigLimits()
}
