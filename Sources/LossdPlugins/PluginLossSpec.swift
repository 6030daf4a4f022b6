// SPDX-License-Identifier: Apache-2.0

import CLossdPlugin
import LossKit

/// The C functions of one plugin loss and the context they get back.
struct PluginFunctions: @unchecked Sendable {
    // @unchecked Sendable: C function pointers and an opaque context owned by the plugin, which
    // lossd/plugin.h requires to be callable from any thread (reentrant) and immutable.
    typealias Compute = @convention(c) (UnsafePointer<lossd_call>?) -> Int32
    typealias CheckOptions = @convention(c) (UnsafeRawPointer?, UnsafePointer<lossd_value>?, UnsafeMutablePointer<CChar>?, Int) -> Int32

    let compute: Compute
    let checkOptions: CheckOptions?
    let context: UnsafeRawPointer?
}

/// One loss of a plugin's descriptor, checked and translated into LossKit's terms: the
/// arguments `input` and `target`, the option `reduction` (ATen's integers on the C side) and
/// the plugin's own typed options.
struct PluginLossSpec: Sendable {
    /// The types of the plugin's options, in declaration order (without `reduction`).
    enum OptionType: Sendable { case float, integer, bool }

    var descriptor: LossDescriptor
    var optionTypes: [OptionType]
    var targetDifferentiable: Bool
    var functions: PluginFunctions

    /// Flags this lossd knows.
    static let knownFlags: UInt32 = LOSSD_LOSS_TARGET_DIFFERENTIABLE

    init(_ loss: lossd_loss, index: Int, invalid: (String) -> PluginError) throws(PluginError) {
        guard let name = try PluginManifest.string(loss.name, "the name of loss \(index)", invalid), !name.isEmpty else {
            throw invalid("the name of loss \(index) is NULL or empty")
        }
        guard PluginManifest.isValidName(name) else {
            throw invalid("loss name '\(name)' must be lowercase letters, digits and '_', start with a letter, at most \(PluginManifest.maxNameLength) bytes")
        }
        let summary = try PluginManifest.string(loss.description, "the description of loss '\(name)'", invalid) ?? ""
        guard loss.flags & ~PluginLossSpec.knownFlags == 0 else {
            throw invalid("loss '\(name)' sets unknown flags 0x\(String(loss.flags & ~PluginLossSpec.knownFlags, radix: 16))")
        }
        guard let reduction = Reduction(atenValue: loss.default_reduction) else {
            throw invalid("loss '\(name)' has default_reduction \(loss.default_reduction); expected 0 (none), 1 (mean) or 2 (sum)")
        }
        guard let compute = loss.compute else { throw invalid("loss '\(name)' has no compute function (NULL)") }
        guard loss.option_count <= PluginManifest.maxOptions else {
            throw invalid("loss '\(name)' declares \(loss.option_count) options; at most \(PluginManifest.maxOptions)")
        }
        var options: [OptionSpec] = [OptionSpec(
            "reduction", .choice(["none", "mean", "sum"]), default: .string(reduction.rawValue),
            "'none': per-element output; 'mean': average; 'sum': total")]
        var types: [OptionType] = []
        if loss.option_count > 0 {
            guard let declared = loss.options else { throw invalid("loss '\(name)' has option_count \(loss.option_count) but options is NULL") }
            for position in 0..<loss.option_count {
                // Sound: the plugin declares option_count entries at `options`.
                let option = declared[position]
                guard let optionName = try PluginManifest.string(option.name, "option \(position) of '\(name)'", invalid), !optionName.isEmpty else {
                    throw invalid("option \(position) of loss '\(name)' has a NULL or empty name")
                }
                guard PluginManifest.isValidName(optionName), optionName != "name", optionName != "reduction" else {
                    throw invalid("option '\(optionName)' of loss '\(name)': names are lowercase letters, digits and '_', and not 'name' or 'reduction'")
                }
                guard !options.contains(where: { $0.name == optionName }) else {
                    throw invalid("loss '\(name)' declares the option '\(optionName)' twice")
                }
                let summary = try PluginManifest.string(option.description, "the description of option '\(optionName)'", invalid) ?? ""
                switch option.type {
                case LOSSD_OPTION_FLOAT.rawValue:
                    guard option.default_value.f.isFinite else {
                        throw invalid("option '\(optionName)' of loss '\(name)' has a non-finite default \(option.default_value.f)")
                    }
                    options.append(OptionSpec(optionName, .number, default: .number(option.default_value.f), summary))
                    types.append(.float)
                case LOSSD_OPTION_INT.rawValue:
                    guard let value = Int(exactly: option.default_value.i) else { throw invalid("option '\(optionName)' default out of range") }
                    options.append(OptionSpec(optionName, .integer, default: .integer(value), summary))
                    types.append(.integer)
                case LOSSD_OPTION_BOOL.rawValue:
                    guard option.default_value.b == 0 || option.default_value.b == 1 else {
                        throw invalid("option '\(optionName)' of loss '\(name)' is a bool with default \(option.default_value.b); expected 0 or 1")
                    }
                    options.append(OptionSpec(optionName, .bool, default: .bool(option.default_value.b == 1), summary))
                    types.append(.bool)
                default:
                    throw invalid("option '\(optionName)' of loss '\(name)' has unknown type \(option.type); expected 1 (float), 2 (int) or 3 (bool)")
                }
            }
        }
        targetDifferentiable = loss.flags & LOSSD_LOSS_TARGET_DIFFERENTIABLE != 0
        optionTypes = types
        functions = PluginFunctions(compute: compute, checkOptions: loss.check_options, context: loss.context)
        descriptor = LossDescriptor(
            name: name, pytorchName: name, summary: summary.isEmpty ? "(no description)" : summary,
            arguments: [
                ArgumentSpec("input", .real(differentiable: true), "predictions, any shape (*)"),
                ArgumentSpec("target", .real(differentiable: targetDifferentiable), "same shape as input"),
            ],
            options: options)
    }
}
