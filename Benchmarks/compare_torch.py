#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""PyTorch eager and numpy on lossd's benchmark jobs, for scale (compare.sh runs it).

MSE + SGD in float64: the seed job ([10, 10, 10] -> [30, 20, 50], lr 1e-9) and the wide job
(10^7 elements, lr 1e-3), as Benchmarks/reference/fused_sgd.c runs them, and an epoch of a
linear model and of an MLP 32-64-64-1 (relu) on 100,000 x 32 rows in batches of 256, eager on
one thread, as lossd-perf's "model" workload runs them. Prints `key value` lines: microseconds
per step, milliseconds per epoch. PyTorch and numpy are optional: a missing one is skipped with a
message on standard error.

    python3 compare_torch.py [--quick]
"""
import sys
import time

QUICK = "--quick" in sys.argv[1:]
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


def torch_model_figures():
    try:
        import torch
    except ImportError:
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    rows = 20_000 if QUICK else 100_000
    generator = torch.Generator().manual_seed(2024)
    x = torch.rand(rows, 32, generator=generator, dtype=torch.float64) * 2 - 1
    coefficients = torch.tensor([float(i % 7) - 3 for i in range(32)], dtype=torch.float64)
    y = (x @ coefficients).reshape(rows, 1)
    models = {
        "linear": lambda: torch.nn.Linear(32, 1),
        "mlp": lambda: torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                                           torch.nn.Linear(64, 1)),
    }
    for name, make in models.items():
        model = make().to(torch.float64)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        loss_fn = torch.nn.MSELoss()

        def epoch():
            for start in range(0, rows, 256):
                optimizer.zero_grad()
                loss = loss_fn(model(x[start:start + 256]), y[start:start + 256])
                loss.backward()
                optimizer.step()
        seconds = best(1 if QUICK else 3, epoch)
        print(f"torch.model.{name}.ms_per_epoch {seconds * 1000 * 100_000 / rows:.6g}", flush=True)
    torch.set_num_threads(threads)


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


if __name__ == "__main__":
    torch_figures()
    torch_model_figures()
    numpy_figures()
