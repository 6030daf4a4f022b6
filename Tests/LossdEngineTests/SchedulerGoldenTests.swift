// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdEngine
import LossdTestSupport
import Testing

/// Scheduler trajectories against torch.optim.lr_scheduler (`Scripts/gen-scheduler-goldens.py`,
/// fixtures in `Fixtures/sched`): parameters within 1e-9 relative, loss, learning rate and
/// cycled momentum after each of steps 1 to 20, 50, 100 and 200.
@Suite("torch.optim.lr_scheduler trajectories")
struct SchedulerGoldenTests {
    static let rtol = 1e-9
    static let fixtures = OptimizerFixture.load("Fixtures/sched")

    @Test("matches PyTorch", arguments: fixtures)
    func matchesPyTorch(_ fixture: OptimizerFixture) throws {
        try fixture.expectTrajectory(rtol: Self.rtol)
    }

    @Test("every scheduler and option has fixtures")
    func coverage() {
        let scheduled = (Self.fixtures + OptimizerFixture.all).compactMap(\.scheduler)
        for scheduler in SchedulerRegistry.builtins.entries {
            let used = Set(scheduled.filter { $0.name == scheduler.descriptor.name }.flatMap(\.options.keys))
            #expect(!used.isEmpty || scheduler.descriptor.options.isEmpty, "\(scheduler.descriptor.name) has no fixture")
            for option in scheduler.descriptor.options {
                #expect(used.contains(option.name), "\(scheduler.descriptor.name).\(option.name) has no fixture")
            }
        }
    }

    /// A default as `inspect.signature` gives it: none (required), None, a bool, a number, a string.
    enum SignatureDefault: Decodable, Equatable {
        case required, none, bool(Bool), number(Double), string(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .none
            } else if let flag = try? container.decode(Bool.self) {
                self = .bool(flag)
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else {
                let text = try container.decode(String.self)
                self = text == "<required>" ? .required : .string(text)
            }
        }

        /// Whether lossd's default is this one (lossd writes both "required" and None as null).
        func matches(_ value: OptionValue) -> Bool {
            switch (self, value) {
            case (.required, .null), (.none, .null): true
            case (.bool(let a), .bool(let b)): a == b
            case (.number(let a), .number(let b)): a == b
            case (.number(let a), .integer(let b)): a == Double(b)
            case (.string(let a), .string(let b)): a == b
            default: false
            }
        }
    }

    struct Signatures: Decodable {
        var schedulers: [String: [String: SignatureDefault]]
    }

    @Test("every option is spelled and defaulted as PyTorch's signature (Scripts/gen-scheduler-goldens.py)")
    func signatures() throws {
        let url = Bundle.module.url(forResource: "Fixtures/scheduler-signatures", withExtension: "json")!
        let torch = try JSONDecoder().decode(Signatures.self, from: Data(contentsOf: url)).schedulers
        #expect(Set(torch.keys) == Set(SchedulerRegistry.builtins.names))
        for entry in SchedulerRegistry.builtins.entries {
            let name = entry.descriptor.name
            let expected = torch[name] ?? [:]
            #expect(Set(entry.descriptor.options.map(\.name)) == Set(expected.keys), "\(name)")
            for option in entry.descriptor.options {
                guard let wanted = expected[option.name] else { continue }
                #expect(wanted.matches(option.defaultValue), "\(name).\(option.name): \(option.defaultValue), PyTorch \(wanted)")
            }
        }
    }

    @Test("cycled momentum matches PyTorch (SGD and RMSprop momentum; Adam, AdamW, Adamax, NAdam and RAdam beta1)")
    func cycledMomentum() throws {
        let cycled = Self.fixtures.filter { $0.steps.contains { $0.momentum != nil } }
        #expect(Set(cycled.map(\.optimizer.name)) == ["sgd", "adam", "adamw", "rmsprop", "adamax", "nadam", "radam"])
        for fixture in cycled {
            let job = try TrainingJob(fixture.spec)
            var taken = 0
            for expected in fixture.steps {
                _ = job.run(steps: expected.step - taken)
                taken = expected.step
                let momentum = job.checkpoint().schedulerState?.momentum ?? .nan
                #expect(Closeness.firstMismatch(actual: [momentum], expected: [expected.momentum!], rtol: Self.rtol) == nil,
                        "\(fixture.name) step \(expected.step) momentum \(momentum), expected \(expected.momentum!)")
            }
        }
    }
}
