// SPDX-License-Identifier: Apache-2.0

public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `lossd` executable, as a user would, and captures what it prints.
public struct LossdProcess: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// The `lossd` built next to the test bundle (SwiftPM builds both into one folder), or
    /// `$LOSSD_BINARY` when set (to test an installed copy).
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["LOSSD_BINARY"] { return URL(fileURLWithPath: path) }
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("lossd")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lossd")
    }

    @discardableResult
    public static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil) throws -> LossdProcess {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe(), errors = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return LossdProcess(status: process.terminationStatus,
                            stdout: String(decoding: out, as: UTF8.self),
                            stderr: String(decoding: err, as: UTF8.self))
    }
}

extension LossdProcess {
    /// Runs `lossd arguments` to its end and captures what it prints, like ``run(_:stdin:environment:)``,
    /// but without holding a thread while it runs: Swift Testing runs suites on a pool of one thread
    /// per core, and a test blocked in `waitUntilExit` holds up every other test.
    public static func finish(_ arguments: [String], environment: [String: String]? = nil) async throws -> LossdProcess {
        let folder = NSTemporaryDirectory() + "lossd-output-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outputPath = folder + "/stdout", errorPath = folder + "/stderr"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let exits = Recorder<Int32>()
        process.terminationHandler = { exits.append($0.terminationStatus) }
        try process.run()
        let status = await exits.first { _ in true }
        try? output.close()
        try? errors.close()
        return LossdProcess(status: status,
                            stdout: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
                            stderr: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "")
    }
}

/// A `lossd` started in the background (run or serve), for signal and restart tests.
public final class LossdChild: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test's own task (the signal thread reads
    // the pid and the locked exit record).
    public let process: Process
    private let errors: FileHandle
    private let exits = Recorder<Int32>()

    /// Starts `lossd arguments` with `environment` added to this process's environment;
    /// standard error goes to `logPath`.
    public init(_ arguments: [String], environment: [String: String] = [:], logPath: String) throws {
        process = Process()
        process.executableURL = LossdProcess.binary
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "LOSSD_TEST_FREEZE_JOB"] { merged[key] = nil }
        merged.merge(environment) { _, new in new }
        process.environment = merged
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        errors = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [exits] in exits.append($0.terminationStatus) }
        try process.run()
    }

    /// Waits for the exit without holding a thread (see ``LossdProcess/finish(_:environment:)``)
    /// and returns the status.
    @discardableResult
    public func exit() async -> Int32 {
        let status = await exits.first { _ in true }
        try? errors.close()
        return status
    }

    public var pid: Int32 { process.processIdentifier }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Sends `number` as soon as `condition` holds (checked every millisecond on a thread of its
    /// own, so that the moment does not wait for a busy test pool); returns whether it was sent,
    /// false when the process ended first.
    public func signal(_ number: Int32, when condition: @escaping @Sendable () -> Bool) async -> Bool {
        let sent = Recorder<Bool>()
        let thread = Thread { [exits, pid] in
            func running() -> Bool { exits.items.isEmpty }
            while running(), !condition() { usleep(1000) }
            sent.append(running() && kill(pid, number) == 0)
        }
        thread.name = "lossd-test-signal"
        thread.start()
        return await sent.first { _ in true }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
