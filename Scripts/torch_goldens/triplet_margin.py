# SPDX-License-Identifier: Apache-2.0
import math

from .common import REDUCTIONS, case, floats, normal, reseed

LOSS = "triplet_margin"
MODULE = "TripletMarginLoss"
FUNCTIONAL = "triplet_margin_loss"
reseed(8)


def kink_negative(anchor, positive, margin=1.0, eps=1e-6):
    """A 1-feature negative n with margin + d(a, p) - d(a, n) == 0 exactly in float64."""
    d_pos = abs(anchor - positive + eps)
    n = anchor + eps - (margin + d_pos)
    for _ in range(64):
        hinge = margin + d_pos - abs(anchor - n + eps)
        if hinge == 0:
            return n
        n = math.nextafter(n, -math.inf if hinge > 0 else math.inf)
    raise AssertionError("no exact kink found")


KINK_N = kink_negative(0.0, 0.25)
ODD_P = [1.0, 3.0, 1.5, 0.5, -1.0]

CASES = [
    case("seed", {"anchor": floats([[0.0]]), "positive": floats([[1.0]]), "negative": floats([[1.5]])}, eps=0.0),
    case("p0_no_gradient", {"anchor": normal(3, 4), "positive": normal(3, 4), "negative": normal(3, 4)}, p=0.0),
    case("p0_swap", {"anchor": floats([[0.0, 1.0], [2.0, 2.0]]), "positive": floats([[0.0, 1.0], [1.0, 2.0]]), "negative": floats([[3.0, 1.0], [2.0, 0.0]])}, p=0.0, eps=0.0, swap=True),
]
for r in REDUCTIONS:
    CASES += [
        case(f"NC_{r}", {"anchor": normal(5, 4), "positive": normal(5, 4), "negative": normal(5, 4)}, reduction=r),
        case(f"margin_{r}", {"anchor": normal(4, 3), "positive": normal(4, 3), "negative": normal(4, 3)}, reduction=r, margin=0.3),
        case(f"swap_{r}", {"anchor": normal(6, 3), "positive": normal(6, 3), "negative": normal(6, 3)}, reduction=r, swap=True, margin=2.0),
        case(f"eps_{r}", {"anchor": normal(3, 4), "positive": normal(3, 4), "negative": normal(3, 4)}, reduction=r, eps=1e-3, margin=1.5),
        case(f"unbatched_{r}", {"anchor": normal(5), "positive": normal(5), "negative": normal(5)}, reduction=r, margin=2.0),
        case(f"zero_dim_{r}", {"anchor": floats(0.5), "positive": floats(1.0), "negative": floats(-0.75)}, reduction=r, margin=2.0),
        case(f"rank3_{r}", {"anchor": normal(2, 3, 4), "positive": normal(2, 3, 4), "negative": normal(2, 3, 4)}, reduction=r, margin=1.5),
        case(f"empty_features_{r}", {"anchor": floats([[], [], []]), "positive": floats([[], [], []]), "negative": floats([[], [], []])}, reduction=r),
        case(f"kink_eps0_{r}", {"anchor": floats([[0.0], [0.0]]), "positive": floats([[1.0], [1.0]]), "negative": floats([[2.0], [1.5]])}, reduction=r, eps=0.0),
        case(f"kink_eps_{r}", {"anchor": floats([[0.0], [0.0]]), "positive": floats([[0.25], [0.25]]), "negative": floats([[KINK_N], [KINK_N * 0.5]])}, reduction=r),
        case(f"swap_tie_{r}", {"anchor": floats([[1.0, 0.0], [0.5, 0.5]]), "positive": floats([[0.0, 1.0], [0.5, -0.5]]), "negative": floats([[0.0, 0.0], [0.1, 0.0]])}, reduction=r, swap=True, margin=2.0),
        case(f"swap_tie_eps0_{r}", {"anchor": floats([[0.0, 0.0]]), "positive": floats([[2.0, 0.0]]), "negative": floats([[1.0, 1.0]])}, reduction=r, swap=True, eps=0.0, margin=2.0),
        case(f"large_{r}", {"anchor": floats([[1e100, -2e100], [3e30, 1e30]]), "positive": floats([[2e100, 1e100], [1e30, 2e30]]), "negative": floats([[-1e100, 0.0], [1e30, 2.5e30]])}, reduction=r, margin=1e100),
    ]
    for p in ODD_P:
        CASES += [
            case(f"p{p}_{r}", {"anchor": normal(4, 3), "positive": normal(4, 3), "negative": normal(4, 3)}, reduction=r, p=p, margin=1.5),
            case(f"p{p}_swap_{r}", {"anchor": normal(4, 3), "positive": normal(4, 3), "negative": normal(4, 3)}, reduction=r, p=p, swap=True, margin=2.0),
        ]
for p in [2.0] + ODD_P:
    CASES += [
        # d(a, p) == 0 (v == 0 in every component) and a zero component elsewhere.
        case(f"zero_norm_p{p}", {"anchor": floats([[1.0, 2.0, 3.0], [0.5, 1.0, 1.5]]), "positive": floats([[1.0, 2.0, 3.0], [0.5, 2.0, 1.0]]), "negative": floats([[2.0, 2.0, 0.0], [0.5, -1.0, 2.5]])}, eps=0.0, p=p, margin=3.0, reduction="sum"),
        case(f"zero_dim_p{p}", {"anchor": floats(1.0), "positive": floats(3.0), "negative": floats(-2.0)}, p=p, margin=4.0),
    ]
CASES += [
    case("error_margin_zero", {"anchor": normal(2, 3), "positive": normal(2, 3), "negative": normal(2, 3)}, margin=0.0),
    case("error_margin_negative", {"anchor": normal(2, 3), "positive": normal(2, 3), "negative": normal(2, 3)}, margin=-1.0),
    case("error_ranks", {"anchor": normal(2, 3), "positive": normal(3), "negative": normal(2, 3)}),
    case("error_feature_mismatch", {"anchor": normal(2, 3), "positive": normal(2, 3), "negative": normal(2, 4)}),
    case("error_batch_mismatch", {"anchor": normal(2, 3), "positive": normal(3, 3), "negative": normal(2, 3)}),
    case("error_negative_p_empty", {"anchor": floats([[], []]), "positive": floats([[], []]), "negative": floats([[], []])}, p=-1.0),
]
