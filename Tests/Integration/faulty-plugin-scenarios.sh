#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Plugins that hang or crash, under the real lossd.service. The fixture
# Tests/PluginFixtures/faulty/faulty.c is built twice with cc (a `compute` that never returns, one
# that writes through a null pointer) and installed into /usr/lib/lossd/plugins; one job calls it
# beside plain jobs.
#   stop-hung      systemctl stop with a hung plugin returns within TimeoutStopSec (15 s by a
#                  drop-in, to keep the test short; the shipped unit says 60 s), lossd exits by
#                  itself (Result=success) and the plain jobs are checkpointed; the plain jobs'
#                  checkpoints advance beside the hung one; no "Failed to set thread priority".
#   watchdog-hung  with WatchdogSec=3s (drop-in) the hung plugin stops the pings, systemd
#                  restarts lossd once; the next start marks the job failed ("crashed in plugin
#                  FILE") and does not run it again; the unit stays up, the plain jobs finish.
#   crash          a segfault in the plugin: the same, after one restart.
#
# Sourced by run-systemd-tests.sh: uses its check, in_sandbox, wait_until, unit_property,
# fresh_lossd, stop_lossd, mse_job, $work, $state, $root, $sandbox.

# build_faulty_plugin hang|segfault: builds liblossd-test-FAULT.so and installs it in the sandbox.
build_faulty_plugin() {
    local fault="$1" compiler
    compiler="$(command -v cc || command -v clang)" || { echo "no C compiler for the test plugin" >&2; return 1; }
    "$compiler" -std=c11 -O2 -fPIC -shared "-DFIXTURE_${fault^^}" -I "$root/Sources/CLossdPlugin/include" \
        -o "$work/liblossd-test-$fault.so" "$root/Tests/PluginFixtures/faulty/faulty.c" || return 1
    in_sandbox install -d -m 0755 /usr/lib/lossd/plugins
    in_sandbox install -m 0644 "$work/liblossd-test-$fault.so" "/usr/lib/lossd/plugins/liblossd-test-$fault.so"
}

# faulty_config hang|segfault STEPS: a configuration with the faulty job and two plain jobs of STEPS steps.
faulty_config() {
    cat <<YAML
daemon:
  plugins: [lossd-test-$1]
  report_interval: 500ms
  checkpoint_interval: 1s
jobs:
  - name: faulty-$1
    loss: {name: fixture_$1, fault: true}
    init: [1, 2, 3]
    target: [0, 0, 0]
    optimizer: {name: sgd, lr: 0.1}
    max_steps: 1000
YAML
    mse_job plain-a 1 "$2"
    mse_job plain-b 2 "$2"
}

# drop_in NAME CONTENT...: a drop-in for lossd.service (lines of its [Service] section), then daemon-reload.
drop_in() {
    local name="$1"; shift
    in_sandbox mkdir -p /etc/systemd/system/lossd.service.d
    printf '[Service]\n' >"$work/$name.conf"; printf '%s\n' "$@" >>"$work/$name.conf"
    in_sandbox install -m 0644 "$work/$name.conf" "/etc/systemd/system/lossd.service.d/$name.conf"
    in_sandbox systemctl daemon-reload
}
remove_drop_in() { in_sandbox rm -f "/etc/systemd/system/lossd.service.d/$1.conf"; in_sandbox systemctl daemon-reload; }

# checkpoint_step JOB: the step a job's checkpoint holds (empty when it has none).
# (a checkpoint is one header line, then JSON)
checkpoint_step() { in_sandbox cat "$state/checkpoints/$1.ckpt" 2>/dev/null | sed 1d | python3 -c 'import json,sys; print(json.load(sys.stdin)["step"])' 2>/dev/null; }
# checkpoint_past JOB STEP: JOB's checkpoint holds a step beyond STEP.
checkpoint_past() { local step; step="$(checkpoint_step "$1")"; [ -n "$step" ] && [ "$step" -gt "${2:-0}" ]; }

stop_hung_scenario() {
    echo "== stop with a hung plugin: returns within TimeoutStopSec, the other jobs checkpointed"
    build_faulty_plugin hang || return 1
    faulty_config hang 1000000000 >"$work/stop-hung.yaml"
    fresh_lossd "$work/stop-hung.yaml"
    drop_in stop-timeout "TimeoutStopSec=15s"
    in_sandbox systemctl start lossd
    check "stop-hung: the plain jobs write checkpoints beside the hung one" wait_until 10 in_sandbox test -f "$state/checkpoints/plain-a.ckpt" -a -f "$state/checkpoints/plain-b.ckpt"
    local first; first="$(checkpoint_step plain-a)"
    check "stop-hung: the plain job's checkpoint advances (step ${first:-none} first)" wait_until 5 checkpoint_past plain-a "${first:-0}"
    check "stop-hung: StatusText keeps changing beside the hung job" bash -c \
        "a=\$('$sandbox' exec systemctl show -p StatusText --value lossd); sleep 1.5; [ \"\$('$sandbox' exec systemctl show -p StatusText --value lossd)\" != \"\$a\" ]"
    # libdispatch asks for nice -4 for one of its threads; the unit refuses it and lossd's
    # setpriority drops the refusal quietly (Sources/CLossdPriority), so nothing is logged.
    check "stop-hung: no 'Failed to set thread priority' line in the unit's journal" bash -c \
        "! '$sandbox' exec journalctl -u lossd -o cat --no-pager | grep -q 'Failed to set thread priority'"
    local before stopped_at elapsed
    before="$(checkpoint_step plain-a)"
    stopped_at=$SECONDS
    stop_lossd
    elapsed=$((SECONDS - stopped_at))
    echo "   systemctl stop with a hung plugin took ${elapsed} s (TimeoutStopSec=15s)"
    check "stop-hung: systemctl stop returned within TimeoutStopSec (${elapsed} s < 15 s)" test "$elapsed" -lt 15
    check "stop-hung: lossd exited by itself, not killed at the timeout (Result=success)" bash -c \
        "[ \"\$('$sandbox' exec systemctl show -p Result --value lossd)\" = success ]"
    check "stop-hung: plain-a was checkpointed at stop (past step ${before:-none})" checkpoint_past plain-a "${before:-0}"
    check "stop-hung: plain-b was checkpointed" checkpoint_past plain-b 0
    check "stop-hung: STOPPING was logged" bash -c \
        "'$sandbox' exec journalctl -u lossd -o json --no-pager MESSAGE_ID=9227abbd6327403fbe6ed795b142bb16 | grep -q ."
    remove_drop_in stop-timeout
}

# faulty_job_fails_once NAME FAULT: after the fault, one restart; the faulty job failed with the
# crash marker's reason, never run again; the unit stays up; the plain jobs finish.
faulty_job_fails_once() {
    local name="$1" fault="$2" restarts="$3" since="$4"
    check "$name: the job ends failed, 'crashed in plugin' naming the library" wait_until 40 bash -c \
        "'$sandbox' exec cat '$state/results/faulty-$fault.json' 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d[\"status\"] == \"failed\" and \"crashed in plugin\" in d[\"status_detail\"] and \"liblossd-test-$fault.so\" in d[\"status_detail\"] else 1)'"
    check "$name: the plain jobs finish" wait_until 60 in_sandbox test -f "$state/results/plain-a.json" -a -f "$state/results/plain-b.json"
    sleep 2
    check "$name: the unit is active after exactly one restart (NRestarts $restarts -> $((restarts + 1)))" bash -c \
        "[ \"\$('$sandbox' exec systemctl is-active lossd)\" = active ] && [ \"\$('$sandbox' exec systemctl show -p NRestarts --value lossd)\" = $((restarts + 1)) ]"
    check "$name: the faulty job was not run again after the restart (started once)" bash -c \
        "[ \$('$sandbox' exec journalctl -u lossd --since @$since LOSSD_JOB=faulty-$fault -o json --no-pager | grep -Ec '\"MESSAGE_ID\":\"(25f6c445bf4e491daf4d311363673ef0|f721804bf247465ab40415565c6a758f)\"') -le 1 ]"
}

watchdog_hung_scenario() {
    echo "== watchdog: a hung plugin gets lossd restarted once, its job marked failed"
    build_faulty_plugin hang || return 1
    faulty_config hang 20000000 >"$work/watchdog-hung.yaml"
    fresh_lossd "$work/watchdog-hung.yaml"
    drop_in watchdog-short "WatchdogSec=3s"
    local restarts since; restarts="$(unit_property NRestarts)"; since="$(in_sandbox date +%s)"
    in_sandbox systemctl start lossd
    check "watchdog-hung: systemd kills lossd on the watchdog timeout" wait_until 20 bash -c \
        "'$sandbox' exec journalctl -u lossd --since @$since --no-pager | grep -qi 'watchdog timeout'"
    faulty_job_fails_once watchdog-hung hang "$restarts" "$since"
    stop_lossd
    remove_drop_in watchdog-short
}

crash_scenario() {
    echo "== crash: a segfault in a plugin restarts lossd once, its job marked failed"
    build_faulty_plugin segfault || return 1
    faulty_config segfault 20000000 >"$work/crash.yaml"
    fresh_lossd "$work/crash.yaml"
    local restarts since; restarts="$(unit_property NRestarts)"; since="$(in_sandbox date +%s)"
    in_sandbox systemctl start lossd
    check "crash: lossd died of SIGSEGV in the plugin" wait_until 20 bash -c \
        "'$sandbox' exec journalctl -u lossd --since @$since --no-pager | grep -q 'status=11/SEGV'"
    faulty_job_fails_once crash segfault "$restarts" "$since"
    stop_lossd
}
