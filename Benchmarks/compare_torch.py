#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""PyTorch eager and numpy on lossd's benchmark jobs, for scale (compare.sh runs it).

MSE + SGD in float64: the seed job ([10, 10, 10] -> [30, 20, 50], lr 1e-9) and the wide job
(10^7 elements, lr 1e-3), as Benchmarks/reference/best_loops.c runs them; and the model jobs,
one epoch of a linear model 32->1 and of an MLP 32-64-64-1 (relu) on 100,000 rows, batch 256,
lr 0.01, as Benchmarks/reference/model_epoch.c runs them (same data, same initial parameters,
so the first epoch's loss must agree). Prints `key value` lines: microseconds per step, and
milliseconds per epoch. PyTorch and numpy are optional: a missing one is skipped with a message
on standard error.

    python3 compare_torch.py [--quick] [tensors] [models]      (both kinds by default)
"""
import sys
import time

QUICK = "--quick" in sys.argv[1:]
KINDS = {a for a in sys.argv[1:] if a != "--quick"} or {"tensors", "models"}
SEED_X, SEED_Y = [10.0, 10.0, 10.0], [30.0, 20.0, 50.0]
WIDE = 10_000_000


def best(runs, body):
    """The shortest of `runs` timings of body(), in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return min(times)


def emit(key, seconds, steps):
    print(f"{key} {seconds / steps * 1e6:.6g}", flush=True)


def torch_figures():
    try:
        import torch
    except ImportError:
        print("compare_torch: PyTorch is not importable here: skipping its figures "
              "(pip install torch to include them)", file=sys.stderr)
        return

    def job(x0, y, lr, steps):
        x = torch.as_tensor(x0, dtype=torch.float64).clone().requires_grad_(True)
        optimizer = torch.optim.SGD([x], lr=lr)
        loss_fn = torch.nn.MSELoss()

        def body():
            for _ in range(steps):
                optimizer.zero_grad()
                loss = loss_fn(x, y)
                loss.backward()
                optimizer.step()
        return body

    steps = 500 if QUICK else 5000
    seed_y = torch.tensor(SEED_Y, dtype=torch.float64)
    emit("torch.seed.us_per_step", best(3, job(SEED_X, seed_y, 1e-9, steps)), steps)
    wide_y = seed_y.repeat(WIDE // 3 + 1)[:WIDE].clone()
    wide_x = torch.full((WIDE,), 10.0, dtype=torch.float64)
    steps = 3 if QUICK else 10
    emit("torch.wide.us_per_step", best(2, job(wide_x, wide_y, 1e-3, steps)), steps)
    print(f"torch.threads {torch.get_num_threads()}", flush=True)


def numpy_figures():
    try:
        import numpy as np
    except ImportError:
        print("compare_torch: numpy is not importable here: skipping its figures", file=sys.stderr)
        return

    def job(x0, y, lr, steps):
        n = y.size

        def body():
            x = np.array(x0, dtype=np.float64)
            for _ in range(steps):
                d = x - y
                _loss = np.dot(d, d) / n
                x -= lr * (2.0 / n) * d
        return body

    steps = 5000 if QUICK else 50000
    emit("numpy.seed.us_per_step", best(3, job(SEED_X, np.array(SEED_Y), 1e-9, steps)), steps)
    wide_y = np.resize(np.array(SEED_Y), WIDE)
    steps = 3 if QUICK else 10
    emit("numpy.wide.us_per_step", best(2, job(np.full(WIDE, 10.0), wide_y, 1e-3, steps)), steps)


MODEL_ROWS, MODEL_FEATURES, MODEL_BATCH, MODEL_LR = 100_000, 32, 256, 0.01
MODELS = {"linear": [32, 1], "mlp": [32, 64, 64, 1]}


def model_data(torch):
    """The formulas model_epoch.c and lossd-perf share: x[i][j] = ((7919 i + 104729 j) mod 1009)
    / 504.5 - 1, y[i] = 0.5 + sum_j c_j x[i][j] with c_j = ((37 j) mod 11) / 5 - 1."""
    i = torch.arange(MODEL_ROWS, dtype=torch.int64)[:, None]
    j = torch.arange(MODEL_FEATURES, dtype=torch.int64)[None, :]
    x = ((i * 7919 + j * 104729) % 1009).double() / 504.5 - 1.0
    c = ((torch.arange(MODEL_FEATURES, dtype=torch.int64) * 37) % 11).double() / 5.0 - 1.0
    y = (0.5 + (x * c).sum(dim=1)).reshape(-1, 1).contiguous()
    return x.contiguous(), y


def model_init(torch, widths):
    """The shared init formula: weight[o][i] = bound ((7919 (o in + i) mod 1009) / 504.5 - 1),
    bias[o] = bound ((7919 o + 500 mod 1009) / 504.5 - 1), bound = 1 / sqrt(in)."""
    state = {}
    for layer, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        bound = 1.0 / fan_in ** 0.5
        k = torch.arange(fan_in * fan_out, dtype=torch.int64)
        state[f"{2 * layer}.weight"] = (bound * ((k * 7919 % 1009).double() / 504.5 - 1.0)).reshape(fan_out, fan_in)
        o = torch.arange(fan_out, dtype=torch.int64)
        state[f"{2 * layer}.bias"] = bound * (((o * 7919 + 500) % 1009).double() / 504.5 - 1.0)
    return state


def torch_model_figures():
    """One epoch per model, PyTorch eager on one thread, as a user without a DataLoader runs it:
    batches are slices (views) of one tensor, or with shuffle slices of the tensor indexed once
    per epoch by torch.randperm; zero_grad, forward, loss, backward, step per batch. Each timed
    epoch starts from the shared initial parameters (restored outside the timing); the figure is
    the best epoch after a warm-up one."""
    try:
        import torch
    except ImportError:
        print("compare_torch: PyTorch is not importable here: skipping its model figures", file=sys.stderr)
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    x, y = model_data(torch)
    epochs = 2 if QUICK else 6
    for name, widths in MODELS.items():
        layers = []
        for fan_in, fan_out in zip(widths, widths[1:]):
            layers += [torch.nn.Linear(fan_in, fan_out, dtype=torch.float64), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers[:-1])
        init = model_init(torch, widths)
        optimizer = torch.optim.SGD(model.parameters(), lr=MODEL_LR)
        loss_fn = torch.nn.MSELoss()

        def epoch(shuffle):
            xs, ys = x, y
            if shuffle:
                order = torch.randperm(MODEL_ROWS)
                xs, ys = x[order], y[order]
            total, batches = 0.0, 0
            for start in range(0, MODEL_ROWS, MODEL_BATCH):
                xb, yb = xs[start:start + MODEL_BATCH], ys[start:start + MODEL_BATCH]
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item()
                batches += 1
            return total / batches

        for shuffle in (False, True):
            times, first_loss = [], None
            for run in range(epochs + 1):
                with torch.no_grad():
                    model.load_state_dict(init)
                start = time.perf_counter()
                loss = epoch(shuffle)
                elapsed = time.perf_counter() - start
                if first_loss is None:
                    first_loss = loss
                if run > 0:  # the first is the warm-up
                    times.append(elapsed)
            key = f"torch.model.{name}{'_shuffle' if shuffle else ''}"
            print(f"{key}.ms_per_epoch {min(times) * 1e3:.6g}", flush=True)
            if not shuffle:
                print(f"{key}.loss {first_loss!r}", flush=True)
    print(f"torch.model.threads {torch.get_num_threads()}", flush=True)
    torch.set_num_threads(threads)


if __name__ == "__main__":
    if "tensors" in KINDS:
        torch_figures()
        numpy_figures()
    if "models" in KINDS:
        torch_model_figures()
