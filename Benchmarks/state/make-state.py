#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds a state directory of N finished jobs from a sample one, as a sweep of N jobs leaves it.

    make-state.py SAMPLE OUT N

SAMPLE is a state directory written by `lossd run` (its first result, history and status
line are the templates); OUT gets results/<job>.json, history/<job>.csv and a status.json of
a stopped daemon listing the N jobs. The index that lossd keeps next to the results is not
written: the first `lossd run` on OUT (or bench-state.sh's) builds it, as it does for a state
directory of an older lossd.
"""
import json
import os
import sys

sample, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
first = sorted(f for f in os.listdir(f"{sample}/results") if f.endswith(".json"))[0]
result = json.load(open(f"{sample}/results/{first}"))
history = open(f"{sample}/history/{first[:-5]}.csv").read()
status = json.load(open(f"{sample}/status.json"))
line = status["jobs"][0]
for folder in ["results", "history", "checkpoints"]:
    os.makedirs(f"{out}/{folder}", exist_ok=True)
lines = []
for index in range(count):
    name = f"big.lr-{index // 100}.seed-{index % 100}"
    result["name"] = name
    result["loss"] = result["best_loss"] = 1.0 + index * 1e-6
    with open(f"{out}/results/{name}.json", "w") as file:
        file.write(json.dumps(result) + "\n")
    with open(f"{out}/history/{name}.csv", "w") as file:
        file.write(history)
    lines.append(dict(line, name=name, loss=result["loss"], best_loss=result["loss"]))
status["jobs"] = lines
status["pid"] = 999999999  # no such process: the daemon is not running
with open(f"{out}/status.json", "w") as file:
    file.write(json.dumps(status))
