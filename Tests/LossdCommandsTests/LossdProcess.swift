// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

/// Runs the built `lossd` executable, as a user would, and captures what it prints.
struct LossdProcess {
    var status: Int32
    var stdout: String
    var stderr: String

    /// The `lossd` built next to the test bundle (SwiftPM builds both into one folder), or
    /// `$LOSSD_BINARY` when set (to test an installed copy).
    static var binary: URL {
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
    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil) throws -> LossdProcess {
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
