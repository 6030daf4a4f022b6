// SPDX-License-Identifier: Apache-2.0

public import LossKit
public import LossdData
import LossdModel

/// A dataset forwarded through a model job's model at given parameters, in one pass: the
/// predictions and, when the data has targets, the loss with the job's loss (its options and
/// reduction, over the whole set as one batch, as a model job's validation loss) and the
/// accuracy for class-index targets (the fraction of rows whose largest output is their class).
///
/// ```swift
/// let evaluation = try ModelEvaluation(spec: spec, parameters: job.namedParameters!, data: test)
/// evaluation.predictions   // (rows, outputs)
/// evaluation.loss          // nil without target columns
/// ```
public struct ModelEvaluation: Sendable {
    /// The model's outputs, shape (rows, output width).
    public var predictions: Tensor
    /// The job's loss on the data; nil when the data has no target columns.
    public var loss: Double?
    /// The accuracy for class-index targets; nil otherwise.
    public var accuracy: Double?

    /// Evaluates `spec`'s model (``JobSpec/model`` must be set; its layers and loss are used,
    /// its data is not) at `parameters` (every parameter by `state_dict` name, as
    /// ``TrainingJob/namedParameters`` gives them or a safetensors file holds them) on `data`.
    /// Throws naming the layer, parameter, column or class at fault.
    public init(spec: JobSpec, parameters: [(name: String, tensor: Tensor)], data: Dataset,
                registries: TrainingRegistries = .builtins) throws(EngineError) {
        guard let job = spec.model else {
            throw EngineError(.invalidJob, subject: "model", "the job has no model to evaluate")
        }
        let model = try PreparedJob.model(job.layers, inputWidth: data.featureCount, registries: registries)
        let flat = try PreparedJob.parameters(parameters, model: model)
        var binding: ModelLoss?
        if data.targetWidth > 0 {
            binding = try ModelLoss(try PreparedJob.loss(spec.loss, registries: registries), options: spec.loss.options,
                                    outputWidth: model.outputWidth,
                                    targetNames: data.targetNames)
        }
        var pass = try ModelPass(model: model, binding: binding, data: data, role: "evaluation")
        do throws(LossError) {
            (loss, accuracy) = try pass.evaluate(parameters: flat)
        } catch {
            throw EngineError(.lossFailed, subject: spec.loss.name, error.message)
        }
        predictions = pass.outputs
    }
}
