// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Fault injection for the integration suite, off unless its environment variable is set.
///
/// `LOSSD_TEST_FREEZE_JOB=<job>`: the worker that takes a slice of that job, once the job has
/// taken at least one step, blocks forever inside the slice, as a worker stuck in a step would.
/// The daemon then withholds `WATCHDOG=1` and systemd restarts it. Never set it in production.
enum TestHooks {
    static let freezeJob: String? = ProcessInfo.processInfo.environment["LOSSD_TEST_FREEZE_JOB"]

    static func freezeIfRequested(_ job: JobHandle) {
        guard let freezeJob, freezeJob == job.id, job.progress.step > 0 else { return }
        while true { Thread.sleep(forTimeInterval: 3600) }
    }
}
