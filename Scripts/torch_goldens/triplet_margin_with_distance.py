# SPDX-License-Identifier: Apache-2.0
# distance_function is left at PyTorch's None (torch.pairwise_distance), lossd's only choice;
# the golden requests omit it, so lossd's default `pairwise_distance` is what they test.
from .common import REDUCTIONS, case, floats, normal, reseed
from .triplet_margin import kink_negative

LOSS = "triplet_margin_with_distance"
MODULE = "TripletMarginWithDistanceLoss"
FUNCTIONAL = "triplet_margin_with_distance_loss"
reseed(9)

KINK_N = kink_negative(0.0, 0.25, margin=0.5)

CASES = [
    case("seed", {"anchor": floats([[0.0, 0.0]]), "positive": floats([[3.0, 4.0]]), "negative": floats([[1.0, 2.0]])}),
]
for r in REDUCTIONS:
    CASES += [
        case(f"NC_{r}", {"anchor": normal(5, 4), "positive": normal(5, 4), "negative": normal(5, 4)}, reduction=r),
        case(f"margin_{r}", {"anchor": normal(4, 3), "positive": normal(4, 3), "negative": normal(4, 3)}, reduction=r, margin=0.5),
        case(f"swap_{r}", {"anchor": normal(6, 3), "positive": normal(6, 3), "negative": normal(6, 3)}, reduction=r, swap=True, margin=2.0),
        case(f"unbatched_{r}", {"anchor": normal(5), "positive": normal(5), "negative": normal(5)}, reduction=r, margin=2.0),
        case(f"zero_dim_{r}", {"anchor": floats(0.5), "positive": floats(1.0), "negative": floats(-0.75)}, reduction=r, margin=2.0),
        case(f"rank3_{r}", {"anchor": normal(2, 2, 3), "positive": normal(2, 2, 3), "negative": normal(2, 2, 3)}, reduction=r, margin=1.5),
        case(f"empty_features_{r}", {"anchor": floats([[], []]), "positive": floats([[], []]), "negative": floats([[], []])}, reduction=r),
        case(f"kink_{r}", {"anchor": floats([[0.0], [0.0]]), "positive": floats([[0.25], [0.25]]), "negative": floats([[KINK_N], [KINK_N * 0.5]])}, reduction=r, margin=0.5),
        case(f"swap_tie_{r}", {"anchor": floats([[1.0, 0.0], [0.5, 0.5]]), "positive": floats([[0.0, 1.0], [0.5, -0.5]]), "negative": floats([[0.0, 0.0], [0.1, 0.0]])}, reduction=r, swap=True, margin=2.0),
        case(f"zero_norm_{r}", {"anchor": floats([[0.0, 0.0], [1.0, 2.0]]), "positive": floats([[1e-6, 1e-6], [0.5, 2.5]]), "negative": floats([[1.0, -2.0], [0.0, 1.0]])}, reduction=r, margin=3.0),
    ]
CASES += [
    case("error_margin_zero", {"anchor": normal(2, 3), "positive": normal(2, 3), "negative": normal(2, 3)}, margin=0.0),
    case("error_margin_negative", {"anchor": normal(2, 3), "positive": normal(2, 3), "negative": normal(2, 3)}, margin=-0.5),
    case("error_ranks", {"anchor": normal(2, 3), "positive": normal(2, 3), "negative": normal(3)}),
    case("error_feature_mismatch", {"anchor": normal(2, 3), "positive": normal(2, 4), "negative": normal(2, 3)}),
]
