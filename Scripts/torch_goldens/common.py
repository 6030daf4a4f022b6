# SPDX-License-Identifier: Apache-2.0
"""Helpers for golden cases: deterministic random tensors and the Case record."""
import random
from dataclasses import dataclass, field


@dataclass
class Case:
    id: str
    inputs: dict            # name -> (nested values, "float" | "long" | "number"), in forward() order
    options: dict = field(default_factory=dict)   # tensor options as (values, dtype)
    rtol: float = 1e-12
    functional: bool = False  # run torch.nn.functional.<FUNCTIONAL> instead of torch.nn.<MODULE>


def case(id, inputs, rtol=1e-12, **options):
    return Case(id=id, inputs=inputs, options=options, rtol=rtol)


def fcase(id, inputs, rtol=1e-12, **options):
    """A case for an argument only the functional form takes (`weight` of mse_loss, ...)."""
    return Case(id=id, inputs=inputs, options=options, rtol=rtol, functional=True)


_rng = random.Random(20261126)


def reseed(seed):
    _rng.seed(seed)


def _nest(flat, shape):
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return flat[: shape[0]]
    step = 1
    for s in shape[1:]:
        step *= s
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def normal(*shape, mean=0.0, std=1.0):
    n = 1
    for s in shape:
        n *= s
    return (_nest([_rng.gauss(mean, std) for _ in range(n)], list(shape)), "float")


def uniform(*shape, low=0.0, high=1.0):
    n = 1
    for s in shape:
        n *= s
    return (_nest([_rng.uniform(low, high) for _ in range(n)], list(shape)), "float")


def integers(*shape, low=0, high=2):
    """Uniform integers in [low, high)."""
    n = 1
    for s in shape:
        n *= s
    return (_nest([_rng.randrange(low, high) for _ in range(n)], list(shape)), "long")


def choice(values, *shape):
    n = 1
    for s in shape:
        n *= s
    return (_nest([_rng.choice(values) for _ in range(n)], list(shape)), "float")


def floats(values):
    return (values, "float")


def longs(values):
    return (values, "long")


def number(value):
    """A plain Python number where PyTorch takes `Tensor | float` (gaussian_nll_loss's var):
    written to the request as a bare JSON number, which lossd reads as a plain number."""
    return (value, "number")


REDUCTIONS = ["none", "mean", "sum"]


def weighted_cases(prefix="weighted"):
    """`weight` of the functional l1_loss, mse_loss and huber_loss (a tensor of the input's shape),
    every reduction: positive, negative and zero entries, a weight summing to 0 (a mean of +-inf:
    sum(w*l)/0) and all zeros (NaN), scalars, empty tensors, and the shapes torch refuses."""
    cases = []
    for r in REDUCTIONS:
        cases += [
            fcase(f"{prefix}_seed_{r}", {"input": floats([1.0, 2.0, 3.0]), "target": floats([1.0, 2.0, 5.0])},
                  reduction=r, weight=floats([1.0, 1.0, 3.0])),
            fcase(f"{prefix}_random_2x3_{r}", {"input": normal(2, 3, std=2), "target": normal(2, 3)},
                  reduction=r, weight=uniform(2, 3, low=0.1, high=2.0)),
            fcase(f"{prefix}_random_2x3x4_{r}", {"input": normal(2, 3, 4, std=1.5), "target": normal(2, 3, 4)},
                  reduction=r, weight=uniform(2, 3, 4, low=0.0, high=3.0)),
            fcase(f"{prefix}_negative_zero_{r}", {"input": normal(2, 3, std=2), "target": normal(2, 3)},
                  reduction=r, weight=floats([[1.0, -0.5, 0.0], [2.0, 0.0, -1.5]])),
            fcase(f"{prefix}_sum_zero_{r}", {"input": floats([0.5, -1.0, 2.0, 3.0]), "target": floats([0.0, 0.0, 0.0, 0.0])},
                  reduction=r, weight=floats([1.0, -1.0, 0.5, -0.5])),
            fcase(f"{prefix}_all_zero_{r}", {"input": normal(3), "target": normal(3)},
                  reduction=r, weight=floats([0.0, 0.0, 0.0])),
            fcase(f"{prefix}_ties_{r}", {"input": floats([0.5, -1.0, 2.0, 0.0]), "target": floats([0.5, -1.0, 1.0, 0.0])},
                  reduction=r, weight=floats([2.0, 0.5, 1.5, 3.0])),
            fcase(f"{prefix}_scalar_{r}", {"input": floats(1.5), "target": floats(-0.25)}, reduction=r, weight=floats(2.5)),
            fcase(f"{prefix}_ones_{r}", {"input": normal(5), "target": normal(5)}, reduction=r, weight=floats([1.0] * 5)),
        ]
    cases += [
        fcase(f"{prefix}_none_option", {"input": normal(3), "target": normal(3)}, weight=None),
        fcase(f"{prefix}_empty_mean", {"input": floats([]), "target": floats([])}, weight=floats([])),
        fcase(f"{prefix}_empty_sum", {"input": floats([]), "target": floats([])}, reduction="sum", weight=floats([])),
        fcase(f"{prefix}_large_values", {"input": floats([1e150, -1e150, 3.0]), "target": floats([0.0, 0.0, 3.0])},
              reduction="none", weight=floats([1e-100, 2.0, 7.0])),
        fcase(f"error_{prefix}_broadcastable", {"input": normal(2, 3), "target": normal(2, 3)}, weight=floats([1.0, 2.0, 3.0])),
        fcase(f"error_{prefix}_extra_dim", {"input": normal(2, 3), "target": normal(2, 3)}, weight=uniform(2, 3, 1)),
        fcase(f"error_{prefix}_length", {"input": normal(4), "target": normal(4)}, weight=uniform(3)),
        fcase(f"error_{prefix}_scalar_for_vector", {"input": normal(3), "target": normal(3)}, weight=floats(2.0)),
    ]
    return cases
