// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdTestSupport
import Testing

/// Valid arguments and options for one loss, for the generic checks (gradient check, reductions).
///
/// Every built-in loss needs at least one sample; `GradientSample.all` lists them, one line per loss,
/// each defined in `Samples/<Loss>Samples.swift`.
struct GradientSample: Sendable, CustomTestStringConvertible {
    var loss: String
    var label: String
    var options: [String: OptionValue]
    var arguments: [String: Tensor]
    /// CTC's gradient is PyTorch's, which assumes log-softmax-normalised log_probs: its check
    /// differentiates through a log_softmax over this dimension of the named argument.
    var logSoftmaxDimension: (argument: String, dimension: Int)? = nil

    var testDescription: String { "\(loss) \(label)" }

    init(_ loss: String, _ label: String, options: [String: OptionValue] = [:], _ arguments: [String: Tensor]) {
        self.loss = loss
        self.label = label
        self.options = options
        self.arguments = arguments.markingIndices(of: loss)
    }

    static let all: [GradientSample] = [
        L1Samples.all,
        MSESamples.all,
        CrossEntropySamples.all,
        NLLSamples.all,
        CTCSamples.all,
        SmoothL1Samples.all,
        HuberSamples.all,
        SoftMarginSamples.all,
        MultiLabelSoftMarginSamples.all,
        HingeEmbeddingSamples.all,
        MarginRankingSamples.all,
        CosineEmbeddingSamples.all,
        MultiMarginSamples.all,
        MultiLabelMarginSamples.all,
        TripletMarginSamples.all,
        TripletMarginWithDistanceSamples.all,
        BCESamples.all,
        BCEWithLogitsSamples.all,
        KLDivSamples.all,
        PoissonNLLSamples.all,
        GaussianNLLSamples.all,
    ].flatMap { $0 }

    /// The same sample with one more option.
    func with(_ name: String, _ value: OptionValue) -> GradientSample {
        var copy = self
        copy.options[name] = value
        copy.label += " \(name)=\(value)"
        return copy
    }

    /// The sample once for each reduction.
    func withEachReduction() -> [GradientSample] {
        ["none", "mean", "sum"].map { with("reduction", .string($0)) }
    }
}

extension Dictionary where Key == String, Value == Tensor {
    /// The same tensors with class indices and lengths made Long (`int64`), as PyTorch requires:
    /// every `.index` argument, and a `cross_entropy` target not shaped like its input.
    func markingIndices(of loss: String) -> [String: Tensor] {
        guard let descriptor = try? LossRegistry.builtins.entry(named: loss).descriptor else { return self }
        var marked = self
        for spec in descriptor.arguments {
            let isIndex = spec.kind == .index
                || (descriptor.name == "cross_entropy" && spec.name == "target" && self["target"]?.shape != self["input"]?.shape)
            if isIndex { marked[spec.name]?.dtype = .int64 }
        }
        return marked
    }
}
