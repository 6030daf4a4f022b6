// SPDX-License-Identifier: Apache-2.0

/// A loss function with an analytic gradient, with PyTorch's exact semantics.
///
/// Implementation requirements:
/// - A `struct` with value semantics, `Sendable`, created from checked ``LossOptions``.
/// - ``evaluate(_:output:gradients:workspace:)`` computes the value and the gradients in one fused
///   pass, writing into storage the caller owns and sized once: it must not allocate on the hot
///   path (losses that need scratch memory grow `workspace` on first use and reuse it).
/// - Gradients are analytic, of `sum(output)` (for a reduced loss, of the scalar), and follow
///   PyTorch's choice at every kink; the doc comment states the formula actually computed.
/// - Every loss passes the generic checks in `LossKitTests` (gradient check against central
///   differences, `sum == sum(none)`, `mean` as documented) and the PyTorch golden fixtures.
public protocol Loss: Sendable {
    /// The registry entry: names, tensor arguments, options with defaults.
    var descriptor: LossDescriptor { get }

    /// Checks the arguments (one tensor per ``LossDescriptor/arguments`` entry, `nil` for an
    /// omitted optional one) and returns the output's shape (`[]` when reduced).
    func validate(_ arguments: LossArguments) throws(LossError) -> [Int]

    /// Computes the output and the requested gradients.
    ///
    /// - Precondition: ``validate(_:)`` accepted `arguments`; `output.count` is the element count
    ///   of the validated shape; every non-empty `gradients` buffer has its argument's element count.
    ///   The loss overwrites every element of `output` and of each requested gradient.
    func evaluate(_ arguments: LossArguments, output: inout [Double], gradients: inout LossGradients, workspace: inout [Double])

    /// Which arguments have a gradient for these validated arguments. The default is every present
    /// argument the descriptor marks differentiable; a loss overrides it where PyTorch's dtype
    /// decides (a class-index `target` of `cross_entropy` is an integer tensor: no gradient).
    func differentiableArguments(_ arguments: LossArguments) -> [Bool]
}

extension Loss {
    public func differentiableArguments(_ arguments: LossArguments) -> [Bool] {
        descriptor.arguments.indices.map { descriptor.arguments[$0].isDifferentiable && arguments.has($0) }
    }
}

/// A loss type built into lossd: its descriptor is static and it is created from options.
///
/// Registering one is a single line in `BuiltinLosses.swift`.
public protocol BuiltinLoss: Loss {
    /// The registry entry: names, tensor arguments, options with defaults.
    static var descriptor: LossDescriptor { get }

    /// Creates the loss. Options are already checked for names and types; range checks
    /// (`beta >= 0`, `p` in {1, 2}, ...) happen here.
    init(options: LossOptions) throws(LossError)

    /// What the registry creates from `options`: by default `Self(options:)`; an
    /// ``ElementWeightedLoss`` given a `weight` wraps itself in a ``WeightedElementLoss``.
    static func make(_ options: LossOptions) throws(LossError) -> any Loss
}

extension BuiltinLoss {
    public var descriptor: LossDescriptor { Self.descriptor }

    public static func make(_ options: LossOptions) throws(LossError) -> any Loss {
        try Self(options: options)
    }
}

/// The tensor arguments of one evaluation, in descriptor order.
public struct LossArguments: Sendable {
    public var tensors: [Tensor?]

    public init(_ tensors: [Tensor?]) {
        self.tensors = tensors
    }

    /// The tensor at `index`; it must be present (validation guarantees it for required ones).
    public subscript(index: Int) -> Tensor {
        get { tensors[index]! }
        set { tensors[index] = newValue }
    }

    /// Whether an optional argument was given.
    public func has(_ index: Int) -> Bool { index < tensors.count && tensors[index] != nil }
}

/// Caller-owned gradient buffers, one per argument, and which of them are wanted.
public struct LossGradients: Sendable {
    /// One buffer per argument; a wanted one holds exactly its argument's element count.
    public var buffers: [[Double]]
    /// Whether each argument's gradient is wanted (an empty tensor's wanted gradient is empty too).
    public let wanted: [Bool]

    /// Buffers as given; the non-empty ones are wanted.
    public init(_ buffers: [[Double]]) {
        self.buffers = buffers
        self.wanted = buffers.map { !$0.isEmpty }
    }

    /// Buffers with explicit wanted flags.
    public init(_ buffers: [[Double]], wanted: [Bool]) {
        precondition(buffers.count == wanted.count)
        self.buffers = buffers
        self.wanted = wanted
    }

    /// Buffers for `loss` on `arguments`: zero-filled for each differentiable argument in `wanted`
    /// (all of them when `wanted` is nil). A Long argument (``Tensor/isInteger``) has no gradient,
    /// as PyTorch's autograd differentiates floating tensors only.
    public init(for loss: any Loss, arguments: LossArguments, wanted: Set<String>? = nil) {
        let differentiable = loss.differentiableArguments(arguments)
        let specs = loss.descriptor.arguments
        let flags = specs.indices.map {
            differentiable[$0] && !(arguments.tensors[$0]?.isInteger ?? false) && (wanted?.contains(specs[$0].name) ?? true)
        }
        self.wanted = flags
        buffers = specs.indices.map { flags[$0] ? Array(repeating: 0, count: arguments[$0].count) : [] }
    }

    /// Lends two buffers at once (Swift forbids two overlapping `inout` accesses to `buffers`);
    /// swapping with empty arrays moves storage without copying or allocating.
    @inlinable
    /// The closure also gets whether each lent buffer is wanted.
    public mutating func withBuffers<R>(_ a: Int, _ b: Int, _ body: (inout [Double], inout [Double]) throws -> R) rethrows -> R {
        precondition(a != b)
        var first: [Double] = []
        var second: [Double] = []
        swap(&first, &buffers[a])
        swap(&second, &buffers[b])
        defer {
            swap(&first, &buffers[a])
            swap(&second, &buffers[b])
        }
        return try body(&first, &second)
    }

    /// Lends three buffers at once (see ``withBuffers(_:_:_:)``).
    @inlinable
    public mutating func withBuffers<R>(_ a: Int, _ b: Int, _ c: Int, _ body: (inout [Double], inout [Double], inout [Double]) throws -> R) rethrows -> R {
        var third: [Double] = []
        swap(&third, &buffers[c])
        defer { swap(&third, &buffers[c]) }
        return try withBuffers(a, b) { first, second in try body(&first, &second, &third) }
    }

    /// Whether the gradient of argument `index` is wanted.
    @inlinable
    public func wants(_ index: Int) -> Bool { wanted[index] }
}
