#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes safetensors files as PyTorch writes them, for LossdModel's reader.

Run by a developer (needs torch and safetensors; the tests do not):

    python3 Scripts/gen-safetensors-fixtures.py

Writes the state_dict of a small nn.Sequential with `safetensors.torch.save_file` in float64
and float32 (with metadata), and a mixed file (float64, float32, int64, a scalar, an empty
tensor), plus `expected.json`: every tensor's shape, dtype and values (float32 values widened
to float64, as lossd reads them).
Output: Tests/LossdModelTests/Fixtures/safetensors/.
"""
import json
import pathlib

import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "LossdModelTests" / "Fixtures" / "safetensors"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(15)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    files = {
        "sequential-f64.safetensors": ({k: v.contiguous() for k, v in model.state_dict().items()}, {"format": "pt"}),
        "sequential-f32.safetensors": ({k: v.float().contiguous() for k, v in model.state_dict().items()}, {"format": "pt", "note": "float32"}),
        "mixed.safetensors": ({
            "weights": torch.tensor([[1.5, -2.25], [1e-300, 3.0]], dtype=torch.float64),
            "halves": torch.tensor([0.1, -7.0, 65504.0], dtype=torch.float32),
            "classes": torch.tensor([0, 2, -1, 9007199254740992], dtype=torch.int64),
            "scalar": torch.tensor(4.0, dtype=torch.float64),
            "empty": torch.zeros(0, 3, dtype=torch.float64),
        }, None),
    }
    expected = {}
    for name, (tensors, metadata) in files.items():
        save_file(tensors, str(OUT / name), metadata=metadata)
        expected[name] = {
            "metadata": metadata or {},
            "tensors": {
                key: {
                    "shape": list(value.shape),
                    "dtype": "int64" if value.dtype == torch.int64 else "float64",
                    "values": [int(v) for v in value.flatten().tolist()] if value.dtype == torch.int64
                    else value.double().flatten().tolist(),
                }
                for key, value in tensors.items()
            },
        }
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
