// SPDX-License-Identifier: Apache-2.0

import LossKit
import LossdModel

/// `models/<job>.safetensors`: a model job's trained parameters as F64 tensors under their
/// `state_dict` names, in `state_dict` order (``SafeTensors``), which
/// `safetensors.torch.load_file` reads and `model.load_state_dict` accepts. The header's
/// metadata is `format: pt` (what PyTorch's writers put there) and `lossd_job: <job>`.
enum ModelFile {
    static func encode(_ parameters: [(name: String, tensor: Tensor)], job: String) -> [UInt8] {
        SafeTensors.encode(parameters, metadata: ["format": "pt", "lossd_job": job])
    }
}
