// SPDX-License-Identifier: Apache-2.0

extension JSONValue {
    /// The value as a double: a number, an integer, or one of the strings `"nan"`, `"inf"` and
    /// `"-inf"` with which checkpoints written before lossd spelt every non-finite number as
    /// `NaN`, `Infinity` and `-Infinity` stored them. Nil for anything else.
    public var doubleValue: Double? {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        case .string("nan"): .nan
        case .string("inf"): .infinity
        case .string("-inf"): -.infinity
        default: nil
        }
    }

    /// The value as an integer, when it is one.
    public var integerValue: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The value as a string, when it is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements of an array; nil for anything else.
    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }
}
