// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossKit
import LossdPlugins

/// `--plugin PATH` (repeatable) of `lossd losses`, `eval` and `check`: loss plugins loaded on top of
/// the built-in losses, as `daemon.plugins` does for the daemon. A name without `/` is looked
/// up in `LOSSD_PLUGIN_PATH`, then `/usr/lib/lossd/plugins`.
enum PluginOptions {
    /// The plugin loader of this process (search path and root rule from the environment).
    static func loader() -> PluginLoader {
        PluginLoader(environment: ProcessInfo.processInfo.environment)
    }

    /// The built-in losses plus `plugins`; a plugin that does not load is an error (69).
    static func registry(_ plugins: [String], loader: PluginLoader = loader()) throws(CommandError) -> LossRegistry {
        guard !plugins.isEmpty else { return .builtins }
        var builder = LossRegistry.Builder.builtins
        let failures = loader.register(plugins, into: &builder)
        guard failures.isEmpty else {
            throw CommandError(.unavailable, failures.map { "--plugin \(plugins[$0.index]): \($0.error.message)" }.joined(separator: "\n"))
        }
        return builder.build()
    }
}
