// SPDX-License-Identifier: Apache-2.0

/// Builds SVG text element by element, escaping every attribute value and text node.
///
/// No plotting or SVG package is available to the project's build, and the chart needs only
/// lines, rectangles and text, so the SVG is written here by hand: a few dozen lines against a
/// dependency for the daemon (which writes a chart whenever a job ends).
struct SVGWriter {
    private(set) var text = ""
    private var depth = 0

    /// `<name a="v" .../>`.
    mutating func empty(_ name: String, _ attributes: KeyValuePairs<String, String>) {
        line("<\(name)\(Self.attributes(attributes))/>")
    }

    /// `<name ...>text</name>`.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, text content: String) {
        line("<\(name)\(Self.attributes(attributes))>\(Self.escape(content))</\(name)>")
    }

    /// `<name ...>` children `</name>`.
    mutating func group(_ name: String, _ attributes: KeyValuePairs<String, String>, _ body: (inout SVGWriter) -> Void) {
        line("<\(name)\(Self.attributes(attributes))>")
        depth += 1
        body(&self)
        depth -= 1
        line("</\(name)>")
    }

    mutating func raw(_ content: String) {
        line(content)
    }

    private mutating func line(_ content: String) {
        text += String(repeating: "  ", count: depth) + content + "\n"
    }

    static func attributes(_ attributes: KeyValuePairs<String, String>) -> String {
        attributes.filter { !$0.value.isEmpty }.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    /// XML escaping for text and attribute values; control characters XML 1.0 forbids are dropped.
    static func escape(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
