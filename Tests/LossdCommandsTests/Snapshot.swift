// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

/// Compares text with `Snapshots/<name>.txt` beside this file. A missing snapshot, or
/// `LOSSD_RECORD_SNAPSHOTS=1`, writes the file and fails the test, so recording is deliberate.
func assertSnapshot(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = folder.appendingPathComponent("\(name).txt")
    let record = ProcessInfo.processInfo.environment["LOSSD_RECORD_SNAPSHOTS"] == "1"
    if !record, let expected = try? String(contentsOf: file, encoding: .utf8) {
        #expect(actual == expected, "snapshot \(name) differs; rerun with LOSSD_RECORD_SNAPSHOTS=1 to accept", sourceLocation: sourceLocation)
        return
    }
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try? actual.write(to: file, atomically: true, encoding: .utf8)
    Issue.record("recorded snapshot \(name); check it and run again", sourceLocation: sourceLocation)
}

/// The package's root folder (for README.md and configs/).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
