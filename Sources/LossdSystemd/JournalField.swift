// SPDX-License-Identifier: Apache-2.0

/// One journal field, `NAME=value`.
///
/// Names follow sd_journal_print(3): uppercase ASCII letters, digits and `_`, not starting with
/// `_` (journald's trusted fields) or a digit, at most 64 characters. Invalid names are mapped to
/// a valid spelling (`loss.lr` -> `LOSS_LR`) rather than dropped.
public struct JournalField: Sendable, Hashable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = JournalField.sanitize(name)
        self.value = value
    }

    /// A valid field name for `name`.
    public static func sanitize(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            switch scalar {
            case "A"..."Z", "0"..."9", "_": scalars.append(scalar)
            case "a"..."z": scalars.append(Unicode.Scalar(scalar.value - 32)!)
            default: scalars.append("_")
            }
        }
        var result = String(scalars)
        while result.hasPrefix("_") { result.removeFirst() }
        if result.isEmpty || result.first!.isNumber { result = "X" + result }
        return String(result.prefix(64))
    }
}
