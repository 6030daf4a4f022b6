// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// libdispatch asks for nice -4 for one of its threads; where that is refused (an unprivileged
/// user, as under `DynamicUser=`), lossd's setpriority drops the refusal and libdispatch logs
/// nothing. Run as root, the test drops to `nobody` with `setpriv` and asks libdispatch to log
/// to standard error (`LIBDISPATCH_LOG=stderr`), where the line would appear.
@Suite("Thread priority")
struct ThreadPriorityTests {
    static let setpriv = "/usr/bin/setpriv"
    static let unprivileged = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]

    /// Root, with setpriv, where an unprivileged process is refused nice -4 (the condition the
    /// line needs; a host that allows it has nothing to drop).
    static var refusedHere: Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: setpriv) else { return false }
        // GNU nice runs the command anyway and says on standard error that it could not renice.
        return (try? run(setpriv, unprivileged + ["/usr/bin/nice", "-n", "-4", "/bin/true"]))?.stderr.contains("Permission denied") == true
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: text, as: UTF8.self))
    }

    @Test(.enabled(if: refusedHere, "needs root, setpriv and a kernel that refuses nice -4 to nobody"))
    func anUnprivilegedRunLogsNoThreadPriorityFailure() throws {
        let folder = NSTemporaryDirectory() + "lossd-priority-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        chmod(folder, 0o777)
        let config = folder + "/c.yaml"
        try """
        jobs:
          - {name: a, loss: mse, init: [10, 10, 10], target: [30, 20, 50], optimizer: {name: sgd, lr: 0.1}, max_steps: 2000}
          - {name: b, loss: l1, init: [10, 10, 10], target: [30, 20, 50], optimizer: {name: sgd, lr: 0.1}, max_steps: 2000}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        chmod(config, 0o644)
        let result = try Self.run(Self.setpriv, Self.unprivileged + [LossdProcess.binary.path, "run", config, "--state-dir", folder + "/state"],
                                  environment: ["LIBDISPATCH_LOG": "stderr", "PATH": "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/state/results/b.json"))
        #expect(!result.stderr.contains("Failed to set thread priority"), "\(result.stderr)")
    }
}
