// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import LossdData

@Suite struct ClassIndexTests {
    static let cases: [(csv: String, targets: [String], classes: Int, expected: String)] = [
        ("a,y\n1,0\n2,3\n", ["y"], 3, "data.csv:3: column 'y': class 3 is out of range 0..<3"),
        ("a,y\n1,0.5\n", ["y"], 3, "data.csv:2: column 'y': class 0.5 is not an integer"),
        ("a,y\n1,1\n2,0\n\n3,-1\n", ["y"], 2, "data.csv:5: column 'y': class -1 is out of range 0..<2"),
        ("a,y,z\n1,0,1\n", ["y", "z"], 2, "data.csv: class indices need exactly one target column; there are 2 (y, z)"),
        ("a,y\n1,0\n", ["y"], 0, "the class count must be positive, not 0"),
    ]

    @Test(arguments: cases)
    func badClassesAreLocated(csv: String, targets: [String], classes: Int, expected: String) throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("data.csv").path
        try csv.write(toFile: path, atomically: true, encoding: .utf8)
        let dataset = try DatasetLoader().load(.csv(path: path, features: ["a"], target: targets))
        #expect {
            try dataset.classIndices(classCount: classes)
        } throws: { error in
            (error as? DataError)?.description.hasSuffix(expected) == true
        }
    }

    @Test func goodClassesAreIndices() throws {
        let dataset = try DatasetLoader().load(.csv(path: Fixtures.path("good/table.csv"), features: [], target: ["y"]))
        #expect(try dataset.classIndices(classCount: 3) == [0, 1, 2, 1, 0, 2])
        #expect(throws: DataError.self) { try dataset.classIndices(classCount: 2) }
    }
}
