// SPDX-License-Identifier: Apache-2.0

/// The numbers of one finished epoch of a model job.
///
/// A job that stops at `max_steps` in the middle of an epoch also records that partial epoch
/// (its ``step`` tells how far it got); a diverged epoch is not recorded.
public struct EpochRecord: Sendable, Hashable, Codable {
    /// 1 for the first epoch.
    public var epoch: Int
    /// The job's step (batches taken) when the epoch ended.
    public var step: Int
    /// The mean of the epoch's batch losses.
    public var trainLoss: Double
    /// The loss over the whole validation set, evaluated after the epoch's last update as one
    /// batch with the job's loss and reduction; nil without validation data.
    public var validationLoss: Double?
    /// The fraction of rows whose largest output is the target class (class-index targets only):
    /// on the validation set when there is one, else over the epoch's training batches (each row
    /// scored at the parameters its batch's loss was evaluated at).
    public var accuracy: Double?
    /// The learning rate of the next update (after the epoch's last scheduler step).
    public var learningRate: Double
    /// The job's configured metrics (``JobSpec/metrics``) after the epoch's last update, in the
    /// order configured, on the validation data when there is some, else on the training data
    /// (one forward pass over the set); empty without metrics.
    public var metrics: [Double]

    public init(epoch: Int, step: Int, trainLoss: Double, validationLoss: Double?, accuracy: Double?, learningRate: Double,
                metrics: [Double] = []) {
        self.metrics = metrics
        self.epoch = epoch
        self.step = step
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.accuracy = accuracy
        self.learningRate = learningRate
    }

    /// The loss the stopping rules watch: the validation loss when there is one, else the training loss.
    public var monitoredLoss: Double { validationLoss ?? trainLoss }
}
