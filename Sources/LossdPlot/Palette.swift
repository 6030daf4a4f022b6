// SPDX-License-Identifier: Apache-2.0

/// Line colours and dash patterns. The ten colours are Tableau's "Tableau 10", chosen to stay
/// distinguishable from each other (and for most colour-vision deficiencies); past ten series
/// the colours repeat with a dash pattern so that every line stays distinct.
public enum Palette {
    public static let colors = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    static let dashes = ["", "6 3", "2 2", "8 3 2 3"]

    /// The colour of the series at `index`.
    public static func color(_ index: Int) -> String { colors[index % colors.count] }

    /// The `stroke-dasharray` of the series at `index` ("" for a solid line).
    public static func dash(_ index: Int) -> String { dashes[(index / colors.count) % dashes.count] }
}
