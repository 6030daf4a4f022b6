# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, normal, reseed, weighted_cases, fcase

LOSS = "huber"
MODULE = "HuberLoss"
FUNCTIONAL = "huber_loss"
reseed(6)


def kinks(delta):
    """Differences 0, +-delta (the branch switch), +-delta/2 and +-2 delta."""
    d = [0.0, delta, -delta, delta / 2, -delta / 2, 2 * delta, -2 * delta]
    y = [0.25, -1.0, 0.5, 1.5, 0.0, -0.75, 2.0]
    return {"input": floats([a + b for a, b in zip(d, y)]), "target": floats(y)}


CASES = []
for r in REDUCTIONS:
    for label, options in [("default", {}), ("delta_half", {"delta": 0.5}), ("delta_big", {"delta": 2.5}), ("delta_small", {"delta": 0.01})]:
        CASES += [
            case(f"{label}_random_5_{r}", {"input": normal(5), "target": normal(5)}, reduction=r, **options),
            case(f"{label}_random_2x3_{r}", {"input": normal(2, 3, std=2), "target": normal(2, 3)}, reduction=r, **options),
            case(f"{label}_random_2x3x4_{r}", {"input": normal(2, 3, 4, std=1.5), "target": normal(2, 3, 4)}, reduction=r, **options),
            case(f"{label}_scalar_{r}", {"input": floats(-0.5), "target": floats(1.25)}, reduction=r, **options),
            case(f"{label}_kinks_{r}", kinks(options.get("delta", 1.0)), reduction=r, **options),
        ]
CASES += [
    case("delta_integer", {"input": normal(4), "target": normal(4)}, delta=3),
    case("large_values", {"input": floats([1e150, -1e150, 3.0]), "target": floats([0.0, 0.0, 3.0 + 1e-8])}, reduction="none"),
    case("large_delta", {"input": floats([1e100, -2.0, 0.5]), "target": floats([0.0, 0.0, 0.0])}, reduction="none", delta=1e120),
    case("empty_mean", {"input": floats([]), "target": floats([])}),
    case("empty_sum", {"input": floats([]), "target": floats([])}, reduction="sum"),
    case("error_zero_delta", {"input": normal(3), "target": normal(3)}, delta=0.0),
    case("error_negative_delta", {"input": normal(3), "target": normal(3)}, delta=-1.0),
    case("error_shape_mismatch", {"input": normal(3), "target": normal(4)}),
]
# torch.nn.functional.huber_loss's weight: its mean is mean(w*l), over N (not over sum(w)).
CASES += weighted_cases()
for r in REDUCTIONS:
    CASES += [
        fcase(f"weighted_delta_half_kinks_{r}", kinks(0.5), reduction=r, delta=0.5, weight=floats([1.0, 2.0, -1.0, 0.5, 3.0, 0.25, 1.5])),
        fcase(f"weighted_delta_big_{r}", {"input": normal(2, 3, std=3), "target": normal(2, 3)}, reduction=r, delta=2.5,
              weight=floats([[0.5, 1.0, 2.0], [0.0, -1.0, 4.0]])),
    ]
