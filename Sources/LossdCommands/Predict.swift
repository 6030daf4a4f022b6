// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import Foundation
import LossKit
import LossdConfig
import LossdData
import LossdEngine
import LossdJSON
import LossdModel
import LossdState

extension Lossd {
    /// `lossd predict`: a trained model job's predictions on a data file.
    public struct Predict: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Run a model job's trained model on a CSV or NumPy file and print its predictions.",
            discussion: """
                Reads the job's layers, loss and data columns from its result
                (results/<job>.json: the job has ended) and its trained parameters from
                models/<job>.safetensors in the state directory (chosen as for 'lossd
                status'). With --config, the layers, loss and columns come from that
                configuration's job instead (its trained parameters from the state directory
                that configuration's daemon uses, or from --model).

                The data file is read as the job's training data is: a CSV file's feature
                columns by header name (the job's), or a NumPy .npy file of shape (N, F)
                whose F columns are the job's features in order. When a CSV file has the
                job's target columns too (or --targets gives a NumPy target file), lossd
                also reports the loss, with the job's loss function, options and reduction
                over the whole file, and for class-index targets (cross_entropy with one
                target column, nll, multi_margin) the accuracy.

                Output: CSV with a header, one row per data row: 'output' (one output) or
                'output_0', 'output_1', ... and, for class-index losses, 'class' (the index
                of the largest output). --json prints one document instead: job, rows,
                loss_function, loss and accuracy (null without targets), outputs and classes.
                The predictions go to standard output or --output FILE; without --json the
                loss and accuracy line goes to standard error (to standard output with
                --output).

                Exit status: 0 success, 64 usage error or the job is not a model job, 65 the
                data or model file is malformed or does not fit the model, 66 a file is
                missing (no result, no model file, no data file), 73 the output file cannot
                be written, 77 permission denied, 78 the --config file is invalid.

                Examples:
                  lossd predict iris --data configs/data/iris.csv --state-dir state
                  lossd predict iris --data test.csv --config configs/iris.yaml --json
                  lossd predict iris --data x.npy --targets y.npy -o predictions.csv
                  lossd predict iris --data new.csv --model other.safetensors --config configs/iris.yaml
                """
        )

        @Argument(help: ArgumentHelp("The model job.", valueName: "job"), completion: .custom(JobSelection.complete))
        var job: String

        @Option(help: ArgumentHelp("The data: a CSV file with a header, or a NumPy .npy file of features.", valueName: "file"),
                completion: .file(extensions: ["csv", "npy"]))
        var data: String

        @Option(help: ArgumentHelp("A NumPy .npy file of targets for --data FILE.npy (for the loss and accuracy).", valueName: "file"),
                completion: .file(extensions: ["npy"]))
        var targets: String?

        @Option(help: ArgumentHelp("The trained parameters to use instead of the state directory's models/<job>.safetensors.",
                                   valueName: "file"), completion: .file(extensions: ["safetensors"]))
        var model: String?

        @OptionGroup var location: StateLocation

        @Option(name: [.short, .long], help: ArgumentHelp("Write the predictions to this file instead of standard output.", valueName: "file"),
                completion: .file())
        var output: String?

        @Flag(help: "Print one JSON document instead of CSV.")
        var json = false

        public init() {}

        public func validate() throws {
            if targets != nil, !data.lowercased().hasSuffix(".npy") {
                throw ValidationError("--targets goes with --data FILE.npy (a CSV file holds its target columns)")
            }
        }

        public func run() throws {
            do throws(CommandError) {
                let job = try PredictionJob.find(self.job, location: location, model: model)
                let dataset = try PredictionJob.load(data: data, targets: targets, columns: job)
                let parameters = try PredictionJob.parameters(job.modelFile)
                let evaluation: ModelEvaluation
                do throws(EngineError) {
                    evaluation = try ModelEvaluation(spec: job.spec(dataset), parameters: parameters, data: dataset)
                } catch {
                    throw CommandError(.dataError, "\(self.job) on \(data): \(error)")
                }
                let report = PredictionReport(job: job, dataset: dataset, evaluation: evaluation)
                try OutputFile.write(json ? report.json.serialized() + "\n" : report.csv, to: output)
                if !json, let line = report.summaryLine {
                    if output != nil { print(line) } else { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                }
            } catch {
                throw Console.fail(error)
            }
        }
    }
}

/// What `lossd predict` needs of a model job: its layers, loss, data columns and model file.
struct PredictionJob {
    var name: String
    var layers: [JobSpec.Component]
    var loss: JobSpec.Component
    var features: [String]
    var targets: [String]
    var modelFile: String

    /// The job from its result, or with `--config` from that configuration.
    static func find(_ name: String, location: StateLocation, model: String?) throws(CommandError) -> PredictionJob {
        if let config = location.config { return try fromConfiguration(name, config: config, location: location, model: model) }
        let reader = try location.reader()
        let stored: StateReader.StoredResult?
        do throws(StateReader.ReadError) { stored = try reader.result(name) } catch {
            throw StateLocation.commandError(error, directory: reader.directory)
        }
        guard let record = stored?.record else {
            throw CommandError(.noInput, "no result for job \(name) in \(reader.directory): its model is known once it has ended (or give --config FILE)")
        }
        guard let summary = record.model else {
            throw CommandError(.usage, "job \(name) is not a model job (it fits a free tensor): nothing to predict with")
        }
        let file = model ?? "\(reader.directory)/\(summary.file ?? StateStore.modelFile(name))"
        return PredictionJob(name: name, layers: summary.layers, loss: JobSpec.Component(record.lossFunction, options: record.lossOptions),
                             features: summary.features, targets: summary.targets, modelFile: file)
    }

    private static func fromConfiguration(_ name: String, config: String, location: StateLocation, model: String?) throws(CommandError)
        -> PredictionJob {
        let loaded: (configuration: LossdConfiguration, registries: TrainingRegistries)
        do throws(ConfigErrors) { loaded = try ConfigLoader().loadWithRegistries(path: config) } catch {
            let first = error.errors.first?.description ?? "invalid configuration"
            throw CommandError(.config, "\(config): \(first) (lossd check \(config) lists every problem)")
        }
        guard let job = loaded.configuration.jobs.first(where: { $0.name == name }) else {
            throw CommandError(.usage, "\(config) has no job \(name)")
        }
        guard let spec = job.spec(losses: loaded.registries.losses).model else {
            throw CommandError(.usage, "job \(name) of \(config) is not a model job (it fits a free tensor): nothing to predict with")
        }
        var file = model ?? ""
        if model == nil { file = "\(try location.resolve())/\(StateStore.modelFile(name))" }
        return PredictionJob(name: name, layers: spec.layers, loss: job.loss, features: spec.train.featureNames,
                             targets: spec.train.targetNames, modelFile: file)
    }

    /// The job as the engine evaluates it on `dataset` (its layers and loss; the data is unused).
    func spec(_ dataset: Dataset) -> JobSpec {
        JobSpec(model: ModelJob(layers: layers, train: dataset), loss: loss, optimizer: JobSpec.Component("sgd"),
                stopping: StoppingRules(maxSteps: 1))
    }

    /// Whether the loss reads class indices: the rows get a `class` column.
    var classIndexTargets: Bool {
        ["nll", "multi_margin"].contains(loss.name) || (loss.name == "cross_entropy" && targets.count == 1)
    }

    /// The data file with the job's feature columns, and its target columns when it has them all.
    static func load(data: String, targets: String?, columns job: PredictionJob) throws(CommandError) -> Dataset {
        for path in [data] + (targets.map { [$0] } ?? []) where !FileManager.default.fileExists(atPath: path) {
            throw CommandError(.noInput, "\(path): no such file")
        }
        do throws(DataError) {
            let source: DataSource
            if data.lowercased().hasSuffix(".npy") {
                source = .npy(features: data, target: targets ?? "")
            } else {
                let header = try DatasetLoader.csvColumns(path: data)
                let hasTargets = !job.targets.isEmpty && job.targets.allSatisfy(header.contains)
                source = .csv(path: data, features: job.features, target: hasTargets ? job.targets : [])
            }
            return try DatasetLoader().load(source)
        } catch {
            throw CommandError(.dataError, error.description)
        }
    }

    /// The trained parameters in `path` (a safetensors file).
    static func parameters(_ path: String) throws(CommandError) -> [(name: String, tensor: Tensor)] {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read it" : "no such file"
            throw CommandError(.noInput, "\(path): \(reason) (the model file of a model job is written when the job ends)")
        }
        do throws(ModelError) { return try SafeTensors.decode(Array(bytes)) } catch {
            throw CommandError(.dataError, "\(path): \(error)")
        }
    }
}

/// `lossd predict`'s output: the predictions as CSV or JSON, and the loss and accuracy line.
struct PredictionReport {
    let job: PredictionJob
    let dataset: Dataset
    let evaluation: ModelEvaluation

    var width: Int { evaluation.predictions.shape.last ?? 1 }

    /// The index of the largest output per row (the first on ties), for class-index losses.
    var classes: [Int]? {
        guard job.classIndexTargets else { return nil }
        let values = evaluation.predictions.scalars
        return (0..<dataset.rows).map { row in
            let outputs = values[(row * width)..<((row + 1) * width)]
            return outputs.indices.reduce(outputs.startIndex) { outputs[$1] > outputs[$0] ? $1 : $0 } - row * width
        }
    }

    var csv: String {
        var header = width == 1 ? ["output"] : (0..<width).map { "output_\($0)" }
        let classes = self.classes
        if classes != nil { header.append("class") }
        var text = header.joined(separator: ",") + "\n"
        let values = evaluation.predictions.scalars
        for row in 0..<dataset.rows {
            var cells = values[(row * width)..<((row + 1) * width)].map(JSONValue.format)
            if let classes { cells.append(String(classes[row])) }
            text += cells.joined(separator: ",") + "\n"
        }
        return text
    }

    var json: JSONValue {
        let values = evaluation.predictions.scalars
        return .object([
            ("job", .string(job.name)), ("data", .string(dataset.source)), ("rows", .integer(dataset.rows)),
            ("loss_function", .string(job.loss.name)), ("loss", evaluation.loss.map(JSONValue.number) ?? .null),
            ("accuracy", evaluation.accuracy.map(JSONValue.number) ?? .null),
            ("outputs", .array((0..<dataset.rows).map { row in
                .array(values[(row * width)..<((row + 1) * width)].map(JSONValue.number))
            })),
            ("classes", classes.map { .array($0.map { .integer($0) }) } ?? .null),
        ])
    }

    /// `iris on test.csv (30 rows): cross_entropy loss 0.0712, accuracy 0.9667`, when the data has targets.
    var summaryLine: String? {
        guard let loss = evaluation.loss else { return nil }
        var line = "\(job.name) on \(dataset.source) (\(dataset.rows) rows): \(job.loss.name) loss \(NumberText.short(loss))"
        if let accuracy = evaluation.accuracy { line += ", accuracy \(NumberText.short(accuracy))" }
        return line
    }
}
