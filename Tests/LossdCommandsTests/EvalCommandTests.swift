// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdCommands
import LossdJSON
import LossdTestSupport
import Testing

/// `lossd eval` as a user runs it: the README's seed examples, bad input and exit codes.
@Suite("lossd eval")
struct EvalCommandTests {
    /// The seed's printed figures, reproduced through the installed command line.
    @Test(arguments: [
        (["eval", "l1", "--input", "[1,2,3]", "--target", "[1,2,5]"], "0.6667"),
        (["eval", "l1", "--input", "[1,2,3]", "--target", "[1,2,5]", "--option", "reduction=sum"], "2.0000"),
        (["eval", "mse", "--input", "[1,2,3]", "--target", "[1,2,5]"], "1.3333"),
        (["eval", "MSELoss", "--input", "[1,2,3]", "--target", "[1,2,5]", "--option", "reduction=sum"], "4.0000"),
        (["eval", "cross_entropy", "--input", "[[0.1,0.2,0.3]]", "--target", "[1]"], "1.1019"),
    ])
    func seedExamples(arguments: [String], expected: String) throws {
        let result = try LossdProcess.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == expected + "\n")
    }

    @Test func gradientIsPrinted() throws {
        let result = try LossdProcess.run(["eval", "mse", "--input", "[10,10,10]", "--target", "[30,20,50]", "--grad", "--precision", "6"])
        #expect(result.status == 0)
        #expect(result.stdout == "700.000000\ngrad input: [-13.333333, -6.666667, -26.666667]\ngrad target: [13.333333, 6.666667, 26.666667]\n")
    }

    @Test func jsonInterface() throws {
        let request = #"{"loss": "cross_entropy", "options": {"reduction": "sum"}, "inputs": {"input": {"shape": [1, 3], "data": [0.1, 0.2, 0.3]}, "target": [1]}}"#
        let result = try LossdProcess.run(["eval", "--json"], stdin: request)
        #expect(result.status == 0, "\(result.stderr)")
        let response = try JSONValue(parsing: result.stdout)
        #expect(response["value"]?["shape"] == .array([]))
        guard case .array(let data)? = response["value"]?["data"], case .number(let value)? = data.first else {
            Issue.record("no value in \(result.stdout)")
            return
        }
        #expect(abs(value - 1.1019428482292442) < 1e-15)
        #expect(response["grad"]?["input"]?["shape"] == .array([.integer(1), .integer(3)]))
        #expect(response["grad"]?["target"] == nil, "class indices have no gradient")
    }

    /// Bad input of each kind: the exit status and a message naming the culprit.
    @Test(arguments: [
        (["eval", "msee", "--input", "[1]", "--target", "[1]"], Int32(64), "unknown loss 'msee', did you mean 'mse'?"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--option", "reductio=sum"], 64, "mse has no option 'reductio', did you mean 'reduction'?"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--option", "reduction=avg"], 64, "option 'reduction': 'avg' is not one of"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--option", "size_average=true"], 64, "deprecated PyTorch argument"),
        (["eval", "cross_entropy", "--input", "[[1,2]]", "--target", "[0]", "--option", "ignore_index=0.5"], 64, "option 'ignore_index': expected int"),
        (["eval", "cross_entropy", "--input", "[[1,2]]", "--target", "[0]", "--option", "label_smoothing=1.5"], 64, "label_smoothing"),
        (["eval", "mse", "--input", "[1,2]"], 65, "needs the tensor 'target'"),
        (["eval", "mse", "--input", "[1,2]", "--target", "[1,2,3]"], 65, "target: shape (3,) must match input shape (2,)"),
        (["eval", "mse", "--input", "[[1,2],[3]]", "--target", "[1]"], 65, "input[1]: has 1 elements, expected 2"),
        (["eval", "mse", "--input", "[1,", "--target", "[1]"], 65, "input: not a JSON tensor"),
        (["eval", "mse", "--input", "[1, NaN]", "--target", "[1, 2]"], 65, "input: element 1 is nan; inputs must be finite"),
        (["eval", "cross_entropy", "--input", "[[1,2,3]]", "--target", "[3]"], 65, "class index 3 at element 0 is out of range for 3 classes"),
        (["eval", "nll", "--input", "[[1,2,3]]", "--target", "[0.5]"], 65, "target: element 0 is 0.5; expected an integer"),
        (["eval", "cross_entropy", "--input", "[[1,2,3]]", "--target", "[0]", "--option", "weight=[1,2]"], 65, "weight: shape (2,) must be (C,) = (3,)"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--tensor", "var=[1]"], 64, "mse takes no tensor 'var'"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--json"], 64, "--json takes everything from standard input"),
        (["eval", "--input", "[1]"], 64, "missing the loss name"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--bogus"], 64, "Unknown option '--bogus'"),
    ] as [([String], Int32, String)])
    func badInput(arguments: [String], status: Int32, message: String) throws {
        let result = try LossdProcess.run(arguments)
        #expect(result.status == status, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test(arguments: [
        ("not json", "standard input: line 1, column 1"),
        ("[1, 2]", "the request must be a JSON object"),
        (#"{"loss": "mse", "inputs": {"input": [1], "target": [1]}, "extra": 1}"#, "unknown request key 'extra'"),
        (#"{"loss": "mse", "input": {"input": [1], "target": [1]}}"#, "unknown request key 'input', did you mean 'inputs'?"),
        (#"{"loss": "nope", "inputs": {}}"#, "unknown loss 'nope'"),
        (#"{"loss": "mse", "inputs": {"input": {"shape": [2], "data": [1]}, "target": [1]}}"#, "inputs.input: shape (2,) needs 2 elements, data has 1"),
        (#"{"loss": "mse", "inputs": {"input": [1], "target": ["a"]}}"#, "inputs.target[0]: expected a number"),
        (#"{"loss": "mse", "options": {"reduction": 3}, "inputs": {"input": [1], "target": [1]}}"#, "option 'reduction': expected none|mean|sum, got an integer"),
        (#"{"loss": "mse", "inputs": {"input": [1], "target": [Infinity]}}"#, "target: element 0 is inf"),
    ])
    func badJSONRequest(request: String, message: String) throws {
        let result = try LossdProcess.run(["eval", "--json"], stdin: request)
        #expect(result.status == 65, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }
}
