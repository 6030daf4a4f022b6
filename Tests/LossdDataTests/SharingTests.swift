// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
@testable import LossdData

/// A loader reads each file once: every job on one file gets the same arrays.
@Suite struct SharingTests {
    static func address(_ values: [Double]) -> UnsafeRawPointer? {
        values.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    static let sources: [DataSource] = [
        .csv(path: Fixtures.path("good/table.csv"), features: ["a", "b"], target: ["y"]),
        .npy(features: Fixtures.path("good/x_f8.npy"), target: Fixtures.path("good/y_i8.npy")),
        .synthetic(.regression(.init(rows: 20, features: 2, seed: 1))),
    ]

    @Test(arguments: sources)
    func jobsOnOneSourceShareOneCopy(_ source: DataSource) async throws {
        let loader = DatasetLoader()
        let first = try loader.load(source)
        // Eight jobs loading at once.
        let loaded = try await withThrowingTaskGroup(of: Dataset.self) { group in
            for _ in 0..<8 { group.addTask { try loader.load(source) } }
            return try await group.reduce(into: [Dataset]()) { $0.append($1) }
        }
        for dataset in loaded {
            #expect(Self.address(dataset.features) == Self.address(first.features))
            #expect(Self.address(dataset.targets) == Self.address(first.targets))
        }
        // Another loader reads its own copy.
        let other = try DatasetLoader().load(source)
        #expect(Self.address(other.features) != Self.address(first.features))
        #expect(other.features == first.features)
    }

    @Test(arguments: sources)
    func jobsSplittingOneSourceAlikeShareBothParts(_ source: DataSource) throws {
        let loader = DatasetLoader()
        let first = try loader.split(source, validationFraction: 0.5, seed: 4)
        let second = try loader.split(source, validationFraction: 0.5, seed: 4)
        #expect(Self.address(first.train.features) == Self.address(second.train.features))
        #expect(Self.address(first.validation.targets) == Self.address(second.validation.targets))
        let direct = try loader.load(source).split(validationFraction: 0.5, seed: 4)
        #expect(first.train.features == direct.train.features && first.validation.features == direct.validation.features)
        let otherSeed = try loader.split(source, validationFraction: 0.5, seed: 5)
        #expect(Self.address(otherSeed.train.features) != Self.address(first.train.features))
    }

    @Test func entriesNoJobUsesAreDropped() throws {
        let loader = DatasetLoader()
        let kept = try loader.load(Self.sources[0])
        do { _ = try loader.load(Self.sources[1]) }
        #expect(throws: DataError.self) { try loader.load(.csv(path: Fixtures.path("broken/empty.csv"), features: [], target: ["y"])) }
        _ = try loader.load(Self.sources[0])
        #expect(loader.entryCount == 1)
        withExtendedLifetime(kept) {}
    }

    @Test func otherColumnsAreAnotherDataset() throws {
        let loader = DatasetLoader()
        let path = Fixtures.path("good/table.csv")
        let ab = try loader.load(.csv(path: path, features: ["a", "b"], target: ["y"]))
        let b = try loader.load(.csv(path: path, features: ["b"], target: ["y"]))
        #expect(b.featureCount == 1 && Self.address(b.features) != Self.address(ab.features))
    }

    @Test func anEditedFileIsReadAgain() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("data.csv").path
        try "a,y\n1,0\n".write(toFile: path, atomically: true, encoding: .utf8)
        let loader = DatasetLoader()
        let before = try loader.load(.csv(path: path, features: ["a"], target: ["y"]))
        try "a,y\n1,0\n2,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let after = try loader.load(.csv(path: path, features: ["a"], target: ["y"]))
        #expect(before.rows == 1 && after.rows == 2)
    }
}
