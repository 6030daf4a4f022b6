#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Shards side by side on one machine: lossd@sweep-0 and lossd@sweep-1, each with a drop-in that
# runs /etc/lossd/sweep.yaml with --shard I/2 (the README's "One machine"), under the hardened
# unit. Each writes only its own shard's jobs into /var/lib/lossd-sweep-I/shard-I, the journal
# carries LOSSD_SHARD, and `lossd results merge` of the two equals one `lossd run` of the
# configuration bit for bit (every output, loss and step count).
#
# Sourced by run-systemd-tests.sh: uses its check, in_sandbox, wait_until, $work, $sandbox, $root.

shard_scenario() {
    echo "== shards: lossd@sweep-0 and lossd@sweep-1 run the two shards of one sweep, merged"
    cat >"$work/sweep.yaml" <<'YAML'
jobs:
  - name: grid
    loss: mse
    init: [10, 10, 10]
    target: [30, 20, 50]
    optimizer: {name: sgd, lr: 0.1}
    max_steps: 500
    sweep: {seed: [0, 1, 2, 3, 4], optimizer.lr: [0.01, 0.05, 0.1]}
  - name: wide
    loss: huber
    init: {random: normal, shape: [5000], seed: 1}
    target: {random: uniform, shape: [5000], seed: 2}
    optimizer: {name: adam, lr: 0.01}
    max_steps: 300
YAML
    in_sandbox install -m 0644 "$work/sweep.yaml" /etc/lossd/sweep.yaml
    local i
    for i in 0 1; do
        in_sandbox mkdir -p "/etc/systemd/system/lossd@sweep-$i.service.d"
        in_sandbox bash -c "printf '[Service]\nExecStart=\nExecStart=/usr/bin/lossd serve --config /etc/lossd/sweep.yaml --shard $i/2\n' \
            >/etc/systemd/system/lossd@sweep-$i.service.d/shard.conf"
    done
    in_sandbox systemctl daemon-reload
    check "shards: lossd@sweep-0 and lossd@sweep-1 start" in_sandbox systemctl start lossd@sweep-0 lossd@sweep-1
    local expected
    expected="$(in_sandbox lossd check /etc/lossd/sweep.yaml --quiet && echo 16)"
    check "shards: both finish, 16 results between them" wait_until 120 bash -c \
        "[ \"\$('$sandbox' exec bash -c 'ls /var/lib/private/lossd-sweep-0/shard-0/results/*.json /var/lib/private/lossd-sweep-1/shard-1/results/*.json 2>/dev/null | wc -l')\" = '${expected:-16}' ]"
    check "shards: no job ran in both" bash -c \
        "[ -z \"\$('$sandbox' exec bash -c 'comm -12 <(ls /var/lib/private/lossd-sweep-0/shard-0/results) <(ls /var/lib/private/lossd-sweep-1/shard-1/results)')\" ]"
    check "shards: the journal names each instance's shard (LOSSD_SHARD)" bash -c \
        "'$sandbox' exec journalctl -u lossd@sweep-0 LOSSD_SHARD=0/2 -o cat --no-pager | grep -q '^shard 0/2: ' && '$sandbox' exec journalctl -u lossd@sweep-1 LOSSD_SHARD=1/2 -o cat --no-pager | grep -q '^shard 1/2: '"
    check "shards: lossd status reads both shards as one table" bash -c \
        "'$sandbox' exec lossd status --state-dir /var/lib/lossd-sweep-0/shard-0 --state-dir /var/lib/lossd-sweep-1/shard-1 | grep -q '^16 jobs: 16 max_steps'"
    in_sandbox systemctl stop lossd@sweep-0 lossd@sweep-1
    check "shards: lossd results merge joins them" in_sandbox lossd results merge /root/sweep-merged /var/lib/lossd-sweep-0/shard-0 /var/lib/lossd-sweep-1/shard-1
    in_sandbox lossd run /etc/lossd/sweep.yaml --state-dir /root/sweep-single >/dev/null 2>&1
    check "shards: the merge equals one lossd run bit for bit" in_sandbox python3 -c '
import json, subprocess, sys
def read(state):
    rows = json.loads(subprocess.check_output(["lossd", "results", "--state-dir", state]))
    return {r["name"]: (json.dumps(r["output"]), repr(r["loss"]), r["steps"]) for r in rows}
merged, single = read("/root/sweep-merged"), read("/root/sweep-single")
sys.exit(0 if len(single) == 16 and merged == single else 1)'
    for i in 0 1; do in_sandbox rm -rf "/etc/systemd/system/lossd@sweep-$i.service.d"; done
    in_sandbox systemctl daemon-reload
}
