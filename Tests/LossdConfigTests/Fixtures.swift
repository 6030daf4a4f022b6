// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Paths of the test fixtures and of the repository's `configs/`, found from this file's path
/// (the tests read the files in place; nothing is copied into a bundle).
enum FixturePaths {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let invalid = tests.appendingPathComponent("Fixtures/invalid")
    static let valid = tests.appendingPathComponent("Fixtures/valid")
    static let repository = tests.deletingLastPathComponent().deletingLastPathComponent()
    static let configs = repository.appendingPathComponent("configs")

    /// The `.yaml` files directly in `directory`, sorted.
    static func yamlFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Every `.yaml` file under `directory`, recursively, sorted.
    static func yamlFilesRecursively(in directory: URL) -> [URL] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var found: [URL] = []
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasSuffix(".yaml") { found.append(directory.appendingPathComponent(relative)) }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lossd-config-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
