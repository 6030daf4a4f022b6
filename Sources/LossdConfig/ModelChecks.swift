// SPDX-License-Identifier: Apache-2.0

public import LossKit
import LossdData
import LossdEngine
import LossdModel

extension JobDecoder {
    /// Checks the loss against the model's output and the data's targets:
    ///
    /// - class-index targets (``ModelTargets``): one target column of integers in 0 ..< C, where
    ///   C is the model's output width (the class count), in the training and validation data
    ///   (a target equal to the loss's `ignore_index` is skipped, as PyTorch skips it);
    /// - float targets: the output width equals the number of target columns;
    /// - then the loss's own checks (`validate`) on a batch of the data's first targets and
    ///   placeholder outputs, so that a class `weight` or a `pos_weight` of the wrong size is caught;
    /// - a per-element `weight` (``ElementWeightedLoss``: `l1`, `mse`, `huber`) is refused: it
    ///   would fix the shape of every batch.
    func checkTargets(_ loss: any Loss, options lossOptions: [String: OptionValue], model: Sequential, layers: [DecodedLayer], data: (train: LoadedData, validation: LoadedData?),
                      train: WrittenSource, validation: WrittenValidation?, classIndices: Bool, job: JobEntries) -> Bool {
        let descriptor = loss.descriptor
        let lossNode = job.value("loss") ?? job.node
        guard descriptor.arguments.count == 2 else {
            let others = descriptor.arguments.dropFirst(2).map(\.name).joined(separator: ", ")
            diagnostics.report(.invalidArguments, at: lossNode, path: job.path.key("loss"),
                               "\(descriptor.name) also takes \(others): a model job trains with a loss of the model's output and the data's targets only")
            return false
        }
        if loss is any ElementWeightCarrying {
            var at = (lossNode, job.path.key("loss"))
            if case .mapping(let pairs) = lossNode.content, let pair = pairs.first(where: { $0.key.scalar?.text == "weight" }) {
                at = (pair.value, job.path.key("loss").key("weight"))
            }
            diagnostics.report(.invalidArguments, at: at.0, path: at.1,
                               "\(descriptor.name)'s weight has one factor per element of the loss input, so it fixes the input's shape; "
                                   + "a model job's input is a batch of outputs whose shape changes with the batch: use weight in a job that fits 'init'")
            return false
        }
        let trainSet = data.train.dataset
        let outputs = model.outputWidth
        let (lastNode, lastPath) = outputNode(layers)
        if classIndices {
            var parts: [(LoadedData, WrittenSource)] = [(data.train, train)]
            if let loaded = data.validation {
                if case .source(let written)? = validation { parts.append((loaded, written)) } else { parts.append((loaded, train)) }
            }
            // Rows whose target is the loss's ignore_index (cross_entropy, nll) are skipped, as PyTorch skips them.
            var ignored: Int?
            if case .integer(let index)? = lossOptions["ignore_index"] { ignored = index }
            for (loaded, written) in parts where !checkedClassIndices.contains(ClassCheck(digest: loaded.digest, classes: outputs, ignored: ignored.map(Double.init))) {
                do throws(DataError) {
                    _ = try loaded.dataset.classIndices(classCount: outputs, ignoring: ignored)
                    checkedClassIndices.insert(ClassCheck(digest: loaded.digest, classes: outputs, ignored: ignored.map(Double.init)))
                } catch {
                    let (node, path) = targetNode(written)
                    var message = rendered(error, written)
                    if error.code == .invalidValue, error.message.contains("out of range") {
                        message += " (\(descriptor.name) reads class indices: the model's \(outputs) outputs are one per class)"
                    }
                    diagnostics.report(.invalidData, at: node, path: path, message)
                    return false
                }
            }
        } else if outputs != trainSet.targetWidth {
            let columns = trainSet.targetNames.joined(separator: ", ")
            diagnostics.report(.invalidArguments, at: lastNode, path: lastPath,
                               "the model has \(outputs) outputs but data.train has \(trainSet.targetWidth) target column\(trainSet.targetWidth == 1 ? "" : "s") (\(columns)); "
                                   + "\(descriptor.name) compares the outputs with the targets column by column")
            return false
        }
        // The loss's own checks on a batch of real targets.
        let rows = min(trainSet.rows, 64)
        let input = Tensor(repeating: 0, shape: [rows, outputs])
        let target: Tensor
        if classIndices {
            target = Tensor(shape: [rows], scalars: Array(trainSet.targets[0..<rows]), dtype: .int64)
        } else {
            target = Tensor(shape: [rows, trainSet.targetWidth], scalars: Array(trainSet.targets[0..<(rows * trainSet.targetWidth)]),
                            dtype: ModelTargets.readsIntegers(descriptor) ? .int64 : .float64)
        }
        do throws(LossError) {
            _ = try loss.validate(LossArguments([input, target]))
        } catch {
            // At the option at fault when the loss mapping writes it (`weight`, `pos_weight`).
            var at = (lossNode, job.path.key("loss"))
            if case .mapping(let pairs) = lossNode.content, let pair = pairs.first(where: { $0.key.scalar?.text == error.subject }) {
                at = (pair.value, job.path.key("loss").key(error.subject))
            }
            diagnostics.report(.invalidArguments, at: at.0, path: at.1,
                               "\(descriptor.name) rejects the model's outputs \(Tensor.describe(input.shape)) with the targets \(Tensor.describe(target.shape)): \(error.message)")
            return false
        }
        return true
    }

    /// Where the model's output width is written: the last layer's `out_features`, else the last layer.
    private func outputNode(_ layers: [DecodedLayer]) -> (ConfigNode, KeyPath) {
        for layer in layers.reversed() {
            if let node = layer.optionNodes["out_features"] { return (node, layer.optionsPath.key("out_features")) }
        }
        return (layers[layers.count - 1].node, layers[layers.count - 1].path)
    }

    /// Where a source's targets are written: the target column, the target file, or the generator.
    private func targetNode(_ written: WrittenSource) -> (ConfigNode, KeyPath) {
        switch written.source {
        case .csv(_, _, let target):
            if let name = target.first, let found = written.columnNodes[name] { return (found.node, found.path) }
        case .npy(_, let target):
            if let found = written.columnNodes[target] { return (found.node, found.path) }
        case .synthetic:
            if let found = written.settingNodes["classes"] { return (found.node, found.path) }
        }
        return (written.node, written.path)
    }

    // MARK: - model.init

    /// The tensors of a safetensors file, one per model parameter with its shape.
    func initialParameters(_ file: (absolute: String, display: String), model: Sequential, node: ConfigNode, _ path: KeyPath) -> InitialParameters? {
        let bytes: [UInt8]
        switch FileSystem.read(file.absolute, display: file.display, maxBytes: limits.maxInitFileBytes) {
        case .success(let read): bytes = read
        case .failure(let problem):
            diagnostics.report(.unreadable, at: node, path: path, "model.init: " + problem.description)
            return nil
        }
        let tensors: [(name: String, tensor: Tensor)]
        do throws(ModelError) {
            tensors = try SafeTensors.decode(bytes)
        } catch {
            diagnostics.report(.invalidData, at: node, path: path, "\(file.display): \(error.message)")
            return nil
        }
        // The model's own check: every parameter once, by name, with its shape, finite.
        let flat: [Double]
        do throws(ModelError) {
            flat = try model.flatParameters(tensors)
        } catch {
            diagnostics.report(.invalidData, at: node, path: path, "\(file.display): \(error.message)")
            return nil
        }
        return InitialParameters(path: file.absolute, tensors: model.namedTensors(flat).map { InitialParameters.Entry(name: $0.name, tensor: $0.tensor) })
    }
}

/// Data whose targets were found to be class indices below `classes` (each checked once per load).
struct ClassCheck: Hashable {
    var digest: UInt64
    var classes: Int
    var ignored: Double?
}

/// Which targets a model job's loss reads, as the engine binds them: with one target column,
/// class indices of shape (B) for `cross_entropy` and every loss whose target is an index
/// argument (`nll`, `multi_margin`); otherwise a tensor of shape (B, k) for k target columns,
/// int64 for an index target, else float64 (`cross_entropy` with k > 1 columns reads class
/// probabilities).
public enum ModelTargets {
    /// Whether `loss` reads class indices when the data has `targetWidth` target columns.
    public static func usesClassIndices(_ loss: LossDescriptor, targetWidth: Int) -> Bool {
        targetWidth == 1 && (readsIntegers(loss) || loss.name == "cross_entropy")
    }

    /// Whether the loss's target argument holds integers.
    static func readsIntegers(_ loss: LossDescriptor) -> Bool {
        loss.arguments.count > 1 && loss.arguments[1].kind == .index
    }
}
