// SPDX-License-Identifier: Apache-2.0

import LossdJSON

/// The checkpoint's JSON: one object with sorted keys, the layout `JobCheckpoint` always had.
extension JobCheckpoint {
    /// The JSON bytes.
    public func encoded() throws(EngineError) -> [UInt8] {
        func numbers(_ values: [Double]) -> JSONValue { .array(values.map { .number($0) }) }
        func slotsJSON(_ slots: [Slot]) -> JSONValue {
            .array(slots.map { .object([("name", .string($0.name)), ("values", numbers($0.values))]) })
        }
        let members: [(String, JSONValue)] = [
            ("badSteps", .integer(badSteps)),
            ("bestLoss", .number(bestLoss)),
            ("chunkSize", .integer(chunkSize)),
            ("gradientSquares", .number(gradientSquares)),
            ("history", .array(history.map { point in
                .object([("gradientNorm", .number(point.gradientNorm)), ("learningRate", .number(point.learningRate)),
                         ("loss", .number(point.loss))]
                        + (point.metrics.isEmpty ? [] : [("metrics", numbers(point.metrics))])
                        + [("step", .integer(point.step))])
            })),
            ("historyRecorded", .integer(historyRecorded)),
            ("lastLoss", .number(lastLoss)),
            ("learningRate", .number(learningRate)),
            ("loss", .string(loss)),
        ] + (model.map { [("model", $0.json)] } ?? []) + [
            ("optimizer", .string(optimizer)),
        ] + (optimizerMemory.map { [("optimizerMemory", slotsJSON($0))] } ?? []) + (optimizerScalars.isEmpty ? [] : [
            ("optimizerScalars", .array(optimizerScalars.map { .object([("name", .string($0.name)), ("value", .number($0.value))]) })),
        ]) + [
            ("optimizerState", slotsJSON(optimizerState)),
            ("parameters", numbers(parameters)),
            ("randomState", randomState.map { .array($0.map(JSONValue.string)) } ?? .null),
            ("scheduler", scheduler.map(JSONValue.string) ?? .null),
        ] + (schedulerState.map { [("schedulerState", $0.json)] } ?? []) + [
            ("shape", .array(shape.map { .integer($0) })),
            ("status", .string(status.name)),
            ("statusCode", status.code.map { .string($0.description) } ?? .null),
            ("statusDetail", status.detail.map(JSONValue.string) ?? .null),
            ("step", .integer(step)),
            ("version", .integer(version)),
        ]
        return Array(JSONValue.object(members).serialized().utf8)
    }

    /// Decodes ``encoded()``'s bytes (and those of earlier lossd versions).
    public init(decoding bytes: [UInt8]) throws(EngineError) {
        func invalid(_ reason: String) -> EngineError {
            EngineError(.invalidCheckpoint, subject: "checkpoint", "not a lossd checkpoint: \(reason)")
        }
        let json: JSONValue
        do throws(JSONSyntaxError) { json = try JSONValue(parsing: String(decoding: bytes, as: UTF8.self)) } catch {
            throw invalid("\(error)")
        }
        func field<Value>(_ key: String, _ read: (JSONValue) -> Value?) throws(EngineError) -> Value {
            guard let member = json[key], let value = read(member) else { throw invalid("'\(key)' is missing or mistyped") }
            return value
        }
        func optional<Value>(_ key: String, _ read: (JSONValue) -> Value?) throws(EngineError) -> Value? {
            guard let member = json[key], member != .null else { return nil }
            guard let value = read(member) else { throw invalid("'\(key)' is mistyped") }
            return value
        }
        func list<Value>(_ read: @escaping (JSONValue) -> Value?) -> (JSONValue) -> [Value]? {
            { value in
                guard let items = value.arrayValue else { return nil }
                let read = items.compactMap(read)
                return read.count == items.count ? read : nil
            }
        }
        let point: (JSONValue) -> HistoryPoint? = { item in
            guard let step = item["step"]?.integerValue, let loss = item["loss"]?.doubleValue,
                  let norm = item["gradientNorm"]?.doubleValue, let rate = item["learningRate"]?.doubleValue else { return nil }
            var metrics: [Double] = []
            if let values = item["metrics"] {
                guard let read = list(\.doubleValue)(values) else { return nil }
                metrics = read
            }
            return HistoryPoint(step: step, loss: loss, gradientNorm: norm, learningRate: rate, metrics: metrics)
        }
        let slot: (JSONValue) -> Slot? = { item in
            guard let name = item["name"]?.stringValue, let values = item["values"].flatMap(list(\.doubleValue)) else { return nil }
            return Slot(name: name, values: values)
        }
        let scalar: (JSONValue) -> Scalar? = { item in
            guard let name = item["name"]?.stringValue, let value = item["value"]?.doubleValue else { return nil }
            return Scalar(name: name, value: value)
        }
        let version = try field("version", \.integerValue)
        guard version == JobCheckpoint.currentVersion else {
            throw EngineError(.invalidCheckpoint, subject: "version", "checkpoint version \(version) is not \(JobCheckpoint.currentVersion)")
        }
        let statusName = try field("status", \.stringValue)
        guard let status = JobStatus(name: statusName, detail: try optional("statusDetail", \.stringValue),
                                     code: try optional("statusCode", \.stringValue)) else {
            throw EngineError(.invalidCheckpoint, subject: "status", "unknown status '\(statusName)'")
        }
        self.init(
            version: version, loss: try field("loss", \.stringValue), optimizer: try field("optimizer", \.stringValue),
            scheduler: try optional("scheduler", \.stringValue), shape: try field("shape", list(\.integerValue)),
            chunkSize: try field("chunkSize", \.integerValue), step: try field("step", \.integerValue),
            learningRate: try field("learningRate", \.doubleValue), lastLoss: try field("lastLoss", \.doubleValue),
            gradientSquares: try field("gradientSquares", \.doubleValue), bestLoss: try field("bestLoss", \.doubleValue),
            badSteps: try field("badSteps", \.integerValue), status: status,
            parameters: try field("parameters", list(\.doubleValue)), optimizerState: try field("optimizerState", list(slot)),
            history: try field("history", list(point)), historyRecorded: try field("historyRecorded", \.integerValue),
            randomState: try optional("randomState", list(\.stringValue)),
            model: try optional("model", ModelState.init(json:)),
            schedulerState: try optional("schedulerState", SchedulerStateRecord.init(json:)),
            optimizerScalars: try optional("optimizerScalars", list(scalar)) ?? [],
            optimizerMemory: try optional("optimizerMemory", list(slot)))
    }
}

extension JobCheckpoint.SchedulerStateRecord {
    /// The `schedulerState` member, keys sorted.
    var json: JSONValue {
        .object([
            ("epoch", .integer(epoch)),
            ("momentum", momentum.map(JSONValue.number) ?? .null),
            ("values", .object(values.keys.sorted().map { ($0, JSONValue.number(values[$0]!)) })),
        ])
    }

    /// Reads ``json``; nil when a member is missing or mistyped.
    init?(json: JSONValue) {
        guard let epoch = json["epoch"]?.integerValue, case .object(let members)? = json["values"] else { return nil }
        var values: [String: Double] = [:]
        for (name, value) in members {
            guard let number = value.doubleValue else { return nil }
            values[name] = number
        }
        var momentum: Double?
        if let member = json["momentum"], member != .null {
            guard let number = member.doubleValue else { return nil }
            momentum = number
        }
        self.init(epoch: epoch, momentum: momentum, values: values)
    }
}

extension JobCheckpoint.ModelState {
    /// The `model` member of a model job's checkpoint, keys sorted.
    var json: JSONValue {
        .object([
            ("badEpochs", .integer(badEpochs)),
            ("batches", .string(batches)),
            ("bestEpochLoss", .number(bestEpochLoss)),
            ("epochBatches", .integer(epochBatches)),
            ("epochCorrect", .integer(epochCorrect)),
            ("epochLossSum", .number(epochLossSum)),
            ("epochRows", .integer(epochRows)),
            ("epochs", .array(epochs.map { record in
                .object([("accuracy", record.accuracy.map(JSONValue.number) ?? .null), ("epoch", .integer(record.epoch)),
                         ("learningRate", .number(record.learningRate))]
                        + (record.metrics.isEmpty ? [] : [("metrics", .array(record.metrics.map { .number($0) }))])
                        + [("step", .integer(record.step)),
                         ("trainLoss", .number(record.trainLoss)),
                         ("validationLoss", record.validationLoss.map(JSONValue.number) ?? .null)])
            })),
            ("model", .string(model)),
        ])
    }

    /// Reads ``json``; nil when a member is missing or mistyped.
    init?(json: JSONValue) {
        func number(_ value: JSONValue?) -> Double?? {
            guard let value else { return nil }
            if value == .null { return .some(nil) }
            return value.doubleValue.map { .some($0) }
        }
        guard let model = json["model"]?.stringValue, let batches = json["batches"]?.stringValue,
              let items = json["epochs"]?.arrayValue, let epochLossSum = json["epochLossSum"]?.doubleValue,
              let epochBatches = json["epochBatches"]?.integerValue, let epochRows = json["epochRows"]?.integerValue,
              let epochCorrect = json["epochCorrect"]?.integerValue, let bestEpochLoss = json["bestEpochLoss"]?.doubleValue,
              let badEpochs = json["badEpochs"]?.integerValue else { return nil }
        var epochs: [EpochRecord] = []
        for item in items {
            guard let epoch = item["epoch"]?.integerValue, let step = item["step"]?.integerValue,
                  let trainLoss = item["trainLoss"]?.doubleValue, let rate = item["learningRate"]?.doubleValue,
                  let validation = number(item["validationLoss"]), let accuracy = number(item["accuracy"]) else { return nil }
            var metrics: [Double] = []
            if let values = item["metrics"] {
                guard let items = values.arrayValue else { return nil }
                metrics = items.compactMap(\.doubleValue)
                guard metrics.count == items.count else { return nil }
            }
            epochs.append(EpochRecord(epoch: epoch, step: step, trainLoss: trainLoss, validationLoss: validation,
                                      accuracy: accuracy, learningRate: rate, metrics: metrics))
        }
        self.init(model: model, batches: batches, epochs: epochs, epochLossSum: epochLossSum, epochBatches: epochBatches,
                  epochRows: epochRows, epochCorrect: epochCorrect, bestEpochLoss: bestEpochLoss, badEpochs: badEpochs)
    }
}
