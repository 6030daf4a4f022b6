# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, normal, reseed

LOSS = "smooth_l1"
MODULE = "SmoothL1Loss"
FUNCTIONAL = "smooth_l1_loss"
reseed(5)


def kinks(beta):
    """Differences 0, +-beta (the branch switch), +-beta/2 and +-2 beta."""
    d = [0.0, beta, -beta, beta / 2, -beta / 2, 2 * beta, -2 * beta]
    y = [0.25, -1.0, 0.5, 1.5, 0.0, -0.75, 2.0]
    return {"input": floats([a + b for a, b in zip(d, y)]), "target": floats(y)}


CASES = []
for r in REDUCTIONS:
    for label, options in [("default", {}), ("beta_half", {"beta": 0.5}), ("beta_zero", {"beta": 0.0}), ("beta_big", {"beta": 2.5})]:
        CASES += [
            case(f"{label}_random_5_{r}", {"input": normal(5), "target": normal(5)}, reduction=r, **options),
            case(f"{label}_random_2x3_{r}", {"input": normal(2, 3, std=2), "target": normal(2, 3)}, reduction=r, **options),
            case(f"{label}_random_2x3x4_{r}", {"input": normal(2, 3, 4, std=1.5), "target": normal(2, 3, 4)}, reduction=r, **options),
            case(f"{label}_scalar_{r}", {"input": floats(1.5), "target": floats(1.25)}, reduction=r, **options),
        ]
        beta = options.get("beta", 1.0)
        if beta > 0:
            CASES.append(case(f"{label}_kinks_{r}", kinks(beta), reduction=r, **options))
        else:
            CASES.append(case(f"{label}_kinks_{r}", {"input": floats([0.5, -1.0, 2.0, 0.0]), "target": floats([0.5, -1.0, 1.0, 3.0])}, reduction=r, **options))
CASES += [
    case("beta_integer", {"input": normal(4), "target": normal(4)}, beta=2),
    case("beta_tiny", {"input": floats([1e-9, -3e-10, 2.0, 0.0]), "target": floats([0.0, 0.0, 0.0, 1e-12])}, reduction="none", beta=1e-9),
    case("large_values", {"input": floats([1e150, -1e150, 3.0]), "target": floats([0.0, 0.0, 3.0 + 1e-8])}, reduction="none"),
    case("tiny_differences", {"input": floats([1e-200, 1e-160, -1e-170]), "target": floats([0.0, 0.0, 0.0])}, reduction="none"),
    case("empty_mean", {"input": floats([]), "target": floats([])}),
    case("empty_sum", {"input": floats([]), "target": floats([])}, reduction="sum"),
    case("error_negative_beta", {"input": normal(3), "target": normal(3)}, beta=-1.0),
    case("error_shape_mismatch", {"input": normal(3), "target": normal(4)}),
]
