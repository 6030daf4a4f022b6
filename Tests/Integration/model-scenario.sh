#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Model jobs under the real, hardened lossd.service: a model job trained on Iris (the shipped
# configs/data/iris.csv, installed beside the configuration) reports epochs to journald
# (LOSSD_EPOCH, LOSSD_TRAIN_LOSS, LOSSD_VAL_LOSS, LOSSD_ACCURACY), is checkpointed, survives
# kill -9 of the main process and ends with the same model file, bit for bit, as an
# uninterrupted run outside systemd; a reload adds a model job; a reload whose data file is
# broken is rejected naming the data file's line while the unit stays active.
#
# Sourced by run-systemd-tests.sh: uses its check, in_sandbox, wait_until, journal_has,
# stop_lossd, fresh_lossd, $binary, $work, $sandbox, $state and $root.

model_scenario() {
    echo "== model jobs: epochs in the journal, kill -9 resume bit-identical, reload"
    mkdir -p "$work/model/data"
    cp "$root/configs/data/iris.csv" "$work/model/data/iris.csv"
    cat >"$work/model/lossd.yaml" <<'YAML'
daemon:
  report_interval: 500ms
  checkpoint_interval: 1s
jobs:
  - name: iris-long
    loss: cross_entropy
    model:
      layers: [{linear: {in_features: 4, out_features: 32}}, tanh, {linear: {in_features: 32, out_features: 3}}]
    data:
      train: {path: data/iris.csv, target: species}
      validation: {split: 0.2}
    optimizer: {name: adam, lr: 0.00005}
    batch_size: 8
    epochs: 120000
    seed: 5
YAML
    cp "$work/model/lossd.yaml" "$work/model/added.yaml"
    cat >>"$work/model/added.yaml" <<'YAML'
  - name: iris-added
    loss: multi_margin
    model:
      layers: [{linear: {in_features: 4, out_features: 3}}]
    data:
      train: {path: data/iris.csv, target: species}
    optimizer: {name: sgd, lr: 0.01, momentum: 0.9}
    batch_size: 30
    epochs: 20
    seed: 2
YAML
    # The reference: the same configuration, uninterrupted, outside systemd.
    "$binary" run "$work/model/lossd.yaml" --state-dir "$work/model/reference" >/dev/null 2>&1 \
        || { echo "model reference run failed" >&2; return 1; }
    local reference_sum
    reference_sum="$(sha256sum <"$work/model/reference/models/iris-long.safetensors" | cut -d' ' -f1)"

    fresh_lossd "$work/model/lossd.yaml"
    in_sandbox install -d -m 0755 /etc/lossd/data
    in_sandbox install -m 0644 "$work/model/data/iris.csv" /etc/lossd/data/iris.csv
    check "model: lossd.service starts with a model job" in_sandbox systemctl start lossd
    check "model: progress entries carry LOSSD_EPOCH, LOSSD_TRAIN_LOSS, LOSSD_VAL_LOSS, LOSSD_ACCURACY" wait_until 20 bash -c \
        "'$sandbox' exec journalctl -u lossd LOSSD_JOB=iris-long -o json --no-pager MESSAGE_ID=91e63efe1c244945a56af9f9506eb24d | grep '\"LOSSD_EPOCH\"' | grep '\"LOSSD_TRAIN_LOSS\"' | grep '\"LOSSD_VAL_LOSS\"' | grep -q '\"LOSSD_ACCURACY\"'"
    check "model: StatusText names the running job" bash -c "'$sandbox' exec systemctl show -p StatusText --value lossd | grep -q running"
    check "model: the model job left a checkpoint" wait_until 15 in_sandbox test -f "$state/checkpoints/iris-long.ckpt"

    local restarts_before
    restarts_before="$(in_sandbox systemctl show -p NRestarts --value lossd)"
    in_sandbox systemctl kill -s KILL --kill-whom=main lossd
    check "model: systemd restarts lossd after kill -9" wait_until 15 bash -c \
        "[ \"\$('$sandbox' exec systemctl show -p NRestarts --value lossd)\" -gt $restarts_before ] && [ \"\$('$sandbox' exec systemctl is-active lossd)\" = active ]"
    check "model: the job resumed from its checkpoint" wait_until 15 bash -c \
        "'$sandbox' exec journalctl -u lossd LOSSD_JOB=iris-long MESSAGE_ID=f721804bf247465ab40415565c6a758f -o cat --no-pager | grep -q ."
    check "model: iris-long finished and wrote its model file" wait_until 300 in_sandbox test -f "$state/results/iris-long.json" -a -f "$state/models/iris-long.safetensors"
    check "model: the model file is bit-identical to the uninterrupted run's" bash -c \
        "[ \"\$('$sandbox' exec sha256sum $state/models/iris-long.safetensors | cut -d' ' -f1)\" = '$reference_sum' ]"
    check "model: the result has the model section with a validation loss and accuracy" bash -c \
        "'$sandbox' exec cat $state/results/iris-long.json | python3 -c 'import json,sys; m=json.load(sys.stdin)[\"model\"]; sys.exit(0 if m[\"val_loss\"] is not None and 0 <= m[\"accuracy\"] <= 1 and m[\"file\"] == \"models/iris-long.safetensors\" else 1)'"

    in_sandbox install -m 0644 "$work/model/added.yaml" /etc/lossd/lossd.yaml
    check "model: systemctl reload adds a model job" in_sandbox systemctl reload lossd
    check "model: the added model job ran to its end" wait_until 30 in_sandbox test -f "$state/models/iris-added.safetensors" -a -f "$state/results/iris-added.json"

    # A data file broken at line 4: the reload is rejected, naming it; the daemon keeps running.
    in_sandbox bash -c "sed '4s/^[^,]*,/oops,/' /etc/lossd/data/iris.csv >/etc/lossd/data/broken.csv"
    in_sandbox bash -c "sed 's#data/iris.csv#data/broken.csv#' /etc/lossd/lossd.yaml >/etc/lossd/broken-data.yaml && install -m 0644 /etc/lossd/broken-data.yaml /etc/lossd/lossd.yaml"
    check "model: a reload with a broken data file fails" bash -c "! '$sandbox' exec systemctl reload lossd"
    check "model: the error names the data file's line" bash -c \
        "'$sandbox' exec journalctl -u lossd -p err -o cat --no-pager | grep -q '/etc/lossd/data/broken.csv:4'"
    check "model: the unit stays active" bash -c "[ \"\$('$sandbox' exec systemctl is-active lossd)\" = active ]"
    stop_lossd
}
