# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, integers, longs, normal, reseed, uniform

LOSS = "multi_margin"
MODULE = "MultiMarginLoss"
FUNCTIONAL = "multi_margin_loss"
reseed(6)

CASES = [
    case("seed", {"input": floats([[0.1, 0.2, 0.4, 0.8]]), "target": longs([3])}),
    case("zero_dim_input", {"input": floats(0.3), "target": longs(0)}),
    case("zero_dim_input_none", {"input": floats(0.3), "target": longs([0])}, reduction="none"),
    case("error_empty_vector", {"input": floats([]), "target": longs([])}, reduction="none"),
]
for r in REDUCTIONS:
    CASES += [
        case(f"NC_{r}", {"input": normal(5, 4), "target": integers(5, high=4)}, reduction=r),
        case(f"NC_p2_{r}", {"input": normal(6, 3), "target": integers(6, high=3)}, reduction=r, p=2),
        case(f"margin_{r}", {"input": normal(4, 5), "target": integers(4, high=5)}, reduction=r, margin=0.5),
        case(f"margin_negative_{r}", {"input": normal(4, 3), "target": integers(4, high=3)}, reduction=r, margin=-0.2),
        case(f"weight_{r}", {"input": normal(5, 3), "target": integers(5, high=3)}, reduction=r, weight=floats([0.2, 1.0, 2.5])),
        case(f"weight_p2_margin_{r}", {"input": normal(5, 4), "target": integers(5, high=4)}, reduction=r, p=2, margin=2.0, weight=floats([1.5, 0.5, 1.0, 3.0])),
        case(f"unbatched_{r}", {"input": normal(5), "target": longs(2)}, reduction=r),
        case(f"unbatched_target_1_{r}", {"input": normal(4), "target": longs([1])}, reduction=r, p=2),
        case(f"batch1_target_0d_{r}", {"input": normal(1, 4), "target": longs(3)}, reduction=r),
        case(f"kink_{r}", {"input": floats([[1.5, 0.5, 0.25], [0.0, 1.0, -1.0]]), "target": longs([0, 1])}, reduction=r),
        case(f"kink_p2_{r}", {"input": floats([[1.5, 0.5, 0.75], [0.5, 1.0, 0.0]]), "target": longs([0, 1])}, reduction=r, p=2, margin=1.0),
        case(f"one_class_{r}", {"input": normal(3, 1), "target": longs([0, 0, 0])}, reduction=r),
        case(f"large_{r}", {"input": floats([[1e150, -1e150, 3e149], [2e10, -5e10, 1e10]]), "target": longs([1, 2])}, reduction=r, p=2),
        case(f"wide_{r}", {"input": uniform(3, 12, low=-0.5, high=0.5), "target": integers(3, high=12)}, reduction=r),
    ]
CASES += [
    case("error_p3", {"input": normal(2, 3), "target": longs([0, 1])}, p=3),
    case("error_p0", {"input": normal(2, 3), "target": longs([0, 1])}, p=0),
    case("error_target_out_of_range", {"input": normal(2, 3), "target": longs([0, 3])}),
    case("error_target_negative", {"input": normal(2, 3), "target": longs([-1, 0])}),
    case("error_weight_size", {"input": normal(2, 3), "target": longs([0, 1])}, weight=floats([1.0, 2.0])),
    case("error_weight_2d", {"input": normal(2, 3), "target": longs([0, 1])}, weight=floats([[1.0, 2.0, 3.0]])),
    case("error_weight_0d", {"input": normal(1), "target": longs(0)}, weight=floats(2.0)),
    case("error_input_3d", {"input": normal(2, 3, 2), "target": longs([0, 1])}),
    case("error_no_classes", {"input": floats([[], []]), "target": longs([0, 0])}),
    case("error_target_2d", {"input": normal(2, 3), "target": longs([[0, 1]])}),
    case("error_target_length", {"input": normal(3, 3), "target": longs([0, 1])}),
    case("error_unbatched_target_length", {"input": normal(3), "target": longs([0, 1])}),
]
