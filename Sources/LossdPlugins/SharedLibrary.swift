// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// A shared library opened with `dlopen`. It is never closed: plugin losses may be in use by
/// running jobs at any time, and libraries with Swift code cannot be unloaded safely anyway.
struct SharedLibrary: @unchecked Sendable {
    // @unchecked Sendable: the handle is only passed to dlsym, which is thread-safe.
    let handle: UnsafeMutableRawPointer
    let path: String

    /// Opens `path` (already checked to be a regular file) with `RTLD_NOW | RTLD_LOCAL`, so that
    /// unresolved symbols fail here and not later inside a job, and plugins cannot see each other.
    static func open(_ path: String, plugin: String) throws(PluginError) -> SharedLibrary {
        guard hasELFHeader(path) else {
            throw PluginError(.notSharedObject, plugin: plugin, "plugin \(path) is not a shared object (no ELF header); build it with -shared -fPIC")
        }
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginError(.loadFailed, plugin: plugin, "plugin \(path) cannot be loaded: \(reason)")
        }
        return SharedLibrary(handle: handle, path: path)
    }

    /// The address of an exported symbol, or nil.
    func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        _ = dlerror()
        return dlsym(handle, name)
    }

    /// Whether the file starts with the ELF magic `\x7fELF`.
    static func hasELFHeader(_ path: String) -> Bool {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var magic: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        // Sound: reads at most 4 bytes into the 4-byte tuple.
        let count = withUnsafeMutableBytes(of: &magic) { read(descriptor, $0.baseAddress, 4) }
        return count == 4 && magic == (0x7F, 0x45, 0x4C, 0x46)
    }
}
