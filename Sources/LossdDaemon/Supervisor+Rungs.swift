// SPDX-License-Identifier: Apache-2.0

import LossdConfig
import LossdEngine
import LossdJSON
import LossdSync

/// Early stopping across a study (see ``StudyRungs``): arrivals at rungs and their decisions.
extension Supervisor {
    /// A study member paused by itself at a rung: its metric there joins the rung.
    func arriveAtRung(_ job: JobConfiguration, _ handle: JobHandle) {
        guard let rule = job.sweep?.earlyStopping, let step = handle.pausedAtStep else { return }
        applyRungs(rungs.arrive(job, step: step, value: metric(rule.metric, job, handle)))
    }

    /// The value a rung ranks a job by: its loss at the rung's step, or a metric of its
    /// parameters there (``JobHandle/metricValues()``, as its result measures it at its end);
    /// NaN when it cannot be measured (ranked last).
    func metric(_ name: String, _ job: JobConfiguration, _ handle: JobHandle) -> Double {
        guard name != "loss" else { return handle.progress.loss }
        return handle.metricValues()[name] ?? .nan
    }

    /// Prunes or resumes the jobs a rung decided (in name order).
    func applyRungs(_ actions: [String: StudyRungs.Action]) {
        guard !actions.isEmpty else { return }
        let handles = state.withLock { s in actions.keys.sorted().compactMap { name in s.jobs[name]?.handle.map { (name, $0) } } }
        for (name, handle) in handles {
            switch actions[name] {
            case .prune?: handle.prune()
            case .resume(let step)?: handle.resume(pausingAt: step)
            case nil: break
            }
        }
    }
}
