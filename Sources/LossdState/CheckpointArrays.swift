// SPDX-License-Identifier: Apache-2.0

import LossdEngine
import LossKit
import LossdModel

/// The large vectors of a wide job's checkpoint kept beside it: `checkpoints/<job>.ckpt.<token>.safetensors`
/// holds `parameters`, `optimizerState.<i>` and `optimizerMemory.<i>` (float64, bit for bit, so a
/// resume is as exact as from JSON) with the metadata `token`; the checkpoint's JSON then holds
/// those vectors empty and its header line ends with the token.
///
/// A checkpoint of more than ``OutputFile/threshold`` parameters is written so (as JSON text its
/// vectors would take about 24 bytes an element, and as much again to build). The file is synced
/// and renamed before the checkpoint that names it (a token new at every write, in the file's name
/// and metadata, ties the two), and the previous file is removed only once the new checkpoint
/// replaced the old: a crash at any point leaves a checkpoint with its own vectors.
enum CheckpointArrays {
    /// Moves the vectors out of `checkpoint` (left empty) into named tensors.
    static func split(_ checkpoint: inout JobCheckpoint) -> [(name: String, tensor: Tensor)] {
        func vector(_ values: [Double]) -> Tensor { Tensor(shape: [values.count], scalars: values) }
        var tensors = [("parameters", vector(checkpoint.parameters))]
        checkpoint.parameters = []
        for index in checkpoint.optimizerState.indices {
            tensors.append(("optimizerState.\(index)", vector(checkpoint.optimizerState[index].values)))
            checkpoint.optimizerState[index].values = []
        }
        for index in checkpoint.optimizerMemory?.indices ?? 0..<0 {
            tensors.append(("optimizerMemory.\(index)", vector(checkpoint.optimizerMemory![index].values)))
            checkpoint.optimizerMemory![index].values = []
        }
        return tensors
    }

    /// Puts `tensors` (``split(_:)``'s, read back) into `checkpoint`; false when they do not fit its slots.
    static func merge(_ tensors: [(name: String, tensor: Tensor)], into checkpoint: inout JobCheckpoint) -> Bool {
        let memoryCount = checkpoint.optimizerMemory?.count ?? 0
        let names = ["parameters"] + checkpoint.optimizerState.indices.map { "optimizerState.\($0)" }
            + (0..<memoryCount).map { "optimizerMemory.\($0)" }
        guard tensors.map(\.name) == names else { return false }
        checkpoint.parameters = tensors[0].tensor.scalars
        for index in checkpoint.optimizerState.indices { checkpoint.optimizerState[index].values = tensors[1 + index].tensor.scalars }
        for index in 0..<memoryCount {
            checkpoint.optimizerMemory![index].values = tensors[1 + checkpoint.optimizerState.count + index].tensor.scalars
        }
        return true
    }

    /// The file's bytes for `tensors` under `token`.
    static func encoded(_ tensors: [(name: String, tensor: Tensor)], token: String) -> [UInt8] {
        SafeTensors.encode(tensors, metadata: ["token": token])
    }

    /// The tensors of the file at `path` written under `token`; nil when missing, damaged or of another write.
    static func read(_ path: String, token: String) -> [(name: String, tensor: Tensor)]? {
        guard let bytes = AtomicFile.read(path), let file = try? SafeTensors.read(bytes), file.metadata["token"] == token else { return nil }
        return file.tensors
    }
}
