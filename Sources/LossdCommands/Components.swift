// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import LossKit
import LossdEngine
import LossdJSON

extension Lossd {
    /// `lossd optimizers`: every registered `torch.optim` optimizer with its options.
    public struct Optimizers: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "List the optimizers (torch.optim), their PyTorch names and options with defaults.",
            discussion: """
                Examples:
                  lossd optimizers              # the table
                  lossd optimizers AdamW        # one optimizer in detail
                  lossd optimizers --json       # for scripts
                """
        )

        @Argument(help: ArgumentHelp("Show one optimizer in detail (registry or PyTorch name)."),
                  completion: .list(OptimizerRegistry.builtins.names))
        var name: String?

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        public init() {}

        public func run() throws {
            try ComponentCatalog.print(OptimizerRegistry.builtins, name: name, json: json, module: "torch.optim")
        }
    }

    /// `lossd schedulers`: every registered `torch.optim.lr_scheduler` scheduler with its options.
    public struct Schedulers: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "List the learning-rate schedulers (torch.optim.lr_scheduler), their PyTorch names and options.",
            discussion: """
                Examples:
                  lossd schedulers                   # the table
                  lossd schedulers OneCycleLR        # one scheduler in detail
                  lossd schedulers --json            # for scripts
                """
        )

        @Argument(help: ArgumentHelp("Show one scheduler in detail (registry or PyTorch name)."),
                  completion: .list(SchedulerRegistry.builtins.names))
        var name: String?

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        public init() {}

        public func run() throws {
            try ComponentCatalog.print(SchedulerRegistry.builtins, name: name, json: json, module: "torch.optim.lr_scheduler")
        }
    }
}

/// Renders the optimizer and scheduler registries as `lossd losses` renders the losses' (the
/// same columns, less the tensors).
enum ComponentCatalog {
    static func print<Entry>(_ registry: ComponentRegistry<Entry>, name: String?, json: Bool, module: String) throws {
        var descriptors = registry.entries.map(\.descriptor)
        if let name {
            do throws(EngineError) { descriptors = [try registry.entry(named: name).descriptor] }
            catch { throw Console.fail(CommandError(.usage, error.message)) }
        }
        if json {
            Swift.print(JSONValue.array(descriptors.map(Self.json)).serialized())
        } else if name != nil {
            Swift.print(detail(descriptors[0], module: module), terminator: "")
        } else {
            Swift.print(table(descriptors), terminator: "")
        }
    }

    static func table(_ descriptors: [ComponentDescriptor]) -> String {
        let rows = descriptors.map { d in
            [d.name, d.pytorchName, d.options.map { "\($0.name)=\(defaultText($0))" }.joined(separator: " ")]
        }
        return TextTable.render(header: ["NAME", "PYTORCH", "OPTIONS (defaults)"], rows: rows)
    }

    static func detail(_ d: ComponentDescriptor, module: String) -> String {
        var text = "\(d.name) (\(module).\(d.pytorchName))\n  \(d.summary)\n\nOptions:\n"
        for option in d.options {
            text += "  \(option.name) (\(option.kind.displayName), default \(defaultText(option))): \(option.summary)\n"
        }
        return text
    }

    /// A default for people: PyTorch's spelling (None, False), a short tensor as its values.
    static func defaultText(_ option: OptionSpec) -> String {
        if case .tensor(let tensor) = option.defaultValue, tensor.count <= 8 {
            return JSONValue.array(tensor.scalars.map(JSONValue.number)).serialized()
        }
        return LossCatalog.defaultText(option.defaultValue)
    }

    static func json(_ d: ComponentDescriptor) -> JSONValue {
        .object([
            ("name", .string(d.name)),
            ("pytorch", .string(d.pytorchName)),
            ("summary", .string(d.summary)),
            ("options", .array(d.options.map { option in
                .object([
                    ("name", .string(option.name)), ("type", .string(option.kind.displayName)),
                    ("default", LossCatalog.jsonValue(option.defaultValue)), ("summary", .string(option.summary)),
                ])
            })),
        ])
    }
}
