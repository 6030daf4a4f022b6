// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdEngine
public import LossdJSON

/// One job and where it stands: the record of `results/<job>.json` when it has ended, a job's
/// line of `status.json` while the daemon runs it, the daemon's rows (terminal table, `STATUS=`,
/// journal entries).
///
/// `results/<job>.json` (``resultJSON``) has the fields `name`, `status` (`converged`,
/// `max_steps`, `diverged`, `failed`), `status_detail` (the convergence rule or the failure's
/// reason), `status_code` (the failure's code, e.g. `invalidLoss`, `lossFailed`; null unless
/// failed), `steps`, `loss`, `best_loss`, `grad_norm`, `lr`, `output` (the fitted tensor as
/// nested lists of the init's shape), `shape`, `loss_function` and `loss_options`, `optimizer`
/// and `optimizer_options`, `scheduler`, `started_at`/`finished_at` (RFC 3339 UTC),
/// `elapsed_seconds` (training time, summed over restarts), `resumed` and `config_hash`.
/// Non-finite numbers are `NaN`, `Infinity` and `-Infinity`. A model job's result adds `model`
/// (see ``ModelSummary``); a free-tensor job's has no such key.
///
/// A job's line of `status.json` (``statusJSON``) has `name`, `status`, `step`, `max_steps`,
/// `loss` and `best_loss` (null before the first step), `elapsed_seconds`, `started_at`,
/// `loss_function` and `optimizer`, and `unsaved` (why its result, or for an unfinished job its
/// checkpoint, could not be written, e.g. `state directory full`) only when that is so. A model
/// job's line adds, once it has finished an epoch, `epoch`, `train_loss`, `val_loss` and
/// `accuracy` (null when not measured).
public struct JobRecord: Sendable, Hashable {
    public var name: String
    public var status: JobStatus
    /// Steps taken.
    public var steps: Int
    /// The job's `max_steps` (not in result files).
    public var maxSteps: Int?
    /// The last step's loss; NaN before the first step.
    public var loss: Double
    /// The best loss so far; +inf before the first step.
    public var bestLoss: Double
    public var gradientNorm: Double
    public var learningRate: Double
    /// The fitted tensor (result files only).
    public var output: Tensor?
    public var lossFunction: String
    public var lossOptions: [String: OptionValue]
    public var optimizer: String
    public var optimizerOptions: [String: OptionValue]
    public var scheduler: String?
    /// Wall-clock start of the job's first run (seconds since 1970).
    public var startedAt: Double
    /// Wall-clock end; nil while the job has not ended.
    public var finishedAt: Double?
    /// Training seconds, summed over restarts (measured on a monotonic clock).
    public var elapsedSeconds: Double
    public var resumed: Bool
    public var configHash: String
    /// Why the job's result (ended) or checkpoint (unfinished) is not on disk; nil when it is
    /// (daemon rows and `status.json` only).
    public var unsaved: StateWriteProblem?
    /// A model job's latest finished epoch (nil for free-tensor jobs and before the first epoch).
    public var epoch: EpochRecord?
    /// A model job's model (result files only; nil for free-tensor jobs).
    public var model: ModelSummary?
    /// The job's effective configuration (result key `config`; result files only, nil in results
    /// written before it was recorded).
    public var settings: JSONValue?
    /// The study (sweep) that generated the job: `{"name", "axes"}`, or `.null` (result key `study`).
    public var study: JSONValue?
    /// The job's configured metrics at its end, `{"mae": 0.12, ...}` (result key `metrics`; nil
    /// when the job configures none).
    public var metrics: JSONValue?

    public init(name: String, status: JobStatus, steps: Int = 0, maxSteps: Int? = nil, loss: Double = .nan,
                bestLoss: Double = .infinity, gradientNorm: Double = .nan, learningRate: Double = .nan, output: Tensor? = nil,
                lossFunction: String, lossOptions: [String: OptionValue] = [:], optimizer: String,
                optimizerOptions: [String: OptionValue] = [:], scheduler: String? = nil, startedAt: Double,
                finishedAt: Double? = nil, elapsedSeconds: Double = 0, resumed: Bool = false, configHash: String = "") {
        self.name = name
        self.status = status
        self.steps = steps
        self.maxSteps = maxSteps
        self.loss = loss
        self.bestLoss = bestLoss
        self.gradientNorm = gradientNorm
        self.learningRate = learningRate
        self.output = output
        self.lossFunction = lossFunction
        self.lossOptions = lossOptions
        self.optimizer = optimizer
        self.optimizerOptions = optimizerOptions
        self.scheduler = scheduler
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.elapsedSeconds = elapsedSeconds
        self.resumed = resumed
        self.configHash = configHash
    }

    /// The step counters of `progress` (the best loss is the lower of the two losses when the
    /// last step's is finite: the engine updates its best loss after the stopping rules).
    public mutating func update(_ progress: JobProgress) {
        steps = progress.step
        loss = progress.loss
        bestLoss = progress.loss.isFinite ? min(progress.bestLoss, progress.loss) : progress.bestLoss
        gradientNorm = progress.gradientNorm
        learningRate = progress.learningRate
        if let latest = progress.epoch { epoch = latest }
    }

    // MARK: - Result files

    /// The document written to `results/<job>.json`, with the output inline.
    public var resultJSON: JSONValue { resultJSON(outputFile: nil) }

    /// The document written to `results/<job>.json`; with `outputFile`, `output` names the
    /// safetensors file that holds it instead (``OutputFile``).
    public func resultJSON(outputFile: OutputFile?) -> JSONValue {
        let output = self.output ?? Tensor(shape: [0], scalars: [])
        return .object([
            ("name", .string(name)),
            (JobStatus.CodingKeys.name.rawValue, .string(status.name)),
            (JobStatus.CodingKeys.detail.rawValue, status.detail.map(JSONValue.string) ?? .null),
            (JobStatus.CodingKeys.code.rawValue, status.code.map { .string($0.description) } ?? .null),
            ("steps", .integer(steps)),
            ("loss", .number(loss)),
            ("best_loss", .number(bestLoss)),
            ("grad_norm", .number(gradientNorm)),
            ("lr", .number(learningRate)),
            ("output", outputFile?.json ?? output.nestedJSON),
            ("shape", .array(output.shape.map { .integer($0) })),
            ("loss_function", .string(lossFunction)),
            ("loss_options", Self.json(lossOptions)),
            ("optimizer", .string(optimizer)),
            ("optimizer_options", Self.json(optimizerOptions)),
            ("scheduler", scheduler.map(JSONValue.string) ?? .null),
            ("started_at", .string(Timestamp.rfc3339(startedAt))),
            ("finished_at", .string(Timestamp.rfc3339(finishedAt ?? startedAt))),
            ("elapsed_seconds", .number(elapsedSeconds)),
            ("resumed", .bool(resumed)),
            ("config_hash", .string(configHash)),
        ] + (model.map { [("model", $0.json(lastEpoch: epoch))] } ?? [])
          + (settings.map { [("config", $0), ("study", study ?? .null)] } ?? [])
          + (metrics.map { [("metrics", $0)] } ?? []))
    }

    /// Reads a result document back (also those written before `status_code` existed); nil when
    /// a required field is missing or mistyped, or when its output is in a file (``OutputFile``)
    /// that is not in `directory` (the result's folder) or does not match.
    public init?(result json: JSONValue, directory: String? = nil) {
        guard let name = json["name"]?.stringValue, let statusName = json[JobStatus.CodingKeys.name.rawValue]?.stringValue,
              let status = JobStatus(name: statusName, detail: json[JobStatus.CodingKeys.detail.rawValue]?.stringValue,
                                     code: json[JobStatus.CodingKeys.code.rawValue]?.stringValue),
              let steps = json["steps"]?.integerValue, let hash = json["config_hash"]?.stringValue,
              let output = json["output"] else { return nil }
        var tensor: Tensor
        if let file = OutputFile(json: output) {
            guard let directory, let read = file.read(in: directory) else { return nil }
            tensor = read
        } else {
            guard let inline = try? Tensor(json: output, path: "output") else { return nil }
            tensor = inline
        }
        if let shape = json["shape"]?.arrayValue?.compactMap(\.integerValue), shape.reduce(1, *) == tensor.count {
            tensor = Tensor(shape: shape, scalars: tensor.scalars)
        }
        func number(_ key: String) -> Double { json[key]?.doubleValue ?? .nan }
        self.init(name: name, status: status, steps: steps, loss: number("loss"), bestLoss: number("best_loss"),
                  gradientNorm: number("grad_norm"), learningRate: number("lr"), output: tensor,
                  lossFunction: json["loss_function"]?.stringValue ?? "", lossOptions: Self.options(json["loss_options"]),
                  optimizer: json["optimizer"]?.stringValue ?? "", optimizerOptions: Self.options(json["optimizer_options"]),
                  scheduler: json["scheduler"]?.stringValue, startedAt: Timestamp.seconds(json["started_at"]?.stringValue),
                  finishedAt: Timestamp.seconds(json["finished_at"]?.stringValue), elapsedSeconds: number("elapsed_seconds"),
                  resumed: json["resumed"] == .bool(true), configHash: hash)
        settings = json["config"]
        study = json["study"]
        metrics = json["metrics"]
        if let section = json["model"] {
            guard let (model, epoch) = ModelSummary.read(section, learningRate: learningRate, steps: steps) else { return nil }
            self.model = model
            self.epoch = epoch
        }
    }

    // MARK: - status.json

    /// The job's line of `status.json`.
    public var statusJSON: JSONValue {
        .object([
            ("name", .string(name)),
            ("status", .string(status.name)),
            ("step", .integer(steps)),
            ("max_steps", .integer(maxSteps ?? 0)),
            ("loss", Self.known(loss)),
            ("best_loss", Self.known(bestLoss)),
            ("elapsed_seconds", .number(elapsedSeconds)),
            ("started_at", .string(Timestamp.rfc3339(startedAt))),
            ("loss_function", .string(lossFunction)),
            ("optimizer", .string(optimizer)),
        ] + (epoch.map(Self.epochJSON) ?? []) + (unsaved.map { [("unsaved", JSONValue.string($0.description))] } ?? []))
    }

    /// A model job's epoch fields of `status.json` and `lossd status --json`: `epoch`,
    /// `train_loss`, `val_loss` and `accuracy` (null when not measured).
    public static func epochJSON(_ epoch: EpochRecord) -> [(String, JSONValue)] {
        [("epoch", .integer(epoch.epoch)), ("train_loss", .number(epoch.trainLoss)),
         ("val_loss", epoch.validationLoss.map(JSONValue.number) ?? .null), ("accuracy", epoch.accuracy.map(JSONValue.number) ?? .null)]
    }

    /// Reads a job's line of `status.json` back; nil when a required field is missing or mistyped.
    /// A loss that was not known yet reads as NaN.
    public init?(statusEntry json: JSONValue) {
        guard let name = json["name"]?.stringValue, let statusName = json["status"]?.stringValue,
              let status = JobStatus(name: statusName, detail: nil, code: nil),
              let steps = json["step"]?.integerValue, let maxSteps = json["max_steps"]?.integerValue else { return nil }
        self.init(name: name, status: status, steps: steps, maxSteps: maxSteps, loss: json["loss"]?.doubleValue ?? .nan,
                  bestLoss: json["best_loss"]?.doubleValue ?? .nan, lossFunction: json["loss_function"]?.stringValue ?? "",
                  optimizer: json["optimizer"]?.stringValue ?? "", startedAt: Timestamp.seconds(json["started_at"]?.stringValue),
                  elapsedSeconds: json["elapsed_seconds"]?.doubleValue ?? .nan)
        unsaved = json["unsaved"]?.stringValue.map(StateWriteProblem.init(description:))
        if let number = json["epoch"]?.integerValue {
            epoch = EpochRecord(epoch: number, step: steps, trainLoss: json["train_loss"]?.doubleValue ?? .nan,
                                validationLoss: json["val_loss"]?.doubleValue, accuracy: json["accuracy"]?.doubleValue,
                                learningRate: .nan)
        }
    }

    /// A loss, or null while it is not known yet (NaN before the first step, +inf best loss).
    static func known(_ value: Double) -> JSONValue {
        value.isNaN || value == .infinity ? .null : .number(value)
    }

    // MARK: - Options

    /// Options as a JSON object with sorted keys.
    public static func json(_ options: [String: OptionValue]) -> JSONValue {
        .object(options.keys.sorted().map { key in (key, json(options[key]!)) })
    }

    public static func json(_ value: OptionValue) -> JSONValue {
        switch value {
        case .bool(let b): .bool(b)
        case .integer(let i): .integer(i)
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        case .tensor(let t): t.nestedJSON
        case .null: .null
        case .mappings(let items): .array(items.map(json))
        }
    }

    /// Options read back from a result, as ``OptionValue/init(json:path:)`` reads them.
    static func options(_ json: JSONValue?) -> [String: OptionValue] {
        guard case .object(let members)? = json else { return [:] }
        var options: [String: OptionValue] = [:]
        for (key, value) in members { options[key] = try? OptionValue(json: value, path: key) }
        return options
    }
}
