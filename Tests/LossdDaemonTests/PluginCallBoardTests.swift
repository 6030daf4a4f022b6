// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdSync
import Testing

/// The plugin-call board as the next process reads it: a call still open is reported once with
/// what the worker recorded; a returned call, a released board or a foreign file report nothing.
@Suite("Plugin-call board", .serialized)
struct PluginCallBoardTests {
    static func temporaryFile() -> String {
        NSTemporaryDirectory() + "lossd-board-\(UUID().uuidString)"
    }

    /// Runs `body` on a fresh thread (its own worker context), as a worker would, and waits.
    static func onWorker(job: String, step: Int, _ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            WorkerContext.setJob(job)
            WorkerContext.setStep(step)
            body()
            WorkerContext.setJob("")
            done.signal()
        }
        thread.start()
        done.wait()
    }

    @Test func aCallLeftOpenIsReportedByTheNextOpenAndOnlyOnce() throws {
        let path = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (board, none) = try PluginCallBoard.open(path: path)
        #expect(none.isEmpty)
        PluginCallBoard.install(board)
        defer { PluginCallBoard.install(nil) }
        let longPlugin = "/usr/lib/lossd/plugins/" + String(repeating: "p", count: 700) + ".so"
        Self.onWorker(job: "sweep-3~2", step: 41) {
            PluginCallBoard.leave(PluginCallBoard.enter(plugin: "/opt/a.so", loss: "returns"))
            _ = PluginCallBoard.enter(plugin: longPlugin, loss: "hangs")  // never left: the process "died"
        }
        Self.onWorker(job: "other", step: 7) {
            PluginCallBoard.leave(PluginCallBoard.enter(plugin: "/opt/b.so", loss: "fine"))
        }
        let (_, left) = try PluginCallBoard.open(path: path)
        #expect(left.count == 1)
        #expect(left.first?.job == "sweep-3~2" && left.first?.loss == "hangs" && left.first?.step == 41)
        #expect(left.first?.plugin == String(longPlugin.prefix(640)), "cut at the field's size")
        #expect(left.first?.pid == getpid())
        #expect(try PluginCallBoard.open(path: path).leftInCall.isEmpty, "the open cleared the board")
    }

    @Test func aThreadWithoutAJobOrABoardRecordsNothing() throws {
        PluginCallBoard.install(nil)
        Self.onWorker(job: "a", step: 1) { #expect(PluginCallBoard.enter(plugin: "/p.so", loss: "l") == nil) }
        let path = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (board, _) = try PluginCallBoard.open(path: path)
        PluginCallBoard.install(board)
        defer { PluginCallBoard.install(nil) }
        Self.onWorker(job: "", step: 0) { #expect(PluginCallBoard.enter(plugin: "/p.so", loss: "l") == nil) }
    }

    @Test func aReleasedBoardReportsNothing() throws {
        let path = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (board, _) = try PluginCallBoard.open(path: path)
        PluginCallBoard.install(board)
        defer { PluginCallBoard.install(nil) }
        Self.onWorker(job: "stuck", step: 3) { _ = PluginCallBoard.enter(plugin: "/p.so", loss: "l") }
        board.releaseAll()
        #expect(try PluginCallBoard.open(path: path).leftInCall.isEmpty)
    }

    @Test func aFileThatIsNotABoardIsReplaced() throws {
        let path = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 1, count: 2 << 20)))
        #expect(try PluginCallBoard.open(path: path).leftInCall.isEmpty)
        #expect(try PluginCallBoard.open(path: path).leftInCall.isEmpty)
    }

    @Test func anUnwritableLocationIsAnError() {
        #expect(throws: PluginCallBoard.OpenError.self) { try PluginCallBoard.open(path: "/nonexistent-dir/plugin-calls") }
    }
}
