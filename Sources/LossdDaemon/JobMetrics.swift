// SPDX-License-Identifier: Apache-2.0

import LossdConfig
import LossdEngine
import LossdJSON

/// A job's configured metrics (``Metric``) for its result, status rows and journal entries, as the
/// engine measures them (``JobHandle/metricValues()``, ``JobHandle/latestMetrics``): a free-tensor
/// job's fitted tensor against its target; a model job's outputs on its validation data, else its
/// training data. A metric that cannot be measured (a job that could not be built) is null.
enum JobMetrics {
    /// The job's metrics from `values` (by name), in the order configured.
    static func json(_ job: JobConfiguration, _ values: [String: Double]) -> JSONValue {
        .object(job.metrics.map { metric in (metric.name, values[metric.name].map(JSONValue.number) ?? .null) })
    }

    /// A job's metrics at its current parameters: at its end, its final ones (for its result).
    static func now(_ job: JobConfiguration, _ handle: JobHandle) -> JSONValue {
        json(job, handle.metricValues())
    }

    /// A running job's configured metrics as its run last measured them (``JobHandle/latestMetrics``),
    /// in the order configured; nil without metrics or before the first measurement.
    static func latest(_ job: JobConfiguration, _ handle: JobHandle?) -> JSONValue? {
        guard !job.metrics.isEmpty, let latest = handle?.latestMetrics, !latest.isEmpty else { return nil }
        return .object(job.metrics.compactMap { metric in latest[metric.name].map { (metric.name, JSONValue.number($0)) } })
    }
}
