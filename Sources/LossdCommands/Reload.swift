// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import Foundation
import LossdDaemon
import LossdSystemd

#if canImport(Glibc)
import Glibc
#endif

extension Lossd {
    /// `lossd reload`: SIGHUP to the daemon, and with `--wait` the outcome of a reload that began
    /// after the signal (read from `STATE/reload.json`, see ``ReloadRecord``).
    public struct Reload: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Make a running lossd serve re-read its configuration (SIGHUP); --wait for the outcome.",
            discussion: """
                Sends SIGHUP to the daemon: the process --pid, else $MAINPID (which systemd sets
                for ExecReload=), else the lossd serve holding the state directory's lock (its
                lock file names the pid; the process must still run that command line, and a
                lossd run is refused: it does not reload). A lossd.service is best reloaded with
                systemctl reload lossd, which waits for the outcome; lossd reload says so. With --wait, returns only once a reload that began after the
                signal has ended: the daemon writes reload.json in its state directory after each
                reload (the outcome and the monotonic time it began), so a file written before
                `lossd reload --wait` is the one applied or rejected, even in a storm of reloads.
                lossd.service runs `lossd reload --wait` as its ExecReload=, so `systemctl reload
                lossd` returns after the reload and fails when the file was rejected.

                The state directory is --state-dir, else the one --config's daemon uses, else
                $STATE_DIRECTORY (set by systemd), else /var/lib/lossd if it exists, else ./state.

                Exit status: 0 the signal was sent (with --wait: the configuration was applied),
                1 the configuration was rejected (its errors are printed; the daemon keeps the
                previous one), 64 usage error (the lock's holder is a lossd run), 69 no such
                process (no lossd serve holds the state directory, or it exited while we waited), 75 --wait timed out, 77 not allowed to signal it,
                78 the --config file is invalid.

                Examples:
                  lossd reload --config configs/seed.yaml --wait
                  lossd reload --pid "$(pgrep -o -f 'lossd serve')" --wait --state-dir /var/tmp/st
                  ExecReload=/usr/bin/lossd reload --wait      (in a unit)
                """
        )

        @Option(help: ArgumentHelp("The daemon's process id (default: $MAINPID, else the state directory's lock holder).", valueName: "pid"))
        var pid: Int32?

        @Flag(help: "Wait until a reload that began after the signal has ended; exit 1 if it was rejected.")
        var wait = false

        @Option(help: ArgumentHelp("How long --wait waits, in seconds.", valueName: "seconds"))
        var timeout: Double = 90

        @OptionGroup var location: StateLocation

        public init() {}

        public func validate() throws {
            guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)") }
        }

        public func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let target: Int32, record: ReloadRecord?
            do throws(CommandError) {
                let given = pid ?? environment["MAINPID"].flatMap { Int32($0) }
                let directory = wait || given == nil ? try location.resolve(environment: environment) : ""
                if let chosen = given {
                    guard chosen > 0 else { throw CommandError(.usage, "--pid must be a process id > 0, got \(chosen)") }
                    target = chosen
                } else {
                    let instance = try RunningInstance.find(in: directory)
                    target = instance.pid
                    if let unit = instance.unit {
                        Console.error("note: lossd (pid \(target)) runs as \(unit); systemctl reload \(unit) reloads it and reports the outcome")
                    }
                }
                let signalled = MonotonicClock.microseconds
                try Self.signal(target)
                record = wait ? try Self.waitForReload(of: target, after: signalled, in: directory, timeout: timeout) : nil
            } catch {
                throw Console.fail(error)
            }
            guard let record else { return }
            switch record.outcome {
            case .applied:
                print(record.message)
            case .rejected:
                Console.error("reload of lossd (pid \(target)) rejected; the previous configuration keeps running:\n\(record.message)")
                throw ExitCode(1)
            }
        }

        /// Sends SIGHUP to `pid`.
        static func signal(_ pid: Int32) throws(CommandError) {
            guard kill(pid, SIGHUP) != 0 else { return }
            let reason = String(cString: strerror(errno))
            if errno == EPERM { throw CommandError(.noPermission, "cannot signal process \(pid): \(reason)") }
            throw CommandError(.unavailable, "cannot signal process \(pid): \(reason) (is lossd serve running?)")
        }

        /// The record of the first reload by `pid` that began at or after `signalled` (monotonic
        /// microseconds), polled every 20 ms.
        static func waitForReload(of pid: Int32, after signalled: UInt64, in directory: String,
                                  timeout: Double) throws(CommandError) -> ReloadRecord {
            let deadline = signalled + UInt64(timeout * 1e6)
            while true {
                if let record = ReloadRecord.read(in: directory), record.pid == pid, record.startedMicroseconds >= signalled {
                    return record
                }
                if kill(pid, 0) != 0, errno == ESRCH {
                    throw CommandError(.unavailable, "lossd (pid \(pid)) exited before it completed the reload")
                }
                if MonotonicClock.microseconds >= deadline {
                    throw CommandError(.temporaryFailure, "lossd (pid \(pid)) did not complete the reload within \(timeout) s (no new \(ReloadRecord.path(in: directory)))")
                }
                usleep(20_000)
            }
        }
    }
}
