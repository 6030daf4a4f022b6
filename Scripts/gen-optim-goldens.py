#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the torch.optim trajectory fixtures for the lossd training engine.

Run by a developer (needs torch; the tests do not):

    python3 Scripts/gen-optim-goldens.py

Every case fits `init` toward `target` with a torch.nn loss and a torch.optim optimizer (and
optionally a torch.optim.lr_scheduler scheduler), in float64, exactly as a lossd job does:

    for step in 1...200:
        opt.zero_grad(); loss = f(x, target); loss.backward(); opt.step(); sched.step()

(LBFGS: `loss = opt.step(closure)`, the closure doing the three middle calls as often as the
step asks; the loss recorded is its first evaluation), and records, after steps 1...20, 50,
100 and 200, the parameters x, the loss of that step
(evaluated before its update) and the learning rate after the scheduler step
(`param_groups[0]["lr"]`). Optimizers run the single-tensor path (`foreach=False`).
Output: Tests/LossdEngineTests/Fixtures/optim/<group>.json; each optimizer's file also carries
the keyword arguments of its torch constructor with their defaults, in order (`signature`), which
the tests compare with lossd's options.

Before writing anything, every optimizer's constructor is read with inspect.signature: a
keyword argument that is neither exercised by the option sets below (the options lossd knows)
nor in LEFT_OUT (with the reason lossd has no such option) stops the script.
"""
import inspect
import json
import sys
import pathlib

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "LossdEngineTests" / "Fixtures" / "optim"
RECORDED = list(range(1, 21)) + [50, 100, 200]

# MARK: - Problems: (registry name, torch class, options, init (values, shape), target (values, shape, dtype))

PROBLEMS = {
    "mse-seed": ("mse", "MSELoss", {}, ([10.0, 10.0, 10.0], [3]), ([30.0, 20.0, 50.0], [3], "float")),
    "mse-second": ("mse", "MSELoss", {}, ([-3.0, 0.5, 7.25, 2.0], [4]), ([1.0, -2.0, 4.0, 2.5], [4], "float")),
    "l1": ("l1", "L1Loss", {}, ([0.5, -1.0, 2.0, 3.0], [4]), ([1.5, 0.25, -2.0, 3.5], [4], "float")),
    "huber": ("huber", "HuberLoss", {"delta": 1.5},
              ([0.5, -1.0, 2.0, 3.0, -0.4], [5]), ([1.5, 0.25, -2.0, 4.2, 0.9], [5], "float")),
    "cross-entropy": ("cross_entropy", "CrossEntropyLoss", {},
                      ([0.1, 0.2, 0.3, 1.0, -1.0, 0.5], [2, 3]), ([2, 0], [2], "long")),
    "mse-second": ("mse", "MSELoss", {}, ([-3.0, 0.5, 7.25, 2.0], [4]), ([1.0, -2.0, 4.0, 2.5], [4], "float")),
}

# MARK: - Optimizers: (registry name, torch class, options)
#
# Every configuration runs on every problem, so each one is kept well-conditioned over 200 steps:
# lossd rounds products and sums separately where torch's CPU kernels fuse them (FMA), and its
# cross-entropy gradient is arranged differently, so a run that drives a gradient into
# cancellation (cross entropy saturating under fast-adapting betas; centered RMSprop's variance
# of L1's constant gradient, against a tiny eps) amplifies 1-ulp differences past 1e-9. Hence
# the gentler lr of adam's betas=(0.3, 0.6) and the eps of the centered alpha=0.45 RMSprop
# (both still take ATen lerp's weight >= 0.5 branch), and the Huber problem's delta and data,
# chosen so that no configuration ends its 200 steps oscillating in the linear region around
# the optimum (where the same amplification appears).
#
# Coupled weight decay 0.1 at lr 0.1 (NAdam) or 0.01 (RMSprop) ends in such an oscillation on
# mse-second or huber (a 1-ulp gradient perturbation per step moves step 200 by 1e-2), hence
# NAdam's weight_decay=0.01 and RMSprop's lr=0.005 there; AdamW's betas=(0.3, 0.6) takes the
# gentler lr of Adam's for the same reason on mse-second. Rprop acts on gradient signs only: on
# cross entropy an unbounded step size saturates the softmax until torch's gradient of the
# target logit is exactly 0 where lossd's is a tiny number (or the reverse), and the sign
# decides everything after; hence step_sizes with a maximum of 0.05, and a minimum of 0.001 with
# etas=(0.3, 1.5). Each configuration here was checked by rerunning it in torch with every
# gradient element perturbed by up to 1 ulp at every step: none moves a recorded parameter by
# more than 3e-10 relative (by the tests' rule, which has an absolute floor of 1e-12 times the
# largest parameter).

OPTIMIZERS = {
    "sgd": ("SGD", [
        {},
        {"lr": 0.05},
        {"lr": 0.05, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.5},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.1},
        {"lr": 0.05, "maximize": True},
        {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "maximize": True},
    ]),
    "adam": ("Adam", [
        {},
        {"lr": 0.1},
        {"lr": 0.1, "betas": [0.8, 0.99]},
        {"lr": 0.01, "betas": [0.3, 0.6]},
        {"lr": 0.1, "eps": 1e-3},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.1, "amsgrad": True},
        {"lr": 0.1, "amsgrad": True, "weight_decay": 0.05},
        {"lr": 0.1, "maximize": True},
        {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.1, "amsgrad": True, "weight_decay": 0.05, "decoupled_weight_decay": True},
    ]),
    "adamw": ("AdamW", [
        {},
        {"lr": 0.1},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.1, "amsgrad": True, "betas": [0.8, 0.99]},
        {"lr": 0.01, "eps": 1e-3, "betas": [0.3, 0.6]},
        {"lr": 0.1, "maximize": True},
    ]),
    "rmsprop": ("RMSprop", [
        {},
        {"lr": 0.01, "alpha": 0.9},
        {"lr": 0.01, "alpha": 0.45, "centered": True, "eps": 0.01},
        {"lr": 0.01, "momentum": 0.9},
        {"lr": 0.01, "centered": True},
        {"lr": 0.01, "centered": True, "momentum": 0.5},
        {"lr": 0.005, "weight_decay": 0.1},
        {"lr": 0.01, "eps": 1e-4},
        {"lr": 0.01, "maximize": True},
    ]),
    "adagrad": ("Adagrad", [
        {},
        {"lr": 0.1},
        {"lr": 0.1, "lr_decay": 0.01},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.1, "initial_accumulator_value": 0.5},
        {"lr": 0.1, "eps": 1e-3},
        {"lr": 0.1, "maximize": True},
    ]),
    "adadelta": ("Adadelta", [
        {},
        {"lr": 0.5, "rho": 0.8},
        {"lr": 1.0, "eps": 1e-4, "weight_decay": 0.1},
        {"lr": 0.5, "maximize": True},
    ]),
    "adamax": ("Adamax", [
        {},
        {"lr": 0.1},
        {"lr": 0.1, "betas": [0.8, 0.99], "eps": 1e-3},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.1, "maximize": True},
    ]),
    "nadam": ("NAdam", [
        {},
        {"lr": 0.1},
        {"lr": 0.1, "momentum_decay": 0.01},
        {"lr": 0.1, "betas": [0.8, 0.99], "eps": 1e-3},
        {"lr": 0.1, "weight_decay": 0.01},
        {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.1, "maximize": True},
    ]),
    "radam": ("RAdam", [
        {},
        {"lr": 0.1},
        {"lr": 0.1, "betas": [0.8, 0.99]},
        {"lr": 0.1, "weight_decay": 0.1},
        {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True},
        {"lr": 0.1, "eps": 1e-3, "maximize": True},
    ]),
    "asgd": ("ASGD", [
        {},
        {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 10},
        {"lr": 0.05, "weight_decay": 0.1, "t0": 5},
        {"lr": 0.05, "maximize": True},
    ]),
    "rprop": ("Rprop", [
        {"step_sizes": [1e-6, 0.05]},
        {"lr": 0.05, "etas": [0.3, 1.5], "step_sizes": [0.001, 0.05]},
        {"lr": 0.02, "step_sizes": [0.001, 0.05]},
        {"lr": 0.01, "step_sizes": [1e-6, 0.05], "maximize": True},
    ]),
    # One lossd step is one opt.step(closure); the step's loss is the closure's first evaluation.
    # Not on l1 (SKIPPED).
    "lbfgs": ("LBFGS", [
        {},
        {"line_search_fn": "strong_wolfe"},
        {"lr": 0.5, "max_iter": 5, "history_size": 3},
        {"line_search_fn": "strong_wolfe", "max_iter": 4, "max_eval": 6, "history_size": 2,
         "tolerance_grad": 1e-5, "tolerance_change": 1e-7},
        {"lr": 0.01, "max_iter": 1, "maximize": True},
    ]),
    # eps: PyTorch's (None, 1e-3) is lossd's [finfo(float64).eps, 1e-3]; a fixture gives both.
    "adafactor": ("Adafactor", [
        {},
        {"lr": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "beta2_decay": -0.5, "eps": [1e-20, 1e-2], "d": 2.0},
        {"lr": 0.01, "maximize": True},
    ]),
}

# MARK: - Constructor arguments lossd leaves out, with the reason (also listed in the README)

LEFT_OUT = {
    "params": "lossd passes the job's fitted tensor itself",
    "foreach": "an implementation choice with the same arithmetic; lossd follows the single-tensor path",
    "fused": "an implementation choice (fused CPU/GPU kernels); lossd follows the single-tensor path",
    "capturable": "CUDA-graph capture; lossd keeps its scalars on the CPU as capturable=False does",
    "differentiable": "autograd through the optimizer step, which lossd jobs never take",
}

# Problems an optimizer does not run on, with the reason.
#
# L1 is piecewise linear: along a line where no element crosses its target, LBFGS's line search
# fits a cubic whose discriminant d1^2 - g1*g2 is exactly 0 in exact arithmetic, and without a
# line search its curvature pairs (y.dot(s)) are 0 too, so rounding picks the branch and the
# trajectories part (torch itself gives other results for other summation orders).
SKIPPED = {("lbfgs", "l1")}

# MARK: - Schedulers: (registry name, torch class, options), each run with a few optimizers

SCHEDULERS = [
    ("step_lr", "StepLR", {"step_size": 7, "gamma": 0.5}),
    ("step_lr", "StepLR", {"step_size": 30}),
    ("multi_step_lr", "MultiStepLR", {"milestones": [3, 10, 10, 50], "gamma": 0.5}),
    ("multi_step_lr", "MultiStepLR", {"milestones": [0, 5]}),
    ("exponential_lr", "ExponentialLR", {"gamma": 0.97}),
    ("cosine_annealing_lr", "CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001}),
    ("cosine_annealing_lr", "CosineAnnealingLR", {"T_max": 50}),
    ("linear_lr", "LinearLR", {}),
    ("linear_lr", "LinearLR", {"start_factor": 0.5, "end_factor": 0.1, "total_iters": 30}),
]
SCHEDULED_OPTIMIZERS = [
    ("sgd", {"lr": 0.05, "momentum": 0.9}),
    ("adam", {"lr": 0.1}),
    ("rmsprop", {"lr": 0.01}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.01}),
]
SCHEDULED_PROBLEMS = ["mse-seed", "cross-entropy"]


def torch_options(options):
    return {key: tuple(value) if isinstance(value, list) else value for key, value in options.items()}


def signature(torch_class):
    """The constructor's keyword arguments and defaults in its order, as [name, default] pairs
    (tuples as lists), without `self` and LEFT_OUT."""
    parameters = inspect.signature(getattr(torch.optim, torch_class).__init__).parameters
    return [
        [name, list(p.default) if isinstance(p.default, tuple) else p.default]
        for name, p in parameters.items()
        if name != "self" and name not in LEFT_OUT
    ]


def check_signatures():
    """Fails on a constructor argument lossd neither knows (exercised here) nor leaves out."""
    problems = []
    for name, (torch_class, configs) in OPTIMIZERS.items():
        known = {key for options in configs for key in options}
        arguments = {name for name, _ in signature(torch_class)}
        for missing in sorted(arguments - known):
            problems.append(f"{name}: torch.optim.{torch_class} takes '{missing}', which lossd lacks "
                            "(add it, with option sets, or list it in LEFT_OUT with the reason)")
        for unknown in sorted(known - arguments):
            problems.append(f"{name}: torch.optim.{torch_class} has no argument '{unknown}'")
    if problems:
        sys.exit("gen-optim-goldens: constructor signatures differ from lossd's options:\n  " + "\n  ".join(problems))


def run(problem_id, optimizer_name, optimizer_options, scheduler=None):
    loss_name, loss_class, loss_options, (init, init_shape), (target, target_shape, dtype) = PROBLEMS[problem_id]
    x = torch.tensor(init, dtype=torch.float64).reshape(init_shape).requires_grad_(True)
    y = torch.tensor(target, dtype=torch.int64 if dtype == "long" else torch.float64).reshape(target_shape)
    loss_fn = getattr(torch.nn, loss_class)(**loss_options)
    optimizer_class = OPTIMIZERS[optimizer_name][0]
    keywords = torch_options(optimizer_options)
    if optimizer_class == "Adafactor" and "eps" in keywords:
        keywords["eps"] = tuple(keywords["eps"])
    if optimizer_class != "LBFGS":  # LBFGS has no foreach path
        keywords["foreach"] = False
    opt = getattr(torch.optim, optimizer_class)([x], **keywords)
    sched = None
    if scheduler is not None:
        sched = getattr(torch.optim.lr_scheduler, scheduler[1])(opt, **scheduler[2])
    steps = []
    for step in range(1, RECORDED[-1] + 1):
        if optimizer_class == "LBFGS":
            def closure():
                opt.zero_grad()
                value = loss_fn(x, y)
                value.backward()
                return value
            loss = opt.step(closure)
        else:
            opt.zero_grad()
            loss = loss_fn(x, y)
            loss.backward()
            opt.step()
        if sched is not None:
            sched.step()
        if step in RECORDED:
            steps.append({
                "step": step,
                "parameters": [float(v) for v in x.detach().reshape(-1).tolist()],
                "loss": float(loss.item()),
                "lr": float(opt.param_groups[0]["lr"]),
            })
    name = f"{optimizer_name}{json.dumps(optimizer_options, sort_keys=True)}"
    if scheduler is not None:
        name += f" + {scheduler[0]}{json.dumps(scheduler[2], sort_keys=True)}"
    return {
        "name": f"{name} on {problem_id}",
        "loss": {"name": loss_name, "options": loss_options},
        "init": {"shape": init_shape, "data": init},
        "target": {"shape": target_shape, "data": [float(v) for v in target]},
        "optimizer": {"name": optimizer_name, "options": optimizer_options},
        "scheduler": None if scheduler is None else {"name": scheduler[0], "options": scheduler[2]},
        "steps": steps,
    }


def write(group, cases, torch_class=None):
    OUT.mkdir(parents=True, exist_ok=True)
    header = {"generator": "Scripts/gen-optim-goldens.py", "torch": torch.__version__.split("+")[0]}
    if torch_class is not None:
        header["signature"] = signature(torch_class)
    rows = ",\n".join(json.dumps(case, separators=(",", ":"), allow_nan=False) for case in cases)
    text = json.dumps(header, separators=(",", ":"))[:-1] + ',"cases":[\n' + rows + "\n]}\n"
    json.loads(text)  # one case per line, and still one JSON document
    (OUT / f"{group}.json").write_text(text)
    print(f"{group}: {len(cases)} cases")


def main():
    torch.set_default_dtype(torch.float64)
    check_signatures()
    for name, (torch_class, configs) in OPTIMIZERS.items():
        write(name, [run(problem, name, options) for options in configs for problem in PROBLEMS
                     if (name, problem) not in SKIPPED], torch_class)
    write("schedulers", [
        run(problem, optimizer, options, scheduler)
        for scheduler in SCHEDULERS
        for optimizer, options in SCHEDULED_OPTIMIZERS
        for problem in SCHEDULED_PROBLEMS
    ])


if __name__ == "__main__":
    main()
