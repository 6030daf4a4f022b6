// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// Where plugins given by name are looked for: each directory of `LOSSD_PLUGIN_PATH`
/// (colon-separated, in order), then `/usr/lib/lossd/plugins`.
///
/// A reference holding a `/` is a path and is used as it is. A bare name `NAME` is looked up as
/// `NAME`, `NAME.so` and `libNAME.so` in each directory in turn; the first existing file wins.
public struct PluginSearchPath: Sendable, Hashable {
    /// The directory lossd's packages install plugins into.
    public static let systemDirectory = "/usr/lib/lossd/plugins"

    /// The directories, in search order.
    public var directories: [String]

    public init(directories: [String]) {
        self.directories = directories
    }

    /// `LOSSD_PLUGIN_PATH`'s directories (empty entries skipped), then ``systemDirectory``.
    public init(environment: [String: String]) {
        var directories = (environment["LOSSD_PLUGIN_PATH"] ?? "").split(separator: ":").map(String.init)
        if !directories.contains(PluginSearchPath.systemDirectory) { directories.append(PluginSearchPath.systemDirectory) }
        self.directories = directories
    }

    /// The file a reference stands for.
    public func resolve(_ reference: String) throws(PluginError) -> String {
        if reference.contains("/") { return reference }
        guard !reference.isEmpty, reference != ".", reference != ".." else {
            throw PluginError(.notFound, plugin: reference, "'\(reference)' is not a plugin name")
        }
        let candidates = PluginSearchPath.candidates(reference)
        for directory in directories {
            for name in candidates {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                if PluginSearchPath.exists(path) { return path }
            }
        }
        throw PluginError(.notFound, plugin: reference,
                          "plugin '\(reference)' not found: looked for \(candidates.joined(separator: ", ")) in "
                              + directories.joined(separator: ", ") + " (LOSSD_PLUGIN_PATH, then \(PluginSearchPath.systemDirectory))")
    }

    /// The file names a bare name may have.
    static func candidates(_ name: String) -> [String] {
        var names = [name]
        if !name.hasSuffix(".so") { names.append(name + ".so") }
        if !name.hasPrefix("lib") { names.append("lib" + (name.hasSuffix(".so") ? name : name + ".so")) }
        return names
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}
