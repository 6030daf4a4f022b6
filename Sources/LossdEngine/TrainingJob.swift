// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// One training job run on the calling thread: the engine's reference behaviour.
///
/// ```swift
/// let job = try TrainingJob(JobSpec(
///     initialization: .tensor(Tensor([10, 10, 10])), target: Tensor([30, 20, 50]),
///     loss: .init("mse"), optimizer: .init("sgd", options: ["lr": .number(0.1)]),
///     stopping: StoppingRules(maxSteps: 10_000, tolerance: 1e-12)))
/// let status = job.run()          // .converged(.tolerance)
/// let fitted = job.parameters     // ~[30, 20, 50]
/// ```
///
/// Step k, in PyTorch terms `opt.zero_grad(); L_k = loss(x, target); L_k.backward();
/// opt.step(); sched.step()`:
/// 1. evaluate the loss L_k ("step k's loss") and its gradient at the parameters after k-1
///    updates, in one fused pass;
/// 2. stop as `diverged` if L_k or the gradient is not finite, as `converged` if
///    L_k <= tolerance or after `patience` steps without improvement; no update is applied then;
/// 3. update k with the current learning rate, then the scheduler's step;
/// 4. stop as `max_steps` once k == max_steps.
///
/// ``progress`` then reports step k, L_k, |g_k| and the learning rate of the next update.
/// Running in several calls, or checkpointing and resuming, gives bit-identical results.
public final class TrainingJob {
    private var prepared: PreparedJob

    /// Builds a job; throws if a name, an option or a tensor is invalid.
    public init(_ spec: JobSpec, registries: TrainingRegistries = .builtins) throws(EngineError) {
        prepared = try PreparedJob(spec, registries: registries)
    }

    /// Builds a job from its spec and continues it from a checkpoint.
    public init(_ spec: JobSpec, resumingFrom checkpoint: JobCheckpoint, registries: TrainingRegistries = .builtins) throws(EngineError) {
        prepared = try PreparedJob(spec, registries: registries)
        try prepared.restore(checkpoint)
    }

    /// Takes up to `steps` more steps (until the job ends by default) and returns the status:
    /// `.running` if the budget ran out first, else the final status.
    @discardableResult
    public func run(steps: Int = .max) -> JobStatus {
        prepared.kernel.run(steps: Swift.max(0, steps), executor: nil)
    }

    /// `.running` until the job ends, then its final status.
    public var status: JobStatus { prepared.kernel.status }

    /// The step, loss, gradient norm and learning rate after the last step.
    public var progress: JobProgress { prepared.kernel.progress }

    /// The fitted tensor (a model job's parameters as one flat vector, in `state_dict` order).
    public var parameters: Tensor { prepared.parameters }

    /// A model job's parameters by `state_dict` name, shaped as PyTorch's; nil for free-tensor jobs.
    public var namedParameters: [(name: String, tensor: Tensor)]? { prepared.namedParameters }

    /// A model job's finished epochs, oldest first ([] for free-tensor jobs).
    public var epochs: [EpochRecord] { prepared.kernel.epochs }

    /// The recorded history points, oldest first.
    public var history: [HistoryPoint] { prepared.kernel.control.history.orderedPoints }

    /// The loss and the configured metrics (``JobSpec/metrics``) at the current parameters, by
    /// name (`"loss"`, `"mae"`, ...; `"loss"` is always there). A free-tensor job's loss is
    /// evaluated on the fitted tensor, a model job's over its validation data (else its
    /// training data) as one batch; see ``Metric`` for the metrics. Between steps the current
    /// parameters are those after the last update, so this loss can differ from ``progress``'s,
    /// which was evaluated before that update.
    public func metricValues() -> [String: Double] { prepared.metricValues() }

    /// The job's whole state.
    public func checkpoint() -> JobCheckpoint { prepared.checkpoint() }
}
