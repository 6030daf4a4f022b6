// SPDX-License-Identifier: Apache-2.0

public import LossKit
import LossdEngine
public import LossdPlugins

extension ConfigLoader {
    /// The loader of `lossd check`, `lossd run` and `lossd serve`: the engine's built-in
    /// optimizers and schedulers, `losses` (the built-ins, plus any `--plugin` of `lossd check`),
    /// and the plugins of `daemon.plugins` loaded with `plugins` on top of them.
    ///
    /// `environment` gives `STATE_DIRECTORY`. The daemon then sets
    /// ``pluginProblemsFailJobsOnly``; `lossd check` leaves a failing plugin an error of the file.
    public static func production(plugins: PluginLoader, environment: [String: String],
                                  losses: LossRegistry = .builtins) -> ConfigLoader {
        var loader = ConfigLoader(registries: TrainingRegistries(losses: losses), environment: environment)
        loader.resolvePlugins = { references, losses in
            PluginResolution(loading: references, onto: losses, with: plugins)
        }
        return loader
    }
}

extension PluginResolution {
    /// Loads each plugin with `plugins` (once per process; reloads reuse what loaded) and
    /// registers its losses on top of `losses`.
    public init(loading references: [PluginReference], onto losses: LossRegistry, with plugins: PluginLoader) {
        var builder = LossRegistry.Builder(losses)
        let failures = plugins.register(references.map(\.path), into: &builder)
        self.init(losses: builder.build(), problems: failures.map { Problem(index: $0.index, message: $0.error.message) })
    }
}
