// SPDX-License-Identifier: Apache-2.0

import Testing
import LossdData

@Suite struct BrokenDataTests {
    @Test func theManifestListsTheCorpus() {
        #expect(Fixtures.brokenCases.count >= 30)
        #expect(!Fixtures.brokenCases.contains { $0.name == "unreadable manifest line" })
    }

    @Test(arguments: Fixtures.brokenCases)
    func isRefusedWithALocatedError(_ broken: Fixtures.BrokenCase) {
        let loader = DatasetLoader()
        do {
            let dataset = try loader.load(broken.source)
            Issue.record("loaded \(dataset.rows) rows; expected: \(broken.expected)")
        } catch {
            #expect(error.description.contains(broken.expected), "got: \(error.description)")
        }
    }
}
