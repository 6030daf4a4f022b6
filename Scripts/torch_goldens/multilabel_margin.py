# SPDX-License-Identifier: Apache-2.0
from .common import REDUCTIONS, case, floats, longs, normal, reseed

LOSS = "multilabel_margin"
MODULE = "MultiLabelMarginLoss"
FUNCTIONAL = "multilabel_margin_loss"
reseed(7)

CASES = [
    case("seed", {"input": floats([[0.1, 0.2, 0.4, 0.8]]), "target": longs([[3, 0, -1, 1]])}),
    case("zero_dim_input", {"input": floats(0.3), "target": longs(0)}),
    case("zero_dim_input_padding", {"input": floats(0.3), "target": longs(-1)}, reduction="none"),
    case("error_empty_vector", {"input": floats([]), "target": longs([])}, reduction="none"),
]
for r in REDUCTIONS:
    CASES += [
        case(f"NC_{r}", {"input": normal(4, 5), "target": longs([[3, 0, -1, 1, 2], [1, -1, 0, 0, 0], [4, 2, 0, 1, -1], [-1, 2, 3, 0, 0]])}, reduction=r),
        case(f"NC_wide_{r}", {"input": normal(3, 8, std=0.3), "target": longs([[7, 2, 5, -1, 0, 0, 0, 0], [0, -1, 1, 1, 1, 1, 1, 1], [1, 2, 3, 4, 5, 6, -1, -1]])}, reduction=r),
        case(f"unbatched_{r}", {"input": normal(5), "target": longs([2, 4, -1, 0, 1])}, reduction=r),
        case(f"no_padding_{r}", {"input": normal(2, 4), "target": longs([[0, 1, 2, 3], [3, 1, 3, 1]])}, reduction=r),
        case(f"duplicates_{r}", {"input": floats([[0.1, 0.2, 0.3, 0.4], [0.5, -0.5, 0.0, 1.0]]), "target": longs([[1, 1, -1, 0], [2, 0, 2, -1]])}, reduction=r),
        case(f"all_padding_{r}", {"input": normal(2, 3), "target": longs([[-1, 0, 1], [-1, -1, -1]])}, reduction=r),
        case(f"kink_{r}", {"input": floats([[1.5, 0.5, 0.25, 2.0], [0.0, 1.0, -1.0, 0.5]]), "target": longs([[0, -1, 0, 0], [1, 3, -1, 2]])}, reduction=r),
        case(f"large_{r}", {"input": floats([[1e150, -1e150, 3e149], [2e10, -5e10, 1e10]]), "target": longs([[1, -1, 0], [2, 0, -1]])}, reduction=r),
        case(f"one_class_{r}", {"input": normal(3, 1), "target": longs([[0], [-1], [0]])}, reduction=r),
    ]
CASES += [
    case("error_minus_two", {"input": normal(2, 3), "target": longs([[0, -2, -1], [1, -1, 0]])}),
    case("error_out_of_range", {"input": normal(2, 3), "target": longs([[0, 3, -1], [1, -1, 0]])}),
    case("error_out_of_range_after_padding", {"input": normal(2, 3), "target": longs([[0, -1, 3], [1, -1, 0]])}),
    case("error_minus_two_after_padding", {"input": normal(2, 3), "target": longs([[0, -1, -2], [1, -1, 0]])}),
    case("error_target_shape", {"input": normal(2, 3), "target": longs([[0, -1], [1, -1]])}),
    case("error_target_1d_for_2d", {"input": normal(1, 3), "target": longs([0, -1, 0])}),
    case("error_target_2d_for_1d", {"input": normal(3), "target": longs([[0, -1, 0]])}),
    case("error_input_3d", {"input": normal(1, 3, 2), "target": longs([[[0, 0], [0, 0], [0, 0]]])}),
    case("error_no_classes", {"input": floats([[], []]), "target": longs([[], []])}),
]
