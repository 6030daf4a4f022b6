#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Load under the shipped lossd.service (no drop-in): sweeps of 10,000 and 100,000 seed-sized jobs
# (MSE on three numbers, SGD, no tolerance, so every job runs all its steps) must run to the end
# with NRestarts=0 and no journald suppression (no "Suppressed" line from systemd-journald, and at
# most 10,000 lossd entries in any 30 s window, journald's default burst). Prints the figures:
# the configuration's load time and peak memory (`lossd check`, outside systemd), the time from
# `systemctl start` to the last result, peak resident memory (VmHWM of the main process) and the
# largest MemoryCurrent seen, and lossd's journal entries per 30 s.
#
# Steps per job: 10,000 at 10,000 jobs (10^8 steps in all, the case that tripped the watchdog);
# 100 at 100,000 jobs (10^7 steps) to stay CI-sized, 10,000 with LOSSD_INTEGRATION_SCALE=full.
#
# Sourced by run-systemd-tests.sh: uses its check, in_sandbox, wait_until, unit_property,
# fresh_lossd, stop_lossd, $work, $state, $binary, $sandbox.

# sweep_config JOBS STEPS: JOBS seed-sized jobs as one sweep (seed x lr, at most 1,000 values a key).
sweep_config() {
    python3 - "$1" "$2" <<'PY'
import sys
jobs, steps = int(sys.argv[1]), int(sys.argv[2])
seeds = min(jobs, 1000)
rates = jobs // seeds
assert seeds * rates == jobs
print(f"""daemon:
  report_interval: 1s
  checkpoint_interval: 10s
jobs:
  - name: scale
    loss: mse
    init: [10, 10, 10]
    target: [30, 20, 50]
    optimizer: {{name: sgd, lr: 0.1}}
    max_steps: {steps}
    sweep:
      seed: [{", ".join(str(s) for s in range(1, seeds + 1))}]
      optimizer.lr: [{", ".join(f"{0.001 * (r + 1):.3f}" for r in range(rates))}]""")
PY
}

# busiest_30s: lossd.service's entries in the busiest 30 s window since the unit's last start.
busiest_30s() {
    in_sandbox journalctl -u lossd -o short-unix --no-pager _SYSTEMD_INVOCATION_ID="$(unit_property InvocationID)" \
        | awk '$1 ~ /^[0-9]/ { t[n++] = $1 } END { best = 0; j = 0; for (i = 0; i < n; i++) { while (t[i] - t[j] >= 30) j++; if (i - j + 1 > best) best = i - j + 1 } print best }'
}

scale_run() {  # scale_run JOBS STEPS TIMEOUT
    local jobs="$1" steps="$2" timeout="$3" label="$1 jobs x $2 steps"
    echo "== scale: $label under the shipped unit"
    sweep_config "$jobs" "$steps" >"$work/scale-$jobs.yaml"
    local load
    load="$( { /usr/bin/time -f '%e s, %M KB' "$binary" check "$work/scale-$jobs.yaml" >/dev/null; } 2>&1 | tail -n 1)"
    echo "   lossd check of $jobs jobs: $load (elapsed, peak resident)"
    fresh_lossd "$work/scale-$jobs.yaml"
    local suppressed_before started ready finished peak_current=0 current pid hwm="" count=0
    suppressed_before="$(in_sandbox journalctl -u systemd-journald -o cat --no-pager | grep -c 'Suppressed')"
    started=$SECONDS
    check "scale $label: systemctl start" in_sandbox systemctl start lossd
    ready=$((SECONDS - started))
    pid="$(unit_property MainPID)"
    while [ $((SECONDS - started)) -lt "$timeout" ]; do
        current="$(unit_property MemoryCurrent)"
        [[ $current =~ ^[0-9]+$ ]] && [ "$current" -gt "$peak_current" ] && peak_current=$current
        hwm="$(in_sandbox awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo "$hwm")"
        count="$(in_sandbox find "$state/results" -name '*.json' 2>/dev/null | wc -l)"
        [ "$count" -ge "$jobs" ] && break
        sleep 2
    done
    finished=$((SECONDS - started))
    local busiest suppressed restarts
    busiest="$(busiest_30s)"
    suppressed=$(( $(in_sandbox journalctl -u systemd-journald -o cat --no-pager | grep -c 'Suppressed') - suppressed_before ))
    restarts="$(unit_property NRestarts)"
    echo "   figures: READY after ${ready} s; all $count results after ${finished} s; VmHWM ${hwm:-?} KB;" \
         "MemoryCurrent peak $((peak_current / 1048576)) MB; busiest 30 s: $busiest lossd entries; NRestarts $restarts"
    check "scale $label: every job wrote its result ($count of $jobs within $timeout s)" test "$count" -ge "$jobs"
    check "scale $label: NRestarts=0" test "$restarts" = 0
    check "scale $label: the same lossd process throughout (pid $pid)" test "$(unit_property MainPID)" = "$pid"
    check "scale $label: journald suppressed nothing ($suppressed Suppressed lines)" test "$suppressed" -eq 0
    check "scale $label: at most 10,000 lossd entries in any 30 s ($busiest)" test "$busiest" -le 10000
    stop_lossd
}

scale_scenario() {
    scale_run 10000 10000 120
    if [ "${LOSSD_INTEGRATION_SCALE:-}" = full ]; then scale_run 100000 10000 1800; else scale_run 100000 100 400; fi
}
