// SPDX-License-Identifier: Apache-2.0

internal import CYAML

/// A problem found while libyaml reads a file: a syntax error or an exceeded bound.
struct YAMLLoadError: Error, Sendable {
    var code: ConfigError.Code
    var message: String
    var location: Location
}

/// Loads one YAML document with libyaml's document loader (`yaml_parser_load`) and converts its
/// node graph into ``ConfigNode`` values that keep every node's line and column.
///
/// Owns the `yaml_parser_t`, the `yaml_document_t`, the input record and a private copy of the
/// bytes, and frees them in `deinit`. Budgets are enforced while libyaml reads (see `shim.h`) and
/// again, exactly, while converting: nesting depth, node count, anchors, expanded size, cycles.
/// The corresponding C functions are `yaml_parser_initialize`, `yaml_parser_set_input`,
/// `yaml_parser_load`, `yaml_document_delete` and `yaml_parser_delete`.
final class YAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let document: UnsafeMutablePointer<yaml_document_t>
    private let input: UnsafeMutablePointer<lossd_yaml_input>
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let file: Int32
    private let limits: ConfigLimits
    private var parserReady = false
    private var documentLoaded = false

    /// A parser over a copy of `source`; `file` is the loader's index of the file, for locations.
    init(bytes source: [UInt8], file: Int32, limits: ConfigLimits) {
        self.file = file
        self.limits = limits
        // Sound: each allocation is owned by this object alone and freed exactly once in deinit;
        // none is handed out. The byte copy is never written after this initializer.
        parser = .allocate(capacity: 1)
        document = .allocate(capacity: 1)
        input = .allocate(capacity: 1)
        bytes = .allocate(capacity: max(source.count, 1))
        source.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { bytes.baseAddress!.initialize(from: base, count: buffer.count) }
        }
        // Sound: `bytes` and `parser` outlive every read through `input` (freed in deinit, after
        // yaml_parser_delete); libyaml only reads `input` through lossd_yaml_read.
        input.initialize(to: lossd_yaml_input(
            bytes: UnsafePointer(bytes.baseAddress!), length: source.count, offset: 0, chunk: 256,
            parser: parser, max_depth: limits.maxDepth, max_nodes: limits.maxNodes,
            max_anchors: limits.maxAnchors, exceeded: 0))
        // Sound: yaml_parser_initialize fills the whole struct (it zeroes it first).
        parserReady = yaml_parser_initialize(parser) == 1
        if parserReady {
            yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
            // Sound: the handler and its data pointer stay valid for the parser's lifetime.
            yaml_parser_set_input(parser, lossd_yaml_read_handler(), UnsafeMutableRawPointer(input))
        }
    }

    deinit {
        // Sound: the document is deleted only if a load succeeded into it and it was not deleted
        // since; the parser only if initialized; then the raw allocations, each once.
        if documentLoaded { yaml_document_delete(document) }
        if parserReady { yaml_parser_delete(parser) }
        input.deinitialize(count: 1)
        input.deallocate()
        document.deallocate()
        parser.deallocate()
        bytes.deallocate()
    }

    // MARK: - Loading

    /// The root of the file's only document, or nil when the file holds no document (empty, or
    /// comments only). A second document is an error.
    func loadSingleDocument() throws(YAMLLoadError) -> ConfigNode? {
        guard parserReady else { throw YAMLLoadError(code: .limit, message: "out of memory initializing libyaml", location: at(line: 1, column: 1)) }
        try load()
        // Sound: the document was loaded successfully just above; yaml_document_get_root_node
        // returns nil for an empty document.
        guard yaml_document_get_root_node(document) != nil else { return nil }
        var converter = Converter(document: document, file: file, limits: limits)
        let root = try converter.convert(1, depth: 1)
        deleteDocument()
        try load()
        if let second = yaml_document_get_root_node(document) {
            let mark = second.pointee.start_mark
            deleteDocument()
            throw YAMLLoadError(code: .syntax,
                                message: "a second YAML document ('---'); a lossd configuration file holds exactly one",
                                location: at(line: mark.line + 1, column: mark.column + 1))
        }
        deleteDocument()
        return root
    }

    private func load() throws(YAMLLoadError) {
        // Sound: `document` is uninitialized or deleted here; yaml_parser_load initializes it on
        // success and leaves it deleted on failure.
        guard yaml_parser_load(parser, document) == 1 else { throw loadError() }
        documentLoaded = true
    }

    private func deleteDocument() {
        if documentLoaded { yaml_document_delete(document) }
        documentLoaded = false
    }

    private func at(line: Int, column: Int) -> Location {
        Location(file: file, line: Int32(clamping: line), column: Int32(clamping: column))
    }

    /// The error libyaml or the read handler reported.
    private func loadError() -> YAMLLoadError {
        // Sound: `parser` is initialized; its problem strings are static C strings or nil.
        let state = parser.pointee
        let current = at(line: state.mark.line + 1, column: state.mark.column + 1)
        switch Int(input.pointee.exceeded) {
        case Int(LOSSD_YAML_TOO_DEEP):
            return YAMLLoadError(code: .limit, message: "lists and mappings nested more than \(limits.maxDepth) deep", location: current)
        case Int(LOSSD_YAML_TOO_MANY_NODES):
            return YAMLLoadError(code: .limit, message: "more than \(limits.maxNodes) YAML nodes in one file", location: current)
        case Int(LOSSD_YAML_TOO_MANY_ANCHORS):
            return YAMLLoadError(code: .limit, message: "more than \(limits.maxAnchors) anchors ('&name') in one file", location: current)
        default:
            break
        }
        let problem = state.problem.map { String(cString: $0) } ?? "unknown problem"
        if state.error == YAML_MEMORY_ERROR {
            return YAMLLoadError(code: .limit, message: "libyaml ran out of memory", location: current)
        }
        if state.error == YAML_READER_ERROR {
            return YAMLLoadError(code: .encoding, message: "\(problem) (byte offset \(state.problem_offset))", location: current)
        }
        let mark = state.problem_mark
        var message = "YAML syntax: " + problem
        if let context = state.context.map({ String(cString: $0) }) {
            message += " (\(context) started at \(state.context_mark.line + 1):\(state.context_mark.column + 1))"
        }
        if let hint = YAMLParser.hint(for: problem) { message += "; " + hint }
        return YAMLLoadError(code: .syntax, message: message, location: at(line: mark.line + 1, column: mark.column + 1))
    }

    // MARK: - Checks before parsing

    /// Rejects what libyaml would handle badly or slowly: invalid UTF-8, NUL and other control
    /// characters, more `*` alias markers than `maxAliasMarkers`, more than 16 directive lines.
    /// The scan runs in C (`lossd_yaml_scan` in shim.h): one pass, fast even in debug builds.
    static func scan(_ bytes: [UInt8], maxAliasMarkers: Int) -> SourceText.Problem? {
        var offset = 0
        // Sound: the buffer is the live array's storage, read only, for the duration of the call.
        let code = bytes.withUnsafeBufferPointer { buffer in
            lossd_yaml_scan(buffer.baseAddress, buffer.count, maxAliasMarkers, 16, &offset)
        }
        let byte = offset < bytes.count ? "0x" + String(bytes[offset], radix: 16) : "end"
        switch Int(code) {
        case Int(LOSSD_SCAN_OK): return nil
        case Int(LOSSD_SCAN_CONTROL):
            return .init(code: .encoding, offset: offset, message: "control character \(byte) in the text; configuration files are UTF-8 text")
        case Int(LOSSD_SCAN_TRUNCATED_UTF8):
            return .init(code: .encoding, offset: offset, message: "truncated UTF-8 sequence at the end of the file")
        case Int(LOSSD_SCAN_TOO_MANY_ALIASES):
            return .init(code: .limit, offset: offset, message: "more than \(maxAliasMarkers) '*' characters (YAML aliases) in one file")
        case Int(LOSSD_SCAN_TOO_MANY_DIRECTIVES):
            return .init(code: .limit, offset: offset, message: "more than 16 YAML directive lines ('%...')")
        default:
            return .init(code: .encoding, offset: offset, message: "invalid UTF-8 (byte \(byte)); configuration files are UTF-8 text")
        }
    }

    /// Advice for libyaml's most common complaints.
    static func hint(for problem: String) -> String? {
        switch problem {
        case let text where text.contains("tab"):
            "YAML does not allow tabs for indentation: indent with spaces"
        case "mapping values are not allowed in this context":
            "a value containing ': ' must be quoted, or a key is indented too far"
        case "did not find expected key":
            "check the indentation of this line against the keys above it"
        case "did not find expected '-' indicator":
            "list items must all start with '-' at the same indentation"
        case "found undefined alias":
            "define the anchor ('&name') before using the alias ('*name')"
        case "found character that cannot start any token":
            "quote values that start with '@', '`' or '%'"
        default:
            nil
        }
    }
}

// MARK: - Conversion

/// Converts libyaml's node graph (1-based node ids; an alias is a second reference to a node)
/// into ``ConfigNode`` values, each node once.
private struct Converter {
    let document: UnsafeMutablePointer<yaml_document_t>
    let file: Int32
    let limits: ConfigLimits
    /// Per node id: the converted node, its expanded size, and 0 new / 1 in progress / 2 done.
    private var converted: [ConfigNode?]
    private var sizes: [Int]
    private var state: [UInt8]

    init(document: UnsafeMutablePointer<yaml_document_t>, file: Int32, limits: ConfigLimits) {
        self.document = document
        self.file = file
        self.limits = limits
        // Sound: `nodes` is libyaml's node stack of the loaded document; top >= start.
        let count = document.pointee.nodes.top - document.pointee.nodes.start
        converted = Array(repeating: nil, count: count + 1)
        sizes = Array(repeating: 0, count: count + 1)
        state = Array(repeating: 0, count: count + 1)
    }

    private static let defaultTags: Set<String> = [
        ScalarValue.tagPrefix + "str", ScalarValue.tagPrefix + "seq", ScalarValue.tagPrefix + "map",
    ]

    /// Converts node `id`, reached at nesting `depth` (the root is 1). Recursion is bounded by
    /// ``ConfigLimits/maxDepth``, checked before descending.
    mutating func convert(_ id: Int32, depth: Int) throws(YAMLLoadError) -> ConfigNode {
        let index = Int(id)
        // Sound: libyaml only stores ids of nodes of this document; checked against our count.
        guard index >= 1, index < converted.count, let node = yaml_document_get_node(document, id) else {
            throw YAMLLoadError(code: .syntax, message: "libyaml returned an invalid node reference", location: Location(file: file, line: 1, column: 1))
        }
        let mark = node.pointee.start_mark
        let location = Location(file: file, line: Int32(clamping: mark.line + 1), column: Int32(clamping: mark.column + 1))
        if state[index] == 2, let done = converted[index] { return done }
        if state[index] == 1 {
            throw YAMLLoadError(code: .limit, message: "an alias refers to a node that contains it (a cycle)", location: location)
        }
        guard depth <= limits.maxDepth else {
            throw YAMLLoadError(code: .limit, message: "lists and mappings nested more than \(limits.maxDepth) deep", location: location)
        }
        state[index] = 1
        // Sound: `tag` is a NUL-terminated string owned by the document, or nil.
        var tag = node.pointee.tag.map { String(cString: $0) }
        if let name = tag, Converter.defaultTags.contains(name) { tag = nil }
        var size = 1
        let content: ConfigNode.Content
        switch node.pointee.type {
        case YAML_SCALAR_NODE:
            let scalar = node.pointee.data.scalar
            // Sound: `value` points to `length` bytes owned by the document (NULs possible).
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            content = .scalar(ConfigNode.Scalar(text: text, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE))
        case YAML_SEQUENCE_NODE:
            let items = node.pointee.data.sequence.items
            var children: [ConfigNode] = []
            // Sound: items.start..<items.top is the sequence's item stack, owned by the document.
            let buffer = UnsafeBufferPointer(start: items.start, count: items.top - items.start)
            children.reserveCapacity(buffer.count)
            for child in buffer {
                let value = try convert(child, depth: depth + 1)
                size = Converter.add(size, sizes[Int(child)])
                children.append(value)
            }
            content = .sequence(children)
        case YAML_MAPPING_NODE:
            let pairs = node.pointee.data.mapping.pairs
            var entries: [ConfigNode.Pair] = []
            // Sound: pairs.start..<pairs.top is the mapping's pair stack, owned by the document.
            let buffer = UnsafeBufferPointer(start: pairs.start, count: pairs.top - pairs.start)
            entries.reserveCapacity(buffer.count)
            for pair in buffer {
                let key = try convert(pair.key, depth: depth + 1)
                let value = try convert(pair.value, depth: depth + 1)
                size = Converter.add(Converter.add(size, sizes[Int(pair.key)]), sizes[Int(pair.value)])
                entries.append(ConfigNode.Pair(key: key, value: value))
            }
            content = .mapping(entries)
        default:
            throw YAMLLoadError(code: .syntax, message: "libyaml returned an empty node", location: location)
        }
        guard size <= limits.maxExpandedNodes else {
            throw YAMLLoadError(code: .limit,
                                message: "aliases expand this node to more than \(limits.maxExpandedNodes) nodes (a 'billion laughs' document?)",
                                location: location)
        }
        let result = ConfigNode(content, at: location, tag: tag)
        converted[index] = result
        sizes[index] = size
        state[index] = 2
        return result
    }

    /// Saturating addition of expanded sizes.
    private static func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}
