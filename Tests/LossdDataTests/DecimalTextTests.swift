// SPDX-License-Identifier: Apache-2.0

import Testing
import LossKit
@testable import LossdData

/// The CSV reader's number parsing gives exactly what `Double(_: String)` gives.
@Suite struct DecimalTextTests {
    static func parsed(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        return DecimalText.number(bytes, 0..<bytes.count)
    }

    static func same(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN)
        default: false
        }
    }

    static let edgeCases = [
        "", ".", "-", "+", "1e", "e5", "1.2.3", "0x1p3", "nan", "inf", "-inf", "infinity", "-0", "0", "00012", "1.", ".5",
        "-.5e1", "+7", "9007199254740992", "9007199254740993", "1e22", "1e23", "1e-22", "1e-23", "123456789012345678901234567890",
        "4.9e-324", "1e-400", "1e400", "0.1", "0.3", "2.2250738585072014e-308", "1_000", "1 2", "0e99999", "5.", "1E+05", "1e+",
    ]

    @Test(arguments: edgeCases)
    func edgeCasesReadAsDoubleDoes(_ text: String) {
        #expect(Self.same(Self.parsed(text), Double(text)), "\(text): \(String(describing: Self.parsed(text))) vs \(String(describing: Double(text)))")
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomDecimalsReadAsDoubleDoes(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(generator.next() % 10)) }) }
        for _ in 0..<20_000 {
            var text = ["", "-", "+"][Int(generator.next() % 3)]
            text += digits(Int(generator.next() % 12))
            if generator.next() % 2 == 0 { text += "." + digits(Int(generator.next() % 12)) }
            if generator.next() % 3 == 0 { text += (generator.next() % 2 == 0 ? "e" : "E-") + String(generator.next() % 40) }
            #expect(Self.same(Self.parsed(text), Double(text)), "\(text)")
        }
    }
}
