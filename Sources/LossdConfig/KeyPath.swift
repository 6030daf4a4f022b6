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
        let simple = !key.isEmpty && key.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        if simple { return KeyPath(description: description.isEmpty ? key : description + "." + key) }
        return KeyPath(description: description + "[\"" + key + "\"]")
    }

    /// The path of a list item.
    func index(_ index: Int) -> KeyPath {
        KeyPath(description: description + "[\(index)]")
    }
}
