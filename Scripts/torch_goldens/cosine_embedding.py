# SPDX-License-Identifier: Apache-2.0
import math
import struct

from .common import REDUCTIONS, case, choice, floats, normal, reseed

LOSS = "cosine_embedding"
MODULE = "CosineEmbeddingLoss"
FUNCTIONAL = "cosine_embedding_loss"
reseed(5)

# cos == margin exactly (the clamp_min kink): rows [3, 4] and [4, 3]; ATen adds EPSILON = 1e-12
# rounded to float32 (a double 1e-12 misses the kink).
_M = 25.0 + float(struct.unpack("f", struct.pack("f", 1e-12))[0])
KINK_MARGIN = 24.0 / math.sqrt(_M * _M)

CASES = [
    case("seed", {"input1": floats([[1.0, 0.0]]), "input2": floats([[1.0, 1.0]]), "target": floats([1.0])}),
]
for r in REDUCTIONS:
    CASES += [
        case(f"NC_{r}", {"input1": normal(5, 4), "input2": normal(5, 4), "target": choice([1.0, -1.0], 5)}, reduction=r),
        case(f"NC_long_{r}", {"input1": normal(4, 3), "input2": normal(4, 3), "target": ([1, -1, -1, 1], "long")}, reduction=r),
        case(f"margin_{r}", {"input1": normal(6, 3), "input2": normal(6, 3), "target": choice([1.0, -1.0], 6)}, reduction=r, margin=0.3),
        case(f"margin_negative_{r}", {"input1": normal(4, 5), "input2": normal(4, 5), "target": floats([-1.0, -1.0, 1.0, -1.0])}, reduction=r, margin=-0.5),
        case(f"margin_large_{r}", {"input1": normal(3, 2), "input2": normal(3, 2), "target": floats([-1.0, 1.0, -1.0])}, reduction=r, margin=0.9),
        case(f"unbatched_pos_{r}", {"input1": normal(4), "input2": normal(4), "target": floats(1.0)}, reduction=r),
        case(f"unbatched_neg_{r}", {"input1": floats([1.0, 2.0, 0.5]), "input2": floats([0.5, 1.0, 1.0]), "target": floats(-1.0)}, reduction=r),
        case(f"other_targets_{r}", {"input1": normal(5, 3), "input2": normal(5, 3), "target": floats([1.0, -1.0, 0.0, 0.5, 2.0])}, reduction=r),
        case(f"kink_cos_zero_{r}", {"input1": floats([[1.0, 1.0], [2.0, 1.0]]), "input2": floats([[1.0, -1.0], [1.0, 1.0]]), "target": floats([-1.0, -1.0])}, reduction=r),
        case(f"kink_cos_margin_{r}", {"input1": floats([[3.0, 4.0], [1.0, 2.0]]), "input2": floats([[4.0, 3.0], [2.0, 1.0]]), "target": floats([-1.0, -1.0])}, reduction=r, margin=KINK_MARGIN),
        case(f"parallel_{r}", {"input1": floats([[1.0, 2.0, 3.0], [1.0, -1.0, 0.5]]), "input2": floats([[2.0, 4.0, 6.0], [-3.0, 3.0, -1.5]]), "target": floats([1.0, -1.0])}, reduction=r),
        case(f"zero_vector_{r}", {"input1": floats([[0.0, 0.0, 0.0], [0.5, -1.0, 2.0]]), "input2": floats([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]]), "target": floats([1.0, -1.0])}, reduction=r, margin=-0.1),
        case(f"large_{r}", {"input1": floats([[1e100, -2e100], [3e30, 1e30]]), "input2": floats([[2e100, 1e100], [1e30, 2e30]]), "target": floats([1.0, 1.0])}, reduction=r),
        case(f"small_{r}", {"input1": floats([[1e-7, 2e-7], [3e-100, 1e-100]]), "input2": floats([[2e-7, -1e-7], [1e-100, 2e-100]]), "target": floats([1.0, -1.0])}, reduction=r, margin=-0.5),
        case(f"empty_features_{r}", {"input1": floats([[], []]), "input2": floats([[], []]), "target": floats([1.0, -1.0])}, reduction=r),
    ]
CASES += [
    case("error_empty_1d_target", {"input1": floats([]), "input2": floats([]), "target": floats([])}),
    case("error_target_2d", {"input1": normal(2, 3), "input2": normal(2, 3), "target": floats([[1.0, -1.0]])}),
    case("error_1d_target_1d_inputs", {"input1": normal(3), "input2": normal(3), "target": floats([1.0])}),
    case("error_0d_target_2d_inputs", {"input1": normal(2, 3), "input2": normal(2, 3), "target": floats(1.0)}),
    case("error_3d_inputs", {"input1": normal(2, 2, 3), "input2": normal(2, 2, 3), "target": floats([1.0, 1.0])}),
    case("error_feature_mismatch", {"input1": normal(2, 3), "input2": normal(2, 4), "target": floats([1.0, 1.0])}),
    case("error_target_length", {"input1": normal(3, 2), "input2": normal(3, 2), "target": floats([1.0, -1.0])}),
    case("error_input_ranks", {"input1": normal(2, 3), "input2": normal(3), "target": floats([1.0, 1.0])}),
]
