// SPDX-License-Identifier: Apache-2.0

import LossKit

/// An error from the training engine: a bad optimizer or scheduler choice, a job that cannot be
/// built, or a checkpoint that does not fit. Messages name the option or input at fault.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, matchable kind of error.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case unknownOptimizer, unknownScheduler, unknownOption, invalidOption, missingOption
            case duplicateName, invalidLoss, invalidJob, invalidCheckpoint, engineStopped, lossFailed, pluginCrashed
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The code whose ``description`` is `rawValue` (`invalidLoss`, ...); nil for an unknown one.
        public init?(rawValue: String) {
            guard let kind = Kind(rawValue: rawValue) else { return nil }
            self.kind = kind
        }

        /// No optimizer is registered under the name.
        public static let unknownOptimizer = Code(.unknownOptimizer)
        /// No scheduler is registered under the name.
        public static let unknownScheduler = Code(.unknownScheduler)
        /// The optimizer or scheduler has no option of that name.
        public static let unknownOption = Code(.unknownOption)
        /// An option has the wrong type or is out of range.
        public static let invalidOption = Code(.invalidOption)
        /// A required option (PyTorch has no default) is missing.
        public static let missingOption = Code(.missingOption)
        /// Two registrations claim the same name.
        public static let duplicateName = Code(.duplicateName)
        /// The loss cannot be created or rejects the job's tensors (the message is LossKit's).
        public static let invalidLoss = Code(.invalidLoss)
        /// The job description is inconsistent (shapes, stopping rules, initialisation).
        public static let invalidJob = Code(.invalidJob)
        /// A checkpoint does not decode or does not belong to the job.
        public static let invalidCheckpoint = Code(.invalidCheckpoint)
        /// The engine was shut down.
        public static let engineStopped = Code(.engineStopped)
        /// The loss reported an error while the job ran (a plugin's run-time error).
        public static let lossFailed = Code(.lossFailed)
        /// A previous lossd process died inside one of the job's plugin calls (a crash, or a
        /// watchdog kill of a hung call); the job is not run again.
        public static let pluginCrashed = Code(.pluginCrashed)

        public var description: String { kind.rawValue }
    }

    /// What went wrong, for matching.
    public var code: Code
    /// The option, argument or component at fault (`lr`, `betas`, `target`, `adam`, ...).
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

// MARK: - Helpers

extension EngineError {
    /// An out-of-range option of `component`: `option 'lr' of adam: must be >= 0, got -1.0`.
    static func option(_ name: String, of component: String, _ message: String) -> EngineError {
        EngineError(.invalidOption, subject: name, "option '\(name)' of \(component): \(message)")
    }

    /// A LossKit error while building a job's loss, kept as LossKit worded it.
    static func loss(_ error: LossError) -> EngineError {
        EngineError(.invalidLoss, subject: error.subject, error.message)
    }
}
