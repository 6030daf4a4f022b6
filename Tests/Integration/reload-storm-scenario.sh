#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `systemctl reload` returns only once lossd has read and applied (or rejected) the file: a storm
# of 60 reloads alternating two valid configurations, each written right after the previous
# `systemctl reload` returned, must give 60 "configuration reloaded" entries in order, each one
# adding or removing the job the two files differ in; a broken file makes `systemctl reload` fail
# while the unit stays active.
#
# Sourced by run-systemd-tests.sh: uses its check, in_sandbox, fresh_lossd, stop_lossd, mse_job, $work, $sandbox.

reload_storm_scenario() {
    echo "== reload storm: each systemctl reload applies the file written before it, in order"
    local reloads=60 failures before
    { printf 'daemon:\n  report_interval: 500ms\njobs:\n'; mse_job storm-base 7 1000000000; } >"$work/storm-a.yaml"
    cp "$work/storm-a.yaml" "$work/storm-b.yaml"
    cat >>"$work/storm-b.yaml" <<'YAML'
  - name: storm-extra
    loss: l1
    init: [1, 2, 3]
    target: [1, 2, 5]
    optimizer: {name: sgd, lr: 0.1}
    max_steps: 200
YAML
    fresh_lossd "$work/storm-a.yaml"
    in_sandbox systemctl start lossd
    in_sandbox install -m 0644 "$work/storm-a.yaml" "$work/storm-b.yaml" /etc/lossd/
    before="$(reload_entries | wc -l)"
    # One shell inside the sandbox, so that each file follows the previous reload at once.
    failures="$(in_sandbox bash -c 'failures=0
        for i in $(seq 1 "$1"); do
            if [ $((i % 2)) -eq 1 ]; then cp /etc/lossd/storm-b.yaml /etc/lossd/lossd.yaml
            else cp /etc/lossd/storm-a.yaml /etc/lossd/lossd.yaml; fi
            systemctl reload lossd || failures=$((failures + 1))
        done
        echo $failures' _ "$reloads")"
    check "reload storm: all $reloads systemctl reload calls succeeded" test "$failures" -eq 0
    check "reload storm: $reloads reloads applied, alternately adding and removing storm-extra" \
        storm_applied_in_order "$before" "$reloads"
    in_sandbox install -m 0644 "$work/broken.yaml" /etc/lossd/lossd.yaml
    check "reload storm: systemctl reload of a broken file fails" bash -c "! '$sandbox' exec systemctl reload lossd"
    check "reload storm: the unit stays active after the rejected reload" bash -c "[ \"\$('$sandbox' exec systemctl is-active lossd)\" = active ]"
    in_sandbox install -m 0644 "$work/storm-a.yaml" /etc/lossd/lossd.yaml
    check "reload storm: a good file after the broken one reloads again" in_sandbox systemctl reload lossd
    stop_lossd
}

# The "configuration reloaded" entries of lossd.service: one "ADDED|REMOVED" line each, oldest first.
reload_entries() {
    in_sandbox journalctl -u lossd -o json --no-pager MESSAGE_ID=5a9f270039144186920d51a1bd72459d \
        | python3 -c 'import json,sys
for line in sys.stdin:
    e = json.loads(line); print(e.get("LOSSD_ADDED", "") + "|" + e.get("LOSSD_REMOVED", ""))'
}

# storm_applied_in_order BEFORE COUNT: the COUNT entries after the first BEFORE are storm-extra
# added, removed, added, ... in that order, and no more.
storm_applied_in_order() {
    local expected
    expected="$(for i in $(seq 1 "$2"); do if [ $((i % 2)) -eq 1 ]; then echo 'storm-extra|'; else echo '|storm-extra'; fi; done)"
    diff <(echo "$expected") <(reload_entries | tail -n +"$(($1 + 1))")
}
