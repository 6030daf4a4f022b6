// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport
import Testing

/// CTC inputs PyTorch accepts without a defined result (it reads out of range or computes with a
/// blank inside the target), or accepts beyond its documented shapes: lossd refuses them.
@Suite("CTCLoss refusals and workspace")
struct CTCLossTests {
    static func arguments(targets: Tensor, inputLengths: Tensor = Tensor([5, 5]), targetLengths: Tensor = Tensor([2, 2]),
                          logProbs: Tensor? = nil) -> [String: Tensor] {
        var random = SeededRandom(seed: 16)
        return ["log_probs": logProbs ?? random.uniform([5, 2, 4]), "targets": targets,
                "input_lengths": inputLengths, "target_lengths": targetLengths].markingIndices(of: "ctc")
    }

    static func refuses(_ arguments: [String: Tensor], options: [String: OptionValue] = [:], subject: String) throws {
        let loss = try LossRegistry.builtins.makeLoss("ctc", options: options)
        let error = #expect(throws: LossError.self) { try LossEvaluation(loss: loss, arguments: arguments) }
        #expect(error?.subject == subject, "\(error?.message ?? "no error")")
    }

    @Test func labelOutOfRange() throws {
        try Self.refuses(Self.arguments(targets: Tensor(shape: [2, 2], scalars: [1, 4, 3, 3])), subject: "targets")
    }

    @Test func negativeLabel() throws {
        try Self.refuses(Self.arguments(targets: Tensor([1, -1, 3, 3])), subject: "targets")
    }

    @Test func blankLabel() throws {
        try Self.refuses(Self.arguments(targets: Tensor(shape: [2, 2], scalars: [1, 0, 3, 2])), subject: "targets")
        try Self.refuses(Self.arguments(targets: Tensor(shape: [2, 2], scalars: [1, 2, 3, 2])), options: ["blank": .integer(3)], subject: "targets")
    }

    @Test func undocumentedLengthShapes() throws {
        try Self.refuses(Self.arguments(targets: Tensor(shape: [2, 2], scalars: [1, 2, 3, 3]), inputLengths: Tensor(shape: [2, 1], scalars: [5, 5])),
                         subject: "input_lengths")
        var random = SeededRandom(seed: 17)
        let unbatched = random.uniform([5, 4])
        try Self.refuses(["log_probs": unbatched, "targets": Tensor(shape: [1, 2], scalars: [1, 2]),
                          "input_lengths": Tensor(scalar: 5), "target_lengths": Tensor(scalar: 2)].markingIndices(of: "ctc"), subject: "targets")
        try Self.refuses(["log_probs": unbatched, "targets": Tensor([1, 2]),
                          "input_lengths": Tensor([5]), "target_lengths": Tensor(scalar: 2)].markingIndices(of: "ctc"), subject: "input_lengths")
    }

    @Test func nonFiniteLogProbs() throws {
        var logProbs = Tensor(repeating: -1, shape: [5, 2, 4])
        logProbs.scalars[3] = -.infinity
        try Self.refuses(Self.arguments(targets: Tensor(shape: [2, 2], scalars: [1, 2, 3, 3]), logProbs: logProbs), subject: "log_probs")
    }

    @Test func negativeBlankOption() {
        #expect(throws: LossError.self) { try LossRegistry.builtins.makeLoss("ctc", options: ["blank": .integer(-1)]) }
    }

    @Test("the workspace grows once and is reused; results do not depend on its contents")
    func workspaceReuse() throws {
        let loss = try LossRegistry.builtins.makeLoss("ctc", options: ["reduction": .string("sum")])
        let named = Self.arguments(targets: Tensor(shape: [2, 3], scalars: [1, 2, 2, 3, 1, 0]), targetLengths: Tensor([3, 2]))
        let arguments = LossArguments(loss.descriptor.arguments.map { named[$0.name] })
        _ = try loss.validate(arguments)
        var workspace: [Double] = []
        var first = [Double.nan], second = [Double.nan]
        var gradients = LossGradients(for: loss, arguments: arguments)
        loss.evaluate(arguments, output: &first, gradients: &gradients, workspace: &workspace)
        let grown = workspace.count
        let firstGradient = gradients.buffers[0]
        #expect(grown > 0)
        for i in workspace.indices { workspace[i] = .nan }
        loss.evaluate(arguments, output: &second, gradients: &gradients, workspace: &workspace)
        #expect(workspace.count == grown)
        #expect(first[0].bitPattern == second[0].bitPattern)
        #expect(firstGradient.map(\.bitPattern) == gradients.buffers[0].map(\.bitPattern))
        var valueOnly = LossGradients(for: loss, arguments: arguments, wanted: [])
        var third = [Double.nan]
        loss.evaluate(arguments, output: &third, gradients: &valueOnly, workspace: &workspace)
        #expect(first[0].bitPattern == third[0].bitPattern)
    }
}
