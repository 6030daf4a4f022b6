// SPDX-License-Identifier: Apache-2.0

/// An error from building a model, checking its parameters or reading a weights file. Messages
/// name the layer (by index and PyTorch class), the option, the tensor or the file field at fault.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, matchable kind of error. Only the code takes part in equality checks of kinds.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case unknownLayer, unknownOption, invalidOption, widthMismatch, invalidModel, invalidParameters, invalidFile
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// No layer is registered under the name.
        public static let unknownLayer = Code(.unknownLayer)
        /// The layer has no option of that name.
        public static let unknownOption = Code(.unknownOption)
        /// An option has the wrong type or is out of range.
        public static let invalidOption = Code(.invalidOption)
        /// A layer's input width does not fit what it expects (`in_features`).
        public static let widthMismatch = Code(.widthMismatch)
        /// The model as a whole cannot be built (no layers, no input features).
        public static let invalidModel = Code(.invalidModel)
        /// Named parameter tensors do not match the model: missing, extra, mis-shaped, non-finite.
        public static let invalidParameters = Code(.invalidParameters)
        /// A safetensors file is malformed or holds a dtype lossd does not read.
        public static let invalidFile = Code(.invalidFile)

        public var description: String { kind.rawValue }
    }

    /// What went wrong, for matching.
    public var code: Code
    /// The option, layer (`layer 2`), tensor (`0.weight`) or file field at fault.
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

extension ModelError {
    static func option(_ name: String, _ message: String) -> ModelError {
        ModelError(.invalidOption, subject: name, "option '\(name)': \(message)")
    }

    static func file(_ subject: String, _ message: String) -> ModelError {
        ModelError(.invalidFile, subject: subject, "safetensors: \(message)")
    }

    static func parameters(_ tensor: String, _ message: String) -> ModelError {
        ModelError(.invalidParameters, subject: tensor, message)
    }
}
