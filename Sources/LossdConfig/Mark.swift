// SPDX-License-Identifier: Apache-2.0

/// A position in a configuration file: 1-based line and column (columns count Unicode scalars,
/// as libyaml does; a tab is one column).
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The start of a file.
    public static let start = Mark(line: 1, column: 1)

    public static func < (lhs: Mark, rhs: Mark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    /// `LINE:COLUMN`.
    public var description: String { "\(line):\(column)" }
}

/// A file and a position in it: where a job or a setting was written.
public struct ConfigLocation: Sendable, Hashable, CustomStringConvertible {
    /// The path as given to the loader (or found in the drop-in directory).
    public var file: String
    public var mark: Mark

    public init(file: String, mark: Mark) {
        self.file = file
        self.mark = mark
    }

    /// `FILE:LINE:COLUMN`.
    public var description: String { "\(file):\(mark)" }
}
