# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, normal, reseed, weighted_cases

LOSS = "mse"
MODULE = "MSELoss"
FUNCTIONAL = "mse_loss"
reseed(2)

CASES = []
for r in REDUCTIONS:
    CASES += [
        case(f"seed_{r}", {"input": floats([1.0, 2.0, 3.0]), "target": floats([1.0, 2.0, 5.0])}, reduction=r),
        case(f"fit_seed_{r}", {"input": floats([10.0, 10.0, 10.0]), "target": floats([30.0, 20.0, 50.0])}, reduction=r),
        case(f"scalar_{r}", {"input": floats(1.5), "target": floats(-0.25)}, reduction=r),
        case(f"random_5_{r}", {"input": normal(5), "target": normal(5)}, reduction=r),
        case(f"random_3x4_{r}", {"input": normal(3, 4, std=10), "target": normal(3, 4)}, reduction=r),
        case(f"random_2x2x2x2_{r}", {"input": normal(2, 2, 2, 2), "target": normal(2, 2, 2, 2)}, reduction=r),
    ]
CASES += [
    case("empty_mean", {"input": floats([]), "target": floats([])}),
    case("large_values", {"input": floats([1e150, -1e150]), "target": floats([0.0, 0.0])}),
]
# torch.nn.functional.mse_loss's weight: its mean is sum(w*l)/sum(w).
CASES += weighted_cases()
