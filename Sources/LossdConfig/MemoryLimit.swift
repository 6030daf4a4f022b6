// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How much memory the jobs of a configuration may need together (``MemoryEstimate``), and
/// where that figure comes from: `daemon.memory_limit`, else the `memory.max` of the process's
/// cgroup (v2), else 80% of the machine's physical memory.
public struct MemoryLimit: Sendable, Hashable, CustomStringConvertible {
    /// Where the limit was set.
    public enum Origin: Sendable, Hashable {
        /// `daemon.memory_limit`, where it is written.
        case configured(ConfigLocation)
        /// `daemon.memory_limit: 50%`: that share of the machine's physical memory.
        case configuredShare(ConfigLocation, percent: Double, physical: Int)
        /// The `memory.max` file of the process's cgroup or of one of its ancestors (the lowest).
        case cgroup(String)
        /// 80% of the physical memory (`MemTotal`).
        case physical(Int)
        /// All the physical memory: what no single random tensor may exceed, whatever the limit.
        case installed
        /// ``ConfigLimits/maxRandomTensorBytes``, set by the program that loads the file.
        case harness
        /// `daemon.memory_limit: none`, or no limit found.
        case none
    }

    /// Bytes; nil: no limit.
    public var bytes: Int?
    public var origin: Origin

    public init(bytes: Int?, origin: Origin) {
        self.bytes = bytes
        self.origin = origin
    }

    /// `1.0 GiB (daemon.memory_limit at lossd.yaml:3:17)`, `none (...)`.
    public var description: String {
        let amount = bytes.map(ByteSize.format) ?? "none"
        switch origin {
        case .configured(let location): return "\(amount) (daemon.memory_limit at \(location))"
        case .configuredShare(let location, let percent, let physical):
            return "\(amount) (daemon.memory_limit at \(location): \(ScalarValue.format(percent))% of \(ByteSize.format(physical)) of physical memory)"
        case .cgroup(let file): return "\(amount) (memory.max of the cgroup, \(file))"
        case .physical(let physical): return "\(amount) (80% of \(ByteSize.format(physical)) of physical memory)"
        case .installed: return "\(amount) (the machine's physical memory; daemon.memory_limit is none)"
        case .harness: return "\(amount) (the loader's bound on one random tensor)"
        case .none: return "\(amount) (daemon.memory_limit: none)"
        }
    }

    /// The bound on one random tensor: this limit, or the physical memory when there is none
    /// (a tensor larger than the machine can never be held, and a file may say `none`).
    public var perTensor: MemoryLimit {
        guard bytes == nil, let physical = MemoryLimit.physicalMemory(proc: "/proc") else { return self }
        return MemoryLimit(bytes: physical, origin: .installed)
    }

    /// This limit, or `bytes` (``ConfigLimits/maxRandomTensorBytes``) when that is lower.
    func capped(at bytes: Int) -> MemoryLimit {
        guard bytes < self.bytes ?? .max else { return self }
        return MemoryLimit(bytes: bytes, origin: .harness)
    }

    /// The default for this process, read once: its cgroup's limit, else 80% of physical memory.
    public static let machine = MemoryLimit.system()

    /// The default read from `proc` and `cgroupRoot` (parameters for tests).
    static func system(proc: String = "/proc", cgroupRoot: String = "/sys/fs/cgroup") -> MemoryLimit {
        if let limit = cgroupLimit(proc: proc, cgroupRoot: cgroupRoot) { return limit }
        guard let physical = physicalMemory(proc: proc) else { return MemoryLimit(bytes: nil, origin: .none) }
        return MemoryLimit(bytes: physical / 5 * 4, origin: .physical(physical))
    }

    /// The lowest memory limit of the process's cgroup and its ancestors: `memory.max` under
    /// cgroup v2 (`0::/PATH` in `/proc/self/cgroup`), `memory.limit_in_bytes` under v1 (the
    /// `memory` controller's line); nil when none is set (`max`, or v1's near-2^63 value).
    static func cgroupLimit(proc: String, cgroupRoot: String) -> MemoryLimit? {
        guard let text = readText(proc + "/self/cgroup") else { return nil }
        var lowest: MemoryLimit?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[2].hasPrefix("/") else { continue }
            let root: String, name: String
            if fields[0] == "0", fields[1].isEmpty {
                (root, name) = (cgroupRoot, "memory.max")
            } else if fields[1].split(separator: ",").contains("memory") {
                (root, name) = (cgroupRoot + "/memory", "memory.limit_in_bytes")
            } else {
                continue
            }
            var path = String(fields[2])
            while true {
                let file = root + (path == "/" ? "" : path) + "/" + name
                if let value = readText(file).flatMap({ Int($0.trimmingWhitespace) }), value < 1 << 62, value < lowest?.bytes ?? .max {
                    lowest = MemoryLimit(bytes: value, origin: .cgroup(file))
                }
                guard path != "/", let slash = path.lastIndex(of: "/") else { break }
                path = slash == path.startIndex ? "/" : String(path[..<slash])
            }
        }
        return lowest
    }

    /// `MemTotal` of `/proc/meminfo` in bytes, else the page count times the page size.
    static func physicalMemory(proc: String) -> Int? {
        if let text = readText(proc + "/meminfo"),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
           let kilobytes = Int(line.dropFirst("MemTotal:".count).trimmingWhitespace.split(separator: " ").first ?? "") {
            return kilobytes * 1024
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : nil
    }

    private static func readText(_ path: String) -> String? {
        guard case .success(let bytes) = FileSystem.read(path, display: path, maxBytes: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    fileprivate var trimmingWhitespace: Substring {
        let text = Substring(self)
        guard let first = text.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = text.lastIndex(where: { !$0.isWhitespace })!
        return text[first...last]
    }
}
