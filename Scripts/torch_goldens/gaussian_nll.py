# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, normal, number, reseed, uniform

LOSS = "gaussian_nll"
MODULE = "GaussianNLLLoss"
FUNCTIONAL = "gaussian_nll_loss"
reseed(9)


def var(*shape):
    return uniform(*shape, low=0.1, high=3.0)


def inputs(shape, var_shape):
    return {"input": normal(*shape), "target": normal(*shape), "var": var(*var_shape)}


# PyTorch's var shape rule: same shape, the input's shape without its last dimension, or same rank
# with exactly one dimension of extent 1 where the input's differs.
VAR_SHAPES = [
    ("same_3x4", (3, 4), (3, 4)),
    ("drop_last_3x4", (3, 4), (3,)),
    ("trailing_1_3x4", (3, 4), (3, 1)),
    ("leading_1_3x4", (3, 4), (1, 4)),
    ("middle_1_2x3x4", (2, 3, 4), (2, 1, 4)),
    ("drop_last_2x3x4", (2, 3, 4), (2, 3)),
    ("drop_last_into_1", (2, 3, 1), (2, 3)),
    ("scalar_var_1d", (5,), ()),
    ("one_var_1d", (5,), (1,)),
    ("scalar", (), ()),
    ("same_1d", (6,), (6,)),
    ("batch_1_2x3", (1, 3), (1, 3)),
]

CASES = []
for r in REDUCTIONS:
    for name, shape, var_shape in VAR_SHAPES:
        CASES.append(case(f"{name}_{r}", inputs(shape, var_shape), reduction=r))
    CASES += [
        case(f"full_{r}", inputs((3, 4), (3, 4)), reduction=r, full=True),
        case(f"full_drop_last_{r}", inputs((4, 2), (4,)), reduction=r, full=True),
        # var below eps, at eps and 0 are clamped to eps; the gradient passes through the clamp.
        case(f"clamped_{r}", {"input": normal(5), "target": normal(5), "var": floats([0.0, 1e-7, 1e-6, 2e-6, 0.5])}, reduction=r),
        case(f"clamped_shared_{r}", {"input": normal(2, 3), "target": normal(2, 3), "var": floats([[0.0], [1e-9]])}, reduction=r),
        case(f"eps_large_{r}", inputs((3, 4), (3, 1)), reduction=r, eps=0.5),
        case(f"eps_zero_{r}", inputs((3, 4), (3, 4)), reduction=r, eps=0.0),
        case(f"exact_fit_{r}", {"input": floats([1.0, 2.0, -3.0]), "target": floats([1.0, 2.0, -3.0]), "var": floats([1.0, 0.5, 2.0])}, reduction=r),
        case(f"large_residual_{r}", {"input": floats([1e6, -1e6, 1e3]), "target": floats([0.0, 1.0, -1e3]), "var": floats([1e-3, 1e6, 4.0])}, reduction=r, full=True),
    ]
CASES += [
    case("seed", {"input": floats([1.0]), "target": floats([0.0]), "var": floats([1.0])}),
    case("empty_mean", {"input": floats([[], []]), "target": floats([[], []]), "var": floats([1.0, 2.0])}),
    case("empty_batch_sum", {"input": floats([[], []]), "target": floats([[], []]), "var": floats([[1.0], [2.0]])}, reduction="sum"),
    case("error_var_negative", {"input": normal(3), "target": normal(3), "var": floats([1.0, -0.1, 1.0])}),
    case("error_var_negative_shared", {"input": normal(2, 3), "target": normal(2, 3), "var": floats([[1.0], [-1e-300]])}),
    case("error_scalar_var_2d", inputs((2, 3), ())),
    case("error_var_1x1", inputs((2, 3), (1, 1))),
    case("error_var_last_dim", inputs((2, 3), (3,))),
    case("error_var_extra_dim", inputs((2, 3), (2, 3, 1))),
    case("error_var_1d_extra_dim", inputs((4,), (4, 1))),
    case("error_var_wrong_extent", inputs((2, 3), (2, 2))),
    case("error_var_two_ones", inputs((2, 3, 4), (2, 1, 1))),
    case("error_scalar_input_var_1", inputs((), (1,))),
    case("error_target_shape", {"input": normal(3), "target": normal(2), "var": var(3)}),
]

# var as a plain Python float (gaussian_nll_loss's `var: Tensor | float`): `var * ones_like(input)`,
# any input shape, no gradient for var; an int is refused (torch.any of a bool), as a negative float.
for r in REDUCTIONS:
    CASES += [
        case(f"plain_var_2x3_{r}", {"input": normal(2, 3), "target": normal(2, 3), "var": number(0.75)}, reduction=r),
        case(f"plain_var_2x3x4_{r}", {"input": normal(2, 3, 4), "target": normal(2, 3, 4), "var": number(2.5)}, reduction=r, full=True),
        case(f"plain_var_1d_{r}", {"input": normal(5), "target": normal(5), "var": number(1.0)}, reduction=r),
        case(f"plain_var_scalar_{r}", {"input": floats(1.5), "target": floats(-0.25), "var": number(0.3)}, reduction=r),
        # 0 and a variance below eps are clamped to eps.
        case(f"plain_var_zero_{r}", {"input": normal(4), "target": normal(4), "var": number(0.0)}, reduction=r),
        case(f"plain_var_below_eps_{r}", {"input": normal(2, 2), "target": normal(2, 2), "var": number(1e-9)}, reduction=r, eps=1e-4),
    ]
CASES += [
    case("plain_var_empty_mean", {"input": floats([[], []]), "target": floats([[], []]), "var": number(1.0)}),
    case("plain_var_large", {"input": floats([1e6, -1e6]), "target": floats([0.0, 1.0]), "var": number(1e12)}, reduction="sum"),
    case("error_plain_var_negative", {"input": normal(3), "target": normal(3), "var": number(-0.5)}),
    case("error_plain_var_int", {"input": normal(3), "target": normal(3), "var": number(1)}),
]
