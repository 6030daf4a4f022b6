// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdModel

/// What measures a job at given parameters, outside its step loop: the loss and the configured
/// metrics (``Metric``). Used for ``TrainingJob/metricValues()`` and a job's final metrics.
///
/// - A free-tensor job: the loss evaluated whole on the fitted tensor (its value is the sum of
///   the loss output, as ``WholeLossKernel`` takes it), the metrics on the fitted tensor.
/// - A model job: one ``ModelPass`` over the validation data when there is some, else the
///   training data: the loss over the set as one batch, the metrics on the model's output.
struct JobMeasurement: Sendable {
    enum Subject: Sendable {
        /// The loss, its arguments with the fitted tensor's slot empty, and its shape.
        case freeTensor(loss: any Loss, arguments: LossArguments, shape: [Int], outputCount: Int)
        /// The model, its loss binding and the data measured on.
        case model(Sequential, ModelLoss, Dataset)
    }

    let subject: Subject
    /// The configured metrics bound to the target; nil when the job has none.
    let metrics: MetricEvaluator?

    /// The loss and every configured metric at `parameters` (the fitted tensor's values, or a
    /// model job's flat parameter vector), by name; "loss" is always there.
    func values(at parameters: [Double]) -> [String: Double] {
        var loss = Double.nan
        var output: [Double] = parameters
        switch subject {
        case .freeTensor(let function, var arguments, let shape, let outputCount):
            arguments.tensors[0] = Tensor(shape: shape, scalars: parameters)
            var values = Array(repeating: 0.0, count: outputCount)
            var gradients = LossGradients(for: function, arguments: arguments, wanted: [])
            var workspace: [Double] = []
            if let fallible = function as? any FallibleLoss {
                do throws(LossError) {
                    try fallible.tryEvaluate(arguments, output: &values, gradients: &gradients, workspace: &workspace)
                    loss = values.reduce(0, +)
                } catch {
                    loss = .nan
                }
            } else {
                function.evaluate(arguments, output: &values, gradients: &gradients, workspace: &workspace)
                loss = values.reduce(0, +)
            }
        case .model(let model, let binding, let data):
            do throws(EngineError) {
                var pass = try ModelPass(model: model, binding: binding, data: data, role: "measurement")
                do throws(LossError) {
                    loss = try pass.evaluate(parameters: parameters).loss ?? .nan
                } catch {
                    loss = .nan
                }
                output = pass.outputs.scalars
            } catch {
                output = []
            }
        }
        var result = ["loss": loss]
        if let metrics {
            let measured = output.count >= metrics.count ? metrics.values(of: output) : Array(repeating: .nan, count: metrics.metrics.count)
            for (metric, value) in zip(metrics.metrics, measured) { result[metric.name] = value }
        }
        return result
    }

    // MARK: - Building

    /// The evaluator of `metrics` for a free-tensor job whose fitted tensor is `fitted` and whose
    /// loss's target argument (by ``Metric``'s rules) is `targetName` holding `target`; throws
    /// naming the metric when it does not apply. nil for no metrics.
    static func evaluator(_ metrics: [Metric], loss descriptor: LossDescriptor, options: [String: OptionValue],
                          fitted: Tensor, targetName: String?, target: Tensor?) throws(EngineError) -> MetricEvaluator? {
        guard !metrics.isEmpty else { return nil }
        try checkDistinct(metrics)
        for metric in metrics {
            if let reason = metric.refusal(loss: descriptor, targetName: targetName, fittedShape: fitted.shape, targetShape: target?.shape) {
                throw EngineError(.invalidJob, subject: "metrics", reason)
            }
        }
        guard let targetName, let target else { return nil }  // refused above
        var layout: ClassLayout?
        if Metric.classTargets(loss: descriptor, targetName: targetName, fittedShape: fitted.shape, targetShape: target.shape) {
            layout = try? ClassLayout(input: fitted)
        }
        if let layout {
            return MetricEvaluator(metrics: metrics, target: .classes(target.scalars, layout: .init(layout),
                                                                      ignored: ignoredClass(descriptor, options)))
        }
        return MetricEvaluator(metrics: metrics, target: .values(target.floating.scalars))
    }

    /// The evaluator of `metrics` for a model job measured on `data` (validation, else training).
    static func evaluator(_ metrics: [Metric], binding: ModelLoss, loss descriptor: LossDescriptor, data: Dataset) throws(EngineError) -> MetricEvaluator? {
        guard !metrics.isEmpty else { return nil }
        try checkDistinct(metrics)
        for metric in metrics where metric.needsClasses != binding.classIndices {
            throw EngineError(.invalidJob, subject: "metrics", metric.needsClasses
                ? "accuracy needs class-index targets; \(descriptor.name) reads the data's target columns as values (use mae, rmse or max_abs_error)"
                : "\(metric.name) compares outputs with target values; \(descriptor.name) reads the data's target as class indices (use accuracy)")
        }
        if binding.classIndices {
            let layout = MetricEvaluator.Classes(batch: data.rows, classes: binding.outputWidth)
            return MetricEvaluator(metrics: metrics, target: .classes(data.targets, layout: layout, ignored: binding.ignoredClass.map(Double.init)))
        }
        return MetricEvaluator(metrics: metrics, target: .values(data.targets))
    }

    private static func checkDistinct(_ metrics: [Metric]) throws(EngineError) {
        var seen = Set<Metric>()
        for metric in metrics where !seen.insert(metric).inserted {
            throw EngineError(.invalidJob, subject: "metrics", "\(metric.name) is listed twice")
        }
    }

    /// The loss's ignore_index (its option, else its default), for losses that have one.
    private static func ignoredClass(_ descriptor: LossDescriptor, _ options: [String: OptionValue]) -> Double? {
        let value = options["ignore_index"] ?? descriptor.options.first { $0.name == "ignore_index" }?.defaultValue
        if case .integer(let index)? = value { return Double(index) }
        return nil
    }
}
