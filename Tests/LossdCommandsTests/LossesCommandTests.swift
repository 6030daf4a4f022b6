// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdCommands
import LossdJSON
import LossdTestSupport
import Testing

@Suite("lossd losses")
struct LossesCommandTests {
    @Test func table() throws {
        let result = try LossdProcess.run(["losses"])
        #expect(result.status == 0)
        assertSnapshot(result.stdout, named: "losses-table")
    }

    @Test func detail() throws {
        let result = try LossdProcess.run(["losses", "CrossEntropyLoss"])
        #expect(result.status == 0)
        assertSnapshot(result.stdout, named: "losses-cross_entropy")
    }

    @Test func unknownLoss() throws {
        let result = try LossdProcess.run(["losses", "hubber"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("did you mean 'huber'?"))
    }

    /// `--json` lists all 21 losses with every option and its default.
    @Test func json() throws {
        let result = try LossdProcess.run(["losses", "--json"])
        guard case .array(let entries) = try JSONValue(parsing: result.stdout) else {
            Issue.record("not a JSON array")
            return
        }
        #expect(entries.count == LossRegistry.builtins.entries.count)
        #expect(entries.count == 21)
        for (entry, registered) in zip(entries, LossRegistry.builtins.entries) {
            #expect(entry["name"] == .string(registered.descriptor.name))
            guard case .array(let options)? = entry["options"] else { continue }
            #expect(options.count == registered.descriptor.options.count)
        }
    }

    /// The README's loss table lists exactly the registered losses with their defaults.
    @Test func readmeTableIsCurrent() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for entry in LossRegistry.builtins.entries {
            let options = entry.descriptor.options.map { option -> String in
                let value: String
                switch option.defaultValue {
                case .string(let text): value = text
                case .bool(let flag): value = flag ? "True" : "False"
                case .null: value = "None"
                case .number(let number): value = "\(number)"
                default: value = option.defaultValue.description
                }
                return "\(option.name)=\(value)"
            }.joined(separator: " ")
            let row = "| `\(entry.descriptor.name)` | `\(entry.descriptor.pytorchName)` | \(entry.descriptor.arguments.map(\.name).joined(separator: ", ")) | \(options) |"
            #expect(readme.contains(row), "README lacks: \(row)")
        }
    }
}
