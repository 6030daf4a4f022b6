// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdConfig
public import LossdPlugins

/// Connects the configuration loader to the plugin loader: `daemon.plugins` extends the loss
/// registry that jobs are checked against and built from.
public enum PluginVocabulary {
    /// The loader hook (``ConfigLoader/resolvePlugins``): loads each plugin with `plugins` (once
    /// per process; reloads reuse what loaded) and registers its losses on top of the vocabulary.
    public static func hook(_ plugins: PluginLoader) -> @Sendable ([PluginReference], ConfigVocabulary) -> PluginResolution {
        { references, vocabulary in
            var builder = LossRegistry.Builder(vocabulary.losses)
            let failures = plugins.register(references.map(\.path), into: &builder)
            var extended = vocabulary
            extended.losses = builder.build()
            return PluginResolution(vocabulary: extended, problems: failures.map { .init(index: $0.index, message: $0.error.message) })
        }
    }

    /// The plugin origins of `registry` (`plugin PATH VERSION`) with their losses, in order.
    public static func plugins(in registry: LossRegistry) -> [(origin: String, losses: [String])] {
        var result: [(origin: String, losses: [String])] = []
        for entry in registry.entries where entry.origin.hasPrefix("plugin ") {
            if let index = result.firstIndex(where: { $0.origin == entry.origin }) {
                result[index].losses.append(entry.descriptor.name)
            } else {
                result.append((entry.origin, [entry.descriptor.name]))
            }
        }
        return result
    }
}
