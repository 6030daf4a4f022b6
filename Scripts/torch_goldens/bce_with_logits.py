# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, normal, reseed, uniform

LOSS = "bce_with_logits"
MODULE = "BCEWithLogitsLoss"
FUNCTIONAL = "binary_cross_entropy_with_logits"
reseed(6)

# Logits far beyond exp's range: the loss and both gradients must stay finite (and exact).
EXTREME = [1000.0, -1000.0, 1e5, -1e5, 1e300, -1e300, 710.0, -710.0, 37.0, -37.0, 30.0, -30.0, 0.0, -745.5]
EXTREME_TARGET = [0.0, 0.0, 1.0, 1.0, 0.5, 0.5, 0.0, 1.0, 0.0, 1.0, 0.25, 0.0, 1.0, 0.5]

CASES = []
for r in REDUCTIONS:
    CASES += [
        case(f"seed_{r}", {"input": floats([0.0, 2.0, -1.0]), "target": floats([1.0, 0.0, 0.5])}, reduction=r),
        case(f"scalar_{r}", {"input": floats(-1.25), "target": floats(0.8)}, reduction=r),
        case(f"random_3x4_{r}", {"input": normal(3, 4, std=3), "target": uniform(3, 4)}, reduction=r),
        case(f"random_2x3x4_{r}", {"input": normal(2, 3, 4, std=2), "target": uniform(2, 3, 4)}, reduction=r),
        case(f"hard_targets_{r}", {"input": normal(6, std=2), "target": floats([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])}, reduction=r),
        case(f"target_outside_01_{r}", {"input": normal(4), "target": floats([1.5, -0.5, 2.0, -3.0])}, reduction=r),
        case(f"weight_C_{r}", {"input": normal(3, 4), "target": uniform(3, 4)}, reduction=r, weight=floats([0.5, 1.0, 2.0, 3.0])),
        case(f"weight_N1_{r}", {"input": normal(3, 4), "target": uniform(3, 4)}, reduction=r, weight=floats([[1.5], [0.5], [2.0]])),
        case(f"weight_scalar_{r}", {"input": normal(4), "target": uniform(4)}, reduction=r, weight=floats(0.3)),
        case(f"pos_weight_C_{r}", {"input": normal(3, 4, std=2), "target": uniform(3, 4)}, reduction=r, pos_weight=floats([0.5, 1.0, 2.0, 3.0])),
        case(f"pos_weight_3d_{r}", {"input": normal(2, 3, 4, std=2), "target": uniform(2, 3, 4)}, reduction=r, pos_weight=uniform(3, 4, low=0.1, high=4.0)),
        case(f"pos_weight_scalar_{r}", {"input": normal(5), "target": uniform(5)}, reduction=r, pos_weight=floats(2.5)),
        case(f"pos_weight_weight_{r}", {"input": normal(3, 4, std=2), "target": uniform(3, 4)}, reduction=r, pos_weight=floats([0.5, 1.0, 2.0, 3.0]), weight=floats([[1.5], [0.5], [2.0]])),
        case(f"pos_weight_hard_{r}", {"input": normal(2, 3), "target": floats([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])}, reduction=r, pos_weight=floats([4.0, 0.25, 1.0])),
        case(f"extreme_{r}", {"input": floats(EXTREME), "target": floats(EXTREME_TARGET)}, reduction=r),
        # (1 - y) x - logsig(x) cancels for x << 0, y = 0: only ATen's exact formula gives these bits
        # (the weight lifts them above the comparison's absolute floor).
        case(f"cancellation_{r}", {"input": floats([-30.0, -35.0, -20.0, -25.5, -36.7, -15.0]), "target": floats([0.0, 0.0, 0.0, 0.0, 0.0, 0.0])}, reduction=r, weight=floats(1e6)),
        case(f"cancellation_pos_weight_{r}", {"input": floats([-30.0, -20.0, 25.0, 18.0]), "target": floats([0.0, 1e-3, 1.0, 0.999])}, reduction=r, weight=floats(1e6), pos_weight=floats([2.0, 0.5, 3.0, 1.5])),
        case(f"extreme_pos_weight_{r}", {"input": floats(EXTREME), "target": floats(EXTREME_TARGET)}, reduction=r, pos_weight=floats(3.0), weight=floats(0.5)),
    ]
CASES += [
    case("empty_mean", {"input": floats([]), "target": floats([])}),
    case("empty_sum_weights", {"input": floats([[]]), "target": floats([[]])}, reduction="sum", weight=floats([[1.0]]), pos_weight=floats([2.0])),
    case("error_shape", {"input": normal(2, 3), "target": uniform(3, 2)}),
    case("error_shape_broadcastable", {"input": normal(2, 3), "target": uniform(3)}),
    case("error_weight_grows", {"input": normal(3), "target": uniform(3)}, weight=floats([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]), reduction="none"),
    case("error_pos_weight_shape", {"input": normal(3, 4), "target": uniform(3, 4)}, pos_weight=floats([1.0, 2.0, 3.0])),
    case("error_pos_weight_grows", {"input": normal(4), "target": uniform(4)}, pos_weight=uniform(2, 4), reduction="none"),
]
