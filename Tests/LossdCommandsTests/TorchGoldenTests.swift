// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdCommands
import LossdJSON
import LossdTestSupport
import Testing

/// One row of a fixture written by `Scripts/gen-torch-goldens.py` from the real PyTorch (float64).
struct GoldenCase: Sendable, CustomTestStringConvertible {
    var file: String
    var id: String
    var request: JSONValue
    var expected: JSONValue?
    /// PyTorch's error, when it refused the request.
    var error: String?
    var rtol: Double

    var testDescription: String { "\(file):\(id)" }

    static let all: [GoldenCase] = {
        let folder = Bundle.module.url(forResource: "Fixtures/torch", withExtension: nil)!
        let files = try! FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return files.flatMap { name -> [GoldenCase] in
            let text = try! String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let document = try! JSONValue(parsing: text)
            guard case .array(let cases)? = document["cases"] else { return [] }
            return cases.map { row in
                var rtol = 1e-12
                if case .number(let value)? = row["rtol"] { rtol = value }
                return GoldenCase(file: name, id: row["id"].map { if case .string(let s) = $0 { s } else { "?" } } ?? "?",
                                  request: row["request"]!, expected: row["expected"],
                                  error: row["error"].flatMap { if case .string(let s) = $0 { s } else { nil } }, rtol: rtol)
            }
        }
    }()

    static var fileNames: Set<String> { Set(all.map(\.file)) }
}

extension JSONValue {
    var flatNumbers: [Double] {
        guard case .array(let values)? = self["data"] else { return [] }
        return values.map { value in
            switch value {
            case .number(let n): n
            case .integer(let i): Double(i)
            default: .nan
            }
        }
    }

    var shapeValue: [Int] {
        guard case .array(let values)? = self["shape"] else { return [-1] }
        return values.map { if case .integer(let i) = $0 { i } else { -1 } }
    }
}

@Suite("PyTorch goldens through the eval JSON interface")
struct TorchGoldenTests {
    @Test(arguments: GoldenCase.all)
    func matchesPyTorch(_ golden: GoldenCase) throws {
        guard let expected = golden.expected else {
            // PyTorch raised: lossd must refuse the same input with a data error; a dtype refusal
            // gives PyTorch's reason.
            let error = #expect(throws: CommandError.self) { try EvalRequest.respond(to: golden.request, registry: .builtins) }
            if golden.id.hasPrefix("dtype_"), let reason = golden.error {
                #expect(error?.message.contains(reason) == true, "\(error?.message ?? "") does not give PyTorch's reason: \(reason)")
            }
            return
        }
        let response = try EvalRequest.respond(to: golden.request, registry: .builtins)
        let value = try #require(response["value"])
        let expectedValue = try #require(expected["value"])
        #expect(value.shapeValue == expectedValue.shapeValue, "value shape")
        let valueMismatch = Closeness.firstMismatch(actual: value.flatNumbers, expected: expectedValue.flatNumbers, rtol: golden.rtol)
        #expect(valueMismatch == nil, "value: \(valueMismatch ?? "")")

        guard case .object(let expectedGradients)? = expected["grad"], case .object(let gradients)? = response["grad"] else {
            Issue.record("missing grad object")
            return
        }
        #expect(gradients.map(\.0).sorted() == expectedGradients.map(\.0).sorted(), "gradient names")
        for (name, expectedGradient) in expectedGradients {
            guard let gradient = response["grad"]?[name] else { continue }
            #expect(gradient.shapeValue == expectedGradient.shapeValue, "grad \(name) shape")
            let mismatch = Closeness.firstMismatch(actual: gradient.flatNumbers, expected: expectedGradient.flatNumbers, rtol: golden.rtol)
            #expect(mismatch == nil, "grad \(name): \(mismatch ?? "")")
        }
    }

    @Test("every built-in loss has a PyTorch fixture")
    func everyLossHasFixtures() {
        let covered = Set(GoldenCase.all.compactMap { golden -> String? in
            if case .string(let name)? = golden.request["loss"] { return name }
            return nil
        })
        for name in LossRegistry.builtins.names {
            #expect(covered.contains(name), "no golden fixture for \(name)")
        }
    }
}
