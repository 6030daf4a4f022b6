// SPDX-License-Identifier: Apache-2.0

import Foundation
import LossdTestSupport

/// A state directory holding the finished seed run (`lossd run configs/seed.yaml`), made once.
enum SeedState {
    static let directory: String = {
        let path = NSTemporaryDirectory() + "lossd-seed-state-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        let run = try! LossdProcess.run(["run", packageRoot.appendingPathComponent("configs/seed.yaml").path, "--state-dir", path])
        precondition(run.status == 0, run.stderr)
        return path
    }()

    static let jobs = ["seed-l1", "seed-mse", "seed-cross-entropy", "seed-cross-entropy-probabilities"]

    /// `history/<job>.csv` as (step, loss) pairs, parsed here independently of lossd.
    static func history(_ job: String, in directory: String = directory) throws -> [(step: Int, loss: Double)] {
        let text = try String(contentsOfFile: "\(directory)/history/\(job).csv", encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: ",")
            return (Int(fields[0])!, Double(fields[1])!)
        }
    }

    /// A scratch copy of the seed state that a test may change.
    static func copy(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "lossd-\(name)-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: directory, toPath: path)
        return path
    }
}
