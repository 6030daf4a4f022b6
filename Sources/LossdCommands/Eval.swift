// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
import Foundation
import LossKit
import LossdJSON

extension Lossd {
    /// `lossd eval`: one loss on tensors given as JSON, with its gradient.
    public struct Eval: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Evaluate a loss (and its gradient) on tensors written as JSON arrays.",
            discussion: """
                Tensors are nested JSON arrays, as in torch.tensor(...): [[0.1,0.2,0.3]] has shape (1, 3);
                a bare number is a scalar. Options are NAME=VALUE with PyTorch's keyword names; VALUE is
                read as JSON when it parses (1, 0.5, true, [1,2]) and as a string otherwise (reduction=sum).

                Examples:
                  lossd eval l1 --input '[1,2,3]' --target '[1,2,5]'                       # 0.6667
                  lossd eval mse --input '[1,2,3]' --target '[1,2,5]' --option reduction=sum  # 4.0000
                  lossd eval cross_entropy --input '[[0.1,0.2,0.3]]' --target '[1]' --grad  # 1.1019
                  lossd eval gaussian_nll --input '[1,2]' --target '[1,3]' --tensor var='[1,2]'
                  echo '{"loss":"mse","inputs":{"input":[1,2],"target":[0,0]}}' | lossd eval --json

                --json reads {"loss": NAME, "options": {...}, "inputs": {NAME: TENSOR, ...}} on standard
                input and prints {"value": T, "grad": {NAME: T}} with T = {"shape": [...], "data": [...]}:
                the gradient of the sum of the output with respect to every differentiable real input.
                """
        )

        @Argument(help: "The loss, by registry or PyTorch name (see 'lossd losses'). Omit with --json.",
                  completion: .list(LossRegistry.builtins.names))
        var loss: String?

        @Option(help: "The input tensor (the first argument of the loss) as JSON.")
        var input: String?

        @Option(help: "The target tensor as JSON.")
        var target: String?

        @Option(name: .customLong("tensor"), help: ArgumentHelp("Another tensor argument, by PyTorch name (repeatable).", valueName: "NAME=JSON"))
        var tensors: [String] = []

        @Option(name: .customLong("option"), help: ArgumentHelp("A loss option with PyTorch's keyword name (repeatable).", valueName: "NAME=VALUE"))
        var options: [String] = []

        @Option(name: .customLong("plugin"), help: ArgumentHelp("Also load this loss plugin: a path, or a name looked up in LOSSD_PLUGIN_PATH and /usr/lib/lossd/plugins (repeatable).", valueName: "PATH"))
        var plugins: [String] = []

        @Flag(help: "Also print the gradient of each differentiable tensor.")
        var grad = false

        @Flag(help: "Read a JSON request on standard input and print a JSON response (the machine interface).")
        var json = false

        // Unconditional parsing: `--precision -1` reaches validate() and its message instead of
        // being read as a missing value followed by an unknown flag.
        @Option(parsing: .unconditional, help: "Decimals printed in the text output (0 to 17).")
        var precision: Int = 4

        public init() {}

        public func validate() throws {
            if json {
                guard loss == nil, input == nil, target == nil, tensors.isEmpty, options.isEmpty, !grad else {
                    throw ValidationError("--json takes everything from standard input (but --plugin); give no loss, tensors, options or --grad")
                }
            } else {
                guard loss != nil else { throw ValidationError("missing the loss name (or use --json)") }
                guard input != nil else { throw ValidationError("missing --input") }
            }
            guard (0...17).contains(precision) else {
                throw ValidationError("--precision must be an integer between 0 and 17, got \(precision)")
            }
        }

        public func run() throws {
            do throws(CommandError) {
                if json { try runJSON() } else { try runText() }
            } catch {
                throw Console.fail(error)
            }
        }

        private func runJSON() throws(CommandError) {
            let registry = try PluginOptions.registry(plugins)
            // The request's bytes are released once read: only its flat tensors stay for the evaluation.
            let request = try EvalRequest(bytes: EvalRequest.readBytes(from: STDIN_FILENO, limit: EvalRequest.maximumBytes))
            let evaluation = try request.evaluate(registry: registry)
            EvalRequest.writeResponse(evaluation) { FileHandle.standardOutput.write(Data($0.utf8)) }
            FileHandle.standardOutput.write(Data("\n".utf8))
        }

        private func runText() throws(CommandError) {
            let registry = try PluginOptions.registry(plugins)
            let lossName = loss!
            let entry: LossRegistry.Entry
            do throws(LossError) { entry = try registry.entry(named: lossName) }
            catch { throw CommandError(.usage, error.message) }

            // Options are command-line arguments: any problem with them is a usage error (64).
            var optionValues: [String: OptionValue] = [:]
            for text in options {
                let (name, value) = try Eval.split(text, flag: "--option")
                guard optionValues[name] == nil else { throw CommandError(.usage, "--option \(name) is given twice") }
                optionValues[name] = try Eval.optionValue(value, name: name)
            }
            let lossValue: any Loss
            do throws(LossError) { lossValue = try entry.make(LossOptions(optionValues, for: entry.descriptor)) }
            catch { throw CommandError(.usage, error.message) }

            // Tensors are data: a malformed or unsuitable tensor is a data error (65).
            var named: [String: String] = [:]
            let first = entry.descriptor.arguments[0].name
            named[first] = input
            if let target {
                guard entry.descriptor.argumentIndex("target") != nil else {
                    throw CommandError(.usage, "\(entry.descriptor.name) takes no 'target'; its tensors are \(entry.descriptor.arguments.map(\.name).joined(separator: ", ")) (use --tensor NAME=JSON)")
                }
                named["target"] = target
            }
            for text in tensors {
                let (name, value) = try Eval.split(text, flag: "--tensor")
                guard named[name] == nil else { throw CommandError(.usage, "tensor '\(name)' is given twice") }
                named[name] = value
            }
            var arguments: [String: Tensor] = [:]
            for (name, text) in named {
                do throws(JSONInputError) { arguments[name] = try Tensor(jsonText: text, path: EchoedText.escaped(name)) }
                catch {
                    if case .syntax(let syntax) = error { throw CommandError(.dataError, "\(EchoedText.escaped(name)): not a JSON tensor (\(syntax))") }
                    throw CommandError(.dataError, error.description)
                }
            }
            let evaluation: LossEvaluation
            do throws(LossError) { evaluation = try LossEvaluation(loss: lossValue, arguments: arguments, wantGradients: grad) }
            catch {
                let status: CommandError.Status = error.code == .unknownArgument ? .usage : .dataError
                throw CommandError(status, error.message)
            }
            print(Eval.format(evaluation.value, precision: precision))
            if grad {
                for spec in entry.descriptor.arguments {
                    guard let gradient = evaluation.gradients[spec.name] else { continue }
                    print("grad \(spec.name): \(Eval.format(gradient, precision: precision))")
                }
            }
        }

        static func split(_ text: String, flag: String) throws(CommandError) -> (String, String) {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw CommandError(.usage, "\(flag) expects NAME=VALUE, got '\(text)'")
            }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }

        /// An option value from the command line: JSON if it parses, Python's True/False/None, else a string.
        static func optionValue(_ text: String, name: String) throws(CommandError) -> OptionValue {
            switch text {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .null
            default: break
            }
            guard let json = try? JSONValue(parsing: text) else { return .string(text) }
            do throws(TensorJSONError) { return try OptionValue(json: json, path: "--option \(name)") }
            catch { throw CommandError(.usage, error.description) }
        }

        /// A tensor as nested lists with fixed decimals, like torch's printing.
        static func format(_ tensor: Tensor, precision: Int) -> String {
            func number(_ value: Double) -> String {
                value.isFinite ? String(format: "%.\(precision)f", value) : JSONValue.format(value).lowercased().replacingOccurrences(of: "infinity", with: "inf")
            }
            func nested(_ dimension: Int, _ offset: Int) -> String {
                if dimension == tensor.rank { return number(tensor.scalars[offset]) }
                let stride = tensor.shape[(dimension + 1)...].reduce(1, *)
                let items = (0..<tensor.shape[dimension]).map { nested(dimension + 1, offset + $0 * stride) }
                return "[" + items.joined(separator: ", ") + "]"
            }
            return nested(0, 0)
        }
    }
}

extension EvalRequest {
    /// The bytes readable from `descriptor` (standard input), refused past `limit` bytes (read in
    /// blocks of 1 MiB, never more than `limit` plus one block).
    public static func readBytes(from descriptor: Int32, limit: Int) throws(CommandError) -> [UInt8] {
        var bytes: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            // Sound: read(2) writes at most `block.count` bytes into `block`'s storage.
            let count = block.withUnsafeMutableBytes { buffer in read(descriptor, buffer.baseAddress!, buffer.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CommandError(.noInput, "cannot read standard input: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: block[..<count])
            if bytes.count > limit {
                throw CommandError(.dataError, "standard input is larger than \(limit) bytes, the most 'lossd eval --json' reads; split the request")
            }
        }
    }
}
