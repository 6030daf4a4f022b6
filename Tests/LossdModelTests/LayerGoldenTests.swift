// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdModel
import LossdTestSupport
import Testing

/// Every layer against PyTorch float64: output, input gradient and parameter gradients within 1e-12 relative.
@Suite struct LayerGoldenTests {
    static let rtol = 1e-12

    @Test func everyRegisteredLayerHasFixtures() {
        let covered = Set(LayerFixture.all.map(\.layer))
        #expect(covered == Set(LayerRegistry.builtins.names))
    }

    @Test(arguments: LayerFixture.all)
    func layerMatchesPyTorch(_ fixture: LayerFixture) throws {
        // The class name is an alias of the registry name: build one from each and expect the same.
        let layer = try LayerRegistry.builtins.makeLayer(fixture.torchClass, options: fixture.optionValues)
        #expect(layer.descriptor.name == fixture.layer)
        #expect(layer.parameterShapes(inputWidth: fixture.width).map(\.name) == fixture.parameterNames)
        let output = try LayerHarness.forward(layer, input: fixture.input, rows: fixture.rows, width: fixture.width,
                                              parameters: fixture.parameters)
        let gradients = try LayerHarness.backward(layer, input: fixture.input, rows: fixture.rows, width: fixture.width,
                                                  parameters: fixture.parameters, upstream: fixture.upstream)
        #expect(Closeness.firstMismatch(actual: output, expected: fixture.output, rtol: Self.rtol) == nil)
        #expect(Closeness.firstMismatch(actual: gradients.input, expected: fixture.inputGrad, rtol: Self.rtol) == nil)
        #expect(Closeness.firstMismatch(actual: gradients.parameters, expected: fixture.parameterGrads, rtol: Self.rtol) == nil)
        // -0.0 and 0.0 compare equal above; PyTorch's sign of zero is part of the contract too.
        #expect(zip(output, fixture.output).allSatisfy { $0.0 != 0 || $0.0.sign == $0.1.sign })
    }
}
