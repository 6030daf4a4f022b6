// SPDX-License-Identifier: Apache-2.0

/// User text repeated in a message (a loss name, an option, a key): control characters are
/// escaped so that a NUL or an ANSI escape sequence reaches no terminal or log raw, and long
/// text is shortened so that a 20 MB name does not make a 20 MB message.
public enum EchoedText {
    /// The most characters of user text a message repeats.
    public static let maximumLength = 64

    /// `text` with control characters escaped (`\0`, `\e`, `\n`, `\u{7F}`, ...), cut after
    /// `limit` characters with a note of the full length.
    public static func escaped(_ text: String, limit: Int = maximumLength) -> String {
        var out = ""
        var written = 0
        for scalar in text.unicodeScalars {
            if written == limit {
                return out + "... (\(text.unicodeScalars.count) characters)"
            }
            append(scalar, to: &out, keepingLines: false)
            written += 1
        }
        return out
    }

    /// A whole message with control characters escaped, but line breaks and tabs kept (the
    /// layout of multi-line diagnostics). Nothing is cut.
    public static func sanitized(_ message: String) -> String {
        guard message.unicodeScalars.contains(where: isControl) else { return message }
        var out = ""
        for scalar in message.unicodeScalars { append(scalar, to: &out, keepingLines: true) }
        return out
    }

    /// C0 controls, DEL and C1 controls.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 && scalar != "\n" && scalar != "\t" || (0x7F...0x9F).contains(scalar.value)
    }

    private static func append(_ scalar: Unicode.Scalar, to out: inout String, keepingLines: Bool) {
        switch scalar {
        case "\n" where keepingLines, "\t" where keepingLines: out.unicodeScalars.append(scalar)
        case "\0": out += "\\0"
        case "\u{1B}": out += "\\e"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
            out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default: out.unicodeScalars.append(scalar)
        }
    }
}
