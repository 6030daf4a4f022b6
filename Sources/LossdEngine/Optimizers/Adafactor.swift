// SPDX-License-Identifier: Apache-2.0

public import LossKit
import Foundation

/// Adafactor (PyTorch `torch.optim.Adafactor`), registry name `adafactor`: a
/// ``WholeVectorOptimizer`` (its step scales by norms of whole tensors).
///
/// Per parameter tensor p (a free-tensor job's one tensor), update t, as `_single_tensor_adafactor`:
///
///     g = -grad if maximize else grad
///     one_minus_beta2_t = t ** beta2_decay ;  rho_t = min(lr, 1 / t ** 0.5)
///     alpha = max(eps2, p.norm(2) / numel ** 0.5) * rho_t
///     p = p * (1 - lr * weight_decay)                                   (weight_decay != 0)
///     p of 0 or 1 dimension:  v = lerp(v, g * g, one_minus_beta2_t) ;  var = v
///     p of 2 or more (factored over the last two, rows R and columns C):
///         row_var = lerp(row_var, vector_norm(g, dim=-1)^2 / C, one_minus_beta2_t)
///         col_var = lerp(col_var, vector_norm(g, dim=-2)^2 / R, one_minus_beta2_t)
///         var = (row_var @ col_var) / clamp(row_var.mean(dim=-2), min=eps1)
///     u = rsqrt(clamp(var, min=eps1 * eps1)) * g
///     p = p + (-alpha / max(1, u.norm(2) / (numel ** 0.5 * d))) * u
///
/// Norms add squares in index order (PyTorch's vectorised reductions add in another order: the
/// results agree to rounding). `**` is `pow`, as Python's.
///
/// - Options (default): `lr` (0.01), `beta2_decay` (-0.8), `eps` ([2.220446049250313e-16,
///   0.001]: PyTorch's (None, 1e-3), None meaning `torch.finfo(float64).eps`), `d` (1),
///   `weight_decay` (0), `maximize` (false). `foreach` does not apply (one single-tensor path).
/// - Ranges (PyTorch's constructor): lr >= 0, beta2_decay <= 0, eps1 >= 0, eps2 >= 0, d >= 1,
///   weight_decay >= 0.
/// - Memory: `variance`, or `row_var` and `col_var` (factored), as torch's state, each name
///   prefixed with the tensor's index in a model's parameter list (`0.row_var`, as torch's
///   `state_dict()["state"]` keys them) when there are several; the step count is the engine's.
public struct Adafactor: WholeVectorOptimizer {
    /// `torch.finfo(torch.float64).eps`, what PyTorch's eps1 None means for float64 parameters.
    public static let float64Epsilon = Double.ulpOfOne

    public static let descriptor = ComponentDescriptor(
        name: "adafactor", pytorchName: "Adafactor", summary: "Adafactor: factored second moments, relative step sizes",
        options: [
            OptionSpec("lr", .number, default: .number(1e-2), "learning rate (caps the relative step size), >= 0"),
            OptionSpec("beta2_decay", .number, default: .number(-0.8), "decay rate of the second moment's coefficient, <= 0"),
            OptionSpec("eps", .optionalTensor, default: .tensor(Tensor([float64Epsilon, 1e-3])),
                       "[eps1, eps2]: floor of the second moment (PyTorch's None: float64's machine epsilon) and of the parameter RMS, each >= 0"),
            OptionSpec("d", .number, default: .number(1), "clipping threshold of the update's RMS, >= 1"),
            .weightDecay(0),
            .maximize,
        ])

    public let learningRate: Double
    public let beta2Decay: Double
    public let eps1: Double
    public let eps2: Double
    public let d: Double
    public let weightDecay: Double
    public let maximize: Bool

    public init(options: ComponentOptions) throws(EngineError) {
        learningRate = try options.nonNegative("lr")
        beta2Decay = options.number("beta2_decay")
        try options.check(beta2Decay <= 0, "beta2_decay", "must be <= 0, got \(beta2Decay)")
        let eps = try options.list("eps") ?? []
        try options.check(eps.count == 2, "eps", "must be a list of two numbers [eps1, eps2], got \(eps.count) values")
        try options.check(eps[0] >= 0, "eps", "eps1 must be >= 0, got \(eps[0])")
        try options.check(eps[1] >= 0, "eps", "eps2 must be >= 0, got \(eps[1])")
        (eps1, eps2) = (eps[0], eps[1])
        d = options.number("d")
        try options.check(d >= 1, "d", "must be >= 1, got \(d)")
        weightDecay = try options.nonNegative("weight_decay")
        maximize = options.bool("maximize")
    }

    /// The second moment of each parameter tensor, in the parameters' order.
    public struct Memory: Sendable, Hashable {
        public var tensors: [AdafactorMoment]
    }

    public func initialMemory(shapes: [[Int]]) -> Memory {
        Memory(tensors: shapes.map { shape in
            guard shape.count >= 2 else { return .variance(Array(repeating: 0, count: shape.reduce(1, *))) }
            let (batch, rows, columns) = Self.factors(shape)
            return .factored(rows: Array(repeating: 0, count: batch * rows), columns: Array(repeating: 0, count: batch * columns),
                             batch: batch)
        })
    }

    /// The second moment (factored into rows and columns for a tensor of two or more
    /// dimensions, else one value per element) and the step's update vector and squared
    /// gradient (two values per element).
    public func stateElements(shapes: [[Int]]) -> Int {
        MemoryEstimate.sum(shapes.map { shape in
            let count = MemoryEstimate.elements(shape)
            guard shape.count >= 2 else { return MemoryEstimate.product(3, count) }
            let (batch, rows, columns) = Self.factors(shape)
            return MemoryEstimate.sum([MemoryEstimate.product(batch, rows + columns), MemoryEstimate.product(2, count)])
        })
    }

    public func savedMemory(_ memory: Memory) -> [JobCheckpoint.Slot] {
        let prefixed = memory.tensors.count > 1
        return memory.tensors.enumerated().flatMap { index, moment in
            let prefix = prefixed ? "\(index)." : ""
            switch moment {
            case .variance(let values): return [JobCheckpoint.Slot(name: prefix + "variance", values: values)]
            case .factored(let rows, let columns, _):
                return [JobCheckpoint.Slot(name: prefix + "row_var", values: rows), JobCheckpoint.Slot(name: prefix + "col_var", values: columns)]
            }
        }
    }

    public func restoredMemory(_ entries: [JobCheckpoint.Slot], shapes: [[Int]]) -> Memory? {
        let template = initialMemory(shapes: shapes)
        let expected = savedMemory(template)
        guard entries.map(\.name) == expected.map(\.name),
              zip(entries, expected).allSatisfy({ $0.values.count == $1.values.count }) else { return nil }
        var position = 0
        return Memory(tensors: template.tensors.map { moment in
            switch moment {
            case .variance:
                position += 1
                return .variance(entries[position - 1].values)
            case .factored(_, _, let batch):
                position += 2
                return .factored(rows: entries[position - 2].values, columns: entries[position - 1].values, batch: batch)
            }
        })
    }

    /// A shape of two or more dimensions as (batch, rows, columns): the last two dimensions
    /// and the product of the others.
    static func factors(_ shape: [Int]) -> (Int, Int, Int) {
        (shape.dropLast(2).reduce(1, *), shape[shape.count - 2], shape[shape.count - 1])
    }

    public func step<F: Objective>(update: Int, learningRate lr: Double, loss: Double, gradient: [Double],
                                   parameters p: inout [Double], memory: inout Memory, objective: inout F) throws(LossError) {
        let stepFloat = Double(update)
        let oneMinusBeta2T = pow(stepFloat, beta2Decay)
        let rhoT = Python.min(lr, 1 / pow(stepFloat, 0.5))
        var offset = 0
        for index in memory.tensors.indices {
            let n = memory.tensors[index].count
            let range = offset ..< offset + n
            offset += n
            let g = maximize ? gradient[range].map { -$0 } : Array(gradient[range])
            let rootN = pow(Double(n), 0.5)
            let alpha = Python.max(eps2, VectorMath.norm(p[range]) / rootN) * rhoT
            if weightDecay != 0 {
                let factor = 1 - lr * weightDecay
                for i in range { p[i] = p[i] * factor }
            }
            var u = memory.tensors[index].update(g, weight: oneMinusBeta2T, eps1: eps1)
            let floor = eps1 * eps1
            for i in 0..<n { u[i] = 1 / Self.clamp(u[i], min: floor).squareRoot() * g[i] }
            let denom = Python.max(1.0, VectorMath.norm(u[...]) / (rootN * d))
            let scale = -alpha / denom
            for (i, element) in range.enumerated() { p[element] = p[element] + scale * u[i] }
        }
    }

    /// `x.clamp(min=bound)`: NaN stays NaN.
    @inline(__always)
    static func clamp(_ x: Double, min bound: Double) -> Double {
        x < bound ? bound : x
    }
}
