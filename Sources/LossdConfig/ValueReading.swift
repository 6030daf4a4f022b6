// SPDX-License-Identifier: Apache-2.0

/// Typed scalar reading: each function reports a wrong type, a non-finite number or a bad tag at
/// the node and returns nil, so that decoding goes on and finds every problem in one pass.
extension Diagnostics {
    /// The resolved scalar, or nil (reported) for a list or mapping.
    func scalar(_ node: ConfigNode, _ path: KeyPath, what: String, expected: String) -> ScalarValue? {
        guard let scalar = node.scalar else {
            report(.wrongType, at: node, path: path, "\(what) must be \(expected), got \(node.kindDescription)")
            return nil
        }
        let value = ScalarValue(resolving: scalar, tag: node.tag)
        if case .badTag(let tag, let text) = value {
            report(.wrongType, at: node, path: path, "\(what): \(ScalarValue.quote(text)) does not fit the YAML tag \(ScalarValue.shortTag(tag)) (lossd supports !!str, !!int, !!float, !!bool, !!null)")
            return nil
        }
        return value
    }

    private func mismatch(_ value: ScalarValue, _ node: ConfigNode, _ path: KeyPath, what: String, expected: String) {
        var message = "\(what) must be \(expected), got \(value)"
        if case .string(let text, quoted: true) = value, ScalarValue.core(text) != .string(text, quoted: false) {
            message += " (remove the quotes)"
        } else if let hint = value.yaml11Hint(boolean: expected == "true or false") {
            message += " (\(hint))"
        }
        report(.wrongType, at: node, path: path, message)
    }

    /// A finite real number (integers accepted).
    func number(_ node: ConfigNode, _ path: KeyPath, what: String) -> Double? {
        numberLiteral(node, path, what: what)?.value
    }

    /// A finite real number and whether it was written as an integer literal (`1`, not `1.0`),
    /// which makes a tensor a Long one as in `torch.tensor`.
    func numberLiteral(_ node: ConfigNode, _ path: KeyPath, what: String) -> (value: Double, isInteger: Bool)? {
        guard let value = scalar(node, path, what: what, expected: "a number") else { return nil }
        switch value {
        case .integer(let integer): return (Double(integer), true)
        case .number(let number):
            guard number.isFinite else {
                report(.nonFinite, at: node, path: path, "\(what) must be a finite number, got \(ScalarValue.format(number))")
                return nil
            }
            return (number, false)
        case .hugeInteger(let text):
            guard let number = Double(text), number.isFinite else {
                report(.nonFinite, at: node, path: path, "\(what): \(text) is too large for a double")
                return nil
            }
            return (number, false)
        default:
            mismatch(value, node, path, what: what, expected: "a number")
            return nil
        }
    }

    /// An integer; a float with an integral value below 2^53 (`1e4`) is accepted.
    func integer(_ node: ConfigNode, _ path: KeyPath, what: String) -> Int? {
        guard let value = scalar(node, path, what: what, expected: "an integer") else { return nil }
        switch value {
        case .integer(let integer): return integer
        case .hugeInteger(let text):
            report(.outOfRange, at: node, path: path, "\(what): \(ScalarValue.quote(text)) does not fit in a 64-bit integer")
            return nil
        case .number(let number) where number.isFinite && number.rounded() == number && abs(number) < 9.007_199_254_740_992e15:
            return Int(number)
        case .number(let number) where !number.isFinite:
            report(.nonFinite, at: node, path: path, "\(what) must be a finite integer, got \(ScalarValue.format(number))")
            return nil
        default:
            mismatch(value, node, path, what: what, expected: "an integer")
            return nil
        }
    }

    /// `true` or `false` (YAML 1.2: `yes`, `no`, `on`, `off` are strings, reported with a hint).
    func bool(_ node: ConfigNode, _ path: KeyPath, what: String) -> Bool? {
        guard let value = scalar(node, path, what: what, expected: "true or false") else { return nil }
        if case .bool(let bool) = value { return bool }
        mismatch(value, node, path, what: what, expected: "true or false")
        return nil
    }

    /// The text of any non-null scalar (`name: 42` is the name "42").
    func string(_ node: ConfigNode, _ path: KeyPath, what: String) -> String? {
        guard let value = scalar(node, path, what: what, expected: "a string") else { return nil }
        if value == .null {
            report(.wrongType, at: node, path: path, "\(what) must be a string, got null")
            return nil
        }
        return node.scalar?.text
    }

    /// Reports `message` as out of range unless `condition` holds; returns `condition`.
    @discardableResult
    func require(_ condition: Bool, _ node: ConfigNode, _ path: KeyPath, _ message: @autoclosure () -> String) -> Bool {
        if !condition { report(.outOfRange, at: node, path: path, message()) }
        return condition
    }

    /// A duration: a number and a unit, `500ms`, `1s`, `1.5s`, `2m`, `1h`.
    func duration(_ node: ConfigNode, _ path: KeyPath, what: String) -> Duration? {
        guard let value = scalar(node, path, what: what, expected: "a duration") else { return nil }
        let advice = "write a number and a unit: 500ms, 1s, 2m or 1h"
        guard case .string(let text, _) = value else {
            report(.invalidValue, at: node, path: path, "\(what) needs a unit, got \(value); \(advice)")
            return nil
        }
        let units: [(String, Double)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        let trimmed = text.trimmingSpaces
        for (unit, milliseconds) in units where trimmed.hasSuffix(unit) {
            let number = String(trimmed.dropLast(unit.count)).trimmingSpaces
            guard !number.isEmpty, number.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }),
                  let amount = Double(number), amount.isFinite else { break }
            // Past a year the caller's range check fails anyway; Duration must not overflow.
            guard amount * milliseconds <= 365 * 86_400_000 else {
                report(.outOfRange, at: node, path: path, "\(what): \(ScalarValue.quote(text)) is longer than a year")
                return nil
            }
            return .milliseconds(amount * milliseconds)
        }
        report(.invalidValue, at: node, path: path, "\(what): \(ScalarValue.quote(text)) is not a duration; \(advice)")
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
