# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, normal, reseed, weighted_cases

LOSS = "l1"
MODULE = "L1Loss"
FUNCTIONAL = "l1_loss"
reseed(1)

CASES = []
for r in REDUCTIONS:
    CASES += [
        case(f"seed_{r}", {"input": floats([1.0, 2.0, 3.0]), "target": floats([1.0, 2.0, 5.0])}, reduction=r),
        case(f"fit_seed_{r}", {"input": floats([10.0, 10.0, 10.0]), "target": floats([30.0, 20.0, 50.0])}, reduction=r),
        case(f"scalar_{r}", {"input": floats(1.5), "target": floats(-0.25)}, reduction=r),
        case(f"random_2x3_{r}", {"input": normal(2, 3), "target": normal(2, 3)}, reduction=r),
        case(f"random_2x3x4_{r}", {"input": normal(2, 3, 4), "target": normal(2, 3, 4)}, reduction=r),
        case(f"ties_{r}", {"input": floats([0.5, -1.0, 2.0, 0.0]), "target": floats([0.5, -1.0, 1.0, 0.0])}, reduction=r),
    ]
CASES += [
    case("empty_mean", {"input": floats([]), "target": floats([])}),
    case("empty_sum", {"input": floats([]), "target": floats([])}, reduction="sum"),
]
# torch.nn.functional.l1_loss's weight: its mean is sum(w*l)/sum(w).
CASES += weighted_cases()
