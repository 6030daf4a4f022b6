// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdState

#if canImport(Glibc)
import Glibc
#endif

/// The `JOB...` arguments of `lossd plot`, `status` and `results`: each is a job's name, a
/// sweep's name (`lr-grid` selects `lr-grid.lr-0.01`, `lr-grid.lr-0.1`, ...) or a shell
/// pattern (`'lr-grid.*mse*'`). No argument selects every job.
struct JobSelection {
    var patterns: [String]

    /// The jobs of `names` the patterns select, in `names`' order. A pattern that selects no job
    /// is a usage error naming the closest jobs.
    func select(_ names: [String]) throws(CommandError) -> [String] {
        guard !patterns.isEmpty else { return names }
        var selected = Set<String>()
        for pattern in patterns {
            let matched = names.filter { Self.matches($0, pattern) }
            if matched.isEmpty {
                let hint = names.isEmpty ? " (the state directory has no jobs)" : Suggestions.didYouMean(pattern, among: names)
                throw CommandError(.usage, "no job matches '\(pattern)'\(hint)")
            }
            selected.formUnion(matched)
        }
        return names.filter(selected.contains)
    }

    /// Shell completion of `JOB` arguments: the jobs of the state directory named on the command
    /// line so far (`--state-dir DIR`), or of the default one.
    @Sendable static func complete(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        var location = StateLocation()
        if let flag = words.firstIndex(of: "--state-dir"), flag + 1 < words.count, flag + 1 != index {
            location.stateDir = [words[flag + 1]]
        }
        guard let directory = try? location.resolve(), let names = try? StateReader(directory: directory).jobNames() else { return [] }
        return names.filter { $0.hasPrefix(prefix) }
    }

    static func matches(_ name: String, _ pattern: String) -> Bool {
        if name == pattern || name.hasPrefix(pattern + ".") { return true }
        guard pattern.contains(where: { "*?[".contains($0) }) else { return false }
        return fnmatch(pattern, name, 0) == 0
    }
}
