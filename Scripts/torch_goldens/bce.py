# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, reseed, uniform

LOSS = "bce"
MODULE = "BCELoss"
FUNCTIONAL = "binary_cross_entropy"
reseed(5)


def probs(*shape):
    return uniform(*shape, low=0.01, high=0.99)


# ATen clamps the input gradient's denominator (1 - x) x at 1e-12 (as a float) and each log at -100;
# the target gradient -logit(x) is +-inf at x = 0 and 1.
EDGE_INPUT = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
EDGE_TARGET = [0.0, 1.0, 1.0, 0.0, 0.5, 0.5]
NEAR_INPUT = [1e-20, 1.0 - 1e-16, 1e-13, 1.0 - 1e-13, 1e-12, 1.0 - 2e-12, 0.5]
NEAR_TARGET = [0.0, 1.0, 0.3, 0.7, 1.0, 0.0, 0.5]
LOG_CLAMP_INPUT = [1e-44, 3.7e-44, 3.8e-44, 5e-324, 1.0 - 2.0 ** -53]
LOG_CLAMP_TARGET = [1.0, 1.0, 1.0, 0.5, 0.0]
# -logit(x) near x = 0.5 is tiny: the weight lifts it above the comparison's absolute floor.
NEAR_HALF = [0.5 + k * 1e-13 for k in (-7, -3, -1, 1, 2, 9)]

CASES = []
for r in REDUCTIONS:
    CASES += [
        case(f"seed_{r}", {"input": floats([0.5, 0.25, 0.9]), "target": floats([1.0, 0.0, 0.9])}, reduction=r),
        case(f"scalar_{r}", {"input": floats(0.3), "target": floats(0.8)}, reduction=r),
        case(f"random_5_{r}", {"input": probs(5), "target": uniform(5)}, reduction=r),
        case(f"random_2x3x4_{r}", {"input": probs(2, 3, 4), "target": uniform(2, 3, 4)}, reduction=r),
        case(f"hard_targets_{r}", {"input": probs(6), "target": floats([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])}, reduction=r),
        case(f"weight_C_{r}", {"input": probs(4, 3), "target": uniform(4, 3)}, reduction=r, weight=floats([0.5, 2.0, 1.5])),
        case(f"weight_N1_{r}", {"input": probs(2, 3), "target": uniform(2, 3)}, reduction=r, weight=floats([[3.0], [0.25]])),
        case(f"weight_full_{r}", {"input": probs(2, 3), "target": uniform(2, 3)}, reduction=r, weight=uniform(2, 3, low=0.0, high=2.0)),
        case(f"weight_scalar_{r}", {"input": probs(3), "target": uniform(3)}, reduction=r, weight=floats(0.7)),
        case(f"weight_negative_{r}", {"input": probs(3), "target": uniform(3)}, reduction=r, weight=floats([-1.0, 0.0, 2.0])),
        case(f"edges_{r}", {"input": floats(EDGE_INPUT), "target": floats(EDGE_TARGET)}, reduction=r),
        case(f"near_edges_{r}", {"input": floats(NEAR_INPUT), "target": floats(NEAR_TARGET)}, reduction=r),
        case(f"log_clamp_{r}", {"input": floats(LOG_CLAMP_INPUT), "target": floats(LOG_CLAMP_TARGET)}, reduction=r),
        case(f"near_half_{r}", {"input": floats(NEAR_HALF), "target": uniform(6)}, reduction=r, weight=floats(1e9)),
        case(f"edges_weight_{r}", {"input": floats([0.0, 1.0, 0.0, 0.5]), "target": floats([1.0, 0.0, 0.0, 0.5])}, reduction=r, weight=floats([2.0, 0.5, 0.0, 3.0])),
    ]
CASES += [
    case("unit_1", {"input": floats([[1.0, 1.0], [1.0, 1.0]]), "target": floats([[1.0, 0.0], [1.0, 1.0]])}),
    case("empty_mean", {"input": floats([]), "target": floats([])}),
    case("empty_sum", {"input": floats([]), "target": floats([])}, reduction="sum"),
    case("error_input_above_1", {"input": floats([0.5, 1.0000001]), "target": floats([0.5, 0.5])}),
    case("error_input_negative", {"input": floats([-1e-300, 0.5]), "target": floats([0.5, 0.5])}),
    case("error_target_above_1", {"input": floats([0.5, 0.5]), "target": floats([0.5, 1.5])}),
    case("error_target_negative", {"input": floats([0.5, 0.5]), "target": floats([-0.1, 0.5])}),
    case("error_shape", {"input": probs(2, 3), "target": uniform(3, 2)}),
    case("error_weight_shape", {"input": probs(2, 3), "target": uniform(2, 3)}, weight=floats([1.0, 2.0])),
    case("error_weight_grows", {"input": probs(3), "target": uniform(3)}, weight=floats([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])),
    case("error_weight_rank", {"input": probs(3), "target": uniform(3)}, weight=floats([[[1.0, 2.0, 3.0]]]), reduction="none"),
]
