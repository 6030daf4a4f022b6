// SPDX-License-Identifier: Apache-2.0

/// One layer of an `nn.Sequential`: a map from `(rows, inputWidth)` to `(rows, outputWidth)`,
/// row-major, with PyTorch's exact forward and an analytic backward.
///
/// Implementation requirements (as for LossKit's `Loss`):
/// - A `struct` with value semantics, `Sendable`, created from checked ``LayerOptions``.
/// - ``forward(input:rows:inputWidth:parameters:scratch:output:)`` and
///   ``backward(input:output:outputGradient:rows:inputWidth:parameters:inputGradient:parameterGradient:)``
///   compute in float64 into storage the caller owns (a ``SequentialWorkspace``), allocate nothing,
///   and sum in a fixed, documented order, so results never depend on the thread count.
/// - The backward is analytic and follows PyTorch's choice at every kink; the doc comment states
///   the formula, the gradient and the `torch.nn` option names.
/// - Every layer passes the gradient check against central differences and the PyTorch goldens
///   in `LossdModelTests`.
///
/// The buffers are views that ``Sequential`` hands out from one workspace: `input`, `output`,
/// the gradients and the parameters are disjoint and exactly sized (`rows * width` elements; the
/// parameters and their gradient as ``parameterShapes(inputWidth:)`` lays them out).
public protocol Layer: Sendable, CustomStringConvertible {
    /// The registry entry: names, options with defaults.
    var descriptor: LayerDescriptor { get }

    /// Parameter tensors in `state_dict` order for this layer, e.g. `[("weight", [out, in]), ("bias", [out])]`;
    /// `[]` for activations.
    func parameterShapes(inputWidth: Int) -> [(name: String, shape: [Int])]

    /// PyTorch's default initialisation of each tensor of ``parameterShapes(inputWidth:)``: every
    /// element is drawn from U(-b, b) with the returned bound `b` (`reset_parameters()`).
    func initializationBounds(inputWidth: Int) -> [Double]

    /// The output width for an input width; throws when they do not fit (`linear`: `in_features` != width).
    func outputWidth(inputWidth: Int) throws(ModelError) -> Int

    /// The scratch elements ``forward(input:rows:inputWidth:parameters:scratch:output:)`` needs
    /// (`Linear` keeps W^T there); 0 by default.
    func scratchCount(inputWidth: Int) -> Int

    /// Computes `output` (`rows * outputWidth`) from `input` (`rows * inputWidth`); `scratch` holds
    /// ``scratchCount(inputWidth:)`` elements of no meaning before or after the call.
    func forward(input: UnsafeBufferPointer<Double>, rows: Int, inputWidth: Int, parameters: UnsafeBufferPointer<Double>,
                 scratch: UnsafeMutableBufferPointer<Double>, output: UnsafeMutableBufferPointer<Double>)

    /// From dLoss/dOutput, OVERWRITES the parameter gradient and, when asked for (`inputGradient`
    /// non-nil), dLoss/dInput. `input` and `output` are those of the latest forward.
    func backward(input: UnsafeBufferPointer<Double>, output: UnsafeBufferPointer<Double>,
                  outputGradient: UnsafeBufferPointer<Double>, rows: Int, inputWidth: Int,
                  parameters: UnsafeBufferPointer<Double>, inputGradient: UnsafeMutableBufferPointer<Double>?,
                  parameterGradient: UnsafeMutableBufferPointer<Double>)
}

extension Layer {
    public func parameterShapes(inputWidth: Int) -> [(name: String, shape: [Int])] { [] }
    public func initializationBounds(inputWidth: Int) -> [Double] { [] }
    public func scratchCount(inputWidth: Int) -> Int { 0 }

    /// As PyTorch prints the module, on one line: `ReLU()`; layers with options list them all
    /// (`Linear(in_features=4, out_features=8, bias=True)`).
    public var description: String { "\(descriptor.pytorchName)()" }
}

/// A layer type built into lossd: its descriptor is static and it is created from options.
///
/// Registering one is a single line in `BuiltinLayers.swift`.
public protocol BuiltinLayer: Layer {
    static var descriptor: LayerDescriptor { get }

    /// Creates the layer. Names and types are already checked; range checks happen here.
    init(options: LayerOptions) throws(ModelError)
}

extension BuiltinLayer {
    public var descriptor: LayerDescriptor { Self.descriptor }
}
