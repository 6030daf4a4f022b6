# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, choice, floats, normal, reseed, uniform

LOSS = "multilabel_soft_margin"
MODULE = "MultiLabelSoftMarginLoss"
FUNCTIONAL = "multilabel_soft_margin_loss"
reseed(8)


def labels(*shape):
    return choice([0.0, 1.0], *shape)


CASES = []
for r in REDUCTIONS:
    CASES += [
        case(f"unbatched_{r}", {"input": normal(4), "target": labels(4)}, reduction=r),
        case(f"NC_{r}", {"input": normal(5, 3, std=2), "target": labels(5, 3)}, reduction=r),
        case(f"NdC_{r}", {"input": normal(2, 3, 4), "target": labels(2, 3, 4)}, reduction=r),
        case(f"soft_targets_{r}", {"input": normal(3, 4), "target": uniform(3, 4)}, reduction=r),
        case(f"other_targets_{r}", {"input": normal(2, 3), "target": floats([[-1.0, 2.0, 0.5], [1.0, -0.5, 3.0]])}, reduction=r),
        case(f"weight_C_{r}", {"input": normal(4, 3), "target": labels(4, 3)}, reduction=r, weight=floats([0.5, 2.0, 1.5])),
        case(f"weight_unbatched_{r}", {"input": normal(3), "target": labels(3)}, reduction=r, weight=floats([0.5, -1.0, 3.0])),
        case(f"weight_NC_{r}", {"input": normal(2, 3), "target": labels(2, 3)}, reduction=r, weight=uniform(2, 3, low=0.1, high=2.0)),
        case(f"weight_N1_{r}", {"input": normal(3, 2), "target": labels(3, 2)}, reduction=r, weight=floats([[0.5], [1.0], [2.0]])),
        case(f"weight_scalar_{r}", {"input": normal(2, 4), "target": labels(2, 4)}, reduction=r, weight=floats(0.25)),
        case(f"weight_NdC_{r}", {"input": normal(2, 2, 3), "target": labels(2, 2, 3)}, reduction=r, weight=floats([1.0, 0.0, 2.0])),
        case(f"large_logits_{r}", {"input": floats([[50.0, -50.0, 800.0], [-800.0, 1e-20, 36.0]]), "target": floats([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])}, reduction=r),
        case(f"zero_logits_{r}", {"input": floats([[0.0, -0.0], [0.0, 0.0]]), "target": floats([[1.0, 0.0], [0.5, 1.0]])}, reduction=r),
    ]
CASES += [
    case("no_classes", {"input": floats([[], []]), "target": floats([[], []])}, reduction="none"),
    case("no_classes_unbatched", {"input": floats([]), "target": floats([])}),
    case("no_classes_sum", {"input": floats([[], []]), "target": floats([[], []])}, reduction="sum"),
    case("error_scalar_input", {"input": floats(0.5), "target": floats(1.0)}),
    case("error_target_shape", {"input": normal(2, 3), "target": labels(2, 4)}),
    case("error_weight_shape", {"input": normal(2, 3), "target": labels(2, 3)}, weight=floats([1.0, 2.0, 3.0, 4.0])),
]
