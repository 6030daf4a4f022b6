#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One writer per state directory under systemd: a `lossd serve` started by hand on
# /var/lib/lossd-same holds its lock when `systemctl start lossd@same` (whose StateDirectory is
# that directory) starts. The unit must fail with exit status 73 and a message naming the holder,
# and not restart-loop (RestartPreventExitStatus=73 in the unit files). `lossd reload` without a
# pid finds the serve holding the directory through its lock, and names `systemctl reload` for
# the unit's.
#
# Sourced by run-systemd-tests.sh: uses its check, in_sandbox, wait_until, mse_job, $work, $sandbox.

lock_scenario() {
    echo "== lock: lossd@same fails with 73 naming the serve that holds its state directory"
    { echo 'jobs:'; mse_job same-long 9 1000000000; } >"$work/same.yaml"
    in_sandbox install -m 0644 "$work/same.yaml" /etc/lossd/same.yaml
    # The directory as systemd lays out a DynamicUser StateDirectory; systemd chowns it at start.
    in_sandbox install -d -m 0700 /var/lib/private /var/lib/private/lossd-same
    in_sandbox ln -sfn private/lossd-same /var/lib/lossd-same
    local holder
    holder="$(in_sandbox bash -c 'lossd serve --config /etc/lossd/same.yaml --state-dir /var/lib/lossd-same </dev/null >/var/log/lossd-same.log 2>&1 & echo $!')"
    check "lock: the serve started by hand holds the lock (pid $holder)" wait_until 10 bash -c \
        "'$sandbox' exec cat /var/lib/private/lossd-same/lock | grep -Eq '\"pid\": ?$holder[,}]'"
    check "lock: systemctl start lossd@same fails" bash -c "! '$sandbox' exec systemctl start lossd@same"
    check "lock: lossd@same exited with status 73" bash -c "[ \"\$('$sandbox' exec systemctl show -p ExecMainStatus --value lossd@same)\" = 73 ]"
    check "lock: the journal names the holder (pid $holder)" bash -c \
        "'$sandbox' exec journalctl -u lossd@same -o cat --no-pager | grep -q 'in use by pid $holder on'"
    sleep 3
    check "lock: lossd@same is failed and was never restarted (NRestarts=0)" bash -c \
        "[ \"\$('$sandbox' exec systemctl show -p NRestarts --value lossd@same)\" = 0 ] && [ \"\$('$sandbox' exec systemctl is-active lossd@same)\" = failed ]"
    check "lock: the serve started by hand runs on, unharmed" in_sandbox kill -0 "$holder"
    check "lock: lossd reload without a pid finds the serve holding the directory and waits for its reload" bash -c \
        "'$sandbox' exec env -u MAINPID lossd reload --state-dir /var/lib/lossd-same --wait | grep -q '^reloaded /etc/lossd/same.yaml'"
    in_sandbox kill -TERM "$holder"
    wait_until 10 bash -c "! '$sandbox' exec kill -0 $holder"
    in_sandbox systemctl reset-failed lossd@same
    check "lock: once the holder is gone lossd@same starts" in_sandbox systemctl start lossd@same
    check "lock: lossd reload without a pid finds lossd@same's serve and names systemctl reload" bash -c \
        "'$sandbox' exec env -u MAINPID lossd reload --state-dir /var/lib/lossd-same --wait 2>&1 | tee -a /dev/stderr | grep -q 'runs as lossd@same.service; systemctl reload lossd@same.service reloads it'"
    in_sandbox systemctl stop lossd@same
}
