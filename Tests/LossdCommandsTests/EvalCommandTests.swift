// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
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

    /// A target written with a real literal is a Double tensor and has a gradient; one written
    /// with integer literals is a Long tensor and has none (PyTorch differentiates floating tensors only).
    @Test(arguments: [
        ("[30.0,20,50]", "700.000000\ngrad input: [-13.333333, -6.666667, -26.666667]\ngrad target: [13.333333, 6.666667, 26.666667]\n"),
        ("[30,20,50]", "700.000000\ngrad input: [-13.333333, -6.666667, -26.666667]\n"),
    ])
    func gradientIsPrinted(target: String, expected: String) throws {
        let result = try LossdProcess.run(["eval", "mse", "--input", "[10,10,10]", "--target", target, "--grad", "--precision", "6"])
        #expect(result.status == 0)
        #expect(result.stdout == expected)
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
        (["eval", "mse", "--input", "[[1,2,3]]", "--target", "[[0,0,0]]", "--option", "weight=[1,2,3]"], 65,
         "weight: shape (3,) must be the input's shape (1, 3) (Weights and input must have the same size.)"),
        (["eval", "huber", "--input", "[1,2]", "--target", "[0.0,0]", "--option", "weight=[1,true]"], 64, "expected a number, found true"),
        (["eval", "gaussian_nll", "--input", "[[1,2]]", "--target", "[[0,0]]", "--tensor", "var=-0.5"], 65, "var: -0.5; var has negative entry/entries"),
        (["eval", "gaussian_nll", "--input", "[[1,2]]", "--target", "[[0,0]]", "--tensor", "var=1"], 65, "var: a plain number must be a float"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--tensor", "var=[1]"], 64, "mse takes no tensor 'var'"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--json"], 64, "--json takes everything from standard input"),
        (["eval", "--input", "[1]"], 64, "missing the loss name"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--bogus"], 64, "Unknown option '--bogus'"),
        // PyTorch's refusals: class indices are Long tensors, probabilities floating ones.
        (["eval", "cross_entropy", "--input", "[[0.1,0.2,0.3]]", "--target", "[1.0]"], 65, "expected target dtype to be Long or Byte, but got Double"),
        (["eval", "nll", "--input", "[[0.1,0.2,0.3]]", "--target", "[1.0]"], 65, "expected target dtype to be Long or Byte, but got Double"),
        (["eval", "cross_entropy", "--input", "[[0.1,0.2]]", "--target", "[[0,1]]"], 65, "Expected floating point type for target with class probabilities, got Long"),
        (["eval", "kl_div", "--input", "[-1,-2]", "--target", "[0,1]"], 65, "kl_div: Integral inputs not supported."),
        (["eval", "cross_entropy", "--input", "[[0.1,0.2]]", "--target", "[true]"], 65, "target[0]: expected a number, found true (booleans are not tensor data"),
        (["eval", "mse", "--input", "[1, false]", "--target", "[1, 0]"], 65, "input[1]: expected a number, found false"),
        // Control characters in echoed names are escaped; --precision names its range.
        (["eval", "m\u{1B}[31mse\u{07}", "--input", "[1]", "--target", "[1]"], 64, "unknown loss 'm\\e[31mse\\u{7}'"),
        (["eval", "mse", "--input", "[1]", "--target", "[1]", "--precision", "-1"], 64, "--precision must be an integer between 0 and 17, got -1"),
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
        (#"{"loss": "cross_entropy", "inputs": {"input": [[0.1, 0.2, 0.3]], "target": [1.0]}}"#, "expected target dtype to be Long or Byte, but got Double"),
        (#"{"loss": "mse", "inputs": {"input": {"shape": [2], "data": [1, true]}, "target": [1, 1]}}"#, "inputs.input.data[1]: expected a number, found true"),
        (#"{"loss": "ms\u0000e", "inputs": {}}"#, "unknown loss 'ms\\0e'"),
        (#"{"loss": "mse", "inputs": {"input": [[1, 2], [3]], "target": [1]}}"#, "inputs.input[1]: has 1 elements, expected 2"),
        (#"{"loss": "mse", "inputs": {"input": [[1, 2], 3], "target": [1]}}"#, "inputs.input[1]: expected a list of 2 elements"),
        (#"{"loss": "mse", "inputs": {"input": [1, [2]], "target": [1]}}"#, "inputs.input[1]: expected a number, found a list"),
    ])
    func badJSONRequest(request: String, message: String) throws {
        let result = try LossdProcess.run(["eval", "--json"], stdin: request)
        #expect(result.status == 65, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    /// A 20 MB loss name: an error within a second of CPU time, and the name is not repeated whole.
    @Test func hugeLossName() throws {
        let name = String(repeating: "x", count: 20 << 20)
        let start = TestTiming.threadCPUTime()
        let message = Suggestions.didYouMean(name, among: LossRegistry.builtins.names)
        #expect(message.isEmpty)
        #expect(TestTiming.threadCPUTime() - start < TestTiming.bound(.seconds(1)))
        let error = #expect(throws: LossError.self) { try LossRegistry.builtins.entry(named: name) }
        #expect((error?.message.utf8.count ?? .max) < 200, "\(error?.message.prefix(200) ?? "")")
    }

    /// Input past the limit is refused with a message naming it; input within it is read whole.
    @Test(arguments: [(4096, 4096, true), (4097, 4096, false), (3 << 20, 4 << 20, true), (5 << 20, 4 << 20, false)])
    func inputLimit(size: Int, limit: Int, accepted: Bool) throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let payload = [UInt8](repeating: UInt8(ascii: "7"), count: size)
        let writeEnd = ends[1]
        let writer = Thread {
            payload.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(writeEnd)
        }
        writer.start()
        defer {
            // Drain what the writer still sends (a closed pipe would raise SIGPIPE in it), then close.
            var sink = [UInt8](repeating: 0, count: 1 << 16)
            while sink.withUnsafeMutableBytes({ read(ends[0], $0.baseAddress!, $0.count) }) > 0 {}
            close(ends[0])
        }
        do throws(CommandError) {
            let bytes = try EvalRequest.readBytes(from: ends[0], limit: limit)
            #expect(accepted && bytes == payload)
        } catch {
            #expect(!accepted && error.status == .dataError && error.message.contains("larger than \(limit) bytes"), "\(error.message)")
        }
    }

    /// The streamed response has exactly the text of the response object.
    @Test func streamedResponseMatchesSerialized() throws {
        let request = try JSONValue(parsing: #"{"loss": "gaussian_nll", "inputs": {"input": [[1, 2], [3, 4]], "target": [[1.5, 2], [3, 4.5]], "var": [[1.0, 2], [0.5, 1]]}}"#)
        let evaluation = try EvalRequest(bytes: Array(request.serialized().utf8)).evaluate(registry: .builtins)
        var streamed = ""
        EvalRequest.writeResponse(evaluation, chunkSize: 8) { streamed += $0 }
        #expect(streamed == EvalRequest.response(evaluation).serialized())
    }

    /// The functional arguments (`weight` of l1/mse/huber, a plain-number `var` of gaussian_nll)
    /// through the installed `lossd eval --json`: PyTorch's value and gradients for every
    /// reduction, and its refusals as data errors (65).
    @Test(arguments: GoldenCase.all.filter { $0.id.contains("weighted") || $0.id.contains("plain_var") })
    func functionalArgumentsMatchPyTorch(_ golden: GoldenCase) throws {
        let result = try LossdProcess.run(["eval", "--json"], stdin: golden.request.serialized())
        guard let expected = golden.expected else {
            #expect(result.status == 65, "PyTorch refused (\(golden.error ?? "")), lossd printed \(result.stdout)")
            return
        }
        #expect(result.status == 0, "\(result.stderr)")
        let response = try JSONValue(parsing: result.stdout)
        for (label, actual, wanted) in [("value", response["value"], expected["value"])]
            + ["input", "target"].map({ ("grad \($0)", response["grad"]?[$0], expected["grad"]?[$0]) }) {
            #expect(actual?.shapeValue == wanted?.shapeValue, "\(label) shape")
            let mismatch = Closeness.firstMismatch(actual: actual?.flatNumbers ?? [], expected: wanted?.flatNumbers ?? [], rtol: golden.rtol)
            #expect(mismatch == nil, "\(label): \(mismatch ?? "")")
        }
        #expect(response["grad"]?["var"] == nil, "a plain-number var has no gradient; the tensor options none")
    }
}
