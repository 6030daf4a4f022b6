// SPDX-License-Identifier: Apache-2.0

public import LossdEngine
import LossdJSON

/// What `results/<job>.json` says of a model job's model, under the key `model`:
///
///     "model": {
///       "layers": [{"name": "linear", "options": {...}}, {"name": "relu", "options": {}}, ...],
///       "features": ["sepal_length", ...], "targets": ["species"],
///       "parameters": [{"name": "0.weight", "shape": [8, 4]}, {"name": "0.bias", "shape": [8]}, ...],
///       "parameter_count": 67,
///       "epochs": 40, "train_loss": 0.061, "val_loss": 0.072, "accuracy": 0.97,
///       "file": "models/iris.safetensors"
///     }
///
/// `features` and `targets` are the training data's column names (what `lossd predict` reads
/// from a file). `epochs`, `train_loss`, `val_loss` and `accuracy` are the last finished epoch's (null when
/// there was none, `val_loss` without validation data, `accuracy` without class-index targets).
/// The trained values themselves are the result's `output` (one flat vector in `state_dict`
/// order, `shape` `[parameter_count]`) and, by name, the safetensors file `file` (relative to
/// the state directory; null when the job ended without trained parameters).
public struct ModelSummary: Sendable, Hashable {
    /// One named parameter tensor and its shape.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var shape: [Int]

        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
    }

    /// The layers in order, as configured (registry name and options).
    public var layers: [JobSpec.Component]
    /// The training data's feature and target column names, in the model's input order.
    public var features: [String]
    public var targets: [String]
    /// The trained parameters' names and shapes, in `state_dict` order.
    public var parameters: [Parameter]
    /// The model file relative to the state directory (`models/<job>.safetensors`); nil when none was written.
    public var file: String?

    public init(layers: [JobSpec.Component], features: [String] = [], targets: [String] = [], parameters: [Parameter] = [],
                file: String? = nil) {
        self.layers = layers
        self.features = features
        self.targets = targets
        self.parameters = parameters
        self.file = file
    }

    /// The number of trained values.
    public var parameterCount: Int {
        parameters.reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// The `model` section, with the metrics of `epoch` (the last finished one).
    func json(lastEpoch epoch: EpochRecord?) -> JSONValue {
        func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        return .object([
            ("layers", .array(layers.map { .object([("name", .string($0.name)), ("options", JobRecord.json($0.options))]) })),
            ("features", .array(features.map(JSONValue.string))),
            ("targets", .array(targets.map(JSONValue.string))),
            ("parameters", .array(parameters.map {
                .object([("name", .string($0.name)), ("shape", .array($0.shape.map { .integer($0) }))])
            })),
            ("parameter_count", .integer(parameterCount)),
            ("epochs", epoch.map { .integer($0.epoch) } ?? .null),
            ("train_loss", optional(epoch?.trainLoss)),
            ("val_loss", optional(epoch?.validationLoss)),
            ("accuracy", optional(epoch?.accuracy)),
            ("file", file.map(JSONValue.string) ?? .null),
        ])
    }

    /// Reads the `model` section back with its last epoch's metrics; nil when it is not one.
    static func read(_ json: JSONValue, learningRate: Double, steps: Int) -> (ModelSummary, EpochRecord?)? {
        guard let layers = json["layers"]?.arrayValue, let parameters = json["parameters"]?.arrayValue else { return nil }
        var summary = ModelSummary(layers: [], features: json["features"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                   targets: json["targets"]?.arrayValue?.compactMap(\.stringValue) ?? [], file: json["file"]?.stringValue)
        for layer in layers {
            guard let name = layer["name"]?.stringValue else { return nil }
            summary.layers.append(JobSpec.Component(name, options: JobRecord.options(layer["options"])))
        }
        for parameter in parameters {
            guard let name = parameter["name"]?.stringValue, let shape = parameter["shape"]?.arrayValue?.compactMap(\.integerValue) else {
                return nil
            }
            summary.parameters.append(Parameter(name: name, shape: shape))
        }
        var epoch: EpochRecord?
        if let number = json["epochs"]?.integerValue, let trainLoss = json["train_loss"]?.doubleValue {
            epoch = EpochRecord(epoch: number, step: steps, trainLoss: trainLoss, validationLoss: json["val_loss"]?.doubleValue,
                                accuracy: json["accuracy"]?.doubleValue, learningRate: learningRate)
        }
        return (summary, epoch)
    }
}
