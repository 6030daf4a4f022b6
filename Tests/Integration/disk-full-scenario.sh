#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A full disk under the real lossd.service: the unit's state directory (DynamicUser:
# /var/lib/private/lossd) is a 4 MiB tmpfs mounted inside the sandbox, filled while the jobs run.
# lossd must keep the finished jobs' results in memory, stay active, say so in the status line and
# the journal (priority err), retry, and write the results once space is freed, bit-identical to
# an undisturbed run outside systemd.
#
# Sourced by run-systemd-tests.sh (LOSSD_INTEGRATION_SCENARIOS=disk-full): uses its check,
# in_sandbox, wait_until, unit_property, same_as_reference, fresh_lossd, stop_lossd, mse_job, $work,
# $state, $binary.

disk_full_scenario() {
    echo "== disk full: the unit stays active, says so, and saves the results once space is freed"
    { printf 'daemon:\n  report_interval: 500ms\n  checkpoint_interval: 1s\njobs:\n'; mse_job full-a 5 40000000; } >"$work/disk-full.yaml"
    cat >>"$work/disk-full.yaml" <<'YAML'
  - name: full-b
    loss: huber
    init: {random: normal, shape: [64], mean: 0, std: 1}
    target: {random: uniform, shape: [64], low: -1, high: 1}
    optimizer: {name: adam, lr: 0.00001}
    max_steps: 1500000
    seed: 6
YAML
    "$binary" run "$work/disk-full.yaml" --state-dir "$work/disk-full-reference" 2>/dev/null \
        || { echo "reference run of disk-full.yaml failed" >&2; return 1; }
    fresh_lossd "$work/disk-full.yaml"
    in_sandbox install -d -m 0700 /var/lib/private "$state"
    in_sandbox mount -t tmpfs -o size=4m,mode=0700 lossd-disk-full "$state" || { echo "cannot mount a tmpfs on $state" >&2; return 1; }
    local restarts
    in_sandbox systemctl start lossd
    restarts="$(unit_property NRestarts)"
    wait_until 10 in_sandbox test -f "$state/status.json"
    # Fill every block left (dd stops at ENOSPC), while both jobs are still running.
    in_sandbox dd if=/dev/zero of="$state/filler" bs=64k status=none 2>/dev/null
    check "disk full: the state directory is full while both jobs run" bash -c \
        "[ \"\$('$sandbox' exec df --output=avail -k '$state' | tail -n 1 | tr -d ' ')\" -lt 64 ] && ! '$sandbox' exec test -e '$state/results/full-a.json'"
    check "disk full: StatusText says results are not saved (state directory full)" wait_until 40 bash -c \
        "'$sandbox' exec systemctl show -p StatusText --value lossd | grep -q 'results not saved: state directory full'"
    check "disk full: the journal has the failed write at priority err" bash -c \
        "'$sandbox' exec journalctl -u lossd -p err -o cat --no-pager | grep -qi 'no space left on device'"
    check "disk full: the unit stays active, never restarted" bash -c \
        "sleep 3; [ \"\$('$sandbox' exec systemctl is-active lossd)\" = active ] && [ \"\$('$sandbox' exec systemctl show -p NRestarts --value lossd)\" = '$restarts' ]"
    in_sandbox rm -f "$state/filler"
    check "disk full: once space is freed both results appear" wait_until 60 in_sandbox test -f "$state/results/full-a.json" -a -f "$state/results/full-b.json"
    check "disk full: the results are bit-identical to an undisturbed run" same_as_reference "$work/disk-full-reference" full-a full-b
    check "disk full: no temporary file is left behind" bash -c "! '$sandbox' exec find '$state' -name '*.tmp' | grep -q ."
    # STATUS= is sent once per report interval: the note clears at the first tick after the writes.
    check "disk full: StatusText no longer reports unsaved results" wait_until 15 bash -c \
        "! '$sandbox' exec systemctl show -p StatusText --value lossd | grep -q 'not saved'"
    check "disk full: still active with NRestarts unchanged" bash -c \
        "[ \"\$('$sandbox' exec systemctl is-active lossd)\" = active ] && [ \"\$('$sandbox' exec systemctl show -p NRestarts --value lossd)\" = '$restarts' ]"
    stop_lossd
    in_sandbox umount "$state"
}
