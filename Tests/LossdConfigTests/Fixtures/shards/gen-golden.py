#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes golden.tsv: the shard of each job of a fixed mixed-size list, for 1, 3 and 4 shards,
computed by an independent implementation of the algorithm lossd(8) documents (SHARDS):
jobs ordered by work (largest first), then by the 64-bit FNV-1a hash of the name's UTF-8
bytes, then by the name's bytes; each in turn goes to the shard with the least work so far
(the lowest-numbered on ties). Run it from anywhere: python3 gen-golden.py"""
import heapq
import os


def fnv1a64(name):
    value = 0xcbf29ce484222325
    for byte in name.encode("utf-8"):
        value ^= byte
        value = (value * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return value


def assign(jobs, shards):
    order = sorted(jobs, key=lambda job: (-job[1], fnv1a64(job[0]), job[0].encode("utf-8")))
    loads = [(0, shard) for shard in range(shards)]
    result = {}
    for name, work in order:
        load, shard = heapq.heappop(loads)
        result[name] = shard
        heapq.heappush(loads, (load + work, shard))
    return result


def jobs():
    # A sweep of equal jobs, a few large ones, names with non-ASCII bytes, and ties in work.
    listed = [(f"grid.seed-{seed}.lr-{lr}", 3 * 1000) for seed in range(8) for lr in ("0.01", "0.1")]
    listed += [(f"wide-{index}", (index + 1) * 50_000) for index in range(5)]
    listed += [("präzision", 7_000), ("naïve", 7_000), ("seed-mse", 3 * 1000), ("seed-l1", 3 * 1000)]
    return listed


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.tsv")
    listed = jobs()
    with open(path, "w", encoding="utf-8") as out:
        out.write("# name\twork\tshard of 1\tshard of 3\tshard of 4 (written by gen-golden.py)\n")
        plans = [assign(listed, count) for count in (1, 3, 4)]
        for name, work in listed:
            out.write(f"{name}\t{work}\t" + "\t".join(str(plan[name]) for plan in plans) + "\n")


if __name__ == "__main__":
    main()
