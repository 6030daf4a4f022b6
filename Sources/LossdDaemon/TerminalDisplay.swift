// SPDX-License-Identifier: Apache-2.0

import Foundation
public import Logging
import LossdEngine
public import LossdState
import LossdSync

/// The live per-job table `lossd run` draws on a terminal, redrawn in place.
///
/// Log lines go through ``TerminalLogHandler`` so that they print above the table instead of
/// through it. Used only when standard error is a terminal; otherwise lossd logs plain lines.
public final class TerminalDisplay: Sendable {
    private let drawn = Locked<Int>(0)
    private let width: Int

    public init(width: Int = 100) {
        self.width = width
    }

    /// Whether standard error is a terminal.
    public static var isAvailable: Bool { isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" }

    /// Redraws the table.
    public func render(rows: [JobRecord]) {
        drawn.withLock { lines in
            var text = Self.clear(lines)
            let body = Self.table(rows, width: width)
            text += body.joined(separator: "\n") + "\n"
            lines = body.count
            write(text)
        }
    }

    /// Draws the table a last time and leaves it on screen.
    public func finish(rows: [JobRecord]) {
        render(rows: rows)
        drawn.withLock { $0 = 0 }
    }

    /// Prints a log line above the table.
    func printAbove(_ line: String) {
        drawn.withLock { lines in
            write(Self.clear(lines) + line + "\n")
            lines = 0
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// ANSI: move up `lines` lines and clear to the end of the screen.
    static func clear(_ lines: Int) -> String {
        lines > 0 ? "\u{1B}[\(lines)A\u{1B}[J" : ""
    }

    static func table(_ rows: [JobRecord], width: Int) -> [String] {
        let nameWidth = min(32, max(4, rows.map(\.name.count).max() ?? 4))
        // A model job's latest epoch, in columns shown once any job has finished an epoch.
        let epochs = rows.contains { $0.epoch != nil }
        var lines = ["\("JOB".padding(toLength: nameWidth, withPad: " ", startingAt: 0))  STATUS     PROGRESS                STEP        LOSS"
            + (epochs ? String(repeating: " ", count: 8) + Self.epochCells(["EPOCH", "VAL LOSS", "ACCURACY"]) : "")]
        for row in rows {
            let maxSteps = row.maxSteps ?? 0
            let fraction = maxSteps > 0 ? min(1, Double(row.steps) / Double(maxSteps)) : 0
            var filled = Int((fraction * 20).rounded(.down))
            if case .converged = row.status { filled = 20 }
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled)
            let name = String(row.name.prefix(nameWidth)).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let status = row.status.name.padding(toLength: 9, withPad: " ", startingAt: 0)
            let step = String(row.steps).padding(toLength: 10, withPad: " ", startingAt: 0)
            let loss = row.loss.isNaN ? "-" : String(format: "%.6g", row.loss)
            var line = "\(name)  \(status)  [\(bar)]  \(step)  \(loss)"
            if epochs {
                func cell(_ value: Double?) -> String { value.map { String(format: "%.6g", $0) } ?? "-" }
                line = line.padding(toLength: line.count + max(0, 12 - loss.count), withPad: " ", startingAt: 0)
                    + Self.epochCells([row.epoch.map { String($0.epoch) } ?? "-", cell(row.epoch?.validationLoss), cell(row.epoch?.accuracy)])
            }
            lines.append(line)
        }
        return lines.map { String($0.prefix(width)) }
    }

    /// The epoch columns, each 12 wide after two spaces.
    private static func epochCells(_ cells: [String]) -> String {
        cells.map { "  " + $0.padding(toLength: 12, withPad: " ", startingAt: 0) }.joined()
    }
}

/// A swift-log handler that prints readable lines above the ``TerminalDisplay``.
public struct TerminalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let display: TerminalDisplay

    public init(display: TerminalDisplay) {
        self.display = display
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        display.printAbove("lossd: \(event.level): \(event.message)")
    }
}
