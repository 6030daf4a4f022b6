# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, integers, longs, normal, reseed

LOSS = "nll"
MODULE = "NLLLoss"
FUNCTIONAL = "nll_loss"
reseed(4)

CASES = [
    case("unbatched", {"input": normal(4), "target": longs(3)}),
]
for r in REDUCTIONS:
    CASES += [
        case(f"NC_{r}", {"input": normal(5, 4), "target": integers(5, high=4)}, reduction=r),
        case(f"NCd_{r}", {"input": normal(2, 3, 4), "target": integers(2, 4, high=3)}, reduction=r),
        case(f"NCdd_{r}", {"input": normal(2, 3, 2, 3), "target": integers(2, 2, 3, high=3)}, reduction=r),
        case(f"weight_{r}", {"input": normal(6, 3), "target": integers(6, high=3)}, reduction=r, weight=floats([0.2, 1.0, 2.5])),
        case(f"ignore_{r}", {"input": normal(5, 3), "target": longs([0, -100, 2, 1, -100])}, reduction=r),
        case(f"weight_ignore_{r}", {"input": normal(5, 3), "target": longs([0, 1, 2, 1, 0])}, reduction=r, ignore_index=0, weight=floats([0.5, 2.0, 3.0])),
        case(f"all_ignored_{r}", {"input": normal(3, 3), "target": longs([-100, -100, -100])}, reduction=r),
    ]
CASES += [
    case("error_index_out_of_range", {"input": normal(2, 3), "target": longs([0, 5])}),
]
