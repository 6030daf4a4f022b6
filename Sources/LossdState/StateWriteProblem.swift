// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a write to the state directory failed, in the words the status line uses
/// (`3 results not saved: state directory full`). Made from the write's `errno`.
public enum StateWriteProblem: Sendable, Hashable, CustomStringConvertible {
    /// ENOSPC, EDQUOT: no space (or quota) left.
    case full
    /// EROFS: the filesystem is read-only.
    case readOnly
    /// ENOENT: the directory (or a subdirectory) was removed.
    case missing
    /// EIO: the device failed.
    case ioError
    /// EACCES, EPERM, ENOTDIR, EISDIR: permissions, or a file where a directory belongs.
    case notWritable
    /// Any other error, with its text.
    case other(String)

    public init(errno code: Int32) {
        switch code {
        case ENOSPC, EDQUOT: self = .full
        case EROFS: self = .readOnly
        case ENOENT: self = .missing
        case EIO: self = .ioError
        case EACCES, EPERM, ENOTDIR, EISDIR: self = .notWritable
        default: self = .other(String(cString: strerror(code)))
        }
    }

    /// Reads ``description`` back (as `status.json` holds it).
    public init(description: String) {
        let known: [StateWriteProblem] = [.full, .readOnly, .missing, .ioError, .notWritable]
        self = known.first { $0.description == description }
            ?? .other(description.hasPrefix("state directory: ") ? String(description.dropFirst(17)) : description)
    }

    /// `state directory full`, `... read-only`, `... missing`, `... I/O error`, `... not writable`.
    public var description: String {
        switch self {
        case .full: "state directory full"
        case .readOnly: "state directory read-only"
        case .missing: "state directory missing"
        case .ioError: "state directory I/O error"
        case .notWritable: "state directory not writable"
        case .other(let text): "state directory: \(text)"
        }
    }

    /// What to do about it, for the messages that list unsaved jobs.
    public var remedy: String {
        switch self {
        case .full: "free space in the state directory"
        case .readOnly: "make the state directory's filesystem writable"
        case .missing: "recreate the state directory"
        case .ioError: "check the device holding the state directory"
        case .notWritable: "fix the state directory's permissions (and remove any file in place of its folders)"
        case .other: "fix the state directory"
        }
    }
}
