// SPDX-License-Identifier: Apache-2.0

/// Why a loss plugin was refused. The message names the file and says what to fix.
public struct PluginError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, matchable kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case notFound, fileMissing, insecure, notSharedObject, loadFailed, missingEntry
            case abiMismatch, invalidDescriptor, duplicateLoss, gradientCheck
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// A plugin given by name is in no directory of the search path.
        public static let notFound = Code(.notFound)
        /// The path does not exist, or is not a regular file.
        public static let fileMissing = Code(.fileMissing)
        /// Running as root, the file or a directory above it is writable by others or not owned by root.
        public static let insecure = Code(.insecure)
        /// The file is not an ELF shared object.
        public static let notSharedObject = Code(.notSharedObject)
        /// `dlopen` refused the file (wrong architecture, a missing dependency, ...).
        public static let loadFailed = Code(.loadFailed)
        /// The library does not export `lossd_plugin_entry`.
        public static let missingEntry = Code(.missingEntry)
        /// The descriptor's `abi_version` is not one lossd supports.
        public static let abiMismatch = Code(.abiMismatch)
        /// The descriptor is malformed: NULL pointers, empty or invalid names, bad option types.
        public static let invalidDescriptor = Code(.invalidDescriptor)
        /// A loss name is already taken by a built-in loss, another plugin or the same plugin.
        public static let duplicateLoss = Code(.duplicateLoss)
        /// A loss's analytic gradient disagrees with central finite differences, or the loss
        /// failed on the check's random inputs.
        public static let gradientCheck = Code(.gradientCheck)

        public var description: String { kind.rawValue }
    }

    /// What went wrong, for matching.
    public var code: Code
    /// The plugin as it was given (a path or a name).
    public var plugin: String
    /// A sentence for people, naming the file.
    public var message: String

    public init(_ code: Code, plugin: String, _ message: String) {
        self.code = code
        self.plugin = plugin
        self.message = message
    }

    public var description: String { message }
}
