// SPDX-License-Identifier: Apache-2.0

import LossKit
import Testing

@Suite("Built-in loss list")
struct BuiltinLossesTests {
    /// Records the overload each type reaches.
    struct Capabilities: BuiltinLossVisitor {
        var reached: [(name: String, capability: String)] = []
        mutating func visit<L: BuiltinLoss>(_ type: L.Type) { reached.append((L.descriptor.name, "whole")) }
        mutating func visit<L: BuiltinLoss & ChunkedLoss>(_ type: L.Type) { reached.append((L.descriptor.name, "chunked")) }
        mutating func visit<L: BuiltinLoss & PointwiseLoss>(_ type: L.Type) { reached.append((L.descriptor.name, "pointwise")) }
    }

    @Test("each loss type reaches the visit of its most specific capability, in registry order")
    func capabilities() throws {
        var visitor = Capabilities()
        BuiltinLosses.visit(&visitor)
        #expect(visitor.reached.map(\.name) == LossRegistry.builtins.names)
        for (name, capability) in visitor.reached {
            let loss = try LossRegistry.builtins.makeLoss(name)
            let expected = loss is any PointwiseLoss ? "pointwise" : loss is any ChunkedLoss ? "chunked" : "whole"
            #expect(capability == expected, "\(name)")
        }
        #expect(visitor.reached.contains { $0.capability == "pointwise" })
    }
}
