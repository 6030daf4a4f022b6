// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing
import LossdData

/// The datasets in configs/data load whole, with the shapes and class counts configs/data/README.md states.
@Suite struct ShippedDatasetTests {
    static let cases: [(file: String, target: String, rows: Int, features: Int, classCounts: [Int]?)] = [
        ("iris.csv", "species", 150, 4, [50, 50, 50]),
        ("breast_cancer.csv", "malignant", 569, 30, [357, 212]),
        ("wine.csv", "cultivar", 178, 13, [59, 71, 48]),
        ("diabetes.csv", "progression", 442, 10, nil),
    ]

    @Test(arguments: cases)
    func loads(file: String, target: String, rows: Int, features: Int, classCounts: [Int]?) throws {
        let path = Fixtures.shippedData.path + "/" + file
        let dataset = try DatasetLoader().load(.csv(path: path, features: [], target: [target]))
        #expect(dataset.rows == rows && dataset.featureCount == features && dataset.targetWidth == 1)
        if let classCounts {
            let classes = try dataset.classIndices(classCount: classCounts.count)
            #expect(classCounts.indices.map { label in classes.count { $0 == label } } == classCounts)
        }
    }
}
