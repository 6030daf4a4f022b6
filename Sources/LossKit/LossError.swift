// SPDX-License-Identifier: Apache-2.0

/// An error from creating or evaluating a loss. Messages name the argument or option at fault.
public struct LossError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, matchable kind of error. Only the code takes part in equality checks of kinds.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable { case unknownLoss, unknownOption, invalidOption, invalidShape, invalidValue, missingArgument, unknownArgument, duplicateLoss, evaluationFailed }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// No loss is registered under the name.
        public static let unknownLoss = Code(.unknownLoss)
        /// The loss has no option of that name.
        public static let unknownOption = Code(.unknownOption)
        /// An option has the wrong type or is out of range.
        public static let invalidOption = Code(.invalidOption)
        /// A tensor argument has a shape the loss cannot take.
        public static let invalidShape = Code(.invalidShape)
        /// A tensor holds a value the loss cannot take (non-finite, out-of-range class index, ...).
        public static let invalidValue = Code(.invalidValue)
        /// A required tensor argument is missing.
        public static let missingArgument = Code(.missingArgument)
        /// A tensor argument the loss does not take.
        public static let unknownArgument = Code(.unknownArgument)
        /// Two registrations claim the same name.
        public static let duplicateLoss = Code(.duplicateLoss)
        /// The loss's own code failed at run time: a plugin reported an error or produced a
        /// non-finite value for finite inputs (see ``FallibleLoss``).
        public static let evaluationFailed = Code(.evaluationFailed)

        public var description: String { kind.rawValue }
    }

    /// What went wrong, for matching.
    public var code: Code
    /// The option or argument at fault (`weight`, `target`, ...), or the loss name.
    public var subject: String
    /// A sentence for people.
    public var message: String

    public init(_ code: Code, subject: String, _ message: String) {
        self.code = code
        self.subject = subject
        self.message = message
    }

    public var description: String { message }
}

extension LossError {
    static func shape(_ argument: String, _ message: String) -> LossError {
        LossError(.invalidShape, subject: argument, "\(argument): \(message)")
    }

    static func value(_ argument: String, _ message: String) -> LossError {
        LossError(.invalidValue, subject: argument, "\(argument): \(message)")
    }

    static func option(_ name: String, _ message: String) -> LossError {
        LossError(.invalidOption, subject: name, "option '\(name)': \(message)")
    }
}
