// SPDX-License-Identifier: Apache-2.0

import Foundation

/// The process's resident set size, from `/proc/self/statm`.
public enum ResidentMemory {
    /// Bytes resident now (0 where /proc is missing).
    public static func bytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
