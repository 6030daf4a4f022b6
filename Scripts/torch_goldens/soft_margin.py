# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, choice, floats, normal, reseed

LOSS = "soft_margin"
MODULE = "SoftMarginLoss"
FUNCTIONAL = "soft_margin_loss"
reseed(7)

# x*y around the points where ATen's log1p(exp(-x y)) changes character: exp(-x y) below the
# rounding of 1 (x y > 36.7), underflow (x y > 745), and overflow of exp (x y < -709.78).
EXTREME = [20.0, 36.0, 37.0, 40.0, 700.0, 745.0, 746.0, 1000.0, -20.0, -36.0, -700.0, -709.0, -709.7]
OVERFLOW = [-709.8, -710.0, -1000.0, 3.0]

CASES = []
for r in REDUCTIONS:
    CASES += [
        case(f"random_5_{r}", {"input": normal(5), "target": choice([1.0, -1.0], 5)}, reduction=r),
        case(f"random_3x4_{r}", {"input": normal(3, 4, std=3), "target": choice([1.0, -1.0], 3, 4)}, reduction=r),
        case(f"random_2x2x3_{r}", {"input": normal(2, 2, 3), "target": choice([1.0, -1.0], 2, 2, 3)}, reduction=r),
        case(f"scalar_{r}", {"input": floats(0.75), "target": floats(-1.0)}, reduction=r),
        case(f"zero_input_{r}", {"input": floats([0.0, 0.0, -0.0]), "target": floats([1.0, -1.0, 1.0])}, reduction=r),
        case(f"other_targets_{r}", {"input": normal(6), "target": floats([0.0, 0.5, -0.3, 2.0, -4.0, 1.0])}, reduction=r),
        case(f"extreme_{r}", {"input": floats(EXTREME + [-v for v in EXTREME]), "target": floats([1.0] * len(EXTREME) + [-1.0] * len(EXTREME))}, reduction=r),
        case(f"overflow_{r}", {"input": floats(OVERFLOW), "target": floats([1.0, 1.0, 1.0, -1.0])}, reduction=r),
    ]
CASES += [
    case("empty_mean", {"input": floats([]), "target": floats([])}),
    case("empty_sum", {"input": floats([]), "target": floats([])}, reduction="sum"),
    case("error_shape_mismatch", {"input": normal(3), "target": choice([1.0, -1.0], 4)}),
]
