# SPDX-License-Identifier: Apache-2.0
# Writes the safetensors fixtures of the model-job corpus (no torch needed): python3 make-init.py
import json, struct

def write(path, tensors):
    header, data = {}, b""
    for name, shape, values in tensors:
        raw = struct.pack("<%dd" % len(values), *values)
        header[name] = {"dtype": "F64", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)

# A linear layer 2 -> 1 as torch names it in nn.Sequential: 0.weight (1, 2), 0.bias (1).
write("init-good.safetensors", [("0.weight", [1, 2], [0.5, -0.25]), ("0.bias", [1], [0.1])])
# Names of a bare nn.Linear, not of a Sequential.
write("init-names.safetensors", [("weight", [1, 2], [0.5, -0.25]), ("bias", [1], [0.1])])
# A weight for three inputs.
write("init-shape.safetensors", [("0.weight", [1, 3], [0.5, -0.25, 1.0]), ("0.bias", [1], [0.1])])
# No bias.
write("init-missing.safetensors", [("0.weight", [1, 2], [0.5, -0.25])])
with open("init-garbage.safetensors", "wb") as f:
    f.write(b"this is not a safetensors file\n")
