# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, choice, floats, normal, reseed, uniform

LOSS = "poisson_nll"
MODULE = "PoissonNLLLoss"
FUNCTIONAL = "poisson_nll_loss"
reseed(8)

COUNTS = [0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0]
# Around the Stirling mask (target <= 1 is masked) and the NaN target gradient at target <= 0.
MASK_TARGET = [0.0, 0.5, 1.0, 1.0 + 1e-12, 1.5, 2.0, -1.0, 100.0]

CASES = []
for r in REDUCTIONS:
    for log_input in (True, False):
        for full in (False, True):
            tag = f"{'log' if log_input else 'rate'}_{'full' if full else 'plain'}_{r}"

            def x(*shape):
                return normal(*shape) if log_input else uniform(*shape, low=0.05, high=6.0)

            CASES += [
                case(f"counts_3x4_{tag}", {"input": x(3, 4), "target": choice(COUNTS, 3, 4)}, reduction=r, log_input=log_input, full=full),
                case(f"real_2x3x2_{tag}", {"input": x(2, 3, 2), "target": uniform(2, 3, 2, low=1.01, high=9.0)}, reduction=r, log_input=log_input, full=full),
                case(f"scalar_{tag}", {"input": x(), "target": floats(4.0)}, reduction=r, log_input=log_input, full=full),
                case(f"mask_{tag}", {"input": x(8), "target": floats(MASK_TARGET)}, reduction=r, log_input=log_input, full=full),
            ]
    CASES += [
        case(f"rate_zero_{r}", {"input": floats([0.0, 0.0, 1e-9, 2.0]), "target": floats([0.0, 3.0, 1.0, 2.0])}, reduction=r, log_input=False),
        case(f"rate_eps_{r}", {"input": uniform(5, low=0.0, high=2.0), "target": choice(COUNTS, 5)}, reduction=r, log_input=False, eps=0.25),
        case(f"rate_eps_zero_{r}", {"input": uniform(5, low=0.1, high=2.0), "target": choice(COUNTS, 5)}, reduction=r, log_input=False, eps=0.0),
        case(f"rate_negative_eps_{r}", {"input": floats([-0.05, 0.5, 3.0]), "target": floats([2.0, 0.0, 4.0])}, reduction=r, log_input=False, eps=0.1),
        case(f"log_extreme_{r}", {"input": floats([700.0, -700.0, 30.0, -30.0]), "target": floats([3.0, 0.0, 1e6, 2.0])}, reduction=r),
        case(f"log_eps_ignored_{r}", {"input": normal(4), "target": choice(COUNTS, 4)}, reduction=r, eps=0.5),
    ]
CASES += [
    case("empty_mean", {"input": floats([]), "target": floats([])}),
    case("empty_sum_full", {"input": floats([]), "target": floats([])}, reduction="sum", full=True),
    case("error_shape", {"input": normal(3), "target": floats([1.0, 2.0])}),
    case("error_shape_2d", {"input": normal(2, 3), "target": floats([[1.0, 2.0], [3.0, 4.0]])}, log_input=False),
]
