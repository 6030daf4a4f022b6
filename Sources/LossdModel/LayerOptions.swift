// SPDX-License-Identifier: Apache-2.0

public import LossKit

/// The options a layer is created with, checked against its ``LayerDescriptor``.
///
/// Unknown names are refused with a suggestion and the list of the layer's options; values of the
/// wrong type are refused naming the option (the type checks are LossKit's, shared with the losses).
/// Absent options take PyTorch's default.
public struct LayerOptions: Sendable, Hashable {
    private let checked: LossOptions

    /// Checks `values` against `descriptor`'s options.
    public init(_ values: [String: OptionValue], for descriptor: LayerDescriptor) throws(ModelError) {
        let known = descriptor.options.map(\.name)
        for name in values.keys.sorted() where !known.contains(name) {
            throw ModelError(.unknownOption, subject: name,
                             "\(descriptor.name) has no option '\(EchoedText.escaped(name))'" + Suggestions.didYouMean(name, among: known)
                                 + " (options: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        let asLoss = LossDescriptor(name: descriptor.name, pytorchName: descriptor.pytorchName, summary: descriptor.summary,
                                    arguments: [], options: descriptor.options)
        do {
            checked = try LossOptions(values, for: asLoss)
        } catch {
            throw ModelError(.invalidOption, subject: error.subject, error.message)
        }
    }

    /// The options given explicitly (typed: an integer given to a float option is a float).
    public var values: [String: OptionValue] { checked.values }

    /// A boolean option.
    public func bool(_ name: String) -> Bool { checked.bool(name) }
    /// An integer option.
    public func integer(_ name: String) -> Int { checked.integer(name) }
    /// A real option.
    public func number(_ name: String) -> Double { checked.number(name) }
    /// A choice option.
    public func choice(_ name: String) -> String { checked.choice(name) }
}

extension OptionSpec {
    /// `dim` of `Softmax`/`LogSoftmax`: the feature dimension of a `(batch, features)` input.
    static let featureDimension = OptionSpec(
        "dim", .integer, default: .integer(1), "the dimension normalised over: 1 or -1, the features of (batch, features)")
}

extension LayerOptions {
    /// Checks `dim` names the feature dimension (1 or -1 of a `(batch, features)` input).
    func featureDimension() throws(ModelError) {
        let dim = integer("dim")
        guard dim == 1 || dim == -1 else {
            throw .option("dim", "must be 1 or -1 (the features of a (batch, features) input), got \(dim)")
        }
    }
}
