// SPDX-License-Identifier: Apache-2.0

public import LossKit

extension LossRegistry {
    /// The plugins whose losses are registered (origin `plugin PATH VERSION`, as
    /// ``LoadedPlugin/origin``), each with its losses, in registration order.
    public var plugins: [(origin: String, losses: [String])] {
        var result: [(origin: String, losses: [String])] = []
        for entry in entries where entry.origin.hasPrefix("plugin ") {
            if let index = result.firstIndex(where: { $0.origin == entry.origin }) {
                result[index].losses.append(entry.descriptor.name)
            } else {
                result.append((entry.origin, [entry.descriptor.name]))
            }
        }
        return result
    }
}
