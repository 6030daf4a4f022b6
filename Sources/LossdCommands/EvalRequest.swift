// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdJSON

/// The machine interface of `lossd eval --json`: one request object in, one response object out.
///
/// Request:  `{"loss": NAME, "options": {...}, "inputs": {"input": T, "target": T, ...}}`
/// Response: `{"value": T, "grad": {NAME: T, ...}}` with T = `{"shape": [...], "data": [...]}`.
/// `grad` holds the gradient of `sum(value)` for every differentiable real input. Keep stable.
///
/// The request is read from its bytes straight into flat tensor storage (about 8 bytes per
/// number beside the text itself), and the response is written in chunks.
public struct EvalRequest: Sendable {
    /// The most bytes of standard input `lossd eval --json` reads (128 MiB, about 6 million numbers).
    public static let maximumBytes = 128 << 20

    /// The loss name as written.
    public var loss: String
    /// The options, by PyTorch keyword name.
    public var options: [String: OptionValue]
    /// The tensors, by PyTorch argument name.
    public var inputs: [String: Tensor]

    /// Reads a request from its JSON bytes. Every problem is `CommandError.Status.dataError`.
    public init(bytes: [UInt8]) throws(CommandError) {
        var loss: JSONValue?
        var options: [String: OptionValue] = [:]
        var inputs: [String: Tensor]?
        var reader = JSONReader(bytes: bytes)
        do throws(JSONInputError) {
            try reader.readDocument { reader throws(JSONInputError) in
                let isObject = try reader.readObject { reader, key throws(JSONInputError) in
                    switch key {
                    case "loss": loss = try reader.readValue()
                    case "options":
                        let isObject = try reader.readObject { reader, name throws(JSONInputError) in
                            options[name] = try reader.readOption(path: "options.\(EchoedText.escaped(name))")
                        }
                        if !isObject, try reader.readValue() != .null { throw .invalid("\"options\" must be an object") }
                    case "inputs":
                        var tensors: [String: Tensor] = [:]
                        guard try reader.readObject({ reader, name throws(JSONInputError) in
                            tensors[name] = try reader.readTensor(path: "inputs.\(EchoedText.escaped(name))")
                        }) else {
                            throw .invalid("the request needs \"inputs\": an object of tensors by PyTorch name")
                        }
                        inputs = tensors
                    default:
                        let known = ["loss", "options", "inputs"]
                        throw .invalid("unknown request key '\(EchoedText.escaped(key))'" + Suggestions.didYouMean(key, among: known)
                                       + " (expected loss, options, inputs)")
                    }
                }
                guard isObject else {
                    _ = try reader.readValue()  // a syntax error first, if there is one
                    throw .invalid("the request must be a JSON object {\"loss\": ..., \"options\": {...}, \"inputs\": {...}}")
                }
            }
        } catch {
            if case .syntax(let syntax) = error { throw CommandError(.dataError, "standard input: \(syntax)") }
            throw CommandError(.dataError, error.description)
        }
        guard case .string(let name)? = loss else {
            throw CommandError(.dataError, "the request needs \"loss\": a loss name (see 'lossd losses')")
        }
        guard let inputs else {
            throw CommandError(.dataError, "the request needs \"inputs\": an object of tensors by PyTorch name")
        }
        self.loss = name
        self.options = options
        self.inputs = inputs
    }

    /// Evaluates the request with every gradient. Every problem is a data error.
    public func evaluate(registry: LossRegistry) throws(CommandError) -> LossEvaluation {
        do throws(LossError) {
            let loss = try registry.makeLoss(loss, options: options)
            return try LossEvaluation(loss: loss, arguments: inputs)
        } catch {
            throw CommandError(.dataError, error.message)
        }
    }

    /// Evaluates a parsed request (the tests' entry point): its text goes through ``init(bytes:)``.
    public static func respond(to request: JSONValue, registry: LossRegistry) throws(CommandError) -> JSONValue {
        response(try EvalRequest(bytes: Array(request.serialized().utf8)).evaluate(registry: registry))
    }

    /// The response object for an evaluation.
    public static func response(_ evaluation: LossEvaluation) -> JSONValue {
        .object([
            ("value", evaluation.value.json),
            ("grad", .object(evaluation.gradients.keys.sorted().map { ($0, evaluation.gradients[$0]!.json) })),
        ])
    }

    /// Writes ``response(_:)``'s text in chunks of about `chunkSize` bytes, without building it
    /// whole: the same characters as `response(evaluation).serialized()`.
    public static func writeResponse(_ evaluation: LossEvaluation, chunkSize: Int = 1 << 16, to write: (String) -> Void) {
        var out = ""
        out.reserveCapacity(chunkSize + 64)
        func tensor(_ tensor: Tensor) {
            out += "{\"shape\": [" + tensor.shape.map(String.init).joined(separator: ", ") + "], \"data\": ["
            for (index, value) in tensor.scalars.enumerated() {
                if index > 0 { out += ", " }
                out += JSONValue.format(value)
                if out.utf8.count >= chunkSize {
                    write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            out += "]}"
        }
        out += "{\"value\": "
        tensor(evaluation.value)
        out += ", \"grad\": {"
        for (index, name) in evaluation.gradients.keys.sorted().enumerated() {
            if index > 0 { out += ", " }
            JSONValue.writeString(name, to: &out)
            out += ": "
            tensor(evaluation.gradients[name]!)
        }
        out += "}}"
        write(out)
    }
}
