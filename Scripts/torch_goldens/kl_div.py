# SPDX-License-Identifier: Apache-2.0
import math

from .common import case, floats, normal, reseed, uniform

LOSS = "kl_div"
MODULE = "KLDivLoss"
FUNCTIONAL = "kl_div"
reseed(7)

KL_REDUCTIONS = ["none", "batchmean", "sum", "mean"]


def log_probs(*shape):
    """Rows of log-probabilities along the last dimension."""
    values, _ = normal(*shape)
    def norm(row):
        if isinstance(row[0], list):
            return [norm(r) for r in row]
        m = max(row)
        lse = m + math.log(sum(math.exp(v - m) for v in row))
        return [v - lse for v in row]
    return (norm(values), "float")


def probs(*shape):
    values, _ = log_probs(*shape)
    def expo(row):
        return [expo(r) for r in row] if isinstance(row, list) else math.exp(row)
    return (expo(values), "float")


CASES = []
for r in KL_REDUCTIONS:
    CASES += [
        case(f"seed_{r}", {"input": floats([math.log(0.5), math.log(0.5)]), "target": floats([0.25, 0.75])}, reduction=r),
        case(f"scalar_{r}", {"input": floats(-0.7), "target": floats(0.4)}, reduction=r),
        case(f"random_4x3_{r}", {"input": log_probs(4, 3), "target": probs(4, 3)}, reduction=r),
        case(f"random_2x3x5_{r}", {"input": log_probs(2, 3, 5), "target": probs(2, 3, 5)}, reduction=r),
        case(f"random_6_{r}", {"input": log_probs(6), "target": probs(6)}, reduction=r),
        case(f"unnormalised_{r}", {"input": normal(3, 4, std=2), "target": uniform(3, 4, low=0.0, high=3.0)}, reduction=r),
        case(f"zero_target_{r}", {"input": log_probs(2, 4), "target": floats([[0.0, 0.5, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0]])}, reduction=r),
        case(f"log_target_4x3_{r}", {"input": log_probs(4, 3), "target": log_probs(4, 3)}, reduction=r, log_target=True),
        case(f"log_target_2x3x5_{r}", {"input": log_probs(2, 3, 5), "target": log_probs(2, 3, 5)}, reduction=r, log_target=True),
        case(f"log_target_scalar_{r}", {"input": floats(-1.5), "target": floats(-0.2)}, reduction=r, log_target=True),
        case(f"log_target_extreme_{r}", {"input": floats([-1000.0, 0.0, 5.0, -3.0]), "target": floats([-1000.0, -800.0, 700.0, 2.0])}, reduction=r, log_target=True),
    ]
CASES += [
    case("batchmean_empty", {"input": floats([[], []]), "target": floats([[], []])}, reduction="batchmean"),
    case("batchmean_empty_batch", {"input": floats([]), "target": floats([])}, reduction="batchmean"),
    case("mean_empty", {"input": floats([]), "target": floats([])}),
    case("error_shape", {"input": log_probs(2, 3), "target": probs(3, 2)}),
    case("error_shape_log_target", {"input": log_probs(2, 3), "target": log_probs(2, 2)}, log_target=True),
]
