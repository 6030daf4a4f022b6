// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdConfig
import LossdEngine
import Testing

/// The YAML 1.2 core schema as lossd applies it, seen through an option of each type.
@Suite("Scalar rules (YAML 1.2 core schema)")
struct ScalarRuleTests {
    static func job(optimizer: String) -> String {
        "jobs:\n  - name: a\n    loss: mse\n    init: [1]\n    target: [2]\n    max_steps: 1\n    optimizer: \(optimizer)\n"
    }

    @Test("Numbers", arguments: [
        ("0.5", 0.5), ("5e-1", 0.5), (".5", 0.5), ("+0.5", 0.5), ("1", 1.0), ("0x10", 16.0), ("0o10", 8.0), ("1.0e+2", 100.0),
        ("!!float 2", 2.0), ("010", 10.0),
    ])
    func numbers(_ text: String, _ value: Double) throws {
        let job = try #require(loaded(Self.job(optimizer: "{name: sgd, lr: \(text)}"))?.jobs.first)
        #expect(job.optimizer.options["lr"] == .number(value))
    }

    @Test("Not numbers", arguments: ["'0.5'", "\"1\"", "1_000", "0b11", "one", "true", "~", "[1]", "{a: 1}", "!!str '1'", ".inf", "-.inf", ".nan", "1e999"])
    func notNumbers(_ text: String) {
        let errors = rejected(Self.job(optimizer: "{name: sgd, lr: \(text)}"))
        #expect(errors.count == 1)
        #expect(errors.first?.path == "jobs[0].optimizer.lr")
        #expect(errors.first?.code == .wrongType || errors.first?.code == .nonFinite)
    }

    @Test("Booleans", arguments: [("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false)])
    func booleans(_ text: String, _ value: Bool) throws {
        let job = try #require(loaded(Self.job(optimizer: "{name: adam, amsgrad: \(text)}"))?.jobs.first)
        #expect(job.optimizer.options["amsgrad"] == .bool(value))
    }

    @Test("YAML 1.1 booleans are strings", arguments: ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "'true'", "1", "0"])
    func notBooleans(_ text: String) {
        let errors = rejected(Self.job(optimizer: "{name: adam, amsgrad: \(text)}"))
        #expect(errors.count == 1)
        #expect(errors.first?.code == .wrongType)
    }

    @Test("Integers: floats with integral values pass, others do not", arguments: [("10", 10), ("1e3", 1000), ("10.0", 10), ("0x1F", 31)])
    func integers(_ text: String, _ value: Int) throws {
        let job = try #require(loaded(Self.job(optimizer: "sgd").replacingOccurrences(of: "max_steps: 1", with: "max_steps: \(text)"))?.jobs.first)
        #expect(job.stopping.maxSteps == value)
    }

    @Test("Strings: any non-null scalar, quoted or not", arguments: ["sgd", "'sgd'", "\"sgd\"", "!!str sgd"])
    func strings(_ text: String) throws {
        let job = try #require(loaded(Self.job(optimizer: text))?.jobs.first)
        #expect(job.optimizer.name == "sgd")
    }
}
