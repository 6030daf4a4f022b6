// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `--only PATTERN` (repeatable) of `lossd run` and `lossd check`: the jobs kept, the others
/// checked but left out. A pattern selects the job of that name, the jobs of the sweep of that
/// name (`lr-grid` selects `lr-grid.lr-0.01`, ...) and, when it holds `*`, `?` or `[`, the names
/// it matches as a shell pattern (`'lr-grid.*mse*'`). A pattern that selects no job is an error.
public struct JobFilter: Sendable, Hashable {
    public var patterns: [String]

    public init(_ patterns: [String]) {
        self.patterns = patterns
    }

    /// Whether `name` is selected (every name when there are no patterns).
    public func selects(_ name: String) -> Bool {
        patterns.isEmpty || patterns.contains { Self.matches(name, $0) }
    }

    /// Whether `pattern` selects `name`.
    public static func matches(_ name: String, _ pattern: String) -> Bool {
        if name == pattern || name.hasPrefix(pattern + ".") { return true }
        guard pattern.contains(where: { "*?[".contains($0) }) else { return false }
        return fnmatch(pattern, name, 0) == 0
    }
}
