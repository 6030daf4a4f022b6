#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Times `lossd results` and `lossd status` on a state directory of N finished jobs (default
# 100,000), and the first opening that indexes them (what a state directory of an older lossd
# costs once). Run from the repository root:
#
#     swift build -c release --product lossd
#     Benchmarks/state/bench-state.sh [N]
#
# Needs python3 and about 1 KB + 2 inodes of disk per job, under ${TMPDIR:-/tmp}.
set -eu
count=${1:-100000}
lossd=${LOSSD:-$PWD/.build/release/lossd}
work=$(mktemp -d "${TMPDIR:-/tmp}/lossd-bench-state.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat > "$work/sample.yaml" <<'YAML'
defaults: {optimizer: {name: sgd, lr: 0.1}, max_steps: 200, init: [10, 10, 10], target: [30, 20, 50], loss: mse}
jobs:
  - name: sample
    sweep: {optimizer.lr: [0.01, 0.02]}
YAML
"$lossd" run "$work/sample.yaml" --state-dir "$work/sample" >/dev/null 2>&1
python3 "$(dirname "$0")/make-state.py" "$work/sample" "$work/state" "$count"
state=$work/state
cp "$state/status.json" "$work/status.json"

# seconds, user, system: the wall time and CPU time of one run of the command.
measure() {
    label=$1
    shift
    best=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>&1
        line=$(cat "$work/time")
        if [ -z "$best" ] || [ "$(echo "$line" | cut -d' ' -f1 | tr -d .)" -lt "$(echo "$best" | cut -d' ' -f1 | tr -d .)" ]; then best=$line; fi
    done
    echo "$best" | awk -v label="$label" '{ printf "%-34s %6.2f s wall  %6.2f s CPU  %5d MB\n", label, $1, $2 + $3, $4 / 1024 }'
}

# open LABEL: times a `lossd run` of the two sample jobs in the state directory (its opening
# reconciles results.index), then removes their files and restores the big sweep's status.json.
open() {
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$lossd" run "$work/sample.yaml" --state-dir "$state" >/dev/null 2>&1
    awk -v label="$1" '{ printf "%-34s %6.2f s wall  %6.2f s CPU  %5d MB\n", label, $1, $2 + $3, $4 / 1024 }' "$work/time"
    rm -f "$state"/results/sample.* "$state"/history/sample.*
    cp "$work/status.json" "$state/status.json"  # the big sweep's daemon, stopped
}

echo "$count finished jobs, $(ls "$state/results" | wc -l) result files"
open "lossd run, first opening (indexes)"
open "lossd run, later opening"
measure "lossd results" "$lossd" results --state-dir "$state"
measure "lossd results 'big.lr-7.*'" "$lossd" results 'big.lr-7.*' --state-dir "$state"
measure "lossd results --sort loss --top 5" "$lossd" results --sort loss --top 5 --state-dir "$state"
measure "lossd status" "$lossd" status --state-dir "$state"
measure "lossd status --json" "$lossd" status --json --state-dir "$state"
