# SPDX-License-Identifier: Apache-2.0
"""Helpers for golden cases: deterministic random tensors and the Case record."""
import random
from dataclasses import dataclass, field


@dataclass
class Case:
    id: str
    inputs: dict            # name -> (nested values, "float" | "long"), in forward() order
    options: dict = field(default_factory=dict)   # tensor options as (values, dtype)
    rtol: float = 1e-12


def case(id, inputs, rtol=1e-12, **options):
    return Case(id=id, inputs=inputs, options=options, rtol=rtol)


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


REDUCTIONS = ["none", "mean", "sum"]
