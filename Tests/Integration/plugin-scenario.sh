#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Loss plugins under the real, hardened lossd.service (MemoryDenyWriteExecute=yes,
# SystemCallFilter=@system-service, ProtectSystem=strict, DynamicUser=yes): the C example plugin,
# built with the README's plain `cc` command, is installed into /usr/lib/lossd/plugins, found by
# name through the unit's LOSSD_PLUGIN_PATH, and its job runs to convergence; a plugin that is
# missing is reported (MESSAGE_ID pluginRejected) while the unit stays active.
#
#   Tests/Integration/plugin-scenario.sh           # standalone: boots its own sandbox
#   LOSSD_BINARY=.build/debug/lossd Tests/Integration/plugin-scenario.sh
#
# run-systemd-tests.sh can instead source this file and call `plugin_scenario` while its sandbox
# runs with lossd installed: it uses that script's check, in_sandbox, wait_until, $work, $state
# and $root.

# The scenario: needs lossd.service installed (stopped or running) in the sandbox.
plugin_scenario() {
    echo "== plugins: the C example plugin under the hardened unit"
    local compiler
    compiler="$(command -v cc || command -v clang)" || { echo "no C compiler for the plugin" >&2; return 1; }
    "$compiler" -std=c11 -O2 -fPIC -shared -I "$root/Sources/CLossdPlugin/include" \
        -o "$work/liblossd-logcosh.so" "$root/Examples/plugins/logcosh/logcosh.c" -lm || return 1
    cat >"$work/plugins.yaml" <<'YAML'
daemon:
  plugins: [lossd-logcosh, lossd-missing]
jobs:
  - name: plugin-logcosh
    loss: {name: logcosh, sharpness: 2.0}
    init: [10, 10, 10]
    target: [30, 20, 50]
    optimizer: {name: adam, lr: 0.5}
    max_steps: 3000
    tolerance: 1.0e-10
YAML
    in_sandbox systemctl stop lossd >/dev/null 2>&1
    in_sandbox install -d -m 0755 /usr/lib/lossd/plugins
    in_sandbox install -m 0644 "$work/liblossd-logcosh.so" /usr/lib/lossd/plugins/liblossd-logcosh.so
    in_sandbox install -m 0644 "$work/plugins.yaml" /etc/lossd/lossd.yaml
    in_sandbox rm -f "$state/results/plugin-logcosh.json"
    check "lossd.service starts with plugins configured" in_sandbox systemctl start lossd
    check "the plugin loaded from /usr/lib/lossd/plugins" wait_until 20 bash -c \
        "'$sandbox' exec journalctl -u lossd -o cat --no-pager | grep -q 'loaded plugin /usr/lib/lossd/plugins/liblossd-logcosh.so 1.0: logcosh'"
    check "the plugin job converged under the hardened unit" wait_until 30 bash -c \
        "'$sandbox' exec cat '$state/results/plugin-logcosh.json' 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d[\"status\"] == \"converged\" and d[\"loss_function\"] == \"logcosh\" else 1)'"
    check "a missing plugin is logged with the pluginRejected MESSAGE_ID" bash -c \
        "'$sandbox' exec journalctl -u lossd -o json --no-pager MESSAGE_ID=b5fe5a5f62be4c29bc3ec82a3300da44 | grep -q lossd-missing"
    check "the unit stays active" bash -c "[ \"\$('$sandbox' exec systemctl is-active lossd)\" = active ]"
    in_sandbox systemctl stop lossd
}

# Standalone: the minimum of run-systemd-tests.sh around the scenario.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    sandbox="$root/Tests/Integration/sandbox.sh"
    export LOSSD_SANDBOX_STATE=/run/lossd-plugin-scenario
    skip() { echo "plugin scenario: skipped: $*"; exit 0; }
    [ "$(id -u)" -eq 0 ] || skip "needs root"
    command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "needs unshare and nsenter (util-linux)"
    [ -x /lib/systemd/systemd ] || skip "needs systemd installed (/lib/systemd/systemd)"
    binary="${LOSSD_BINARY:-}"
    if [ -z "$binary" ]; then
        swift build -c release --static-swift-stdlib --product lossd 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || exit 1
        binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/lossd"
    fi
    binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
    work="$(mktemp -d /var/tmp/lossd-plugin-scenario.XXXXXX)"
    state=/var/lib/private/lossd
    passed=0; failed=0; number=0
    check() {
        local name="$1"; shift
        number=$((number + 1))
        if "$@" >>"$work/checks.log" 2>&1; then passed=$((passed + 1)); echo "ok $number - $name"
        else failed=$((failed + 1)); echo "not ok $number - $name"; tail -n 5 "$work/checks.log" | sed 's/^/   | /'; fi
    }
    in_sandbox() { "$sandbox" exec "$@"; }
    wait_until() {
        local deadline=$((SECONDS + $1)); shift
        until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.2; done
    }
    trap '"$sandbox" stop; rm -rf "$work"' EXIT
    "$sandbox" start >/dev/null || { echo "sandbox did not boot" >&2; exit 1; }
    in_sandbox install -m 0755 "$binary" /usr/bin/lossd
    in_sandbox install -d -m 0755 /etc/lossd
    in_sandbox install -m 0644 "$root/systemd/lossd.service" /etc/systemd/system/
    in_sandbox systemctl daemon-reload
    plugin_scenario
    [ "$failed" -eq 0 ] || in_sandbox journalctl -u lossd --no-pager -o cat | tail -n 15 | sed 's/^/   journal| /'
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
fi
