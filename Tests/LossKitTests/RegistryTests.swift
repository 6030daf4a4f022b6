// SPDX-License-Identifier: Apache-2.0

import LossKit
import Testing

@Suite("Loss registry")
struct RegistryTests {
    @Test("every loss is found by its registry name and its PyTorch class name", arguments: LossRegistry.builtins.entries.map(\.descriptor))
    func aliases(_ descriptor: LossDescriptor) throws {
        let registry = LossRegistry.builtins
        #expect(try registry.entry(named: descriptor.name).descriptor == descriptor)
        #expect(try registry.entry(named: descriptor.pytorchName).descriptor == descriptor)
        let loss = try registry.makeLoss(descriptor.name)
        #expect(loss.descriptor == descriptor)
    }

    @Test("every loss has reduction and documented options", arguments: LossRegistry.builtins.entries.map(\.descriptor))
    func descriptors(_ descriptor: LossDescriptor) {
        #expect(descriptor.options.contains { $0.name == "reduction" })
        #expect(!descriptor.summary.isEmpty)
        #expect(descriptor.arguments.count >= 2 || descriptor.name == "ctc")
        for option in descriptor.options { #expect(!option.summary.isEmpty, "\(option.name)") }
        #expect(Set(descriptor.options.map(\.name)).count == descriptor.options.count)
    }

    @Test func unknownNameSuggestsCloseOnes() {
        #expect {
            try LossRegistry.builtins.makeLoss("MSE")
        } throws: { error in
            let error = error as! LossError
            return error.code == .unknownLoss && error.message.contains("did you mean 'mse'")
        }
        #expect(throws: LossError.self) { try LossRegistry.builtins.makeLoss("") }
    }

    @Test func duplicateRegistrationNamesBothOrigins() {
        var builder = LossRegistry.Builder.builtins
        #expect {
            try builder.register(descriptor: MSELoss.descriptor, origin: "plugin libmse.so 1.0") { options throws(LossError) in
                MSELoss(options: options)
            }
        } throws: { error in
            let error = error as! LossError
            return error.code == .duplicateLoss && error.message.contains("plugin libmse.so 1.0") && error.message.contains("built-in")
        }
    }

    @Test func newLossIsOneRegistration() throws {
        var renamed = MSELoss.descriptor
        renamed.name = "my_mse"
        renamed.pytorchName = "MyMSELoss"
        var builder = LossRegistry.Builder.builtins
        try builder.register(descriptor: renamed, origin: "test") { options throws(LossError) in MSELoss(options: options) }
        let registry = builder.build()
        #expect(registry.names.last == "my_mse")
        #expect(LossRegistry.builtins.names.contains("my_mse") == false)
    }

    @Test func unknownAndLegacyOptions() {
        #expect {
            try LossRegistry.builtins.makeLoss("cross_entropy", options: ["label_smooth": .number(0.1)])
        } throws: { ($0 as! LossError).message.contains("did you mean 'label_smoothing'") }
        #expect {
            try LossRegistry.builtins.makeLoss("l1", options: ["size_average": .bool(true)])
        } throws: { ($0 as! LossError).message.contains("deprecated") }
        #expect {
            try LossRegistry.builtins.makeLoss("nll", options: ["ignore_index": .string("x")])
        } throws: { ($0 as! LossError).code == .invalidOption }
    }

    @Test("reduction spellings: PyTorch strings and ATen integers", arguments: Reduction.allCases)
    func reductionSpellings(_ reduction: Reduction) {
        #expect(Reduction(atenValue: reduction.atenValue) == reduction)
        #expect(Reduction(rawValue: reduction.rawValue) == reduction)
        let expected: [Reduction: Int32] = [.none: 0, .mean: 1, .sum: 2]
        #expect(reduction.atenValue == expected[reduction])
    }
}
