#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compares lossd state directories' results (DIR/results/<job>.json), standard library only.

  compare-results.py equal REFERENCE OTHER      same jobs; output, loss and steps bit for bit
  compare-results.py partition REFERENCE DIR... the DIRs' jobs are disjoint and cover REFERENCE's
  compare-results.py resumed DIR                at least one result of DIR has "resumed": true

Numbers are compared as IEEE-754 bit patterns: json's float() round-trips every double exactly,
and comparing bits (not ==) also tells -0.0 from 0.0 and matches a NaN with itself. Prints what
differs and exits 1 on a difference, 2 on a usage error.
"""

import glob
import json
import math
import os
import struct
import sys


def results(directory):
    """Maps job name to its result document; the file name is the job name."""
    found = {}
    for path in sorted(glob.glob(os.path.join(directory, "results", "*.json"))):
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
        found[document["name"]] = document
    return found


def bits(value):
    """The value with every number replaced by its 64-bit pattern (lists kept as lists)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return struct.pack("<d", float(value)).hex()
    if isinstance(value, list):
        return [bits(item) for item in value]
    if isinstance(value, dict):
        return {key: bits(item) for key, item in value.items()}
    raise TypeError(f"unexpected JSON value {value!r}")


def show(value):
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


def equal(reference_dir, other_dir):
    reference, other = results(reference_dir), results(other_dir)
    problems = []
    if not reference:
        problems.append(f"no results in {reference_dir}")
    missing, extra = sorted(reference.keys() - other.keys()), sorted(other.keys() - reference.keys())
    if missing:
        problems.append(f"{len(missing)} jobs missing from {other_dir}: {', '.join(missing[:10])}")
    if extra:
        problems.append(f"{len(extra)} jobs not in {reference_dir}: {', '.join(extra[:10])}")
    for name in sorted(reference.keys() & other.keys()):
        for field in ("output", "loss", "steps"):
            a, b = reference[name].get(field), other[name].get(field)
            # steps is an integer: compared as such so that 3 and 3.0 would still differ.
            same = a == b and type(a) is type(b) if field == "steps" else bits(a) == bits(b)
            if not same:
                problems.append(f"{name}: {field} differs: {show(a)} (reference) vs {show(b)}")
    for line in problems[:40]:
        print(line)
    if len(problems) > 40:
        print(f"... and {len(problems) - 40} more differences")
    if problems:
        return 1
    print(f"{len(reference)} jobs: output, loss and steps equal bit for bit")
    return 0


def partition(reference_dir, shard_dirs):
    reference = set(results(reference_dir))
    owner, problems = {}, []
    for directory in shard_dirs:
        for name in results(directory):
            if name in owner:
                problems.append(f"{name} is in both {owner[name]} and {directory}")
            owner[name] = directory
    missing, extra = sorted(reference - owner.keys()), sorted(owner.keys() - reference)
    if missing:
        problems.append(f"{len(missing)} jobs in no shard: {', '.join(missing[:10])}")
    if extra:
        problems.append(f"{len(extra)} jobs not in the reference: {', '.join(extra[:10])}")
    for line in problems[:40]:
        print(line)
    if problems:
        return 1
    counts = ", ".join(str(sum(1 for d in owner.values() if d == s)) for s in shard_dirs)
    print(f"{len(owner)} jobs in {len(shard_dirs)} disjoint shards ({counts})")
    return 0


def resumed(directory):
    names = sorted(name for name, document in results(directory).items() if document.get("resumed") is True)
    if not names:
        print(f"no result in {directory} has \"resumed\": true")
        return 1
    print(f"{len(names)} resumed: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
    return 0


def main(argv):
    if len(argv) == 3 and argv[0] == "equal":
        return equal(argv[1], argv[2])
    if len(argv) >= 3 and argv[0] == "partition":
        return partition(argv[1], argv[2:])
    if len(argv) == 2 and argv[0] == "resumed":
        return resumed(argv[1])
    print("\n".join(__doc__.splitlines()[2:5]), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
