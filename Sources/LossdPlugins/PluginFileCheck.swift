// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#endif

/// The checks on a plugin file before it is opened.
///
/// Every process: the path must name an existing regular file (symbolic links followed).
///
/// Running as root (the rule PAM and the dynamic loader follow for what they load with
/// privilege): the resolved file must be owned by root and not writable by group or others, and
/// so must every directory from its own up to `/`. A root-owned directory with the sticky bit
/// (such as `/tmp`) may be writable by others when it is not the file's own directory: others
/// cannot rename or replace what root owns inside it.
public enum PluginFileCheck {
    /// The resolved path of `path` after the checks, or the refusal. `owner` is the user that
    /// must own everything (root's 0 for the daemon; tests pass their own uid), or nil to skip the
    /// ownership rule (not running as root).
    public static func check(_ path: String, owner: UInt32?) throws(PluginError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            throw PluginError(.fileMissing, plugin: path, "plugin \(path) cannot be read: \(reason)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw PluginError(.fileMissing, plugin: path, "plugin \(path) is not a regular file")
        }
        guard let resolved = realPath(path) else {
            throw PluginError(.fileMissing, plugin: path, "plugin \(path) cannot be resolved: \(String(cString: strerror(errno)))")
        }
        guard let owner else { return resolved }
        try checkOwnership(resolved, info, owner: owner, isFile: true, original: path)
        var directory = resolved
        var isParent = true
        while directory != "/" {
            directory = parent(of: directory)
            var entry = stat()
            guard lstat(directory, &entry) == 0 else {
                throw PluginError(.insecure, plugin: path, "plugin \(path): cannot inspect \(directory): \(String(cString: strerror(errno)))")
            }
            try checkOwnership(directory, entry, owner: owner, isFile: false, isParent: isParent, original: path)
            isParent = false
        }
        return resolved
    }

    private static func checkOwnership(_ path: String, _ info: stat, owner: UInt32, isFile: Bool, isParent: Bool = false,
                                       original: String) throws(PluginError) {
        let what = isFile ? "the file \(path)" : "the directory \(path)"
        let subject = "plugin \(original)"
        guard info.st_uid == owner else {
            throw PluginError(.insecure, plugin: original,
                              "\(subject) refused: \(what) is owned by uid \(info.st_uid), not \(owner == 0 ? "root" : "uid \(owner)") "
                                  + "(running as root, lossd loads only plugins that only root can change)")
        }
        let writable = info.st_mode & (S_IWGRP | S_IWOTH) != 0
        let sticky = info.st_mode & S_ISVTX != 0
        guard !writable || (!isFile && !isParent && sticky) else {
            let who = info.st_mode & S_IWOTH != 0 ? "everyone" : "its group"
            throw PluginError(.insecure, plugin: original,
                              "\(subject) refused: \(what) is writable by \(who) (mode \(String(info.st_mode & 0o7777, radix: 8))); "
                                  + "running as root, lossd loads only plugins that only root can change (chmod go-w)")
        }
    }

    /// `realpath(3)`.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        // Sound: realpath returned a malloc'd NUL-terminated string, freed here after copying.
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
