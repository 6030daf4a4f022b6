# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, integers, longs, normal, reseed, uniform

LOSS = "cross_entropy"
MODULE = "CrossEntropyLoss"
FUNCTIONAL = "cross_entropy"
reseed(3)


def probs(*shape):
    values, _ = uniform(*shape, low=0.01, high=1.0)
    return (values, "float")


CASES = [
    case("seed", {"input": floats([[0.1, 0.2, 0.3]]), "target": longs([1])}),
    case("unbatched_index", {"input": normal(4), "target": longs(2)}),
    case("unbatched_probs", {"input": normal(4), "target": probs(4)}),
]
for r in REDUCTIONS:
    CASES += [
        case(f"index_NC_{r}", {"input": normal(5, 4, std=2), "target": integers(5, high=4)}, reduction=r),
        case(f"index_NCd_{r}", {"input": normal(2, 3, 4), "target": integers(2, 4, high=3)}, reduction=r),
        case(f"index_NCdd_{r}", {"input": normal(2, 3, 2, 2), "target": integers(2, 2, 2, high=3)}, reduction=r),
        case(f"weight_{r}", {"input": normal(6, 3), "target": integers(6, high=3)}, reduction=r, weight=floats([0.2, 1.0, 2.5])),
        case(f"ignore_{r}", {"input": normal(5, 3), "target": longs([0, -100, 2, 1, -100])}, reduction=r),
        case(f"ignore_custom_{r}", {"input": normal(4, 3), "target": longs([0, 1, 1, 2])}, reduction=r, ignore_index=1),
        case(f"weight_ignore_{r}", {"input": normal(5, 3), "target": longs([0, 1, 2, 1, 0])}, reduction=r, ignore_index=2, weight=floats([0.5, 2.0, 3.0])),
        case(f"smoothing_{r}", {"input": normal(4, 5), "target": integers(4, high=5)}, reduction=r, label_smoothing=0.1),
        case(f"smoothing_full_{r}", {"input": normal(3, 4), "target": integers(3, high=4)}, reduction=r, label_smoothing=1.0),
        case(f"weight_smoothing_{r}", {"input": normal(5, 3), "target": integers(5, high=3)}, reduction=r, weight=floats([0.3, 1.0, 2.0]), label_smoothing=0.2),
        case(f"weight_smoothing_ignore_{r}", {"input": normal(5, 3), "target": longs([0, -100, 2, 1, 2])}, reduction=r, weight=floats([0.3, 1.0, 2.0]), label_smoothing=0.3),
        case(f"weight_smoothing_NCd_{r}", {"input": normal(2, 3, 4), "target": integers(2, 4, high=3)}, reduction=r, weight=floats([1.5, 0.5, 1.0]), label_smoothing=0.15),
        case(f"probs_NC_{r}", {"input": normal(4, 3), "target": probs(4, 3)}, reduction=r),
        case(f"probs_NCd_{r}", {"input": normal(2, 3, 2), "target": probs(2, 3, 2)}, reduction=r),
        case(f"probs_weight_{r}", {"input": normal(4, 3), "target": probs(4, 3)}, reduction=r, weight=floats([0.5, 1.5, 2.0])),
        case(f"probs_smoothing_{r}", {"input": normal(4, 3), "target": probs(4, 3)}, reduction=r, label_smoothing=0.25),
        case(f"probs_weight_smoothing_{r}", {"input": normal(3, 4), "target": probs(3, 4)}, reduction=r, weight=floats([0.5, 1.5, 2.0, 1.0]), label_smoothing=0.4),
        case(f"all_ignored_{r}", {"input": normal(3, 3), "target": longs([-100, -100, -100])}, reduction=r),
        case(f"all_ignored_smoothing_{r}", {"input": normal(2, 3), "target": longs([-100, -100])}, reduction=r, label_smoothing=0.1),
        case(f"large_logits_{r}", {"input": floats([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]]), "target": longs([1, 2])}, reduction=r),
    ]
CASES += [
    case("zero_weight_target", {"input": normal(2, 3), "target": longs([1, 1])}, weight=floats([1.0, 0.0, 1.0])),
    case("error_index_out_of_range", {"input": normal(2, 3), "target": longs([0, 3])}),
    case("error_negative_index", {"input": normal(2, 3), "target": longs([0, -1])}),
]
CASES += [
    # Integer literals make a Long tensor: refused as class probabilities (same shape as input).
    case("error_probs_long", {"input": normal(2, 3), "target": longs([[0, 1, 0], [1, 0, 0]])}),
]
CASES += [
    # A Long class weight: refused with class indices (dtype_option_weight_long), promoted with
    # class probabilities.
    case("probs_weight_long", {"input": normal(4, 3), "target": probs(4, 3)}, weight=longs([1, 2, 3])),
]
