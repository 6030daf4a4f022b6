// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdConfig
import LossdEngine
import LossdJSON

/// A job's effective configuration and study as its result records them (`config` and
/// `study` of `results/<job>.json`, see ``LossdState/JobRecord``), under the YAML keys of
/// lossd.yaml(5):
///
///     {"enabled": true, "seed": 0,
///      "loss": {"name": "mse", "options": {"reduction": "mean"}},
///      "optimizer": {"name": "adam", "options": {"lr": 0.01, ...}},
///      "scheduler": null or {"name": ..., "options": {...}},
///      "init": [[...]] or {"random": "normal", "shape": [4, 3], "mean": 0, "std": 1, "seed": 3},
///      "target": ..., "inputs": {"var": ...},
///      "max_steps": 1000, "tolerance": null, "patience": null, "min_delta": 0}
///
/// Options are complete (absent ones hold PyTorch's default, as the job ran). A random tensor
/// without its own seed has no `seed` key (it was drawn from the job's `seed`). A model job adds
/// `model` (`{"layers": [{"name", "options"}], "init": file or null}`), `data` (`{"train": source,
/// "validation": source or null}`, as written), `batch_size`, `shuffle`, `drop_last` and `epochs`;
/// its `init` and `target` are left out (empty).
enum ConfigurationJSON {
    static func config(_ job: JobConfiguration) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("enabled", .bool(job.enabled)),
            ("seed", .integer(Int(truncatingIfNeeded: job.seed))),
            ("loss", component(job.loss)),
            ("optimizer", component(job.optimizer)),
            ("scheduler", job.scheduler.map(component) ?? .null),
        ]
        if job.model == nil {
            members += [("init", tensor(job.initial)), ("target", tensor(job.target))]
        }
        members.append(("inputs", .object(job.inputs.keys.sorted().map { ($0, tensor(job.inputs[$0]!)) })))
        members += [
            ("max_steps", .integer(job.stopping.maxSteps)),
            ("tolerance", job.stopping.tolerance.map(JSONValue.number) ?? .null),
            ("patience", job.stopping.patience.map { .integer($0) } ?? .null),
            ("min_delta", .number(job.stopping.minDelta)),
        ]
        if let model = job.model {
            members += [
                ("model", .object([
                    ("layers", .array(model.layers.map(component))),
                    ("init", model.initialParameters.map { .string($0.path) } ?? .null),
                ])),
                ("data", .object([("train", .string(model.train.display)), ("validation", model.validation.map { .string($0.display) } ?? .null)])),
                ("batch_size", model.batchSize.map { .integer($0) } ?? .null),
                ("shuffle", .bool(model.shuffle)),
                ("drop_last", .bool(model.dropLast)),
                ("epochs", model.epochs.map { .integer($0) } ?? .null),
            ]
        }
        return .object(members)
    }

    /// `{"name": the sweep's job, "axes": {key: value}}` in the order the keys were written
    /// (values as JSON numbers or booleans where the YAML text is one, else its text); null for
    /// a job not made by a sweep.
    static func study(_ job: JobConfiguration) -> JSONValue {
        guard let sweep = job.sweep else { return .null }
        return .object([
            ("name", .string(sweep.template)),
            ("axes", .object(sweep.assignments.map { ($0.key, scalar($0.value)) })),
        ])
    }

    /// A YAML scalar's JSON: integer, number, boolean, null, else the text (lists and maps too).
    static func scalar(_ text: String) -> JSONValue {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let integer = Int(trimmed) { return .integer(integer) }
        if let number = Double(trimmed), trimmed.first.map({ $0.isNumber || $0 == "-" || $0 == "." || $0 == "+" }) == true {
            return .number(number)
        }
        switch trimmed {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case "null", "~", "": return .null
        default: break
        }
        if trimmed.count >= 2, let first = trimmed.first, first == "\"" || first == "'", trimmed.last == first {
            return .string(String(trimmed.dropFirst().dropLast()))
        }
        return .string(text)
    }

    static func component(_ component: JobSpec.Component) -> JSONValue {
        .object([
            ("name", .string(component.name)),
            ("options", .object(component.options.keys.sorted().map { ($0, option(component.options[$0]!)) })),
        ])
    }

    static func option(_ value: OptionValue) -> JSONValue {
        switch value {
        case .bool(let b): .bool(b)
        case .integer(let i): .integer(i)
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        case .tensor(let t): t.nestedJSON
        case .null: .null
        }
    }

    static func tensor(_ spec: TensorSpec) -> JSONValue {
        switch spec {
        case .literal(let tensor): return tensor.nestedJSON
        case .random(let random):
            var members: [(String, JSONValue)] = [("random", .string(random.distribution.name)),
                                                  ("shape", .array(random.shape.map { .integer($0) }))]
            switch random.distribution {
            case .normal(let mean, let std): members += [("mean", .number(mean)), ("std", .number(std))]
            case .uniform(let low, let high): members += [("low", .number(low)), ("high", .number(high))]
            }
            if let seed = random.seed { members.append(("seed", .integer(Int(truncatingIfNeeded: seed)))) }
            return .object(members)
        }
    }
}
