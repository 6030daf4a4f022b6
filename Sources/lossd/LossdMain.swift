// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Dispatch
import Foundation
import LossdCommands
import LossdDaemon

/// The executable's entry point: catches the daemon's stop (and, for serve, reload) signals
/// before anything else runs, then runs the `lossd` root command (async, for run and serve).
///
/// `main` is synchronous and runs the command as a detached task at the default priority,
/// waiting on a semaphore. An `async` main would start the command on libdispatch's
/// user-initiated pool, whose worker threads ask for a nice value of -4: a service without
/// CAP_SYS_NICE (the hardened unit's DynamicUser) is refused, and libdispatch logs "Failed to set
/// thread priority for worker thread: ... errno=13" at every start. At the default priority
/// libdispatch leaves the nice value as it is.
@main
enum LossdMain {
    static func main() {
        switch CommandLine.arguments.dropFirst().first {
        case "run": SignalRelay.install([SIGTERM, SIGINT])
        case "serve": SignalRelay.install([SIGTERM, SIGINT, SIGHUP])
        default: break
        }
        let finished = DispatchSemaphore(value: 0)
        Task.detached(priority: .medium) {
            await Lossd.main()
            finished.signal()
        }
        finished.wait()
    }
}
