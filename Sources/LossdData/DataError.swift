// SPDX-License-Identifier: Apache-2.0

/// An error from loading, checking or splitting a dataset. It names the file, the line (a CSV
/// line, the header being line 1) and the column at fault where there is one:
///
///     data/iris.csv:17: column 'sepal_length': not a number: 'abc'
///     y.npy: unsupported dtype '>f8' (big-endian data is not supported)
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, matchable kind of error.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable { case unreadable, malformed, invalidValue, missingColumn, tooLarge, invalidArgument }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The file cannot be opened or read.
        public static let unreadable = Code(.unreadable)
        /// The file's structure is wrong: no header, a row of the wrong length, a bad NPY header,
        /// truncated data, shapes that do not fit.
        public static let malformed = Code(.malformed)
        /// A cell or element cannot be used: not a number, empty, NaN or infinite, a class out of range.
        public static let invalidValue = Code(.invalidValue)
        /// A requested column is not in the header.
        public static let missingColumn = Code(.missingColumn)
        /// The data is larger than the loader's ``DataLimits``.
        public static let tooLarge = Code(.tooLarge)
        /// An argument of the call is out of range (a split fraction, a generator setting).
        public static let invalidArgument = Code(.invalidArgument)

        public var description: String { kind.rawValue }
    }

    /// What went wrong, for matching.
    public var code: Code
    /// The file at fault, as the data source names it (for synthetic data, the generator's name:
    /// `synthetic regression`); nil for an argument of a call.
    public var file: String?
    /// The 1-based line in a CSV file (the header is line 1); nil when no line applies.
    public var line: Int?
    /// The column at fault (a header name), or nil.
    public var column: String?
    /// A sentence for people (without the location).
    public var message: String

    public init(_ code: Code, file: String? = nil, line: Int? = nil, column: String? = nil, _ message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE: column 'c': message`, each part present when known.
    public var description: String {
        var text = ""
        if let file {
            text = file
            if let line { text += ":\(line)" }
            text += ": "
        }
        if let column { text += "column '\(column)': " }
        return text + message
    }
}
