// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import LossdData

/// The fixture folder (read in place) and the broken-data manifest `Fixtures/broken/EXPECTED`.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The repository's `configs/data`.
    static let shippedData = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("configs/data")

    static func path(_ relative: String) -> String { folder.appendingPathComponent(relative).path }

    /// A broken-data case: a source and the error substring it must raise.
    struct BrokenCase: Sendable, CustomTestStringConvertible {
        var name: String
        var source: DataSource
        var expected: String
        var testDescription: String { name }
    }

    /// Every case listed in the manifest.
    static let brokenCases: [BrokenCase] = {
        let text = (try? String(contentsOfFile: path("broken/EXPECTED"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> BrokenCase? in
            guard !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            func columns(_ list: String) -> [String] { list == "-" ? [] : list.split(separator: ",").map(String.init) }
            switch parts.first {
            case "csv" where parts.count == 5:
                return BrokenCase(name: parts[1], source: .csv(path: path(parts[1]), features: columns(parts[2]), target: columns(parts[3])),
                                  expected: parts[4])
            case "npy" where parts.count == 4:
                return BrokenCase(name: parts[1] + " + " + parts[2], source: .npy(features: path(parts[1]), target: path(parts[2])),
                                  expected: parts[3])
            default:
                return BrokenCase(name: "unreadable manifest line", source: .csv(path: "", features: [], target: []), expected: String(line))
            }
        }
    }()

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lossd-data-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
