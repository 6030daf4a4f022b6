// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdState

#if canImport(Glibc)
import Glibc
#endif

/// The `lossd serve` that holds a state directory, found through its lock file (see
/// ``StateDirectoryLock``), for `lossd reload` without `--pid`.
///
/// The lock file names the last holder (pid, host, command line); it is the running one when a
/// process of that pid on this host has that command line (so a pid reused by another program is
/// not signalled). Only `lossd serve` reloads: `lossd run` would die of SIGHUP, so it is refused.
struct RunningInstance {
    var pid: Int32
    var holder: StateDirectoryLock.Holder
    /// The systemd unit the process runs in (`lossd.service`), read from its cgroup; nil outside one.
    var unit: String?

    /// The instance holding `directory`'s lock; errors say why there is none.
    static func find(in directory: String, host: String = hostName(),
                     commandLine: (Int32) -> String? = commandLine(of:)) throws(CommandError) -> RunningInstance {
        let path = directory + "/" + StateDirectoryLock.fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandError(.unavailable, "no lossd has used the state directory \(directory) (no \(path)); "
                                   + "give --pid, or --state-dir/--config for the directory of the running lossd serve\(serviceAdvice(directory))")
        }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw CommandError(.noPermission, "cannot read \(path) (lossd.service's state is readable by root only: try sudo, or systemctl reload lossd)")
        }
        guard let holder = StateDirectoryLock.Holder(lockFile: Array(bytes)) else {
            throw CommandError(.unavailable, "\(path) names no process; give --pid")
        }
        guard holder.host == host else {
            throw CommandError(.unavailable, "the state directory \(directory) is held by \(holder): another host; reload it there")
        }
        guard let running = commandLine(holder.pid), running == holder.command else {
            throw CommandError(.unavailable, "no lossd is running on \(directory): its last holder, \(holder), has exited\(serviceAdvice(directory))")
        }
        let words = holder.command.split(separator: " ").map(String.init)
        guard words.dropFirst().first(where: { !$0.hasPrefix("-") }) == "serve" else {
            throw CommandError(.usage, "\(holder) is not a lossd serve: only lossd serve reloads its configuration (SIGHUP would stop a lossd run)")
        }
        return RunningInstance(pid: holder.pid, holder: holder, unit: unit(of: holder.pid))
    }

    /// Advice for the service's own state directory.
    private static func serviceAdvice(_ directory: String) -> String {
        directory == StateLocation.serviceDirectory ? " (for lossd.service: systemctl reload lossd, or systemctl start lossd)" : ""
    }

    /// `/proc/PID/cmdline` with its arguments joined by spaces, as the lock file writes them; nil
    /// when there is no such process.
    static func commandLine(of pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast(data.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// The system service the process runs in, from its cgroup path
    /// (`0::/system.slice/lossd.service`); nil for a process of a user's session.
    static func unit(of pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cgroup") else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let path = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).last,
                  path.hasPrefix("/system.slice/") else { continue }
            if let unit = path.split(separator: "/").last(where: { $0.hasSuffix(".service") }) { return String(unit) }
        }
        return nil
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        // Sound: gethostname writes at most `buffer.count - 1` bytes into the live array.
        let found = buffer.withUnsafeMutableBufferPointer { gethostname($0.baseAddress!, $0.count - 1) == 0 }
        guard found else { return "unknown host" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
