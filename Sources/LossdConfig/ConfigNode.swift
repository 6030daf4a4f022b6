// SPDX-License-Identifier: Apache-2.0

// MARK: - Location

/// A compact position: the index of the file in the loader's file table, and a ``Mark``.
struct Location: Sendable, Hashable {
    var file: Int32
    var line: Int32
    var column: Int32

    var mark: Mark { Mark(line: Int(line), column: Int(column)) }
}

// MARK: - Node

/// One YAML node as libyaml loaded it, with its position and no interpretation yet.
///
/// Aliased nodes are converted once and shared (arrays are copy-on-write), so a document whose
/// aliases expand enormously still takes memory in proportion to its text.
struct ConfigNode: Sendable {
    /// A scalar's text and whether it was written plain (unquoted, not a block scalar): only plain
    /// scalars are resolved as numbers, booleans or null.
    struct Scalar: Sendable, Hashable {
        var text: String
        var isPlain: Bool
    }

    enum Content: Sendable {
        case scalar(Scalar)
        case sequence([ConfigNode])
        case mapping([Pair])
    }

    struct Pair: Sendable {
        var key: ConfigNode
        var value: ConfigNode
    }

    var content: Content
    var location: Location
    /// An explicit non-default tag (`tag:yaml.org,2002:int` for `!!int`, `!custom`), or nil.
    var tag: String?

    init(_ content: Content, at location: Location, tag: String? = nil) {
        self.content = content
        self.location = location
        self.tag = tag
    }

    /// The scalar, if this node is one.
    var scalar: Scalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// What kind of node this is, for messages: "a mapping", "a list", "the string 'x'", ...
    var kindDescription: String {
        switch content {
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .scalar(let scalar): ScalarValue(resolving: scalar, tag: tag).description
        }
    }
}
