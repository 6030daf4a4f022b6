// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdData
import LossdModel
import LossdSync

/// The step loop of a model job: one step is one batch, on one thread. Specialised for the
/// optimizer's update (``ModelUpdate``); every buffer is sized when the job is built.
///
/// Step k (``BatchOrder`` says which rows), as `torch.optim` does it:
///
///     gather the batch's features;  y = model(x_b)                 (Sequential.forward)
///     L_k, dL/dy = loss(y, y_b)                                    (the loss's analytic gradient)
///     g_k = dL/dparameters                                         (Sequential.backward)
///     judge: diverged if L_k or g_k is not finite (no update)      (StepControl)
///     update k over the flat parameter vector (``ModelUpdate``), then the scheduler's step (on L_k)
///     after an epoch's last batch: with validation data, the validation loss and the step
///     of a scheduler that reads it (ReduceLROnPlateau: once per epoch, not per batch);
///     the epoch record, then tolerance / patience on its loss
///
/// The update is the optimizer's part (``ModelUpdate``): an element-wise optimizer over the flat
/// vector, or a whole-vector one (LBFGS, Adafactor) that may evaluate the same batch again
/// inside the step, as `opt.step(closure)` with a closure over the current batch does; the step
/// reports its first evaluation.
final class ModelKernel<U: ModelUpdate>: JobKernel, @unchecked Sendable {
    // @unchecked Sendable: see JobKernel's ownership rule (never touched by two threads at once).
    let model: Sequential
    let binding: ModelLoss
    let order: BatchOrder
    let rules: EpochRules
    private let train: Dataset
    private var validation: ModelPass?
    private let hasValidation: Bool
    private let metrics: MetricEvaluator?
    private var trainingPass: ModelPass?
    private(set) var control: StepControl
    private(set) var status: JobStatus = .running
    private(set) var state: ModelTrainingState
    private var parameters: [Double]
    private var gradient: [Double]
    private var update: U
    private var workspace: SequentialWorkspace
    /// Loss buffers for a full batch and, when the last one is short, for it.
    private var buffers: [ModelLossBuffers]
    /// The current epoch's row order, and which epoch it is (-1: not filled yet).
    private var rowOrder: [Int]
    private var rowOrderEpoch = -1
    /// ``runLoop(_:)``, passed in from a site where O is concrete (see OptimizerRegistry).
    private let loop: (ModelKernel, Int) -> JobStatus

    init(update: U, setup: ModelKernelSetup, loop: @escaping (ModelKernel, Int) -> JobStatus) {
        self.loop = loop
        self.update = update
        model = setup.model
        binding = setup.binding
        order = setup.order
        rules = setup.rules
        train = setup.train
        validation = setup.validation
        hasValidation = setup.validation != nil
        metrics = setup.metrics
        trainingPass = setup.trainingPass
        control = setup.control
        state = ModelTrainingState()
        parameters = setup.parameters
        gradient = Array(repeating: 0, count: setup.parameters.count)
        workspace = setup.model.makeWorkspace(rows: setup.order.batchSize)
        buffers = setup.buffers
        rowOrder = Array(0..<setup.order.rows)
    }

    var parameterValues: [Double] { parameters }
    var optimizerState: [Double] { update.optimizerState }
    var optimizerMemory: [JobCheckpoint.Slot]? { update.optimizerMemory }
    func acceptsMemory(_ entries: [JobCheckpoint.Slot]?) -> Bool { update.acceptsMemory(entries) }
    var epochs: [EpochRecord] { state.records }
    var modelState: ModelTrainingState? { state }

    var progress: JobProgress {
        var progress = control.progress
        progress.bestLoss = state.bestLoss
        progress.epoch = state.records.last
        return progress
    }

    func restore(_ snapshot: KernelSnapshot) {
        control.restore(snapshot)
        status = snapshot.status
        parameters = snapshot.parameters
        update.restore(snapshot)
        state = snapshot.model ?? ModelTrainingState()
        rowOrderEpoch = -1
    }

    func run(steps budget: Int, executor: (any ChunkExecutor)?) -> JobStatus {
        status = statusAfter { loop(self, budget) }
        return status
    }

    func runLoop(_ budget: Int) -> JobStatus {
        var c = control
        defer { control = c }
        for _ in 0..<budget {
            let epoch = c.step / order.batchesPerEpoch, batch = c.step % order.batchesPerEpoch
            if rowOrderEpoch != epoch {
                order.fill(&rowOrder, epoch: epoch)
                rowOrderEpoch = epoch
            }
            let rows = order.rows(ofBatch: batch), first = batch * order.batchSize
            let slot = rows == order.batchSize ? 0 : 1
            // MARK: Forward, loss, backward
            if binding.fallible != nil { WorkerContext.setStep(c.step + 1) }  // for the plugin-call board
            let value: Double
            do throws(LossError) {
                value = try evaluateBatch(rows: rows, first: first, slot: slot, at: parameters, gradient: &gradient)
            } catch {
                return .failed(code: .lossFailed, reason: "step \(c.step + 1): \(error.message)")
            }
            var countedRows = rows
            if binding.classIndices && !hasValidation {
                let classified = buffers[slot].correctClasses(ignoring: binding.ignoredClass)
                state.epochCorrect += classified.correct
                countedRows = classified.counted
            }
            // MARK: Judge, update
            let n = parameters.count
            let stop: JobStatus? = gradient.withUnsafeBufferPointer { g in
                // Sound: the gradient holds n elements.
                let gp = g.baseAddress!
                var squares = 0.0
                for i in 0..<n { squares += gp[i] * gp[i] }
                return c.judge(loss: value, squares: squares, output: nil, gradientIsFinite: { StepControl.allFinite(gp, n) })
            }
            if let stop { return stop }
            do throws(LossError) {
                try update.apply(update: c.step, learningRate: c.learningRate, momentum: c.momentum, scalars: &c.optimizerScalars,
                                 loss: value, gradient: gradient, parameters: &parameters) { (x, g) throws(LossError) in
                    try evaluateBatch(rows: rows, first: first, slot: slot, at: x, gradient: &g)
                }
            } catch {
                return .failed(code: .lossFailed, reason: "step \(c.step): \(error.message)")
            }
            let end = c.advance()
            state.epochLossSum += value
            state.epochBatches += 1
            state.epochRows += countedRows
            if batch == order.batchesPerEpoch - 1 || end != nil {
                if let stop = finishEpoch(epoch + 1, &c, judge: batch == order.batchesPerEpoch - 1) { return stop }
            }
            if let end { return end }
        }
        return .running
    }

    /// The loss of the batch of `rows` rows from position `first` of the epoch's row order (in
    /// loss buffers `slot`) at `parameters`, its gradient written to `gradient`.
    @inline(__always)
    private func evaluateBatch(rows: Int, first: Int, slot: Int, at parameters: [Double], gradient: inout [Double]) throws(LossError) -> Double {
        let width = model.inputWidth
        let rowOrder = self.rowOrder  // shares the storage; released before the next fill
        train.features.withUnsafeBufferPointer { features in
            workspace.withInput { input in
                // Sound: rowOrder holds row numbers < N, features N x width values, the
                // workspace's input batchSize x width >= rows x width.
                copyRows(rows, width: width, from: features.baseAddress!, into: input.baseAddress!) { rowOrder[first + $0] }
            }
        }
        model.forwardWrittenInput(rows: rows, parameters: parameters, workspace: &workspace)
        workspace.output.withUnsafeBufferPointer { output in
            // Sound: the workspace's output holds at least rows x C values.
            buffers[slot].loadOutputs(output.baseAddress!, atRow: 0, count: rows)
        }
        buffers[slot].loadTargets(train.targets) { rowOrder[first + $0] }
        let value = try buffers[slot].evaluate(binding)
        model.backward(outputGradient: buffers[slot].gradients.buffers[0], rows: rows, parameters: parameters,
                       workspace: &workspace, parameterGradient: &gradient)
        return value
    }

    /// Records epoch `number` (a partial one when max_steps ended it) and, for a whole epoch,
    /// applies the epoch rules; returns the final status when they stop the job.
    private func finishEpoch(_ number: Int, _ c: inout StepControl, judge: Bool) -> JobStatus? {
        var validationLoss: Double?
        var accuracy: Double?
        var measured: [Double] = []
        if var pass = validation {
            validation = nil  // moved out while it runs, so that it is not copied
            defer { validation = pass }
            do throws(LossError) {
                let result = try pass.evaluate(parameters: parameters)
                validationLoss = result.loss
                accuracy = result.accuracy
            } catch {
                return .failed(code: .lossFailed, reason: "validation after epoch \(number): \(error.message)")
            }
            if let metrics { measured = metrics.values(of: pass.outputs.scalars) }
        } else if binding.classIndices {
            accuracy = state.epochRows > 0 ? Double(state.epochCorrect) / Double(state.epochRows) : nil
        }
        if let metrics, var pass = trainingPass {
            trainingPass = nil
            defer { trainingPass = pass }
            do throws(LossError) {
                _ = try pass.evaluate(parameters: parameters)
                measured = metrics.values(of: pass.outputs.scalars)
            } catch {
                measured = Array(repeating: .nan, count: metrics.metrics.count)
            }
        }
        if judge, let validationLoss, c.scheduler != nil, !c.stepsEveryUpdate,
           let failure = c.stepScheduler(metric: validationLoss) {
            return failure
        }
        let record = EpochRecord(epoch: number, step: c.step, trainLoss: state.epochLossSum / Double(state.epochBatches),
                                 validationLoss: validationLoss, accuracy: accuracy, learningRate: c.learningRate, metrics: measured)
        state.records.append(record)
        state.epochLossSum = 0
        state.epochBatches = 0
        state.epochRows = 0
        state.epochCorrect = 0
        guard judge else { return nil }
        return rules.judge(record.monitoredLoss, &state)
    }
}

/// What a model kernel is built from (PreparedJob prepares it).
struct ModelKernelSetup {
    var model: Sequential
    var binding: ModelLoss
    var order: BatchOrder
    var rules: EpochRules
    var train: Dataset
    var validation: ModelPass?
    var buffers: [ModelLossBuffers]
    var parameters: [Double]
    var control: StepControl
    /// The configured metrics, measured after each epoch; nil without metrics.
    var metrics: MetricEvaluator? = nil
    /// A pass over the training data for those metrics when there is no validation data.
    var trainingPass: ModelPass? = nil
}

/// A model job's state besides the parameters, the optimizer slots and ``StepControl``: the
/// finished epochs, the current epoch's accumulators and the epoch rules' counters.
struct ModelTrainingState: Sendable, Hashable {
    var records: [EpochRecord] = []
    /// The sum of the current epoch's batch losses, in step order.
    var epochLossSum = 0.0
    var epochBatches = 0
    /// The current epoch's rows, without those whose class is the loss's ignore_index.
    var epochRows = 0
    /// Rows of the current epoch's batches classified right (class targets without validation data).
    var epochCorrect = 0
    /// The best epoch loss under the min_delta rule, and the epochs since it.
    var bestLoss = Double.infinity
    var badEpochs = 0
}

/// tolerance, patience and min_delta as a model job applies them: once per epoch, on the
/// validation loss when there is validation data, else on the epoch's mean training loss.
struct EpochRules: Sendable {
    let tolerance: Double?
    let patience: Int?
    let minDelta: Double

    func judge(_ loss: Double, _ state: inout ModelTrainingState) -> JobStatus? {
        if !loss.isFinite { return .diverged }
        if let tolerance, loss <= tolerance { return .converged(.tolerance) }
        if loss < state.bestLoss - minDelta {
            state.bestLoss = loss
            state.badEpochs = 0
        } else {
            state.badEpochs += 1
            if let patience, state.badEpochs >= patience { return .converged(.plateau) }
        }
        return nil
    }
}
