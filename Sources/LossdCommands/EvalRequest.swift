// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdJSON

/// The machine interface of `lossd eval --json`: one request object in, one response object out.
///
/// Request:  `{"loss": NAME, "options": {...}, "inputs": {"input": T, "target": T, ...}}`
/// Response: `{"value": T, "grad": {NAME: T, ...}}` with T = `{"shape": [...], "data": [...]}`.
/// `grad` holds the gradient of `sum(value)` for every differentiable real input. Keep stable.
public enum EvalRequest {
    /// Evaluates a parsed request. Every problem is `CommandError.Status.dataError`.
    public static func respond(to request: JSONValue, registry: LossRegistry) throws(CommandError) -> JSONValue {
        guard case .object(let members) = request else {
            throw CommandError(.dataError, "the request must be a JSON object {\"loss\": ..., \"options\": {...}, \"inputs\": {...}}")
        }
        for (key, _) in members where !["loss", "options", "inputs"].contains(key) {
            throw CommandError(.dataError, "unknown request key '\(key)'" + Suggestions.didYouMean(key, among: ["loss", "options", "inputs"])
                               + " (expected loss, options, inputs)")
        }
        guard case .string(let name)? = request["loss"] else {
            throw CommandError(.dataError, "the request needs \"loss\": a loss name (see 'lossd losses')")
        }
        var options: [String: OptionValue] = [:]
        switch request["options"] {
        case nil, .null?: break
        case .object(let pairs)?:
            for (key, value) in pairs {
                do throws(TensorJSONError) { options[key] = try OptionValue(json: value, path: "options.\(key)") }
                catch { throw CommandError(.dataError, error.description) }
            }
        default: throw CommandError(.dataError, "\"options\" must be an object")
        }
        guard case .object(let inputPairs)? = request["inputs"] else {
            throw CommandError(.dataError, "the request needs \"inputs\": an object of tensors by PyTorch name")
        }
        var inputs: [String: Tensor] = [:]
        for (key, value) in inputPairs {
            do throws(TensorJSONError) { inputs[key] = try Tensor(json: value, path: "inputs.\(key)") }
            catch { throw CommandError(.dataError, error.description) }
        }
        let evaluation: LossEvaluation
        do throws(LossError) {
            let loss = try registry.makeLoss(name, options: options)
            evaluation = try LossEvaluation(loss: loss, arguments: inputs)
        } catch {
            throw CommandError(.dataError, error.message)
        }
        return response(evaluation)
    }

    /// The response object for an evaluation.
    public static func response(_ evaluation: LossEvaluation) -> JSONValue {
        .object([
            ("value", evaluation.value.json),
            ("grad", .object(evaluation.gradients.keys.sorted().map { ($0, evaluation.gradients[$0]!.json) })),
        ])
    }
}
