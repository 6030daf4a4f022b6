// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import CLossdEarlySignals
import Foundation
import LossdCommands
import LossdDaemon

/// The executable's entry point: catches the daemon's stop (and, for serve, reload) signals
/// before anything else runs, then the `lossd` root command (async, for run and serve). The
/// signals that arrived before `main` were counted by the early handler (CLossdEarlySignals).
@main
enum LossdMain {
    static func main() async {
        switch CommandLine.arguments.dropFirst().first {
        case "run": SignalRelay.install([SIGTERM, SIGINT], arrivedEarlier: earlier)
        case "serve": SignalRelay.install([SIGTERM, SIGINT, SIGHUP], arrivedEarlier: earlier)
        default: break
        }
        // `lossd results merge`: see Lossd.Results.Merge for why it is started here.
        if CommandLine.arguments.dropFirst().prefix(2) == ["results", "merge"] {
            Lossd.Results.Merge.main(Array(CommandLine.arguments.dropFirst(3)))
            return
        }
        await Lossd.main()
    }

    static func earlier(_ signal: Int32) -> Int { Int(lossd_early_signal_count(signal)) }
}
