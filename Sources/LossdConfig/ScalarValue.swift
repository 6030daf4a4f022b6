// SPDX-License-Identifier: Apache-2.0

/// A scalar resolved by the YAML 1.2 core schema.
///
/// Rules (plain scalars only; quoted and block scalars are always strings):
/// - null: `~`, `null`, `Null`, `NULL` or nothing at all;
/// - booleans: `true`, `True`, `TRUE`, `false`, `False`, `FALSE` (not YAML 1.1's `yes`/`no`/`on`/`off`);
/// - integers: `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` (no `_` separators, no `0b`);
/// - floats: `[-+]?(.[0-9]+|[0-9]+(.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf`, `.nan` (any of the
///   three capitalisations);
/// - anything else is a string.
///
/// An explicit tag (`!!int "3"`, `!!str 3`, `!!float 1`) forces the type; other tags are errors.
enum ScalarValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int)
    /// An integer literal outside the 64-bit range.
    case hugeInteger(String)
    /// A float (possibly infinite or NaN).
    case number(Double)
    /// A string; `quoted` when written in quotes (or as a block scalar), for messages.
    case string(String, quoted: Bool)
    /// A tagged scalar whose text does not match its tag, or an unsupported tag.
    case badTag(tag: String, text: String)

    static let tagPrefix = "tag:yaml.org,2002:"

    init(resolving scalar: ConfigNode.Scalar, tag: String?) {
        guard let tag else {
            self = scalar.isPlain ? ScalarValue.core(scalar.text) : .string(scalar.text, quoted: true)
            return
        }
        let resolved = ScalarValue.core(scalar.text)
        switch tag {
        case ScalarValue.tagPrefix + "str": self = .string(scalar.text, quoted: !scalar.isPlain)
        case ScalarValue.tagPrefix + "null": self = resolved == .null ? .null : .badTag(tag: tag, text: scalar.text)
        case ScalarValue.tagPrefix + "bool":
            if case .bool = resolved { self = resolved } else { self = .badTag(tag: tag, text: scalar.text) }
        case ScalarValue.tagPrefix + "int":
            switch resolved {
            case .integer, .hugeInteger: self = resolved
            default: self = .badTag(tag: tag, text: scalar.text)
            }
        case ScalarValue.tagPrefix + "float":
            switch resolved {
            case .number: self = resolved
            case .integer(let value): self = .number(Double(value))
            case .hugeInteger(let text): self = .number(Double(text) ?? .infinity)
            default: self = .badTag(tag: tag, text: scalar.text)
            }
        default: self = .badTag(tag: tag, text: scalar.text)
        }
    }

    // MARK: - Core schema

    /// Resolves a plain scalar.
    static func core(_ text: String) -> ScalarValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .number(-.infinity)
        case ".nan", ".NaN", ".NAN": return .number(.nan)
        default: break
        }
        let bytes = Array(text.utf8)
        if let integer = integer(bytes, text) { return integer }
        if isFloat(bytes), let value = Double(text) { return .number(value) }
        return .string(text, quoted: false)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func integer(_ bytes: [UInt8], _ text: String) -> ScalarValue? {
        if bytes.count > 2, bytes[0] == 0x30, bytes[1] == 0x6F || bytes[1] == 0x78 { // 0o, 0x
            let digits = String(decoding: bytes[2...], as: UTF8.self)
            let radix = bytes[1] == 0x6F ? 8 : 16
            guard digits.utf8.allSatisfy({ Int(String(UnicodeScalar($0)), radix: radix) != nil }) else { return nil }
            return Int(digits, radix: radix).map(ScalarValue.integer) ?? .hugeInteger(text)
        }
        var start = 0
        if let first = bytes.first, first == 0x2B || first == 0x2D { start = 1 }
        guard bytes.count > start, bytes[start...].allSatisfy(isDigit) else { return nil }
        return Int(text).map(ScalarValue.integer) ?? .hugeInteger(text)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isFloat(_ bytes: [UInt8]) -> Bool {
        var i = 0
        if i < bytes.count, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
        var mantissaDigits = 0
        while i < bytes.count, isDigit(bytes[i]) { i += 1; mantissaDigits += 1 }
        if i < bytes.count, bytes[i] == 0x2E {
            i += 1
            var fraction = 0
            while i < bytes.count, isDigit(bytes[i]) { i += 1; fraction += 1 }
            if mantissaDigits == 0 && fraction == 0 { return false }
        } else if mantissaDigits == 0 {
            return false
        }
        if i < bytes.count, bytes[i] == 0x65 || bytes[i] == 0x45 {
            i += 1
            if i < bytes.count, bytes[i] == 0x2B || bytes[i] == 0x2D { i += 1 }
            var exponent = 0
            while i < bytes.count, isDigit(bytes[i]) { i += 1; exponent += 1 }
            if exponent == 0 { return false }
        }
        return i == bytes.count
    }

    // MARK: - Messages

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "the boolean \(value)"
        case .integer(let value): "the integer \(value)"
        case .hugeInteger(let text): "the integer \(text)"
        case .number(let value): "the number \(ScalarValue.format(value))"
        case .string(let text, let quoted): quoted ? "the quoted string \(ScalarValue.quote(text))" : "the string \(ScalarValue.quote(text))"
        case .badTag(let tag, let text): "\(ScalarValue.quote(text)) tagged \(ScalarValue.shortTag(tag))"
        }
    }

    /// `'text'`, shortened to 40 characters.
    static func quote(_ text: String) -> String {
        let clipped = text.count > 40 ? String(text.prefix(37)) + "..." : text
        return "'" + clipped + "'"
    }

    /// `!!int` for the core tags, the tag itself otherwise.
    static func shortTag(_ tag: String) -> String {
        tag.hasPrefix(tagPrefix) ? "!!" + tag.dropFirst(tagPrefix.count) : tag
    }

    /// A number as YAML would write it: `0.1`, `1e-09`, `.inf`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    /// A YAML 1.1 spelling that YAML 1.2 reads differently, with the advice to give.
    /// `boolean`: whether a boolean was expected (then `yes`/`no`/`on`/`off` get advice).
    func yaml11Hint(boolean: Bool) -> String? {
        guard case .string(let text, quoted: false) = self else { return nil }
        if boolean, ["yes", "Yes", "YES", "on", "On", "ON", "y", "Y"].contains(text) {
            return "YAML 1.2 reads '\(text)' as a string; write true"
        }
        if boolean, ["no", "No", "NO", "off", "Off", "OFF", "n", "N"].contains(text) {
            return "YAML 1.2 reads '\(text)' as a string; write false"
        }
        let joined = text.replacingUnderscores()
        if text.contains("_"), ScalarValue.core(joined) != .string(joined, quoted: false) {
            return "digit separators '_' are not part of YAML 1.2; write \(joined)"
        }
        return nil
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
