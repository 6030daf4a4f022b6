// SPDX-License-Identifier: Apache-2.0

/// "Did you mean" suggestions by edit distance, shared by every name lookup.
public enum Suggestions {
    /// The candidates closest to `name` (case-insensitive Levenshtein distance, at most a third of
    /// the name's length, or a case-insensitive equal), best first.
    ///
    /// The work stays linear in the name's length: the edit distance is at least the difference
    /// of the lengths, so it is computed only for candidates whose length is within the threshold
    /// (a name more than twice as long as every candidate is lowercased and compared by prefix only).
    public static func closest(to name: String, among candidates: [String], limit: Int = 3) -> [String] {
        let longest = candidates.map(\.unicodeScalars.count).max() ?? 0
        // A name past twice the longest candidate cannot be close to any; its prefix alone matters.
        let lowered = name.unicodeScalars.count > 2 * longest + 2
            ? String(name.unicodeScalars.prefix(2 * longest + 2)).lowercased() : name.lowercased()
        let length = name.unicodeScalars.count
        let threshold = max(2, length / 3)
        let scalars = Array(lowered.unicodeScalars)
        let scored = candidates.compactMap { candidate -> (String, Int)? in
            let other = candidate.lowercased()
            if other == lowered { return (candidate, 0) }
            let otherScalars = Array(other.unicodeScalars)
            if abs(length - otherScalars.count) <= threshold {
                let distance = editDistance(scalars, otherScalars)
                if distance <= threshold { return (candidate, distance) }
            }
            if other.hasPrefix(lowered) || lowered.hasPrefix(other), min(other.count, lowered.count) >= 3 {
                return (candidate, threshold)
            }
            return nil
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// `", did you mean 'x'?"`, or an empty string when nothing is close.
    public static func didYouMean(_ name: String, among candidates: [String]) -> String {
        let close = closest(to: name, among: candidates)
        guard !close.isEmpty else { return "" }
        return ", did you mean " + close.map { "'\($0)'" }.joined(separator: " or ") + "?"
    }

    /// ``didYouMean(_:among:)`` over `names`, or over `aliases` (PyTorch class names) when no
    /// name is close: `cosine` suggests `cosine_annealing_lr`, not also `CosineAnnealingLR`. An
    /// alias written in another case suggests that alias alone (`StepLr`: `StepLR`).
    public static func didYouMean(_ name: String, among names: [String], orAmong aliases: [String]) -> String {
        if let alias = aliases.first(where: { $0.lowercased() == name.lowercased() }) { return didYouMean(name, among: [alias]) }
        let suggestion = didYouMean(name, among: names)
        return suggestion.isEmpty ? didYouMean(name, among: aliases) : suggestion
    }

    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
