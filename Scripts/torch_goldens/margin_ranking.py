# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, choice, floats, normal, reseed

LOSS = "margin_ranking"
MODULE = "MarginRankingLoss"
FUNCTIONAL = "margin_ranking_loss"
reseed(10)


def signs(*shape):
    return choice([1.0, -1.0], *shape)


CASES = []
for r in REDUCTIONS:
    for label, options in [("default", {}), ("margin_half", {"margin": 0.5}), ("margin_negative", {"margin": -0.3})]:
        margin = options.get("margin", 0.0)
        CASES += [
            case(f"{label}_random_6_{r}", {"input1": normal(6), "input2": normal(6), "target": signs(6)}, reduction=r, **options),
            case(f"{label}_random_2x3_{r}", {"input1": normal(2, 3), "input2": normal(2, 3), "target": signs(2, 3)}, reduction=r, **options),
            case(f"{label}_scalar_{r}", {"input1": floats(0.2), "input2": floats(0.9), "target": floats(1.0)}, reduction=r, **options),
            # z = -y (x1 - x2) + margin == 0 exactly, then just above and below.
            case(f"{label}_kink_{r}", {"input1": floats([1.0 + margin, 1.0, 2.0, 2.0]),
                                       "input2": floats([1.0, 1.0 + margin, 2.0 - margin + 0.25, 2.0 - margin - 0.25]),
                                       "target": floats([1.0, -1.0, 1.0, 1.0])}, reduction=r, **options),
        ]
    CASES += [
        case(f"other_targets_{r}", {"input1": normal(5), "input2": normal(5), "target": floats([0.0, 0.5, 2.0, -3.0, -0.25])}, reduction=r, margin=0.1),
        case(f"ties_{r}", {"input1": floats([0.5, 0.5, -1.0]), "input2": floats([0.5, 0.5, -1.0]), "target": floats([1.0, -1.0, 0.0])}, reduction=r),
    ]
CASES += [
    case("large_values", {"input1": floats([1e300, -1e300]), "input2": floats([-1e300, 1e300]), "target": floats([-1.0, 1.0])}, reduction="none"),
    case("empty_mean", {"input1": floats([]), "input2": floats([]), "target": floats([])}),
    case("empty_sum", {"input1": floats([]), "input2": floats([]), "target": floats([])}, reduction="sum"),
    case("error_rank_mismatch", {"input1": normal(3), "input2": normal(3), "target": (signs(1, 3)[0], "float")}),
    case("error_size_mismatch", {"input1": normal(3), "input2": normal(4), "target": signs(3)}),
]
