# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, choice, floats, normal, reseed

LOSS = "hinge_embedding"
MODULE = "HingeEmbeddingLoss"
FUNCTIONAL = "hinge_embedding_loss"
reseed(9)

CASES = []
for r in REDUCTIONS:
    for label, options in [("default", {}), ("margin_zero", {"margin": 0.0}), ("margin_big", {"margin": 2.5}), ("margin_negative", {"margin": -0.5})]:
        margin = options.get("margin", 1.0)
        CASES += [
            case(f"{label}_random_6_{r}", {"input": normal(6, std=2), "target": choice([1.0, -1.0], 6)}, reduction=r, **options),
            case(f"{label}_random_3x4_{r}", {"input": normal(3, 4, mean=1.0), "target": choice([1.0, -1.0], 3, 4)}, reduction=r, **options),
            case(f"{label}_scalar_{r}", {"input": floats(0.3), "target": floats(-1.0)}, reduction=r, **options),
            # x == margin for every kind of target, plus points just either side.
            case(f"{label}_kink_{r}", {"input": floats([margin, margin, margin, margin, margin - 0.25, margin + 0.25]),
                                       "target": floats([-1.0, 1.0, 0.0, 0.5, -1.0, -1.0])}, reduction=r, **options),
        ]
    CASES += [
        case(f"other_targets_{r}", {"input": normal(8), "target": floats([0.0, 0.5, 2.0, -2.0, -0.5, 1.0, -1.0, 3.0])}, reduction=r),
    ]
CASES += [
    case("large_values", {"input": floats([1e300, -1e300, 1e-300]), "target": floats([-1.0, -1.0, 1.0])}, reduction="none"),
    case("empty_mean", {"input": floats([]), "target": floats([])}),
    case("empty_sum", {"input": floats([]), "target": floats([])}, reduction="sum"),
    case("error_shape_mismatch", {"input": normal(3), "target": choice([1.0, -1.0], 4)}),
]
