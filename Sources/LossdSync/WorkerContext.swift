// SPDX-License-Identifier: Apache-2.0

import Foundation

/// What the calling thread is working on: the job whose slice it runs and that job's step, read
/// by a plugin loss when it records the call it enters (see ``PluginCallBoard``).
///
/// Thread-local (a `pthread` key): the engine's worker sets the job once per slice, the step loop
/// of a plugin loss sets the step once per step; nothing is shared between threads, so nothing is
/// locked. A thread that never set a job (the command line's `eval`, a test) reads an empty job.
public enum WorkerContext {
    /// One thread's values, owned by that thread (released by the key's destructor at thread exit).
    final class Values {
        var job = ""
        var step = 0
        /// The board this thread last wrote to and its slot there (see ``PluginCallBoard``).
        var board: PluginCallBoard?
        /// This thread's record on `board` (nil: not recorded).
        var slot: UnsafeMutableRawPointer?
        /// The board generation `board` and `slot` belong to.
        var generation = -1
        /// What the slot holds already, so that a repeated call writes only the step and the flag.
        var written: (job: String, plugin: String, loss: String) = ("", "", "")
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { raw in
            // Sound: the only values stored under this key are retained `Values` (see `values`).
            if let raw { Unmanaged<Values>.fromOpaque(raw).release() }
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
        return key
    }()

    /// Runs `body` with the calling thread's values (created on first use), without reference
    /// counting: the step loop calls this once per plugin call.
    @inline(__always)
    static func withValues<Result>(_ body: (Values) -> Result) -> Result {
        if let raw = pthread_getspecific(key) {
            // Sound: set below to a retained `Values`, released only when this thread exits, so
            // it outlives `body`.
            return Unmanaged<Values>.fromOpaque(raw)._withUnsafeGuaranteedRef(body)
        }
        let values = Values()
        pthread_setspecific(key, Unmanaged.passRetained(values).toOpaque())
        return body(values)
    }

    /// Sets the job the calling thread works for (the engine's id of the job; an empty string
    /// when it works for none).
    public static func setJob(_ job: String) {
        withValues { values in
            values.job = job
            values.step = 0
        }
    }

    /// Sets the step the calling thread's job is taking (1-based, as reports count steps).
    public static func setStep(_ step: Int) {
        withValues { $0.step = step }
    }

    /// The calling thread's job (empty when none was set).
    public static var job: String { withValues { $0.job } }

    /// The calling thread's step (0 when none was set).
    public static var step: Int { withValues { $0.step } }
}
