// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdDaemon
import LossdJSON
import LossdTestSupport
import Testing

/// A reload that changes a finished job runs it afresh and keeps its earlier run: the result,
/// history and chart move to archive/<job>/<hash>/ byte for byte (they used to be deleted).
@Suite("Reload keeps runs")
struct ReloadKeepsRunsTests {
    static func config(lr: String) -> String {
        """
        daemon:
          report_interval: 25ms
        jobs:
          - name: edited
            loss: mse
            init: [10, 10, 10]
            target: [30, 20, 50]
            optimizer: {name: sgd, lr: \(lr)}
            max_steps: 30
          - name: kept
            loss: l1
            init: [1, 2]
            target: [3, 4]
            optimizer: {name: sgd, lr: 0.1}
            max_steps: 20
        """
    }

    @Test func aReloadThatChangesAFinishedJobArchivesItsEarlierRun() async throws {
        let fixture = DaemonFixture("reload-keeps-runs")
        defer { fixture.remove() }
        fixture.write(Self.config(lr: "0.01"))
        let daemon = try InProcessDaemon(fixture, mode: .serve)
        try await daemon.running { trigger in
            #expect(await eventually { fixture.result("edited") != nil && fixture.result("kept") != nil })
            let state = fixture.state()
            let before = try #require(fixture.result("edited"))
            let hash = try #require(before["config_hash"]?.stringValue)
            let files = ["results/edited.json": "result.json", "history/edited.csv": "history.csv", "charts/edited.svg": "chart.svg"]
            #expect(await eventually { files.keys.allSatisfy { fixture.exists("\(state)/\($0)") } })
            let bytes = files.keys.reduce(into: [String: Data]()) { $0[$1] = FileManager.default.contents(atPath: "\(state)/\($1)") }
            fixture.write(Self.config(lr: "0.02"))
            await daemon.service.reload()
            #expect(daemon.messages.contains { $0.contains("STATUS=reloaded: 0 added, 1 changed, 0 removed, 1 unchanged") }, "\(daemon.messages)")
            #expect(await eventually { fixture.result("edited").map { $0["config_hash"] != .string(hash) } == true })
            for (current, archived) in files {
                #expect(FileManager.default.contents(atPath: "\(state)/archive/edited/\(hash)/\(archived)") == bytes[current], "\(archived)")
            }
            #expect(!fixture.exists("\(state)/archive/kept"))
            await daemon.stop(trigger)
        }
    }
}
