#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the torch.nn layer fixtures for LossdModel.

Run by a developer (needs torch; the tests do not):

    python3 Scripts/gen-layer-goldens.py

Every case builds one torch.nn layer in float64, runs it on a (rows, width) input, and calls
`output.backward(upstream)` with a fixed upstream gradient, recording the input, the layer's
parameters (state_dict order, each flattened row-major), the output, the input's gradient and
the parameters' gradients. Inputs mix seeded uniform values with the points where PyTorch makes
a choice: 0 for relu/leaky_relu/elu, the softplus threshold, saturation of sigmoid/tanh/gelu,
large and equal logits for (log_)softmax.
Output: Tests/LossdModelTests/Fixtures/layers/<name>.json.

Whole models get the same record (parameters in state_dict order, all gradients) in
Tests/LossdModelTests/Fixtures/models.json, with the layers as (registry name, options).
"""
import json
import pathlib

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "LossdModelTests" / "Fixtures" / "layers"

# MARK: - Cases: registry name -> [(torch class, options, rows, width, special input values)]

KINKS = [0.0, -0.0, 1e-10, -1e-10, 3.0, -3.0, 40.0, -40.0]
CASES = {
    "linear": [
        ("Linear", {"in_features": 5, "out_features": 3}, 4, 5, []),
        ("Linear", {"in_features": 4, "out_features": 2, "bias": False}, 3, 4, []),
        ("Linear", {"in_features": 1, "out_features": 1}, 2, 1, []),
        ("Linear", {"in_features": 9, "out_features": 7}, 6, 9, [0.0, 1e6, -1e-6]),
        # Every tile of the product in every direction: 8- and 4-wide columns, single columns, 4-row blocks and single rows.
        ("Linear", {"in_features": 21, "out_features": 13}, 11, 21, []),
        ("Linear", {"in_features": 16, "out_features": 1, "bias": False}, 9, 16, []),
    ],
    "relu": [("ReLU", {}, 4, 5, KINKS)],
    "leaky_relu": [
        ("LeakyReLU", {}, 4, 5, KINKS),
        ("LeakyReLU", {"negative_slope": 0.2}, 4, 5, KINKS),
        ("LeakyReLU", {"negative_slope": -0.5}, 3, 4, KINKS),
    ],
    "elu": [
        ("ELU", {}, 4, 5, KINKS + [-1e-300, -700.0]),
        ("ELU", {"alpha": 0.5}, 4, 5, KINKS),
    ],
    "gelu": [
        ("GELU", {}, 4, 5, KINKS + [-10.0, 10.0, -38.0]),
        ("GELU", {"approximate": "tanh"}, 4, 5, KINKS + [-10.0, 10.0]),
    ],
    "silu": [("SiLU", {}, 4, 5, KINKS + [-700.0, 700.0])],
    "tanh": [("Tanh", {}, 4, 5, KINKS + [20.0, -20.0])],
    "sigmoid": [("Sigmoid", {}, 4, 5, KINKS + [-700.0, 700.0])],
    "softplus": [
        ("Softplus", {}, 4, 5, KINKS + [20.0, 20.000001, 19.999999, -30.0]),
        ("Softplus", {"beta": 2.0, "threshold": 3.0}, 4, 5, [1.5, 1.5000001, 1.4999999, -2.0, 0.0]),
        ("Softplus", {"beta": 0.5, "threshold": 10.0}, 3, 4, [20.0, 20.5, -5.0]),
    ],
    "log_softmax": [
        ("LogSoftmax", {"dim": 1}, 4, 5, []),
        ("LogSoftmax", {"dim": -1}, 3, 4, [1000.0, 1000.0, -1000.0, 0.0, 5.0, 5.0, 5.0, 5.0]),
        ("LogSoftmax", {"dim": 1}, 3, 1, []),
    ],
    "softmax": [
        ("Softmax", {"dim": 1}, 4, 5, []),
        ("Softmax", {"dim": -1}, 3, 4, [1000.0, 1000.0, -1000.0, 0.0, 5.0, 5.0, 5.0, 5.0]),
        ("Softmax", {"dim": 1}, 3, 1, []),
    ],
}


def case(name, index, torch_class, options, rows, width, special):
    generator = torch.Generator().manual_seed(1500 + 37 * index + sum(map(ord, name)))
    torch.manual_seed(2500 + 37 * index + sum(map(ord, name)))
    layer = getattr(torch.nn, torch_class)(**options).double()
    values = (torch.rand(rows * width, generator=generator, dtype=torch.float64) * 6 - 3).tolist()
    values[: len(special)] = special
    x = torch.tensor(values, dtype=torch.float64).reshape(rows, width).requires_grad_(True)
    y = layer(x)
    upstream = torch.rand(y.shape, generator=generator, dtype=torch.float64) * 4 - 2
    y.backward(upstream)
    parameters = [p for _, p in layer.named_parameters()]
    return {
        "layer": name,
        "torch_class": torch_class,
        "options": options,
        "rows": rows,
        "width": width,
        "input": x.detach().flatten().tolist(),
        "parameters": [v for p in parameters for v in p.detach().flatten().tolist()],
        "parameter_names": [n for n, _ in layer.named_parameters()],
        "output": y.detach().flatten().tolist(),
        "upstream": upstream.flatten().tolist(),
        "input_grad": x.grad.flatten().tolist(),
        "parameter_grads": [v for p in parameters for v in p.grad.flatten().tolist()],
    }


# MARK: - Models: label -> (input width, rows, [(registry name, torch class, options)])

MODELS = {
    "mlp-relu": (4, 7, [("linear", "Linear", {"in_features": 4, "out_features": 9}), ("relu", "ReLU", {}),
                        ("linear", "Linear", {"in_features": 9, "out_features": 9}), ("relu", "ReLU", {}),
                        ("linear", "Linear", {"in_features": 9, "out_features": 1})]),
    "classifier": (5, 6, [("linear", "Linear", {"in_features": 5, "out_features": 12}), ("gelu", "GELU", {"approximate": "tanh"}),
                          ("linear", "Linear", {"in_features": 12, "out_features": 3, "bias": False}),
                          ("log_softmax", "LogSoftmax", {"dim": 1})]),
    "every-activation": (3, 5, [("linear", "Linear", {"in_features": 3, "out_features": 6}), ("elu", "ELU", {"alpha": 0.7}),
                                ("linear", "Linear", {"in_features": 6, "out_features": 6}), ("silu", "SiLU", {}),
                                ("leaky_relu", "LeakyReLU", {"negative_slope": 0.1}), ("tanh", "Tanh", {}),
                                ("softplus", "Softplus", {"beta": 1.5}), ("sigmoid", "Sigmoid", {}),
                                ("linear", "Linear", {"in_features": 6, "out_features": 4}), ("gelu", "GELU", {}),
                                ("softmax", "Softmax", {"dim": -1})]),
}


def model_case(label, index, width, rows, layers):
    generator = torch.Generator().manual_seed(4500 + index)
    torch.manual_seed(5500 + index)
    model = torch.nn.Sequential(*[getattr(torch.nn, torch_class)(**options) for _, torch_class, options in layers]).double()
    x = (torch.rand(rows, width, generator=generator, dtype=torch.float64) * 4 - 2)
    y = model(x)
    upstream = torch.rand(y.shape, generator=generator, dtype=torch.float64) * 2 - 1
    y.backward(upstream)
    state = list(model.named_parameters())
    return {
        "label": label,
        "layers": [{"name": name, "options": options} for name, _, options in layers],
        "input_width": width,
        "rows": rows,
        "input": x.flatten().tolist(),
        "parameter_names": [n for n, _ in state],
        "parameters": [v for _, p in state for v in p.detach().flatten().tolist()],
        "output": y.detach().flatten().tolist(),
        "upstream": upstream.flatten().tolist(),
        "parameter_grads": [v for _, p in state for v in p.grad.flatten().tolist()],
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, cases in CASES.items():
        document = {
            "torch_version": torch.__version__,
            "cases": [case(name, index, *spec) for index, spec in enumerate(cases)],
        }
        (OUT / f"{name}.json").write_text(json.dumps(document, indent=1) + "\n")
        print(f"{name}: {len(cases)} cases")
    models = [model_case(label, index, *spec) for index, (label, spec) in enumerate(MODELS.items())]
    document = {"torch_version": torch.__version__, "cases": models}
    (OUT.parent / "models.json").write_text(json.dumps(document, indent=1) + "\n")
    print(f"models: {len(models)} cases")


if __name__ == "__main__":
    main()
