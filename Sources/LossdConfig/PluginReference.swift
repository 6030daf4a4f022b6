// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// A loss plugin named in `daemon.plugins`, and where it was written.
public struct PluginReference: Sendable, Hashable, CustomStringConvertible {
    /// An absolute path (a relative one is resolved against the configuration file's directory),
    /// or a bare name without `/`, which the plugin loader looks up in its search path.
    public var path: String
    /// The list item in the configuration file.
    public var source: ConfigLocation

    public init(path: String, source: ConfigLocation) {
        self.path = path
        self.source = source
    }

    public var description: String { path }
}

/// What the loader's plugin hook returns: the losses the jobs are checked against (the registry
/// extended with every plugin that loaded) and the plugins that did not load.
public struct PluginResolution: Sendable {
    /// A plugin that could not be loaded: its position in `daemon.plugins` and why.
    public struct Problem: Sendable, Hashable {
        public var index: Int
        public var message: String

        public init(index: Int, message: String) {
            self.index = index
            self.message = message
        }
    }

    public var losses: LossRegistry
    public var problems: [Problem]

    public init(losses: LossRegistry, problems: [Problem]) {
        self.losses = losses
        self.problems = problems
    }
}
