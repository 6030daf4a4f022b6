#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the model-training fixtures for the lossd training engine.

Run by a developer (needs torch; the tests do not):

    python3 Scripts/gen-model-goldens.py

Every case trains a torch.nn.Sequential in float64 on a small dataset (inline in the fixture),
exactly as a lossd model job does, one step per batch:

    for epoch in 1...epochs:
        for each batch (x_b, y_b):                      # in order; the last batch may be short
            opt.zero_grad(); loss = f(model(x_b), y_b); loss.backward(); opt.step(); sched.step()
            (LBFGS: loss = opt.step(closure), the closure doing the first three on the same batch
            as often as the step asks; the step's loss and outputs are its first evaluation)
        validation loss = f(model(x_val), y_val) over the whole validation set (when there is one)

and records the initial parameters (torch's default init under torch.manual_seed, passed to
lossd as the job's initial parameters so that the two RNGs do not matter), each epoch's mean
batch loss, validation loss and accuracy (argmax of the output, for class-index targets: on the
validation set when there is one, else over the epoch's batches), and the final parameters by
state_dict name. Optimizers run the single-tensor path (`foreach=False`).

Batches come in file order, except in the cases marked `shuffle`: those visit each epoch in
lossd's documented permutation (BatchOrder.swift), reimplemented below. torch's DataLoader
draws its permutation from torch's generator, which lossd does not reproduce; these cases
check the training given the permutation, and the permutation against its recipe.
Output: Tests/LossdEngineTests/Fixtures/model/<group>.json.
"""
import json
import pathlib

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "LossdEngineTests" / "Fixtures" / "model"
MASK = (1 << 64) - 1

# MARK: - lossd's batch order (see Sources/LossdEngine/Kernels/BatchOrder.swift)


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


class Xoshiro256:
    def __init__(self, seed):
        self.s = []
        for _ in range(4):
            seed, word = splitmix64(seed)
            self.s.append(word)

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result


def permutation(seed, epoch, n):
    """Epoch `epoch` (0 for the first): Fisher-Yates from the top, j = high 64 bits of next() * (i + 1)."""
    generator = Xoshiro256(seed ^ ((0xD1B54A32D192ED03 * (epoch + 1)) & MASK))
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = (generator.next() * (i + 1)) >> 64
        order[i], order[j] = order[j], order[i]
    return order


# MARK: - Models: (layers as lossd names them, torch modules)


def linear(i, o, bias=True):
    options = {"in_features": i, "out_features": o}
    if not bias:
        options["bias"] = False
    return {"name": "linear", "options": options}, torch.nn.Linear(i, o, bias=bias)


def activation(name, module, **options):
    return {"name": name, "options": options}, module


MODELS = {
    "linear-3-2": lambda: [linear(3, 2)],
    "linear-3-1": lambda: [linear(3, 1)],
    "linear-4-3": lambda: [linear(4, 3)],
    "mlp-3-5-1-tanh": lambda: [linear(3, 5), activation("tanh", torch.nn.Tanh()), linear(5, 1)],
    "mlp-4-8-3-relu": lambda: [linear(4, 8), activation("relu", torch.nn.ReLU()), linear(8, 3)],
    "mlp-4-8-3-relu-log-softmax": lambda: [linear(4, 8), activation("relu", torch.nn.ReLU()), linear(8, 3),
                                           activation("log_softmax", torch.nn.LogSoftmax(dim=1))],
    "mlp-4-6-1-relu": lambda: [linear(4, 6), activation("relu", torch.nn.ReLU()), linear(6, 1)],
}

# MARK: - Data: (rows, features, kind); drawn with torch under a fixed seed


def regression(rows, features, outputs, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(rows, features, generator=g, dtype=torch.float64)
    w = torch.randn(features, outputs, generator=g, dtype=torch.float64)
    y = x @ w + 0.3 * torch.randn(rows, outputs, generator=g, dtype=torch.float64)
    y[0] += 4.0  # an outlier, so that l1/huber/smooth_l1 see both regions
    return x, y


def classes(rows, features, count, seed):
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(rows) % count
    centers = 1.5 * torch.randn(count, features, generator=g, dtype=torch.float64)
    x = centers[labels] + torch.randn(rows, features, generator=g, dtype=torch.float64)
    return x, labels.to(torch.float64).reshape(rows, 1)


def binary(rows, features, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(rows, features, generator=g, dtype=torch.float64)
    y = (x[:, 0] - 0.5 * x[:, 1] + 0.4 * torch.randn(rows, generator=g, dtype=torch.float64) > 0.6).to(torch.float64)
    return x, y.reshape(rows, 1)


# MARK: - Cases

SGD = ("sgd", "SGD", {"lr": 0.05, "momentum": 0.9})
ADAM = ("adam", "Adam", {"lr": 0.02})

CASES = [
    # (name, model, loss (name, torch class, options), optimizer, scheduler, batch size, epochs, data, shuffle)
    ("linear mse full-batch sgd", "linear-3-2", ("mse", "MSELoss", {}), SGD, None, None, 6, ("regression", 10, 3, 2, 1), False),
    ("linear mse mini-batch adam", "linear-3-2", ("mse", "MSELoss", {}), ADAM, None, 4, 5, ("regression", 10, 3, 2, 1), False),
    ("linear l1 mini-batch sgd", "linear-3-1", ("l1", "L1Loss", {}), SGD, None, 4, 5, ("regression", 11, 3, 1, 2), False),
    ("mlp huber mini-batch adam", "mlp-3-5-1-tanh", ("huber", "HuberLoss", {"delta": 1.0}), ADAM, None, 4, 5,
     ("regression", 11, 3, 1, 3), False),
    ("mlp smooth_l1 full-batch sgd", "mlp-3-5-1-tanh", ("smooth_l1", "SmoothL1Loss", {"beta": 0.5}), SGD, None, None, 8,
     ("regression", 11, 3, 1, 3), False),
    ("mlp mse sum mini-batch sgd + step_lr", "mlp-3-5-1-tanh", ("mse", "MSELoss", {"reduction": "sum"}),
     ("sgd", "SGD", {"lr": 0.01, "momentum": 0.9}), ("step_lr", "StepLR", {"step_size": 4, "gamma": 0.5}), 3, 4,
     ("regression", 10, 3, 1, 4), False),
    ("mlp cross_entropy smoothing mini-batch sgd", "mlp-4-8-3-relu", ("cross_entropy", "CrossEntropyLoss", {"label_smoothing": 0.1}),
     SGD, None, 5, 6, ("classes", 12, 4, 3, 5), False),
    ("mlp cross_entropy smoothing full-batch adam + validation", "mlp-4-8-3-relu",
     ("cross_entropy", "CrossEntropyLoss", {"label_smoothing": 0.1}), ADAM, None, None, 6, ("classes", 12, 4, 3, 6), False),
    ("mlp cross_entropy weight mini-batch adam", "mlp-4-8-3-relu",
     ("cross_entropy", "CrossEntropyLoss", {"weight": [1.0, 2.0, 0.5]}), ADAM, None, 5, 4, ("classes", 12, 4, 3, 7), False),
    ("mlp nll log_softmax mini-batch adam", "mlp-4-8-3-relu-log-softmax", ("nll", "NLLLoss", {}), ADAM, None, 5, 6,
     ("classes", 12, 4, 3, 8), False),
    ("mlp nll log_softmax full-batch sgd", "mlp-4-8-3-relu-log-softmax", ("nll", "NLLLoss", {}), SGD, None, None, 6,
     ("classes", 12, 4, 3, 8), False),
    ("linear multi_margin mini-batch sgd", "linear-4-3", ("multi_margin", "MultiMarginLoss", {}), SGD, None, 5, 6,
     ("classes", 12, 4, 3, 9), False),
    ("linear multi_margin full-batch adam", "linear-4-3", ("multi_margin", "MultiMarginLoss", {}), ADAM, None, None, 6,
     ("classes", 12, 4, 3, 9), False),
    ("mlp bce_with_logits pos_weight mini-batch adam", "mlp-4-6-1-relu",
     ("bce_with_logits", "BCEWithLogitsLoss", {"pos_weight": [2.0]}), ADAM, None, 4, 5, ("binary", 11, 4, 10), False),
    ("mlp bce_with_logits full-batch sgd", "mlp-4-6-1-relu", ("bce_with_logits", "BCEWithLogitsLoss", {}), SGD, None, None, 6,
     ("binary", 11, 4, 10), False),
    ("mlp cross_entropy smoothing shuffled mini-batch sgd", "mlp-4-8-3-relu",
     ("cross_entropy", "CrossEntropyLoss", {"label_smoothing": 0.1}), SGD, None, 5, 4, ("classes", 12, 4, 3, 11), True),
    # Whole-vector optimizers: LBFGS's closure evaluates the step's batch as often as it asks;
    # Adafactor factors each 2-D weight's second moment by rows and columns.
    ("mlp mse mini-batch lbfgs strong_wolfe", "mlp-3-5-1-tanh", ("mse", "MSELoss", {}),
     ("lbfgs", "LBFGS", {"line_search_fn": "strong_wolfe", "max_iter": 4, "history_size": 5}), None, 4, 4,
     ("regression", 11, 3, 1, 12), False),
    ("linear mse full-batch lbfgs", "linear-3-2", ("mse", "MSELoss", {}), ("lbfgs", "LBFGS", {"lr": 0.5, "max_iter": 5}), None,
     None, 6, ("regression", 10, 3, 2, 13), False),
    ("mlp cross_entropy shuffled mini-batch lbfgs", "mlp-4-8-3-relu", ("cross_entropy", "CrossEntropyLoss", {}),
     ("lbfgs", "LBFGS", {"lr": 0.2, "max_iter": 3, "history_size": 4}), None, 5, 4, ("classes", 12, 4, 3, 14), True),
    ("mlp cross_entropy mini-batch adafactor", "mlp-4-8-3-relu", ("cross_entropy", "CrossEntropyLoss", {}),
     ("adafactor", "Adafactor", {"lr": 0.05}), None, 5, 5, ("classes", 12, 4, 3, 15), False),
    ("mlp huber full-batch adafactor + validation", "mlp-3-5-1-tanh", ("huber", "HuberLoss", {"delta": 1.0}),
     ("adafactor", "Adafactor", {"lr": 0.05, "weight_decay": 0.1, "beta2_decay": -0.6}), None, None, 6,
     ("regression", 11, 3, 1, 16), False),
]
SHUFFLE_SEED = 20260
CLASS_LOSSES = {"cross_entropy", "nll", "multi_margin"}


def torch_options(options):
    return {key: torch.tensor(value, dtype=torch.float64) if isinstance(value, list) else value for key, value in options.items()}


def make_data(spec):
    kind = spec[0]
    if kind == "regression":
        return regression(*spec[1:])
    if kind == "classes":
        return classes(*spec[1:])
    return binary(*spec[1:])


def tensors(module):
    return [{"name": name, "shape": list(value.shape), "data": [float(v) for v in value.reshape(-1).tolist()]}
            for name, value in module.state_dict().items()]


def run(index, case):
    name, model_id, (loss_name, loss_class, loss_options), (opt_name, opt_class, opt_options), scheduler, batch, epochs, data, shuffle = case
    torch.manual_seed(1000 + index)
    pairs = MODELS[model_id]()
    model = torch.nn.Sequential(*[module for _, module in pairs])
    initial = tensors(model)
    x, y = make_data(data)
    xv = yv = None
    if "validation" in name:
        xv, yv = make_data(data[:-1] + (data[-1] + 100,))
    class_targets = loss_name in CLASS_LOSSES
    to_target = (lambda t: t.reshape(-1).to(torch.int64)) if class_targets else (lambda t: t)
    loss_fn = getattr(torch.nn, loss_class)(**torch_options(loss_options))
    keywords = dict(opt_options) if opt_class == "LBFGS" else dict(opt_options, foreach=False)  # LBFGS has no foreach
    opt = getattr(torch.optim, opt_class)(model.parameters(), **keywords)
    sched = None if scheduler is None else getattr(torch.optim.lr_scheduler, scheduler[1])(opt, **scheduler[2])
    rows = x.shape[0]
    size = rows if batch is None else batch
    records = []
    step = 0
    for epoch in range(epochs):
        order = permutation(SHUFFLE_SEED, epoch, rows) if shuffle else list(range(rows))
        losses, correct = [], 0
        for start in range(0, rows, size):
            index_rows = torch.tensor(order[start:start + size])
            target = to_target(y[index_rows])
            if opt_class == "LBFGS":
                # One step is opt.step(closure); the step's loss and outputs are the first evaluation's.
                outputs = []

                def closure():
                    opt.zero_grad()
                    value = model(x[index_rows])
                    outputs.append(value.detach())
                    evaluated = loss_fn(value, target)
                    evaluated.backward()
                    return evaluated
                loss = opt.step(closure)
                out = outputs[0]
            else:
                opt.zero_grad()
                out = model(x[index_rows])
                loss = loss_fn(out, target)
                loss.backward()
                opt.step()
            if class_targets:
                correct += int((out.argmax(dim=1) == target).sum())
            if sched is not None:
                sched.step()
            step += 1
            losses.append(loss.item())
        record = {"epoch": epoch + 1, "step": step, "train_loss": sum(losses) / len(losses),
                  "learning_rate": opt.param_groups[0]["lr"]}
        if xv is not None:
            with torch.no_grad():
                out = model(xv)
                target = to_target(yv)
                record["validation_loss"] = loss_fn(out, target).item()
                if class_targets:
                    record["accuracy"] = float((out.argmax(dim=1) == target).sum()) / xv.shape[0]
        elif class_targets:
            record["accuracy"] = correct / rows
        records.append(record)

    def dataset(features, targets):
        return {"features": [[float(v) for v in row] for row in features.tolist()],
                "targets": [[float(v) for v in row] for row in targets.tolist()]}

    return {
        "name": name,
        "layers": [layer for layer, _ in pairs],
        "loss": {"name": loss_name, "options": loss_options},
        "optimizer": {"name": opt_name, "options": opt_options},
        "scheduler": None if scheduler is None else {"name": scheduler[0], "options": scheduler[2]},
        "batch_size": batch,
        "epochs": epochs,
        "shuffle": shuffle,
        "seed": SHUFFLE_SEED if shuffle else 0,
        "train": dataset(x, y),
        "validation": None if xv is None else dataset(xv, yv),
        "init": initial,
        "epoch_records": records,
        "final": tensors(model),
    }


def main():
    torch.set_default_dtype(torch.float64)
    OUT.mkdir(parents=True, exist_ok=True)
    cases = [run(index, case) for index, case in enumerate(CASES)]
    header = {"generator": "Scripts/gen-model-goldens.py", "torch": torch.__version__.split("+")[0]}
    rows = ",\n".join(json.dumps(case, separators=(",", ":"), allow_nan=False) for case in cases)
    text = json.dumps(header, separators=(",", ":"))[:-1] + ',"cases":[\n' + rows + "\n]}\n"
    json.loads(text)
    (OUT / "training.json").write_text(text)
    print(f"training: {len(cases)} cases")


if __name__ == "__main__":
    main()
