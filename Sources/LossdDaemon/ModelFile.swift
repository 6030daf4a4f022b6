// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdJSON

/// `models/<job>.safetensors`: a model job's trained parameters as F64 tensors under their
/// `state_dict` names, in `state_dict` order, which `safetensors.torch.load_file` reads and
/// `model.load_state_dict` accepts.
///
/// The safetensors layout: the header's length in bytes (u64, little-endian), the JSON header
/// (`{"NAME": {"dtype": "F64", "shape": [...], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"format": "pt", "lossd_job": JOB}}`, padded with spaces to a multiple of 8
/// bytes), then each tensor's values, little-endian, row-major, back to back.
enum ModelFile {
    static func encode(_ parameters: [(name: String, tensor: Tensor)], job: String) -> [UInt8] {
        var entries: [(String, JSONValue)] = []
        var offset = 0
        for (name, tensor) in parameters {
            let end = offset + tensor.count * MemoryLayout<Double>.size
            entries.append((name, .object([("dtype", .string("F64")), ("shape", .array(tensor.shape.map { .integer($0) })),
                                           ("data_offsets", .array([.integer(offset), .integer(end)]))])))
            offset = end
        }
        entries.append(("__metadata__", .object([("format", .string("pt")), ("lossd_job", .string(job))])))
        var header = Array(JSONValue.object(entries).serialized().utf8)
        header += [UInt8](repeating: UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes += $0 }
        bytes += header
        for (_, tensor) in parameters {
            for value in tensor.scalars { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        }
        return bytes
    }
}
