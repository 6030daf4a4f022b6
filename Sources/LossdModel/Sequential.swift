// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// A stack of layers applied in order (PyTorch `torch.nn.Sequential`), over one flat parameter
/// vector laid out as its `state_dict` (``ParameterLayout``).
///
/// The model holds no parameters: they are passed in, so optimizers update a plain vector and a
/// model is shared freely between threads. Each thread brings its own ``SequentialWorkspace``.
public struct Sequential: Sendable, CustomStringConvertible {
    public let layers: [any Layer]
    /// The features of each input row.
    public let inputWidth: Int
    /// The features of each output row.
    public let outputWidth: Int
    public let layout: ParameterLayout
    /// `widths[i]` is the input width of layer `i`; `widths[layers.count]` is ``outputWidth``.
    public let widths: [Int]
    /// The range of the flat parameter vector that layer `i` owns (empty for activations).
    let parameterRanges: [Range<Int>]

    /// Checks the widths layer by layer; errors name the layer index and PyTorch class
    /// (`layer 2 (Linear): in_features is 8 but its input has 4 features`).
    public init(layers: [any Layer], inputWidth: Int) throws(ModelError) {
        guard !layers.isEmpty else { throw ModelError(.invalidModel, subject: "layers", "a model needs at least one layer") }
        guard inputWidth >= 1 else {
            throw ModelError(.invalidModel, subject: "input", "a model needs at least one input feature, got \(inputWidth)")
        }
        var widths = [inputWidth]
        var tensors: [(name: String, shape: [Int])] = []
        var ranges: [Range<Int>] = []
        var offset = 0
        for (position, layer) in layers.enumerated() {
            let width = widths[position]
            do {
                widths.append(try layer.outputWidth(inputWidth: width))
            } catch {
                throw ModelError(error.code, subject: "layer \(position)", "layer \(position) (\(layer.descriptor.pytorchName)): \(error.message)")
            }
            let shapes = layer.parameterShapes(inputWidth: width)
            let size = shapes.reduce(0) { $0 + $1.shape.reduce(1, *) }
            tensors += shapes.map { ("\(position).\($0.name)", $0.shape) }
            ranges.append(offset..<(offset + size))
            offset += size
        }
        self.layers = layers
        self.inputWidth = inputWidth
        self.outputWidth = widths[layers.count]
        self.widths = widths
        self.layout = ParameterLayout(tensors)
        self.parameterRanges = ranges
    }

    /// Builds the layers by registry name (or PyTorch class name) and options, then checks the widths.
    /// Errors name the layer index: `layer 1 (relu): relu has no option 'slope'`.
    public init(_ specification: [(name: String, options: [String: OptionValue])], inputWidth: Int,
                registry: LayerRegistry = .builtins) throws(ModelError) {
        var layers: [any Layer] = []
        for (position, layer) in specification.enumerated() {
            do {
                layers.append(try registry.makeLayer(layer.name, options: layer.options))
            } catch {
                throw ModelError(error.code, subject: error.subject, "layer \(position) (\(EchoedText.escaped(layer.name))): \(error.message)")
            }
        }
        try self.init(layers: layers, inputWidth: inputWidth)
    }

    /// PyTorch's default initialisation, drawn in `state_dict` order, each tensor row-major: every
    /// element of a tensor is `uniform(b)` (a draw from U(-b, b)) with the bound its layer gives
    /// (`Linear`: 1/sqrt(in_features) for weight and bias, from `kaiming_uniform_(a=sqrt(5))`).
    public func defaultParameters(uniform: (Double) -> Double) -> [Double] {
        var parameters: [Double] = []
        parameters.reserveCapacity(layout.count)
        for (position, layer) in layers.enumerated() {
            let shapes = layer.parameterShapes(inputWidth: widths[position])
            let bounds = layer.initializationBounds(inputWidth: widths[position])
            precondition(bounds.count == shapes.count, "\(layer.descriptor.name) gives \(bounds.count) bounds for \(shapes.count) tensors")
            for (shape, bound) in zip(shapes, bounds) {
                for _ in 0..<shape.shape.reduce(1, *) { parameters.append(uniform(bound)) }
            }
        }
        return parameters
    }

    /// The layers as PyTorch prints them, on one line:
    /// `Sequential(Linear(in_features=4, out_features=8, bias=True), ReLU(), ...)`.
    public var description: String { "Sequential(" + layers.map(\.description).joined(separator: ", ") + ")" }

    /// A workspace for batches of up to `rows` rows.
    public func makeWorkspace(rows: Int) -> SequentialWorkspace {
        let scratch = layers.indices.map { layers[$0].scratchCount(inputWidth: widths[$0]) }.max() ?? 0
        return SequentialWorkspace(widths: widths, capacity: rows, scratchCount: scratch)
    }

    /// The flat vector as named tensors, in `state_dict` order.
    public func namedTensors(_ parameters: [Double]) -> [(name: String, tensor: Tensor)] {
        layout.namedTensors(parameters)
    }

    /// The flat vector from named tensors; missing, extra, mis-shaped or non-finite tensors are errors naming the tensor.
    public func flatParameters(_ tensors: [(name: String, tensor: Tensor)]) throws(ModelError) -> [Double] {
        try layout.flatParameters(tensors)
    }
}
