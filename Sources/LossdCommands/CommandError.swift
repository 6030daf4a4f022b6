// SPDX-License-Identifier: Apache-2.0

/// An error a subcommand reports to the user before exiting with a sysexits code.
public struct CommandError: Error, Sendable, CustomStringConvertible {
    /// sysexits(3) codes lossd uses.
    public enum Status: Int32, Sendable {
        /// EX_USAGE: a bad command-line argument.
        case usage = 64
        /// EX_DATAERR: bad input data (tensors, the eval JSON document).
        case dataError = 65
        /// EX_NOINPUT: an input file is missing or unreadable.
        case noInput = 66
        /// EX_UNAVAILABLE: a loss plugin given with --plugin could not be loaded, or a tool lossd
        /// needs for this request is not installed.
        case unavailable = 69
        /// EX_CANTCREAT: an output file cannot be written.
        case cannotCreate = 73
        /// EX_TEMPFAIL: the daemon did not answer in time (`reload --wait`); try again.
        case temporaryFailure = 75
        /// EX_NOPERM: permission denied (a service's state directory is readable by root only).
        case noPermission = 77
        /// EX_CONFIG: a bad configuration file.
        case config = 78
    }

    public var status: Status
    public var message: String

    public init(_ status: Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
