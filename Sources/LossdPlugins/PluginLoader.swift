// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif
public import LossKit
import LossdSync

/// A plugin that loaded and passed every check: its file, identity and losses.
public struct LoadedPlugin: Sendable {
    /// The resolved path of the library.
    public let path: String
    /// The name and version from its descriptor.
    public let name: String
    public let version: String
    let losses: [PluginLossSpec]

    /// How its losses' origin reads in `lossd losses`: `plugin PATH VERSION`.
    public var origin: String { "plugin \(path) \(version)" }

    /// The descriptors of its losses.
    public var descriptors: [LossDescriptor] { losses.map(\.descriptor) }

    /// Registers every loss of the plugin, or none: a name already taken (by a built-in loss or
    /// another plugin) refuses the whole plugin, with both origins in the message.
    public func register(into builder: inout LossRegistry.Builder, plugin reference: String) throws(PluginError) {
        var candidate = builder
        for spec in losses {
            let origin = self.origin, path = self.path
            do throws(LossError) {
                try candidate.register(descriptor: spec.descriptor, origin: origin) { options throws(LossError) in
                    try PluginLoss(spec: spec, origin: origin, path: path, options: options)
                }
            } catch {
                throw PluginError(.duplicateLoss, plugin: reference, "\(origin) refused: \(error.message)")
            }
        }
        builder = candidate
    }
}

/// Loads loss plugins: finds the file, applies the file checks, `dlopen`s it, reads and checks
/// its descriptor and gradient-checks every loss.
///
/// A library that passed is remembered by its resolved path and reused when asked again (a
/// reload): it is not opened or checked twice, and never closed. Replacing a plugin file takes
/// effect at the next start of lossd. A failure is not remembered: the next load tries again.
public final class PluginLoader: Sendable {
    public let searchPath: PluginSearchPath
    /// The owner the file rule requires (0 when running as root), or nil for no ownership rule.
    public let requiredOwner: UInt32?
    private let loaded = Locked<[String: LoadedPlugin]>([:])

    public init(searchPath: PluginSearchPath, requiredOwner: UInt32?) {
        self.searchPath = searchPath
        self.requiredOwner = requiredOwner
    }

    /// The search path from `environment`; the root rule when the effective user is root.
    public convenience init(environment: [String: String]) {
        self.init(searchPath: PluginSearchPath(environment: environment), requiredOwner: geteuid() == 0 ? 0 : nil)
    }

    /// Loads the plugin `reference` names (a path, or a name looked up in the search path).
    public func load(_ reference: String) throws(PluginError) -> LoadedPlugin {
        let file = try searchPath.resolve(reference)
        let path = try PluginFileCheck.check(file, owner: requiredOwner)
        if let known = loaded.withLock({ $0[path] }) { return known }
        let library = try SharedLibrary.open(path, plugin: reference)
        let manifest = try PluginManifest.read(library, plugin: reference)
        let plugin = LoadedPlugin(path: path, name: manifest.name, version: manifest.version, losses: manifest.losses)
        for spec in manifest.losses {
            let origin = plugin.origin
            try GradientCheck.run(spec.descriptor, origin: origin, plugin: reference) { options throws(LossError) in
                try PluginLoss(spec: spec, origin: origin, path: path, options: options)
            }
        }
        return loaded.withLock { table in
            if let raced = table[path] { return raced }
            table[path] = plugin
            return plugin
        }
    }

    /// One plugin that could not be added, by its position in the list given.
    public struct Failure: Sendable {
        public var index: Int
        public var error: PluginError
    }

    /// Loads `references` in order and registers their losses into `builder`. A plugin that fails
    /// any check is left out whole and reported; the others are registered.
    public func register(_ references: [String], into builder: inout LossRegistry.Builder) -> [Failure] {
        var failures: [Failure] = []
        for (index, reference) in references.enumerated() {
            do throws(PluginError) {
                let plugin = try load(reference)
                try plugin.register(into: &builder, plugin: reference)
            } catch {
                failures.append(Failure(index: index, error: error))
            }
        }
        return failures
    }
}
