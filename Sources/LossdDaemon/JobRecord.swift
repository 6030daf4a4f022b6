// SPDX-License-Identifier: Apache-2.0

import Foundation
public import LossKit
public import LossdJSON

/// `results/<job>.json`: how a job ended, written once when it ends.
///
/// Fields: `name`, `status` (`converged`, `max_steps`, `diverged`, `failed`), `status_detail`,
/// `steps`, `loss`, `best_loss`, `grad_norm`, `lr`, `output` (the fitted tensor as nested lists of
/// the init's shape), `shape`, `loss_function` and `loss_options`, `optimizer` and
/// `optimizer_options`, `scheduler`, `started_at`/`finished_at` (RFC 3339 UTC), `elapsed_seconds`
/// (training time, summed over restarts), `resumed` and `config_hash`.
public struct JobRecord: Sendable {
    public var name: String
    public var status: String
    public var statusDetail: String?
    public var steps: Int
    public var loss: Double
    public var bestLoss: Double
    public var gradientNorm: Double
    public var learningRate: Double
    public var output: Tensor
    public var lossFunction: String
    public var lossOptions: [String: OptionValue]
    public var optimizer: String
    public var optimizerOptions: [String: OptionValue]
    public var scheduler: String?
    public var startedAt: Double
    public var finishedAt: Double
    public var elapsedSeconds: Double
    public var resumed: Bool
    public var configHash: String

    public init(name: String, status: String, statusDetail: String?, steps: Int, loss: Double, bestLoss: Double,
                gradientNorm: Double, learningRate: Double, output: Tensor, lossFunction: String,
                lossOptions: [String: OptionValue], optimizer: String, optimizerOptions: [String: OptionValue],
                scheduler: String?, startedAt: Double, finishedAt: Double, elapsedSeconds: Double, resumed: Bool, configHash: String) {
        self.name = name
        self.status = status
        self.statusDetail = statusDetail
        self.steps = steps
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

    /// The document written to `results/<job>.json`.
    public var json: JSONValue {
        .object([
            ("name", .string(name)),
            ("status", .string(status)),
            ("status_detail", statusDetail.map(JSONValue.string) ?? .null),
            ("steps", .integer(steps)),
            ("loss", .number(loss)),
            ("best_loss", .number(bestLoss)),
            ("grad_norm", .number(gradientNorm)),
            ("lr", .number(learningRate)),
            ("output", output.nestedJSON),
            ("shape", .array(output.shape.map { .integer($0) })),
            ("loss_function", .string(lossFunction)),
            ("loss_options", Self.options(lossOptions)),
            ("optimizer", .string(optimizer)),
            ("optimizer_options", Self.options(optimizerOptions)),
            ("scheduler", scheduler.map(JSONValue.string) ?? .null),
            ("started_at", .string(Self.timestamp(startedAt))),
            ("finished_at", .string(Self.timestamp(finishedAt))),
            ("elapsed_seconds", .number(elapsedSeconds)),
            ("resumed", .bool(resumed)),
            ("config_hash", .string(configHash)),
        ])
    }

    /// Reads a record back; nil when a required field is missing or mistyped.
    public init?(json: JSONValue) {
        guard case .string(let name)? = json["name"], case .string(let status)? = json["status"],
              case .integer(let steps)? = json["steps"], case .string(let hash)? = json["config_hash"],
              let output = json["output"], let outputTensor = try? Tensor(json: output, path: "output") else { return nil }
        func number(_ key: String) -> Double {
            switch json[key] {
            case .number(let value)?: value
            case .integer(let value)?: Double(value)
            default: .nan
            }
        }
        func string(_ key: String) -> String? {
            if case .string(let value)? = json[key] { return value }
            return nil
        }
        var shaped = outputTensor
        if case .array(let dims)? = json["shape"] {
            let shape = dims.compactMap { if case .integer(let d) = $0 { d } else { nil } }
            if shape.reduce(1, *) == outputTensor.count { shaped = Tensor(shape: shape, scalars: outputTensor.scalars) }
        }
        self.init(name: name, status: status, statusDetail: string("status_detail"), steps: steps, loss: number("loss"),
                  bestLoss: number("best_loss"), gradientNorm: number("grad_norm"), learningRate: number("lr"),
                  output: shaped, lossFunction: string("loss_function") ?? "", lossOptions: [:],
                  optimizer: string("optimizer") ?? "", optimizerOptions: [:], scheduler: string("scheduler"),
                  startedAt: Self.parseTimestamp(string("started_at")), finishedAt: Self.parseTimestamp(string("finished_at")),
                  elapsedSeconds: number("elapsed_seconds"), resumed: json["resumed"] == .bool(true), configHash: hash)
    }

    static func options(_ options: [String: OptionValue]) -> JSONValue {
        .object(options.keys.sorted().map { key in
            let value: JSONValue
            switch options[key]! {
            case .bool(let b): value = .bool(b)
            case .integer(let i): value = .integer(i)
            case .number(let n): value = .number(n)
            case .string(let s): value = .string(s)
            case .tensor(let t): value = t.nestedJSON
            case .null: value = .null
            }
            return (key, value)
        })
    }

    static func timestamp(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    static func parseTimestamp(_ text: String?) -> Double {
        guard let text else { return .nan }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)?.timeIntervalSince1970 ?? .nan
    }
}
