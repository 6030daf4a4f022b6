// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import LossdCommands
import LossdDaemon

/// The executable's entry point: catches the daemon's stop (and, for serve, reload) signals
/// before anything else runs, then the `lossd` root command (async, for run and serve).
@main
enum LossdMain {
    static func main() async {
        switch CommandLine.arguments.dropFirst().first {
        case "run": SignalRelay.install([SIGTERM, SIGINT])
        case "serve": SignalRelay.install([SIGTERM, SIGINT, SIGHUP])
        default: break
        }
        await Lossd.main()
    }
}
