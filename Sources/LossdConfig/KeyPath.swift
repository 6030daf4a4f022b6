// SPDX-License-Identifier: Apache-2.0

/// Where a value sits in the configuration, as shown in errors: `jobs[2].optimizer.lr`.
struct KeyPath: Sendable, Hashable, CustomStringConvertible {
    private(set) var description: String

    /// The top of a file.
    static let root = KeyPath(description: "")

    private init(description: String) {
        self.description = description
    }

    /// The path of a mapping entry. Keys that are not identifiers are quoted: `sweep["optimizer.lr"]`.
    func key(_ key: String) -> KeyPath {
        // ASCII letters are tested directly: the Unicode property lookup cost a sweep's load about
        // a tenth of its time (several keys per generated job).
        let simple = !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
                || (!scalar.isASCII && scalar.properties.isAlphabetic)
        }
        if simple { return KeyPath(description: description.isEmpty ? key : description + "." + key) }
        return KeyPath(description: description + "[\"" + key + "\"]")
    }

    /// The path of a list item.
    func index(_ index: Int) -> KeyPath {
        KeyPath(description: description + "[\(index)]")
    }
}
