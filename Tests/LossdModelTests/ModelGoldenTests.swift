// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdModel
import LossdTestSupport
import Testing

/// Whole models against PyTorch float64: state_dict names, output and every parameter's gradient within 1e-12 relative.
@Suite struct ModelGoldenTests {
    @Test(arguments: ModelFixture.all)
    func sequentialMatchesPyTorch(_ fixture: ModelFixture) throws {
        let model = try Sequential(fixture.specification, inputWidth: fixture.inputWidth)
        #expect(model.layout.entries.map(\.name) == fixture.parameterNames)
        // A workspace larger than the batch: only the first rows count.
        var workspace = model.makeWorkspace(rows: fixture.rows + 5)
        model.forward(fixture.input, rows: fixture.rows, parameters: fixture.parameters, workspace: &workspace)
        let output = Array(workspace.output.prefix(fixture.rows * model.outputWidth))
        var gradient = [Double](repeating: .nan, count: model.layout.count)
        model.backward(outputGradient: fixture.upstream, rows: fixture.rows, parameters: fixture.parameters, workspace: &workspace,
                       parameterGradient: &gradient)
        #expect(Closeness.firstMismatch(actual: output, expected: fixture.output, rtol: 1e-12) == nil)
        #expect(Closeness.firstMismatch(actual: gradient, expected: fixture.parameterGrads, rtol: 1e-12) == nil)
    }
}
