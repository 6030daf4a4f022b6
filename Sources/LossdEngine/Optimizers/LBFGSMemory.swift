// SPDX-License-Identifier: Apache-2.0

/// Everything LBFGS keeps between steps: torch's `optimizer.state`, by its names.
///
/// Saved as named vectors (``JobCheckpoint/optimizerMemory``): `d`, `prev_flat_grad` (empty
/// while None), `t`, `prev_loss` (one value, or none while None), `old_dirs` and `old_stps`
/// (the pairs oldest first, concatenated), `ro`, `H_diag`, `n_iter` and `func_evals` (one
/// value each). torch's `al` is scratch, written before it is read in every step.
public struct LBFGSMemory: Sendable, Hashable {
    /// The last direction and step length (nil before the first iteration).
    public var d: [Double]?
    public var t: Double?
    /// The kept gradient changes y, steps s and 1 / y.dot(s), oldest first.
    public var oldDirs: [[Double]] = []
    public var oldSteps: [[Double]] = []
    public var ro: [Double] = []
    /// The scale of the initial inverse Hessian.
    public var hDiag = 1.0
    /// The gradient and loss where the last direction was computed.
    public var prevFlatGrad: [Double]?
    public var prevLoss: Double?
    /// Iterations and loss evaluations over all steps.
    public var nIter = 0
    public var funcEvals = 0

    public init() {}

    /// The named vectors.
    var slots: [JobCheckpoint.Slot] {
        [
            JobCheckpoint.Slot(name: "d", values: d ?? []),
            JobCheckpoint.Slot(name: "t", values: t.map { [$0] } ?? []),
            JobCheckpoint.Slot(name: "old_dirs", values: oldDirs.flatMap { $0 }),
            JobCheckpoint.Slot(name: "old_stps", values: oldSteps.flatMap { $0 }),
            JobCheckpoint.Slot(name: "ro", values: ro),
            JobCheckpoint.Slot(name: "H_diag", values: [hDiag]),
            JobCheckpoint.Slot(name: "prev_flat_grad", values: prevFlatGrad ?? []),
            JobCheckpoint.Slot(name: "prev_loss", values: prevLoss.map { [$0] } ?? []),
            JobCheckpoint.Slot(name: "n_iter", values: [Double(nIter)]),
            JobCheckpoint.Slot(name: "func_evals", values: [Double(funcEvals)]),
        ]
    }

    /// Reads ``slots`` back for `count` parameters; nil when they do not fit.
    init?(slots: [JobCheckpoint.Slot], count: Int, historySize: Int) {
        guard slots.map(\.name) == LBFGSMemory().slots.map(\.name) else { return nil }
        let v = slots.map(\.values)
        func optionalVector(_ values: [Double]) -> [Double]?? {
            values.isEmpty ? .some(nil) : values.count == count ? .some(values) : nil
        }
        func optionalScalar(_ values: [Double]) -> Double?? {
            values.isEmpty ? .some(nil) : values.count == 1 ? .some(values[0]) : nil
        }
        func counter(_ values: [Double]) -> Int? {
            guard values.count == 1, values[0] >= 0, values[0] < 1e15, values[0].rounded() == values[0] else { return nil }
            return Int(values[0])
        }
        func pairs(_ values: [Double]) -> [[Double]]? {
            guard values.count % count == 0 else { return nil }
            return stride(from: 0, to: values.count, by: count).map { Array(values[$0 ..< $0 + count]) }
        }
        guard let d = optionalVector(v[0]), let t = optionalScalar(v[1]), let oldDirs = pairs(v[2]), let oldSteps = pairs(v[3]),
              oldDirs.count == oldSteps.count, v[4].count == oldDirs.count, oldDirs.count <= historySize, v[5].count == 1,
              let prevFlatGrad = optionalVector(v[6]), let prevLoss = optionalScalar(v[7]),
              let nIter = counter(v[8]), let funcEvals = counter(v[9]) else { return nil }
        self.d = d
        self.t = t
        self.oldDirs = oldDirs
        self.oldSteps = oldSteps
        ro = v[4]
        hDiag = v[5][0]
        self.prevFlatGrad = prevFlatGrad
        self.prevLoss = prevLoss
        self.nIter = nIter
        self.funcEvals = funcEvals
    }
}
