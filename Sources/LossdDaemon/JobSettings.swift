// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdConfig
import LossdEngine
import LossdJSON
import LossdState

/// What a result records of the job that made it, so that a result names its settings without
/// its configuration file: `config`, the job's effective configuration under the YAML keys (every
/// option filled in, defaults applied, the sweep's values in place), and `study`, the sweep that
/// generated it (its name and each axis's value) or null.
///
/// ```json
/// "config": {"loss": {"name": "huber", "options": {"delta": 1.0, "reduction": "mean"}},
///            "optimizer": {"name": "adam", "options": {"lr": 0.01, ...}}, "scheduler": null,
///            "init": {"random": "normal", "shape": [256], "mean": 0.0, "std": 3.0, "seed": null},
///            "target": [30.0, 20.0, 50.0], "inputs": {}, "seed": 11, "max_steps": 1000,
///            "tolerance": null, "patience": null, "min_delta": 0.0, "metrics": ["mae"],
///            "enabled": true},
/// "study": {"name": "lr-grid", "axes": {"optimizer.lr": "0.01", "loss": "l1"}}
/// ```
///
/// Axis values are the YAML text the sweep wrote or drew (`"0.01"`), as in the job's name.
enum JobSettings {
    static func config(_ job: JobConfiguration) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("loss", component(job.loss)),
            ("optimizer", component(job.optimizer)),
            ("scheduler", job.scheduler.map(component) ?? .null),
        ]
        if let model = job.model {
            members += [
                ("model", .object([
                    ("layers", .array(model.layers.map(component))),
                    ("init", model.initialParameters.map { .string($0.path) } ?? .null),
                ])),
                ("data", .object([
                    ("train", data(model.train)),
                    ("validation", model.validation.map(data) ?? .null),
                ])),
                ("batch_size", model.batchSize.map(JSONValue.integer) ?? .null),
                ("shuffle", .bool(model.shuffle)),
                ("drop_last", .bool(model.dropLast)),
                ("epochs", model.epochs.map(JSONValue.integer) ?? .null),
            ]
        } else {
            members += [
                ("init", tensor(job.initial)),
                ("target", tensor(job.target)),
                ("inputs", .object(job.inputs.keys.sorted().map { ($0, tensor(job.inputs[$0]!)) })),
            ]
        }
        members += [
            ("seed", .integer(Int(truncatingIfNeeded: job.seed))),
            ("max_steps", .integer(job.stopping.maxSteps)),
            ("tolerance", job.stopping.tolerance.map(JSONValue.number) ?? .null),
            ("patience", job.stopping.patience.map(JSONValue.integer) ?? .null),
            ("min_delta", .number(job.stopping.minDelta)),
            ("metrics", .array(job.metrics.map { .string($0.rawValue) })),
            ("enabled", .bool(job.enabled)),
        ]
        return .object(members)
    }

    static func study(_ job: JobConfiguration) -> JSONValue {
        guard let sweep = job.sweep else { return .null }
        return .object([
            ("name", .string(sweep.template)),
            ("axes", .object(sweep.assignments.map { ($0.key, .string($0.value)) })),
        ])
    }

    static func component(_ component: JobSpec.Component) -> JSONValue {
        .object([("name", .string(component.name)), ("options", JobRecord.json(component.options))])
    }

    /// Values as a nested list, or the random spec (`random`, `shape`, its parameters, `seed`).
    static func tensor(_ spec: TensorSpec) -> JSONValue {
        switch spec {
        case .literal(let tensor):
            return tensor.nestedJSON
        case .random(let random):
            var members: [(String, JSONValue)] = [("random", .string(random.distribution.name)), ("shape", .array(random.shape.map { .integer($0) }))]
            switch random.distribution {
            case .normal(let mean, let std): members += [("mean", .number(mean)), ("std", .number(std))]
            case .uniform(let low, let high): members += [("low", .number(low)), ("high", .number(high))]
            }
            members.append(("seed", random.seed.map { .integer(Int(truncatingIfNeeded: $0)) } ?? .null))
            return .object(members)
        }
    }

    /// The data as written (a path or generator), and for a split its fraction and seed.
    static func data(_ loaded: LoadedData) -> JSONValue {
        switch loaded.origin {
        case .whole:
            return .string(loaded.display)
        case .splitTrain(_, let fraction, let seed), .splitValidation(_, let fraction, let seed):
            return .object([("source", .string(loaded.display)), ("split", .number(fraction)),
                            ("seed", .integer(Int(truncatingIfNeeded: seed)))])
        }
    }
}
