// SPDX-License-Identifier: Apache-2.0

import LossKit
@testable import LossdEngine
import Testing

/// The step loop a job gets follows from its loss's conformances, with no list of losses in the
/// engine: every built-in element-wise loss runs fused with every built-in optimizer.
@Suite("Kernel choice")
struct KernelChoiceTests {
    static func kernel(_ spec: JobSpec, registries: TrainingRegistries = .builtins) throws -> String {
        "\(type(of: try PreparedJob(spec, registries: registries).kernel))"
    }

    @Test("built-in element-wise losses run fused, with their own type, for every built-in optimizer",
          arguments: LossRegistry.builtins.names)
    func fused(_ name: String) throws {
        let loss = try LossRegistry.builtins.makeLoss(name)
        guard loss is any PointwiseLoss else { return }
        for optimizer in FusedKernelTests.optimizers {
            let kernel = try Self.kernel(FusedKernelTests.spec((name, [:]), optimizer, count: 5))
            #expect(kernel.hasPrefix("ElementwiseKernel<FusedStep<\(type(of: loss)), "), "\(name) \(optimizer.0): \(kernel)")
        }
    }

    @Test("an optimizer the engine does not know gets the buffered pass; a loss without a chunked form the whole-loss loop")
    func others() throws {
        var builder = OptimizerRegistry.Builder()
        try builder.register(FusedKernelTests.WrappedSGD.self)
        let wrapped = TrainingRegistries(optimizers: builder.build())
        var spec = FusedKernelTests.spec(("mse", [:]), ("sgd", ["lr": .number(0.1)]), count: 5)
        spec.optimizer.name = "wrapped_sgd"
        #expect(try Self.kernel(spec, registries: wrapped) == "ElementwiseKernel<BufferedStep<MSELoss, WrappedSGD>>")
        spec.optimizer.name = "sgd"
        #expect(try Self.kernel(spec, registries: FusedKernelTests.opaqueRegistry).hasPrefix("WholeLossKernel<"))
    }
}
