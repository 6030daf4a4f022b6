// SPDX-License-Identifier: Apache-2.0

/// Plain-text tables with columns padded to their widest cell (two spaces between columns).
enum TextTable {
    /// The header and rows, one line each; columns in `rightAligned` are right-aligned.
    static func render(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (index, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[index] - cell.count))
                if rightAligned.contains(index) { parts.append(pad + cell) }
                else { parts.append(index == cells.count - 1 ? cell : cell + pad) }
            }
            return parts.joined(separator: "  ") + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}
