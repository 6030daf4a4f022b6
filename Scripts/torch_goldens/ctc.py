# SPDX-License-Identifier: Apache-2.0
import math

from .common import REDUCTIONS, case, longs, normal, reseed

LOSS = "ctc"
MODULE = "CTCLoss"
FUNCTIONAL = "ctc_loss"
reseed(5)
RTOL = 1e-10


def log_probs(*shape, std=1.0):
    """Normal values passed through log_softmax over the last dimension (classes)."""
    values, _ = normal(*shape, std=std)

    def normalise(row):
        if not isinstance(row[0], list):
            m = max(row)
            lse = m + math.log(sum(math.exp(v - m) for v in row))
            return [v - lse for v in row]
        return [normalise(r) for r in row]

    return (normalise(values), "float")


def ctc(id, lp, targets, input_lengths, target_lengths, **options):
    inputs = {"log_probs": lp, "targets": longs(targets), "input_lengths": longs(input_lengths), "target_lengths": longs(target_lengths)}
    return case(id, inputs, rtol=RTOL, **options)


CASES = []
for r in REDUCTIONS:
    CASES += [
        ctc(f"padded_{r}", log_probs(6, 3, 5), [[1, 2, 3], [4, 1, 0], [2, 0, 0]], [6, 5, 6], [3, 2, 1], reduction=r),
        ctc(f"concatenated_{r}", log_probs(6, 3, 5), [1, 2, 3, 4, 1, 2], [6, 5, 6], [3, 2, 1], reduction=r),
        ctc(f"unbatched_{r}", log_probs(7, 4), [1, 3, 2], 7, 3, reduction=r),
        ctc(f"repeated_labels_{r}", log_probs(7, 3, 4), [[2, 2, 2], [1, 1, 3], [3, 1, 1]], [7, 6, 5], [3, 3, 3], reduction=r),
        ctc(f"blank_last_{r}", log_probs(6, 2, 5), [[0, 3, 3], [1, 2, 0]], [6, 6], [3, 2], reduction=r, blank=4),
        ctc(f"blank_middle_{r}", log_probs(6, 2, 5), [0, 1, 3, 4, 4], [6, 5], [3, 2], reduction=r, blank=2),
        ctc(f"target_length_zero_{r}", log_probs(5, 3, 4), [[0, 0], [1, 2], [3, 0]], [5, 4, 3], [0, 2, 1], reduction=r),
        ctc(f"varying_input_lengths_{r}", log_probs(8, 4, 5), [[1, 2, 3], [4, 4, 0], [1, 0, 0], [0, 0, 0]], [8, 5, 1, 2], [3, 2, 1, 0], reduction=r),
        ctc(f"input_length_zero_{r}", log_probs(4, 3, 3), [[1, 2], [1, 0], [2, 1]], [0, 0, 4], [0, 1, 2], reduction=r),
        ctc(f"impossible_{r}", log_probs(5, 3, 4), [[1, 2, 3], [1, 1, 1], [3, 2, 0]], [2, 4, 5], [3, 3, 2], reduction=r),
        ctc(f"impossible_zero_infinity_{r}", log_probs(5, 3, 4), [[1, 2, 3], [1, 1, 1], [3, 2, 0]], [2, 4, 5], [3, 3, 2], reduction=r, zero_infinity=True),
        ctc(f"input_length_zero_zero_infinity_{r}", log_probs(4, 2, 3), [[1, 2], [2, 1]], [0, 4], [1, 2], reduction=r, zero_infinity=True),
        ctc(f"long_T50_{r}", log_probs(50, 3, 6), [[1 + (i * 7 + j) % 5 for i in range(20)] for j in range(3)], [50, 45, 38], [12, 20, 15], reduction=r),
        ctc(f"long_T50_concatenated_{r}", log_probs(50, 2, 8, std=3.0), [1 + (i * 3) % 7 for i in range(18 + 24)], [50, 49], [18, 24], reduction=r),
    ]
CASES += [
    # Exactly as many steps as the labels need: one path (repeats need a blank in between).
    ctc("tight_repeat", log_probs(3, 1, 3), [[1, 1]], [3], [2]),
    ctc("tight_distinct", log_probs(3, 1, 4), [[1, 2, 3]], [3], [3], reduction="sum"),
    ctc("one_short_repeat", log_probs(3, 1, 3), [[1, 1]], [2], [2], reduction="sum"),
    ctc("one_short_repeat_zero_infinity", log_probs(3, 1, 3), [[1, 1]], [2], [2], reduction="sum", zero_infinity=True),
    ctc("input_length_one", log_probs(3, 2, 3), [[1], [2]], [1, 1], [1, 0], reduction="none"),
    ctc("two_classes", log_probs(6, 2, 2), [[1, 1], [1, 0]], [6, 4], [2, 1], reduction="none"),
    ctc("batch_of_one", log_probs(5, 1, 4), [2, 3], [5], [2]),
    ctc("empty_padded_targets", log_probs(4, 2, 3), [[], []], [4, 3], [0, 0], reduction="none"),
    ctc("empty_concatenated_targets", log_probs(4, 2, 3), [], [4, 3], [0, 0], reduction="mean"),
    ctc("unbatched_empty_target", log_probs(4, 3), [], 4, 0, reduction="none"),
    ctc("unbatched_input_length_zero", log_probs(3, 3), [1], 0, 1, reduction="none"),
    ctc("unbatched_blank_last", log_probs(6, 4), [0, 2, 2, 1], 6, 4, reduction="sum", blank=3),
    # Padding beyond target_lengths is never read, whatever it holds.
    ctc("padding_ignored", log_probs(5, 2, 4), [[1, 3, -1, 99], [2, 5, -7, 0]], [5, 4], [2, 1], reduction="none"),
    # PyTorch's gradient formula on log_probs that are not normalised (not the true derivative).
    ctc("unnormalised", normal(6, 2, 5, std=2.0), [[1, 2, 3], [4, 4, 0]], [6, 5], [3, 2], reduction="sum"),
    ctc("unnormalised_mean", normal(5, 3, 4, mean=-1.0), [1, 2, 3, 3, 1], [5, 4, 3], [2, 2, 1]),
    # Peaked distributions: log-probabilities down to about -100.
    ctc("peaked", log_probs(12, 2, 5, std=25.0), [[1, 2, 3, 4], [3, 3, 1, 0]], [12, 10], [4, 3], reduction="none"),
    ctc("peaked_long", log_probs(40, 2, 4, std=12.0), [[1 + i % 3 for i in range(15)], [3 - i % 3 for i in range(15)]], [40, 36], [15, 10], reduction="sum"),
    # Errors (PyTorch raises).
    ctc("error_input_length_above_T", log_probs(5, 2, 4), [[1, 2], [3, 3]], [6, 5], [2, 2]),
    ctc("error_input_length_negative", log_probs(5, 2, 4), [[1, 2], [3, 3]], [-1, 5], [2, 2]),
    ctc("error_target_length_negative", log_probs(5, 2, 4), [[1, 2], [3, 3]], [5, 5], [-1, 2]),
    ctc("error_target_length_above_S", log_probs(5, 2, 4), [[1, 2], [3, 3]], [5, 5], [3, 2]),
    ctc("error_concatenated_too_short", log_probs(5, 2, 4), [1, 2, 3], [5, 5], [2, 2]),
    ctc("error_concatenated_too_long", log_probs(5, 2, 4), [1, 2, 3, 1, 2], [5, 5], [2, 2]),
    ctc("error_unbatched_targets_longer", log_probs(5, 4), [1, 2, 3], 5, 2),
    ctc("error_unbatched_input_lengths_vector", log_probs(5, 4), [1, 2], [5, 5], [2, 2]),
    ctc("error_input_lengths_wrong_size", log_probs(5, 2, 4), [[1, 2], [3, 3]], [5, 5, 5], [2, 2]),
    ctc("error_target_lengths_wrong_size", log_probs(5, 2, 4), [[1, 2], [3, 3]], [5, 5], [2]),
    ctc("error_input_lengths_scalar_batched", log_probs(5, 2, 4), [[1, 2], [3, 3]], 5, [2, 2]),
    ctc("error_targets_wrong_batch", log_probs(5, 2, 4), [[1, 2], [3, 3], [1, 1]], [5, 5], [2, 2]),
    ctc("error_targets_3d", log_probs(5, 2, 4), [[[1, 2]], [[3, 3]]], [5, 5], [2, 2]),
    ctc("error_targets_scalar", log_probs(5, 1, 4), 1, [5], [1]),
    ctc("error_blank_equals_C", log_probs(5, 2, 4), [[1, 2], [3, 3]], [5, 5], [2, 2], blank=4),
    ctc("error_blank_negative", log_probs(5, 2, 4), [[1, 2], [3, 3]], [5, 5], [2, 2], blank=-1),
    ctc("error_log_probs_1d", log_probs(5), [1], 5, 1),
    ctc("error_log_probs_4d", log_probs(1, 5, 2, 4), [[1, 2], [3, 3]], [5, 5], [2, 2]),
    ctc("error_no_classes", ([[] for _ in range(5)], "float"), [], 5, 0),
]
