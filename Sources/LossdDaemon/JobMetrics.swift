// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdConfig
import LossdData
import LossdEngine
import LossdJSON

/// A finished job's configured metrics (``Metric``), for its result: a free-tensor job's fitted
/// tensor against its target; a model job's outputs (``ModelEvaluation``) on its validation data,
/// else its training data. A metric that cannot be measured (a model whose parameters are
/// missing, a failed evaluation) is null.
enum JobMetrics {
    static func json(_ job: JobConfiguration, output: Tensor?, parameters: [(name: String, tensor: Tensor)]?,
                     losses: LossRegistry) -> JSONValue {
        let spec = job.spec(losses: losses)
        var values: [(name: String, value: Double?)] = job.metrics.map { ($0.rawValue, nil) }
        if let model = spec.model {
            let data = model.validation ?? model.train
            if let parameters, let evaluation = try? ModelEvaluation(spec: spec, parameters: parameters, data: data) {
                values = job.metrics.map { metric in
                    (metric.rawValue, metric.readsClasses ? metric.classified(evaluation.predictions.scalars, classes: data.targets)
                                                          : metric.elementwise(evaluation.predictions.scalars, data.targets))
                }
            }
        } else if let output, let target = spec.target {
            values = Metric.values(job.metrics, output: output, target: target)
        }
        return .object(values.map { ($0.name, $0.value.map(JSONValue.number) ?? .null) })
    }

    /// A running job's configured metrics as its run last measured them (``JobHandle/latestMetrics``),
    /// in the order configured; nil without metrics or before the first measurement.
    static func latest(_ job: JobConfiguration, _ handle: JobHandle?) -> JSONValue? {
        guard !job.metrics.isEmpty, let latest = handle?.latestMetrics, !latest.isEmpty else { return nil }
        return .object(job.metrics.compactMap { metric in latest[metric.name].map { (metric.name, JSONValue.number($0)) } })
    }
}
