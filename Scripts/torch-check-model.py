#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reproduces a model job's reported validation loss and accuracy with PyTorch.

Reads the job's result (results/<job>.json) and trained weights (models/<job>.safetensors)
from a lossd state directory, builds the same torch.nn.Sequential from the result's layers,
loads the weights with load_state_dict(strict=True), takes the validation rows of a CSV file
(the whole file, or lossd's deterministic {split: f} of it, drawn as docs/data.md describes)
and evaluates the job's loss with torch.nn, as one batch, in float64.

    torch-check-model.py --state-dir st --job iris-nll --data configs/data/iris.csv --split 0.2 --seed 1
    torch-check-model.py --state-dir st --job j --data validation.csv

Prints one JSON line: job, lossd's val_loss and accuracy, torch's, the relative difference.
Exit status 0 when they agree within --rtol (default 1e-10), 1 when not, 2 on a usage error.
Needs torch and safetensors.
"""
import argparse
import csv
import json
import math
import sys

import torch
from safetensors.torch import load_file

MASK = (1 << 64) - 1

# lossd layer name -> torch.nn class; options are torch's keyword arguments.
LAYERS = {
    "linear": torch.nn.Linear, "relu": torch.nn.ReLU, "leaky_relu": torch.nn.LeakyReLU,
    "elu": torch.nn.ELU, "gelu": torch.nn.GELU, "silu": torch.nn.SiLU, "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid, "softplus": torch.nn.Softplus,
    "log_softmax": torch.nn.LogSoftmax, "softmax": torch.nn.Softmax,
}
# lossd loss name -> torch.nn class (the losses a model job can train with on data files).
LOSSES = {
    "mse": torch.nn.MSELoss, "l1": torch.nn.L1Loss, "huber": torch.nn.HuberLoss,
    "smooth_l1": torch.nn.SmoothL1Loss, "cross_entropy": torch.nn.CrossEntropyLoss,
    "nll": torch.nn.NLLLoss, "multi_margin": torch.nn.MultiMarginLoss,
    "bce_with_logits": torch.nn.BCEWithLogitsLoss, "bce": torch.nn.BCELoss,
    "soft_margin": torch.nn.SoftMarginLoss, "multilabel_soft_margin": torch.nn.MultiLabelSoftMarginLoss,
}


def splitmix64(seed):
    """SplitMix64, the generator of lossd's split (Sources/LossdData)."""
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def validation_rows(rows, fraction, seed):
    """lossd's {split: fraction}: Fisher-Yates from SplitMix64(seed); the first
    round(fraction * rows) (half away from zero) of the permutation, in file order."""
    permutation = list(range(rows))
    generator = splitmix64(seed)
    for i in range(rows - 1, 0, -1):
        j = next(generator) % (i + 1)
        permutation[i], permutation[j] = permutation[j], permutation[i]
    count = int(math.floor(fraction * rows + 0.5))
    return sorted(permutation[:count])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--job", required=True)
    parser.add_argument("--data", required=True, help="a CSV file with a header")
    parser.add_argument("--split", type=float, help="the job's data.validation split fraction")
    parser.add_argument("--seed", type=int, default=0, help="the split's seed (the job's seed)")
    parser.add_argument("--rtol", type=float, default=1e-10)
    arguments = parser.parse_args()

    with open(f"{arguments.state_dir}/results/{arguments.job}.json") as file:
        result = json.load(file)
    model_info = result.get("model")
    if model_info is None:
        sys.exit(f"{arguments.job} is not a model job")

    layers = []
    for layer in model_info["layers"]:
        options = dict(layer["options"])
        if layer["name"] in ("log_softmax", "softmax"):
            options.setdefault("dim", 1)
        layers.append(LAYERS[layer["name"]](**options))
    model = torch.nn.Sequential(*layers).double()
    model.load_state_dict(load_file(f"{arguments.state_dir}/{model_info['file']}"), strict=True)

    with open(arguments.data, newline="") as file:
        table = list(csv.DictReader(file))
    if arguments.split is not None:
        table = [table[i] for i in validation_rows(len(table), arguments.split, arguments.seed)]
    features = torch.tensor([[float(row[name]) for name in model_info["features"]] for row in table], dtype=torch.float64)

    name = result["loss_function"]
    options = {key: (torch.tensor(value, dtype=torch.float64) if isinstance(value, list) else value)
               for key, value in result["loss_options"].items() if value is not None}
    class_targets = name in ("nll", "multi_margin") or (name == "cross_entropy" and len(model_info["targets"]) == 1)
    if class_targets:
        target = torch.tensor([int(float(row[model_info["targets"][0]])) for row in table], dtype=torch.int64)
    else:
        target = torch.tensor([[float(row[column]) for column in model_info["targets"]] for row in table], dtype=torch.float64)
    loss_function = LOSSES[name](**options)

    with torch.no_grad():
        output = model(features)
        loss = loss_function(output, target).item()
        accuracy = None
        if class_targets:  # over the rows whose class is not ignore_index, as lossd counts it
            counted = target != result["loss_options"].get("ignore_index", -100)
            if counted.any():
                accuracy = (output.argmax(dim=1) == target)[counted].double().mean().item()

    reported = model_info["val_loss"]
    difference = abs(loss - reported) / max(abs(reported), 1e-300)
    agrees = difference <= arguments.rtol and accuracy == model_info["accuracy"]
    print(json.dumps({"job": arguments.job, "rows": len(table), "lossd_val_loss": reported, "torch_val_loss": loss,
                      "relative_difference": difference, "lossd_accuracy": model_info["accuracy"],
                      "torch_accuracy": accuracy, "agrees": agrees}))
    sys.exit(0 if agrees else 1)


if __name__ == "__main__":
    main()
