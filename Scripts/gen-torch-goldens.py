#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the PyTorch golden fixtures for lossd's losses.

Run by a developer (needs torch; the tests do not):

    python3 Scripts/gen-torch-goldens.py [LOSS ...]

Each module in Scripts/torch_goldens/ defines LOSS (lossd's registry name), MODULE (the torch.nn
class name), FUNCTIONAL (the torch.nn.functional name) and CASES, a list of `case(...)` records
(`fcase(...)` for arguments only the functional form takes, such as mse_loss's `weight`). For
every case this script builds the float64 tensors, runs the torch.nn loss (or the functional one),
and records the output and, for every floating input that torch can differentiate, the gradient
of output.sum(). An input written `number(...)` is passed as a plain Python float, and written to
the request as a bare number. Cases where torch raises are recorded as expected errors.

Before writing anything, every module's functional signature (inspect.signature) is checked
against the tensors and options lossd lists (the committed `lossd losses` snapshot,
Tests/LossdCommandsTests/Snapshots/losses-table.txt): an argument lossd does not know must be in
LEFT_OUT with its reason, and one typed `Tensor | float` must be in PLAIN_NUMBER_ARGUMENTS, or the
script stops. Each module also gets `dtype_*` cases derived from its first case (see
dtype_cases): its other arguments and its tensor options written as Long or as Double tensors,
as torch accepts or refuses them. Output: Tests/LossdCommandsTests/Fixtures/torch/<MODULE>.json, whose `request`
objects are exactly `lossd eval --json` requests.
"""
import importlib
import inspect
import json
import math
import pathlib
import re
import sys

import torch
import torch.nn.functional

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "LossdCommandsTests" / "Fixtures" / "torch"
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from torch_goldens.common import Case  # noqa: E402

SNAPSHOT = ROOT / "Tests" / "LossdCommandsTests" / "Snapshots" / "losses-table.txt"

# Arguments of the torch.nn.functional losses that lossd leaves out on purpose, with the reason
# (README: "PyTorch arguments left out"). Any other argument lossd lacks stops the script.
LEFT_OUT = {
    "size_average": "deprecated by PyTorch in favour of reduction; lossd refuses it and names the reduction to use",
    "reduce": "deprecated by PyTorch in favour of reduction; lossd refuses it and names the reduction to use",
}

# Tensor arguments PyTorch also takes as a plain Python number (`Tensor | float`), which lossd
# reads from a bare number: (lossd loss, argument).
PLAIN_NUMBER_ARGUMENTS = {("gaussian_nll", "var")}


def lossd_catalog():
    """lossd's tensors and options per loss, from the `lossd losses` snapshot the tests keep current."""
    lines = SNAPSHOT.read_text().splitlines()
    catalog = {}
    for line in lines[1:]:
        cells = re.split(r"  +", line.strip())
        name, tensors = cells[0], cells[2].split(",")
        options = [item.split("=", 1)[0] for item in cells[3].split()] if len(cells) == 5 else []
        catalog[name] = (tensors, options)
    return catalog


def check_signatures(modules):
    """Every functional loss argument is one lossd knows, or is left out with a reason."""
    catalog = lossd_catalog()
    problems = []
    for module in modules:
        function = getattr(torch.nn.functional, module.FUNCTIONAL)
        tensors, options = catalog[module.LOSS]
        known = set(tensors) | set(options)
        parameters = inspect.signature(function).parameters
        for name, parameter in parameters.items():
            where = f"torch.nn.functional.{module.FUNCTIONAL}({name}) for lossd's {module.LOSS}"
            if name not in known and name not in LEFT_OUT:
                problems.append(f"{where}: lossd has no such tensor or option; implement it or add it to LEFT_OUT with the reason")
            annotation = str(parameter.annotation)
            if name in tensors and "float" in annotation and (module.LOSS, name) not in PLAIN_NUMBER_ARGUMENTS:
                problems.append(f"{where}: PyTorch also takes a plain number ({annotation}); support it and list it in PLAIN_NUMBER_ARGUMENTS")
        for name in known:
            if name not in parameters:
                problems.append(f"lossd's {module.LOSS} has '{name}', which torch.nn.functional.{module.FUNCTIONAL} does not take")
    if problems:
        sys.exit("functional signatures do not match lossd:\n  " + "\n  ".join(problems))


def to_tensor(spec):
    values, dtype = spec
    if dtype == "number":
        return values
    if dtype == "long":
        return torch.tensor(values, dtype=torch.int64)
    return torch.tensor(values, dtype=torch.float64)


def json_tensor(t):
    flat = t.detach().reshape(-1).tolist()
    if t.dtype in (torch.int64, torch.int32):
        data = [int(v) for v in flat]
    else:
        data = [float(v) for v in flat]
    return {"shape": list(t.shape), "data": data}


def json_input(spec):
    """A request input: a bare number for a plain number, else a tensor object."""
    return spec[0] if spec[1] == "number" else json_tensor(to_tensor(spec))


def build_module(module_name, options):
    kwargs = {}
    for key, value in options.items():
        if isinstance(value, tuple):  # a tensor option: (values, dtype)
            kwargs[key] = to_tensor(value)
        else:
            kwargs[key] = value
    return getattr(torch.nn, module_name)(**kwargs)


def run_forward(module, case, grad_name=None):
    tensors = {}
    for name, spec in case.inputs.items():
        t = to_tensor(spec)
        if name == grad_name:
            t.requires_grad_(True)
        tensors[name] = t
    if case.functional:
        kwargs = {k: to_tensor(v) if isinstance(v, tuple) else v for k, v in case.options.items()}
        out = getattr(torch.nn.functional, module.FUNCTIONAL)(*tensors.values(), **kwargs)
    else:
        out = build_module(module.MODULE, case.options)(*tensors.values())
    return out, tensors


def evaluate(module, case):
    out, tensors = run_forward(module, case)
    grads = {}
    for name, spec in case.inputs.items():
        if spec[1] in ("long", "number"):
            continue
        try:
            out2, ts = run_forward(module, case, grad_name=name)
            if not out2.requires_grad:
                continue
            (g,) = torch.autograd.grad(out2.sum(), ts[name], allow_unused=True)
        except RuntimeError as error:
            # "not differentiable with respect to argument": torch refuses requires_grad on an
            # argument that has no derivative formula (soft_margin_loss's target); no gradient.
            if any(text in str(error) for text in ("not implemented", "does not require grad",
                                                   "not differentiable with respect to argument")):
                continue
            raise
        if g is not None:
            grads[name] = json_tensor(g)
    return {"value": json_tensor(out), "grad": grads}


def request(loss, case):
    options = {}
    for key, value in case.options.items():
        options[key] = json_tensor(to_tensor(value)) if isinstance(value, tuple) else value
    inputs = {name: json_input(spec) for name, spec in case.inputs.items()}
    return {"loss": loss, "options": options, "inputs": inputs}


def _rounded(values):
    if isinstance(values, list):
        return [_rounded(v) for v in values]
    return int(round(values))


def _floated(values):
    if isinstance(values, list):
        return [_floated(v) for v in values]
    return float(values)


def dtype_cases(cases):
    """PyTorch's dtype rules, from the module's first case: every argument but the first (which
    lossd always reads as float64, as the tensor it differentiates) written the other way: a
    floating one with integer literals (a Long tensor, values rounded), a Long one with real
    literals (a Double tensor). torch decides whether each is refused."""
    base = cases[0]
    names = list(base.inputs)
    derived = []
    for name in names[1:]:
        values, dtype = base.inputs[name]
        inputs = dict(base.inputs)
        if dtype == "long":
            inputs[name] = (_floated(values), "float")
            label = "float"
        else:
            inputs[name] = (_rounded(values), "long")
            label = "long"
        derived.append(Case(id=f"dtype_{name}_{label}", inputs=inputs, options=base.options, rtol=base.rtol))
    # Tensor options (weight, pos_weight), from the first case that sets each: written the
    # other way too. torch refuses a Long class weight in nll_loss, multi_margin_loss and
    # cross_entropy with class indices, and promotes it in the BCE losses.
    for key in dict.fromkeys(k for c in cases for k, v in c.options.items() if isinstance(v, tuple)):
        source = next(c for c in cases if isinstance(c.options.get(key), tuple))
        values, dtype = source.options[key]
        flipped, label = ((_floated(values), "float"), "float") if dtype == "long" else ((_rounded(values), "long"), "long")
        options = dict(source.options)
        options[key] = flipped
        derived.append(Case(id=f"dtype_option_{key}_{label}", inputs=source.inputs, options=options, rtol=source.rtol,
                            functional=source.functional))
    return derived


def main(selected):
    OUT.mkdir(parents=True, exist_ok=True)
    folder = pathlib.Path(__file__).resolve().parent / "torch_goldens"
    names = sorted(p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "common"))
    modules = [importlib.import_module(f"torch_goldens.{stem}") for stem in names]
    check_signatures(modules)
    for stem, module in zip(names, modules):
        if selected and module.LOSS not in selected and module.MODULE not in selected:
            continue
        torch.manual_seed(0)
        records = []
        seen = set()
        for case in module.CASES + dtype_cases(module.CASES):
            assert isinstance(case, Case), case
            assert case.id not in seen, f"duplicate case id {case.id} in {stem}"
            seen.add(case.id)
            record = {"id": case.id, "request": request(module.LOSS, case), "rtol": case.rtol}
            try:
                record["expected"] = evaluate(module, case)
            except (RuntimeError, ValueError, IndexError, TypeError) as error:
                record["error"] = str(error).splitlines()[0]
            records.append(record)
        document = {
            "generator": "Scripts/gen-torch-goldens.py",
            "torch_version": torch.__version__.split("+")[0],
            "loss": module.LOSS,
            "module": f"torch.nn.{module.MODULE}",
            "cases": records,
        }
        path = OUT / f"{module.MODULE}.json"
        path.write_text(json.dumps(document, indent=1, allow_nan=True) + "\n")
        errors = sum(1 for r in records if "error" in r)
        print(f"{path.relative_to(ROOT)}: {len(records)} cases ({errors} expected errors)")


if __name__ == "__main__":
    main(set(sys.argv[1:]))
