// SPDX-License-Identifier: Apache-2.0

import LossKit

extension JobDecoder {
    /// Checks a job's tensors the way the engine will use them: builds the loss's arguments
    /// (`init`, `target`, `inputs`) and calls its `validate` (plus the integer check of index
    /// arguments that ``LossEvaluation`` does). A random tensor is stood in for by placeholders of
    /// its shape (see ``RandomTensor/placeholderValues``), checked once per placeholder value.
    /// A per-element weight summing to 0 under `mean` is refused too (every loss would be NaN or inf).
    func checkArguments(_ loss: any Loss, initial: TensorSpec, target: TensorSpec, inputs: [String: TensorSpec],
                        nodes: [String: ConfigNode], job: ConfigNode, _ path: KeyPath, label: String) -> Bool {
        let descriptor = loss.descriptor
        let roles = LossRoles(descriptor)
        var specs: [TensorSpec?] = Array(repeating: nil, count: descriptor.arguments.count)
        var keys: [String] = Array(repeating: "", count: descriptor.arguments.count)
        specs[0] = initial
        keys[0] = "init"
        specs[roles.target] = target
        keys[roles.target] = "target"
        var complete = true
        for index in roles.others {
            let argument = descriptor.arguments[index]
            keys[index] = "inputs." + argument.name
            guard let spec = inputs[argument.name] else {
                diagnostics.report(.missingKey, at: job, path: path.key("inputs"),
                                   "\(label): \(descriptor.name) needs the tensor '\(argument.name)' in inputs (\(argument.summary))")
                complete = false
                continue
            }
            specs[index] = spec
        }
        guard complete else { return false }
        for (index, argument) in descriptor.arguments.enumerated() where argument.kind == .index {
            if case .random? = specs[index] {
                report(LossError(.invalidValue, subject: argument.name, "\(argument.name) holds class indices, which cannot be drawn at random"),
                       descriptor, keys: keys, nodes: nodes, job: job, path, label: label, placeholders: nil)
                return false
            }
        }
        let randomValues = specs.compactMap { spec -> [Double]? in
            if case .random(let random)? = spec { return random.placeholderValues }
            return nil
        }
        let passes = randomValues.isEmpty ? 1 : 2
        for pass in 0..<passes {
            let tensors = specs.indices.map { index -> Tensor? in
                switch specs[index] {
                // The fitted tensor is a float64 parameter, whatever its literals (as in the engine).
                case .literal(let tensor)?: index == 0 ? tensor.floating : tensor
                case .random(let random)?: random.placeholder(random.placeholderValues[pass])
                case nil: nil
                }
            }
            do throws(LossError) {
                for (index, argument) in descriptor.arguments.enumerated() where argument.kind == .index {
                    try Validation.requireIntegral(tensors[index]!, argument.name)
                }
                _ = try loss.validate(LossArguments(tensors))
            } catch {
                report(error, descriptor, keys: keys, nodes: nodes, job: job, path, label: label,
                       placeholders: randomValues.isEmpty ? nil : randomValues.map { $0[pass] })
                return false
            }
        }
        // PyTorch evaluates it (to +-inf or NaN), but no step of a job could use it.
        if let weighted = loss as? any ElementWeightCarrying, weighted.meansOverZeroWeightSum {
            report(LossError(.invalidValue, subject: "weight",
                             "weight: sums to 0, and reduction 'mean' divides by sum(weight): every step's loss would be infinite or NaN "
                                 + "(as PyTorch computes it); use reduction 'sum' or weights with a non-zero sum"),
                   descriptor, keys: keys, nodes: nodes, job: job, path, label: label, placeholders: nil)
            return false
        }
        return true
    }

    private func report(_ error: LossError, _ descriptor: LossDescriptor, keys: [String], nodes: [String: ConfigNode],
                        job: ConfigNode, _ path: KeyPath, label: String, placeholders: [Double]?) {
        let index = descriptor.argumentIndex(error.subject)
        // An argument at its job key; an option the loss mapping writes (`weight`) at its value.
        let key = index.map { keys[$0] } ?? (nodes["loss." + error.subject] != nil ? "loss." + error.subject : nil)
        let node = key.flatMap { nodes[$0] } ?? job
        var message = "\(label): \(descriptor.name) rejects the tensors: \(error.message)"
        let names = descriptor.arguments.map(\.name)
        if names[0] != "init", message.contains(names[0]) { message += " (\(names[0]) is the job's init)" }
        if let placeholders {
            message += " (random tensors checked with placeholder values \(placeholders.map(ScalarValue.format).joined(separator: ", ")))"
        }
        var at = path
        if let key { for part in key.split(separator: ".") { at = at.key(String(part)) } }
        diagnostics.report(error.code == .missingArgument ? .missingKey : .invalidArguments, at: node, path: at, message)
    }
}
