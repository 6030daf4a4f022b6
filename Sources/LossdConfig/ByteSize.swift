// SPDX-License-Identifier: Apache-2.0

/// Sizes in bytes as a configuration writes them (`memory_limit: 8G`) and as messages print them
/// (`2.3 GiB`). Suffixes are powers of 1024, as systemd's `MemoryMax=` reads them.
public enum ByteSize {
    private static let units: [(suffix: Character, shift: Int)] = [("K", 10), ("M", 20), ("G", 30), ("T", 40)]

    /// `4096`, `512K`, `1.5G`, `2T` (`K`, `M`, `G`, `T`: 2^10 to 2^40 bytes, upper or lower
    /// case); nil for anything else, for a size of 0 and for one that does not fit in an `Int`.
    public static func parse(_ text: String) -> Int? {
        var number = Substring(text)
        var shift = 0
        if let last = number.last, let unit = units.first(where: { $0.suffix == Character(last.uppercased()) }) {
            shift = unit.shift
            number = number.dropLast()
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.filter({ $0 == "." }).count <= 1, number.first != ".", number.last != "." else { return nil }
        if !number.contains("."), let whole = Int(number) {
            let (bytes, overflow) = whole.multipliedReportingOverflow(by: 1 << shift)
            return overflow || bytes == 0 ? nil : bytes
        }
        guard let value = Double(number) else { return nil }
        let bytes = (value * Double(1 << shift)).rounded(.down)
        guard bytes >= 1, bytes < 0x1p63 else { return nil }
        return Int(bytes)
    }

    /// `812 B`, `4.0 KiB`, `763 MiB`, `2.3 GiB`: three significant digits at most, one decimal
    /// below 10.
    public static func format(_ bytes: Int) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes)
        var unit = 0
        let names = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        while value >= 1024, unit < names.count - 1 {
            value /= 1024
            unit += 1
        }
        let tenths = (value * 10).rounded()
        if tenths < 100 { return "\(Int(tenths) / 10).\(Int(tenths) % 10) \(names[unit])" }
        return "\(Int(value.rounded())) \(names[unit])"
    }
}
