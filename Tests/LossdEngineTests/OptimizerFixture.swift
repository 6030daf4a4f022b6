// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdEngine
import LossdTestSupport
import Testing

/// One trajectory written by `Scripts/gen-optim-goldens.py` from the real torch.optim (float64),
/// or by `Scripts/gen-scheduler-goldens.py` (whose steps also hold a cycled momentum).
struct OptimizerFixture: Sendable, CustomTestStringConvertible, Decodable {
    struct Component: Sendable, Decodable {
        var name: String
        var options: [String: FixtureValue]
    }

    struct TensorValue: Sendable, Decodable {
        var shape: [Int]
        var data: [Double]
        var tensor: Tensor { Tensor(shape: shape, scalars: data) }
    }

    struct Step: Sendable, Decodable {
        var step: Int
        var parameters: [Double]
        var loss: Double
        var lr: Double
        /// The momentum (or beta1) of the next update, when a scheduler cycles it.
        var momentum: Double?
    }

    var file = ""
    var name: String
    var loss: Component
    var `init`: TensorValue
    var target: TensorValue
    var optimizer: Component
    var scheduler: Component?
    var steps: [Step]

    private enum CodingKeys: String, CodingKey { case name, loss, `init`, target, optimizer, scheduler, steps }

    var testDescription: String { "\(file): \(name)" }

    /// The lossd job this trajectory describes (no tolerance: it runs its 200 steps).
    var spec: JobSpec {
        // Class indices (a target not shaped like the logits) are a Long tensor, as in PyTorch.
        var target = target.tensor
        if target.shape != `init`.tensor.shape { target.dtype = .int64 }
        return JobSpec(initialization: .tensor(`init`.tensor), target: target,
                loss: JobSpec.Component(loss.name, options: loss.options.mapValues(\.option)),
                optimizer: JobSpec.Component(optimizer.name, options: optimizer.options.mapValues(\.option)),
                scheduler: scheduler.map { JobSpec.Component($0.name, options: $0.options.mapValues(\.option)) },
                stopping: StoppingRules(maxSteps: steps.last!.step))
    }

    /// Runs the job step by step and expects PyTorch's parameters (within `rtol`), loss and
    /// learning rate at every recorded step.
    func expectTrajectory(rtol: Double) throws {
        let job = try TrainingJob(spec)
        var taken = 0
        for expected in steps {
            let status = job.run(steps: expected.step - taken)
            taken = expected.step
            #expect(status == (expected.step == steps.last!.step ? .maxSteps : .running))
            let progress = job.progress
            #expect(progress.step == expected.step)
            if let mismatch = Closeness.firstMismatch(actual: job.parameters.scalars, expected: expected.parameters, rtol: rtol) {
                Issue.record("step \(expected.step) parameters: \(mismatch)")
                return
            }
            #expect(Closeness.firstMismatch(actual: [progress.loss], expected: [expected.loss], rtol: rtol) == nil,
                    "step \(expected.step) loss \(progress.loss), expected \(expected.loss)")
            #expect(Closeness.firstMismatch(actual: [progress.learningRate], expected: [expected.lr], rtol: rtol) == nil,
                    "step \(expected.step) lr \(progress.learningRate), expected \(expected.lr)")
        }
    }

    private struct Document: Decodable {
        /// The torch constructor's keyword arguments and defaults, in order, as [name, default]
        /// pairs (optimizer files only).
        var signature: [[FixtureValue]]?
        var cases: [OptimizerFixture]
    }

    /// The documents of a fixtures folder, file by file.
    private static func documents(_ path: String) -> [(file: String, document: Document)] {
        let folder = Bundle.module.url(forResource: path, withExtension: nil)!
        let files = try! FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return files.map { file in
            let data = try! Data(contentsOf: folder.appendingPathComponent(file))
            return (file, try! JSONDecoder().decode(Document.self, from: data))
        }
    }

    /// The cases of `documents`, each knowing its file.
    private static func cases(_ documents: [(file: String, document: Document)]) -> [OptimizerFixture] {
        documents.flatMap { file, document in
            document.cases.map { fixture in
                var fixture = fixture
                fixture.file = file
                return fixture
            }
        }
    }

    private static let optimizerDocuments = documents("Fixtures/optim")

    /// Every fixture of `Fixtures/optim`, file by file.
    static let all: [OptimizerFixture] = cases(optimizerDocuments)

    /// Every fixture of a fixtures folder, file by file.
    static func load(_ path: String) -> [OptimizerFixture] { cases(documents(path)) }

    /// Per optimizer file (`adam.json` -> `adam`): its torch constructor's keyword arguments with
    /// their defaults, in the constructor's order.
    static let signatures: [String: [(name: String, value: FixtureValue)]] = Dictionary(uniqueKeysWithValues:
        optimizerDocuments.compactMap { file, document in
            document.signature.map { pairs in
                (String(file.dropLast(".json".count)), pairs.map { pair in
                    guard pair.count == 2, case .string(let name) = pair[0] else { fatalError("\(file): bad signature entry") }
                    return (name, pair[1])
                })
            }
        })

    /// Fixtures whose loss is registered (huber arrives from another branch).
    static var runnable: [OptimizerFixture] {
        all.filter { TrainingRegistries.builtins.losses.names.contains($0.loss.name) }
    }
}

/// An option value as JSON holds it (a composite scheduler's `schedulers`: a list of mappings).
indirect enum FixtureValue: Sendable, Decodable {
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case list([Double])
    case string(String)
    case mappings([[String: FixtureValue]])
    /// PyTorch's None (a signature's default, such as LBFGS's `max_eval`).
    case null
    /// A list with None entries (Adafactor's `eps` default `(None, 1e-3)`).
    case optionalList([Double?])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let values = try? container.decode([Double].self) {
            self = .list(values)
        } else if let values = try? container.decode([Double?].self) {
            self = .optionalList(values)
        } else {
            self = .mappings(try container.decode([[String: FixtureValue]].self))
        }
    }

    /// Whether `value` (a lossd option default) is this value: numbers compare as doubles,
    /// lists element by element.
    func matches(_ value: OptionValue) -> Bool {
        switch (self, value) {
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.integer(let a), .number(let b)): Double(a) == b
        case (.number(let a), .number(let b)): a == b
        case (.number(let a), .integer(let b)): a == Double(b)
        case (.list(let a), .tensor(let b)): b.shape == [a.count] && a == b.scalars
        case (.string(let a), .string(let b)): a == b
        case (.null, .null): true
        // A None entry of a pair stands for float64's machine epsilon (Adafactor's eps1 rule).
        case (.optionalList(let a), .tensor(let b)):
            b.shape == [a.count] && zip(a, b.scalars).allSatisfy { ($0 ?? Double.ulpOfOne) == $1 }
        default: false
        }
    }

    var option: OptionValue {
        switch self {
        case .bool(let value): .bool(value)
        case .integer(let value): .integer(value)
        case .number(let value): .number(value)
        case .list(let values): .tensor(Tensor(values))
        case .string(let value): .string(value)
        case .mappings(let items): .mappings(items.map { $0.mapValues(\.option) })
        case .null: .null
        case .optionalList(let values): .tensor(Tensor(values.map { $0 ?? Double.ulpOfOne }))
        }
    }
}
