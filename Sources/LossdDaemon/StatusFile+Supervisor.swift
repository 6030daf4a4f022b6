// SPDX-License-Identifier: Apache-2.0

public import Logging
public import LossdState

/// `status.json` of a daemon: its supervisor's rows and `STATUS=` line.
extension StatusFile {
    public convenience init(directory: String, mode: DaemonService.Mode, config: String, only: [String] = [], logger: Logger) {
        self.init(directory: directory, mode: mode == .run ? DaemonStatus.Mode.run : .serve, config: config, only: only, logger: logger)
    }

    /// Writes the current state of `supervisor`'s jobs (see ``write(jobs:summary:reportInterval:running:)``).
    public func write(_ supervisor: Supervisor, reportInterval: Duration, running: Bool) {
        write(jobs: supervisor.rows(), summary: supervisor.summary().statusLine, reportInterval: reportInterval, running: running)
    }
}
