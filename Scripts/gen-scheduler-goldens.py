#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the torch.optim.lr_scheduler trajectory fixtures for the lossd training engine.

Run by a developer (needs torch; the tests do not):

    python3 Scripts/gen-scheduler-goldens.py

Every case fits `init` toward `target` with a torch.nn loss, a torch.optim optimizer and a
torch.optim.lr_scheduler scheduler, in float64, exactly as a lossd free-tensor job does:

    for step in 1...200:
        opt.zero_grad(); loss = f(x, target); loss.backward(); opt.step()
        sched.step()              (ReduceLROnPlateau: sched.step(loss), the loss of the step)

and records, after steps 1...20, 50, 100 and 200, the parameters x, the loss of that step
(evaluated before its update), the learning rate after the scheduler step
(`param_groups[0]["lr"]`) and, when the scheduler cycles it, the momentum of the next update
(`momentum`, or `betas[0]`). Optimizers run the single-tensor path (`foreach=False`).
Composite schedulers are written as in a lossd config: `schedulers` is a list of
{name: ..., option: ...} mappings. Output: Tests/LossdEngineTests/Fixtures/sched/<group>.json,
and Tests/LossdEngineTests/Fixtures/scheduler-signatures.json: every scheduler's keyword
arguments and defaults from `inspect.signature` (Python callables, `last_epoch`, `verbose` and
the wrapped optimizer are not lossd options), which the tests compare with lossd's options.
"""
import inspect
import json
import pathlib

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "LossdEngineTests" / "Fixtures" / "sched"
RECORDED = list(range(1, 21)) + [50, 100, 200]

# MARK: - Problems: (registry name, torch class, options, init (values, shape), target (values, shape, dtype))

PROBLEMS = {
    "mse": ("mse", "MSELoss", {}, ([10.0, 10.0, 10.0], [3]), ([30.0, 20.0, 50.0], [3], "float")),
    "cross-entropy": ("cross_entropy", "CrossEntropyLoss", {},
                      ([0.1, 0.2, 0.3, 1.0, -1.0, 0.5], [2, 3]), ([2, 0], [2], "long")),
}

OPTIMIZER_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad",
                     "adamax": "Adamax", "nadam": "NAdam", "radam": "RAdam"}

SCHEDULER_CLASSES = {
    "step_lr": "StepLR", "multi_step_lr": "MultiStepLR", "exponential_lr": "ExponentialLR",
    "cosine_annealing_lr": "CosineAnnealingLR", "linear_lr": "LinearLR", "constant_lr": "ConstantLR",
    "polynomial_lr": "PolynomialLR", "cosine_annealing_warm_restarts": "CosineAnnealingWarmRestarts",
    "cyclic_lr": "CyclicLR", "one_cycle_lr": "OneCycleLR", "reduce_lr_on_plateau": "ReduceLROnPlateau",
    "sequential_lr": "SequentialLR", "chained_scheduler": "ChainedScheduler",
}
NOT_OPTIONS = {"self", "optimizer", "last_epoch", "verbose", "scale_fn"}

SGD = ("sgd", {"lr": 0.05, "momentum": 0.9})
ADAM = ("adam", {"lr": 0.1})
PLAIN_SGD = ("sgd", {"lr": 0.01})
# Adam's relatives with betas: cycle_momentum sets their beta1 too.
ADAMAX = ("adamax", {"lr": 0.1})
NADAM = ("nadam", {"lr": 0.1})
RADAM = ("radam", {"lr": 0.1})
DECAYED_BETAS = [("adamax", {"lr": 0.05, "weight_decay": 0.01}),
                 ("nadam", {"lr": 0.05, "weight_decay": 0.01, "decoupled_weight_decay": True, "momentum_decay": 0.01}),
                 ("radam", {"lr": 0.05, "weight_decay": 0.01})]

# MARK: - Cases: (group, scheduler name, options, [(optimizer, options)])

CASES = [
    ("constant_lr", "constant_lr", {}, [SGD, ADAM]),
    ("constant_lr", "constant_lr", {"factor": 0.5, "total_iters": 12}, [SGD, ADAM]),
    ("constant_lr", "constant_lr", {"factor": 0.25, "total_iters": 0}, [SGD]),
    ("polynomial_lr", "polynomial_lr", {}, [SGD, ADAM]),
    ("polynomial_lr", "polynomial_lr", {"total_iters": 40, "power": 2.5}, [SGD, ADAM]),
    ("cosine_annealing_warm_restarts", "cosine_annealing_warm_restarts", {"T_0": 7}, [SGD, ADAM]),
    ("cosine_annealing_warm_restarts", "cosine_annealing_warm_restarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}, [SGD, ADAM]),
    ("cyclic_lr", "cyclic_lr", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 6}, [SGD, ADAM]),
    ("cyclic_lr", "cyclic_lr", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "step_size_down": 9,
                                "mode": "triangular2", "cycle_momentum": False}, [SGD, ADAM]),
    ("cyclic_lr", "cyclic_lr", {"base_lr": 0.005, "max_lr": 0.08, "step_size_up": 5, "mode": "exp_range",
                                "gamma": 0.99, "base_momentum": 0.7, "max_momentum": 0.95}, [SGD, ADAM]),
    ("cyclic_lr", "cyclic_lr", {"base_lr": 0.01, "max_lr": 0.05, "step_size_up": 3, "scale_mode": "iterations"},
     [("rmsprop", {"lr": 0.01}), ("adamw", {"lr": 0.1}), PLAIN_SGD]),
    ("one_cycle_lr", "one_cycle_lr", {"max_lr": 0.1, "total_steps": 200}, [SGD, ADAM]),
    ("one_cycle_lr", "one_cycle_lr", {"max_lr": 0.1, "epochs": 20, "steps_per_epoch": 10, "pct_start": 0.25,
                                      "anneal_strategy": "linear"}, [SGD, ADAM]),
    ("one_cycle_lr", "one_cycle_lr", {"max_lr": 0.05, "total_steps": 250, "three_phase": True,
                                      "base_momentum": 0.8, "max_momentum": 0.9, "div_factor": 10.0,
                                      "final_div_factor": 100.0}, [SGD, ADAM, ("rmsprop", {"lr": 0.01})]),
    ("one_cycle_lr", "one_cycle_lr", {"max_lr": 0.1, "total_steps": 200, "cycle_momentum": False},
     [("adagrad", {"lr": 0.1}), SGD]),
    ("reduce_lr_on_plateau", "reduce_lr_on_plateau", {"patience": 2}, [SGD, ADAM]),
    ("reduce_lr_on_plateau", "reduce_lr_on_plateau", {"mode": "max", "factor": 0.5, "patience": 1}, [SGD, ADAM]),
    ("reduce_lr_on_plateau", "reduce_lr_on_plateau", {"threshold": 0.01, "threshold_mode": "abs", "cooldown": 3,
                                                      "patience": 0, "factor": 0.7, "min_lr": 0.001}, [SGD, ADAM]),
    ("reduce_lr_on_plateau", "reduce_lr_on_plateau", {"threshold": 0.05, "patience": 1, "factor": 0.9, "eps": 0.01},
     [SGD, ADAM]),
    ("sequential_lr", "sequential_lr", {"schedulers": [{"name": "linear_lr", "start_factor": 0.1, "total_iters": 5},
                                                       {"name": "cosine_annealing_lr", "T_max": 40}],
                                        "milestones": [5]}, [SGD, ADAM]),
    ("sequential_lr", "sequential_lr", {"schedulers": [{"name": "constant_lr", "factor": 0.1, "total_iters": 20},
                                                       {"name": "exponential_lr", "gamma": 0.9},
                                                       {"name": "polynomial_lr", "total_iters": 30, "power": 2.0},
                                                       {"name": "multi_step_lr", "milestones": [0, 10]}],
                                        "milestones": [20, 30, 60]}, [SGD, ADAM]),
    ("sequential_lr", "sequential_lr", {"schedulers": [{"name": "step_lr", "step_size": 3, "gamma": 0.5},
                                                       {"name": "cosine_annealing_lr", "T_max": 10, "eta_min": 0.001}],
                                        "milestones": [0]}, [SGD]),
    ("sequential_lr", "sequential_lr", {"schedulers": [{"name": "step_lr", "step_size": 3, "gamma": 0.5}], "milestones": []},
     [SGD]),
    ("sequential_lr", "sequential_lr", {"schedulers": [{"name": "cosine_annealing_warm_restarts", "T_0": 4, "T_mult": 2},
                                                       {"name": "linear_lr", "start_factor": 0.5, "total_iters": 10},
                                                       {"name": "cosine_annealing_warm_restarts", "T_0": 5, "eta_min": 0.01}],
                                        "milestones": [12, 40]}, [SGD, ADAM]),
    ("chained_scheduler", "chained_scheduler", {"schedulers": [{"name": "exponential_lr", "gamma": 0.98},
                                                               {"name": "step_lr", "step_size": 10, "gamma": 0.5}]},
     [SGD, ADAM]),
    ("chained_scheduler", "chained_scheduler", {"schedulers": [{"name": "constant_lr", "factor": 0.1, "total_iters": 20},
                                                               {"name": "linear_lr", "start_factor": 0.5, "total_iters": 8},
                                                               {"name": "cosine_annealing_lr", "T_max": 15}]},
     [SGD, ADAM]),
    ("chained_scheduler", "chained_scheduler", {"schedulers": [{"name": "cosine_annealing_warm_restarts", "T_0": 6},
                                                               {"name": "exponential_lr", "gamma": 0.99},
                                                               {"name": "multi_step_lr", "milestones": [0, 30], "gamma": 0.5}]},
     [SGD, ADAM]),
    # cycle_momentum on Adamax, NAdam and RAdam (beta1), after the cases above so that their
    # groups only gain cases.
    ("cyclic_lr", "cyclic_lr", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 6}, [ADAMAX, NADAM, RADAM]),
    ("cyclic_lr", "cyclic_lr", {"base_lr": 0.005, "max_lr": 0.08, "step_size_up": 5, "mode": "exp_range",
                                "gamma": 0.99, "base_momentum": 0.7, "max_momentum": 0.95}, DECAYED_BETAS),
    ("one_cycle_lr", "one_cycle_lr", {"max_lr": 0.1, "total_steps": 200}, [ADAMAX, NADAM, RADAM]),
    ("one_cycle_lr", "one_cycle_lr", {"max_lr": 0.05, "total_steps": 250, "three_phase": True,
                                      "base_momentum": 0.8, "max_momentum": 0.9, "div_factor": 10.0,
                                      "final_div_factor": 100.0}, DECAYED_BETAS),
]


def torch_options(options):
    return {key: tuple(value) if key == "betas" else value for key, value in options.items()}


def make_scheduler(name, options, opt):
    cls = getattr(torch.optim.lr_scheduler, SCHEDULER_CLASSES[name])
    options = dict(options)
    if "schedulers" in options:
        children = []
        for child in options.pop("schedulers"):
            child = dict(child)
            children.append(make_scheduler(child.pop("name"), child, opt))
        if name == "chained_scheduler":
            return cls(children, optimizer=opt, **options)
        return cls(opt, children, **options)
    return cls(opt, **options)


def momentum_of(opt):
    group = opt.param_groups[0]
    return group["betas"][0] if "betas" in opt.defaults else group["momentum"]


def run(problem_id, optimizer_name, optimizer_options, scheduler_name, scheduler_options):
    loss_name, loss_class, loss_options, (init, init_shape), (target, target_shape, dtype) = PROBLEMS[problem_id]
    x = torch.tensor(init, dtype=torch.float64).reshape(init_shape).requires_grad_(True)
    y = torch.tensor(target, dtype=torch.int64 if dtype == "long" else torch.float64).reshape(target_shape)
    loss_fn = getattr(torch.nn, loss_class)(**loss_options)
    opt = getattr(torch.optim, OPTIMIZER_CLASSES[optimizer_name])([x], foreach=False, **torch_options(optimizer_options))
    sched = make_scheduler(scheduler_name, scheduler_options, opt)
    cycled = getattr(sched, "cycle_momentum", False)
    plateau = isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau)
    steps = []
    for step in range(1, RECORDED[-1] + 1):
        opt.zero_grad()
        loss = loss_fn(x, y)
        loss.backward()
        opt.step()
        if plateau:
            sched.step(loss.item())
        else:
            sched.step()
        if step in RECORDED:
            record = {
                "step": step,
                "parameters": [float(v) for v in x.detach().reshape(-1).tolist()],
                "loss": float(loss.item()),
                "lr": float(opt.param_groups[0]["lr"]),
            }
            if cycled:
                record["momentum"] = float(momentum_of(opt))
            steps.append(record)
    name = (f"{optimizer_name}{json.dumps(optimizer_options, sort_keys=True)} + "
            f"{scheduler_name}{json.dumps(scheduler_options, sort_keys=True)} on {problem_id}")
    return {
        "name": name,
        "loss": {"name": loss_name, "options": loss_options},
        "init": {"shape": init_shape, "data": init},
        "target": {"shape": target_shape, "data": [float(v) for v in target]},
        "optimizer": {"name": optimizer_name, "options": optimizer_options},
        "scheduler": {"name": scheduler_name, "options": scheduler_options},
        "steps": steps,
    }


def write_signatures():
    """Writes every scheduler's keyword arguments with their defaults ("<required>" when there
    is none), the options lossd must have: Fixtures/scheduler-signatures.json."""
    signatures = {}
    for name, cls in SCHEDULER_CLASSES.items():
        parameters = inspect.signature(getattr(torch.optim.lr_scheduler, cls)).parameters
        signatures[name] = {key: "<required>" if value.default is inspect.Parameter.empty else value.default
                            for key, value in parameters.items() if key not in NOT_OPTIONS}
        print(f"  {name}: " + ", ".join(f"{key}={value}" for key, value in signatures[name].items()))
    document = {"generator": "Scripts/gen-scheduler-goldens.py", "torch": torch.__version__.split("+")[0],
                "schedulers": signatures}
    (OUT.parent / "scheduler-signatures.json").write_text(json.dumps(document, indent=1, allow_nan=False) + "\n")


def write(group, cases):
    OUT.mkdir(parents=True, exist_ok=True)
    header = {"generator": "Scripts/gen-scheduler-goldens.py", "torch": torch.__version__.split("+")[0]}
    rows = ",\n".join(json.dumps(case, separators=(",", ":"), allow_nan=False) for case in cases)
    text = json.dumps(header, separators=(",", ":"))[:-1] + ',"cases":[\n' + rows + "\n]}\n"
    json.loads(text)  # one case per line, and still one JSON document
    (OUT / f"{group}.json").write_text(text)
    print(f"{group}: {len(cases)} cases")


def main():
    torch.set_default_dtype(torch.float64)
    write_signatures()
    groups = {}
    for group, scheduler, options, optimizers in CASES:
        for optimizer, optimizer_options in optimizers:
            for problem in PROBLEMS:
                groups.setdefault(group, []).append(run(problem, optimizer, optimizer_options, scheduler, options))
    for group, cases in groups.items():
        write(group, cases)


if __name__ == "__main__":
    main()
