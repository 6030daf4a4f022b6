// SPDX-License-Identifier: Apache-2.0

import Foundation

/// How lossd spells numbers for people: four significant digits in messages, tables, charts and
/// `STATUS=` lines. Non-finite values are spelt as in every JSON file lossd writes (`NaN`,
/// `Infinity`, `-Infinity`); fields and files carry the exact value (``JSONValue/format(_:)``).
public enum NumberText {
    /// `%.4g`: `0.1235`, `7.428e-10`, `1.235e+04`; `NaN`, `Infinity`, `-Infinity`.
    public static func short(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4g", value) : JSONValue.format(value)
    }
}
