// SPDX-License-Identifier: Apache-2.0

/// One problem in a configuration, located in its file: `FILE:LINE:COLUMN: error: MESSAGE (at PATH)`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, matchable kind of problem.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case unreadable, encoding, empty, syntax, limit, unknownKey, duplicateKey, wrongType, missingKey
            case outOfRange, nonFinite, unknownLoss, unknownOptimizer, unknownScheduler, unknownOption
            case invalidTensor, invalidArguments, duplicateJob, invalidName, invalidSweep, invalidValue, plugin
            case unknownLayer, invalidData
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The file is missing, a directory, unreadable, or too large.
        public static let unreadable = Code(.unreadable)
        /// The file is not valid UTF-8.
        public static let encoding = Code(.encoding)
        /// The file holds no YAML document.
        public static let empty = Code(.empty)
        /// libyaml rejected the text.
        public static let syntax = Code(.syntax)
        /// A loading bound of ``ConfigLimits`` was exceeded.
        public static let limit = Code(.limit)
        /// A key the schema does not know.
        public static let unknownKey = Code(.unknownKey)
        /// The same key twice in one mapping.
        public static let duplicateKey = Code(.duplicateKey)
        /// A value of the wrong type (a string for a number, a list for a mapping, ...).
        public static let wrongType = Code(.wrongType)
        /// A required key is absent.
        public static let missingKey = Code(.missingKey)
        /// A number outside its range (`lr` must be > 0, ...).
        public static let outOfRange = Code(.outOfRange)
        /// `.inf`, `.nan` or a number too large for a double.
        public static let nonFinite = Code(.nonFinite)
        /// No loss of that name in the registry.
        public static let unknownLoss = Code(.unknownLoss)
        /// No optimizer of that name.
        public static let unknownOptimizer = Code(.unknownOptimizer)
        /// No scheduler of that name.
        public static let unknownScheduler = Code(.unknownScheduler)
        /// A loss, optimizer or scheduler option that does not exist.
        public static let unknownOption = Code(.unknownOption)
        /// A tensor that is ragged, empty where it may not be, or not numeric.
        public static let invalidTensor = Code(.invalidTensor)
        /// Tensors the loss rejects (shape mismatch, class index out of range, missing input).
        public static let invalidArguments = Code(.invalidArguments)
        /// Two jobs with the same name.
        public static let duplicateJob = Code(.duplicateJob)
        /// A job name with characters outside letters, digits, `.`, `_`, `-`.
        public static let invalidName = Code(.invalidName)
        /// A sweep over an unknown key or without values.
        public static let invalidSweep = Code(.invalidSweep)
        /// A value that is well typed but not acceptable (a duration without a unit, ...).
        public static let invalidValue = Code(.invalidValue)
        /// A loss plugin of `daemon.plugins` could not be loaded (missing, refused or broken).
        public static let plugin = Code(.plugin)
        /// No layer of that name in the layer registry (a model job's `model.layers`).
        public static let unknownLayer = Code(.unknownLayer)
        /// A model job's data does not fit: a bad cell, a class out of range, widths that do not
        /// match the model, `model.init` tensors that do not fit its parameters.
        public static let invalidData = Code(.invalidData)

        public var description: String { kind.rawValue }
    }

    public var code: Code
    /// The file, as given to the loader or found in the drop-in directory.
    public var file: String
    public var mark: Mark
    /// The key path of the offending value (`jobs[2].optimizer.lr`), empty at the top.
    public var path: String
    public var message: String
    /// The offending line followed by a caret line under ``mark``, when the text is at hand.
    public var snippet: String?

    public init(_ code: Code, file: String, mark: Mark, path: String, _ message: String, snippet: String? = nil) {
        self.code = code
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
        self.snippet = snippet
    }

    /// `FILE:LINE:COLUMN: error: MESSAGE (at PATH)`.
    public var description: String {
        "\(file):\(mark.line):\(mark.column): error: \(message)" + (path.isEmpty ? "" : " (at \(path))")
    }

    /// The description followed by the snippet, when there is one.
    public var rendered: String {
        guard let snippet else { return description }
        return description + "\n" + snippet
    }
}

/// Every problem found in one load, in file order; thrown by ``ConfigLoader``.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    /// True when more problems were found than ``ConfigLimits/maxErrors`` lets through.
    public var truncated: Bool

    public init(_ errors: [ConfigError], truncated: Bool = false) {
        self.errors = errors
        self.truncated = truncated
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n") + (truncated ? "\n(too many errors; stopped looking)" : "")
    }
}
