// SPDX-License-Identifier: Apache-2.0

import CLossdPlugin
import LossKit

/// A plugin's descriptor, read out of the library and checked: names, options and functions.
struct PluginManifest: Sendable {
    var name: String
    var version: String
    var losses: [PluginLossSpec]

    /// The ABI versions this lossd reads.
    static let supportedABIVersions: ClosedRange<UInt32> = 1...LOSSD_PLUGIN_ABI_VERSION
    /// Sanity bounds on counts, so that a garbage descriptor fails cleanly.
    static let maxLosses = 256
    static let maxOptions = 64
    static let maxNameLength = 64

    /// Calls the entry point of `library` and reads what it returns.
    static func read(_ library: SharedLibrary, plugin: String) throws(PluginError) -> PluginManifest {
        let path = library.path
        func invalid(_ message: String) -> PluginError {
            PluginError(.invalidDescriptor, plugin: plugin, "plugin \(path) has an invalid descriptor: \(message)")
        }
        guard let symbol = library.symbol(LOSSD_PLUGIN_ENTRY_SYMBOL) else {
            throw PluginError(.missingEntry, plugin: plugin,
                              "plugin \(path) does not export the entry point \(LOSSD_PLUGIN_ENTRY_SYMBOL) "
                                  + "(declare it as in lossd/plugin.h: extern \"C\", @_cdecl or #[no_mangle], and exported)")
        }
        typealias Entry = @convention(c) () -> UnsafePointer<lossd_plugin>?
        // Sound: the symbol is the plugin's entry point, declared in lossd/plugin.h with this type.
        let entry = unsafeBitCast(symbol, to: Entry.self)
        guard let descriptor = entry() else { throw invalid("\(LOSSD_PLUGIN_ENTRY_SYMBOL)() returned NULL") }
        // Read only the first field until the version is known: later versions may differ after it.
        // Sound: every ABI version starts with a uint32_t abi_version.
        let version = UnsafeRawPointer(descriptor).load(as: UInt32.self)
        guard supportedABIVersions.contains(version) else {
            throw PluginError(.abiMismatch, plugin: plugin,
                              "plugin \(path) was built for plugin ABI version \(version), but this lossd supports version "
                                  + "\(LOSSD_PLUGIN_ABI_VERSION); rebuild it against this lossd's lossd/plugin.h")
        }
        let header = descriptor.pointee
        guard let name = try string(header.name, "the plugin name", invalid), !name.isEmpty else { throw invalid("the plugin name is NULL or empty") }
        guard let versionText = try string(header.version, "the plugin version", invalid), !versionText.isEmpty else {
            throw invalid("the version of plugin '\(name)' is NULL or empty")
        }
        guard header.loss_count >= 1, header.loss_count <= maxLosses else {
            throw invalid("loss_count is \(header.loss_count); a plugin declares 1 to \(maxLosses) losses")
        }
        guard let losses = header.losses else { throw invalid("losses is NULL with loss_count \(header.loss_count)") }
        var specs: [PluginLossSpec] = []
        var seen: Set<String> = []
        for index in 0..<Int(header.loss_count) {
            // Sound: the plugin declares loss_count entries at `losses`.
            let spec = try PluginLossSpec(losses[index], index: index, invalid: invalid)
            guard seen.insert(spec.descriptor.name).inserted else {
                throw PluginError(.duplicateLoss, plugin: plugin, "plugin \(path) declares the loss '\(spec.descriptor.name)' twice")
            }
            specs.append(spec)
        }
        return PluginManifest(name: name, version: versionText, losses: specs)
    }

    /// A C string from the descriptor as Swift text; nil for NULL, an error for invalid UTF-8.
    static func string(_ pointer: UnsafePointer<CChar>?, _ what: String, _ invalid: (String) -> PluginError) throws(PluginError) -> String? {
        guard let pointer else { return nil }
        // Sound: the descriptor's strings are NUL-terminated and owned by the plugin (lossd/plugin.h).
        guard let text = String(validatingCString: pointer) else { throw invalid("\(what) is not valid UTF-8") }
        return text
    }

    /// `[a-z][a-z0-9_]*`, at most ``maxNameLength`` bytes.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first), name.utf8.count <= maxNameLength else { return false }
        return name.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
    }
}
