// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import LossKit
import LossdJSON

extension Lossd {
    /// `lossd losses`: every registered loss with its PyTorch name and options.
    public struct Losses: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "List the registered losses, their PyTorch names and options with defaults.",
            discussion: """
                Examples:
                  lossd losses                  # the table
                  lossd losses cross_entropy    # one loss in detail
                  lossd losses --json           # for scripts
                  lossd losses --plugin /usr/lib/lossd/plugins/liblossd-logcosh.so
                """
        )

        @Argument(help: "Show one loss in detail (registry or PyTorch name).", completion: .list(LossRegistry.builtins.names))
        var name: String?

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        @Option(name: .customLong("plugin"), help: ArgumentHelp("Also load this loss plugin: a path, or a name looked up in LOSSD_PLUGIN_PATH and /usr/lib/lossd/plugins (repeatable).", valueName: "PATH"))
        var plugins: [String] = []

        public init() {}

        public func run() throws {
            let registry: LossRegistry
            do throws(CommandError) { registry = try PluginOptions.registry(plugins) } catch { throw Console.fail(error) }
            var entries = registry.entries
            if let name {
                do throws(LossError) { entries = [try registry.entry(named: name)] }
                catch { throw Console.fail(CommandError(.usage, error.message)) }
            }
            if json {
                print(JSONValue.array(entries.map(LossCatalog.json)).serialized())
            } else if name != nil {
                print(LossCatalog.detail(entries[0]), terminator: "")
            } else {
                print(LossCatalog.table(entries), terminator: "")
            }
        }
    }
}

/// Renders registry entries for people and scripts.
enum LossCatalog {
    static func defaultText(_ value: OptionValue) -> String {
        switch value {
        case .string(let string): string
        case .number(let number): JSONValue.format(number)
        default: value.description
        }
    }

    static func table(_ entries: [LossRegistry.Entry]) -> String {
        let header = ["NAME", "PYTORCH", "TENSORS", "OPTIONS (defaults)", "ORIGIN"]
        let rows = entries.map { entry in
            [
                entry.descriptor.name,
                entry.descriptor.pytorchName == entry.descriptor.name ? "-" : entry.descriptor.pytorchName,
                entry.descriptor.arguments.map(\.name).joined(separator: ","),
                entry.descriptor.options.map { "\($0.name)=\(defaultText($0.defaultValue))" }.joined(separator: " "),
                entry.origin,
            ]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ") + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    static func detail(_ entry: LossRegistry.Entry) -> String {
        let d = entry.descriptor
        let title = d.pytorchName == d.name ? d.name : "\(d.name) (torch.nn.\(d.pytorchName))"
        var text = "\(title), \(entry.origin)\n  \(d.summary)\n\nTensors:\n"
        for argument in d.arguments {
            let kind: String
            switch argument.kind {
            case .real(let differentiable): kind = differentiable ? "real, differentiable" : "real"
            case .index: kind = "integer"
            }
            text += "  \(argument.name) (\(kind)): \(argument.summary)\n"
        }
        text += "\nOptions:\n"
        for option in d.options {
            text += "  \(option.name) (\(option.kind.displayName), default \(defaultText(option.defaultValue))): \(option.summary)\n"
        }
        return text
    }

    static func json(_ entry: LossRegistry.Entry) -> JSONValue {
        let d = entry.descriptor
        return .object([
            ("name", .string(d.name)),
            ("pytorch", .string(d.pytorchName)),
            ("summary", .string(d.summary)),
            ("origin", .string(entry.origin)),
            ("tensors", .array(d.arguments.map { argument in
                var kind = "index"
                if case .real(let differentiable) = argument.kind { kind = differentiable ? "real_differentiable" : "real" }
                return .object([("name", .string(argument.name)), ("kind", .string(kind)), ("summary", .string(argument.summary))])
            })),
            ("options", .array(d.options.map { option in
                .object([
                    ("name", .string(option.name)), ("type", .string(option.kind.displayName)),
                    ("default", jsonValue(option.defaultValue)), ("summary", .string(option.summary)),
                ])
            })),
        ])
    }

    static func jsonValue(_ value: OptionValue) -> JSONValue {
        switch value {
        case .bool(let b): .bool(b)
        case .integer(let i): .integer(i)
        case .number(let n): .number(n)
        case .string(let s): .string(s)
        case .tensor(let t): t.json
        case .null: .null
        case .mappings(let items): .array(items.map { item in .object(item.keys.sorted().map { ($0, jsonValue(item[$0]!)) }) })
        }
    }
}
