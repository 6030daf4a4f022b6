#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots a real systemd as PID 1 in private PID and mount namespaces, over a throwaway overlay
# of / whose writes land in a tmpfs and vanish at stop, so the integration suite can drive
# lossd's real units, sd_notify, journald and journalctl without touching the host.
#
#   sandbox.sh start            boot; prints the PID of the sandbox's systemd
#   sandbox.sh exec CMD [ARG..] run CMD inside (systemctl, journalctl, ...)
#   sandbox.sh stop             shut it down and wait until it is gone
#   sandbox.sh status           exit 0 when running
#
# Needs root and util-linux (unshare, nsenter). One sandbox at a time: two systemds share the
# host's cgroup tree. The overlay matters: booting systemd on the real / would let its tmpfiles
# step empty the host's /tmp.
set -euo pipefail
STATE=${LOSSD_SANDBOX_STATE:-/run/lossd-sandbox}
PIDFILE=$STATE/pid

pid() { [[ -s $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && cat "$PIDFILE"; }

start() {
  if pid >/dev/null; then echo "already running: $(pid)"; return 0; fi
  local other
  for other in $(pgrep -x systemd || true); do
    if [[ $(readlink /proc/$other/ns/pid) != $(readlink /proc/self/ns/pid) ]]; then
      echo "sandbox: another sandboxed systemd runs (pid $other); stop it first" >&2
      return 1
    fi
  done
  mkdir -p "$STATE"; rm -f "$PIDFILE"
  setsid unshare --pid --fork --mount --propagation private -- /bin/bash -c '
    set -eu
    D=$1/root.$$; mkdir -p "$D"; mount -t tmpfs -o mode=0755 tmpfs "$D"
    mkdir -p "$D/upper" "$D/work" "$D/root"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$D/upper,workdir=$D/work" "$D/root"
    mount -t proc proc "$D/root/proc"
    mount --rbind /sys "$D/root/sys"
    mount --rbind /dev "$D/root/dev"
    mkdir -p "$D/root/.oldroot"; cd "$D/root"; pivot_root . .oldroot; umount -l /.oldroot
    exec env container=lossd-sandbox /lib/systemd/systemd --system --show-status=no
  ' _ "$STATE" </dev/null >"$STATE/console.log" 2>&1 &
  local launcher=$!
  for _ in $(seq 1 100); do
    for p in $(pgrep -P "$launcher" -x systemd || true); do echo "$p" >"$PIDFILE"; break 2; done
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.1
  done
  [[ -s $PIDFILE ]] || { echo "sandbox: systemd did not start; see $STATE/console.log" >&2; return 1; }
  local s=
  for _ in $(seq 1 300); do
    s=$(nsenter -t "$(cat "$PIDFILE")" -m -p systemctl is-system-running 2>/dev/null || true)
    case $s in running|degraded) cat "$PIDFILE"; return 0;; esac
    sleep 0.1
  done
  echo "sandbox: not running after 30 s (state: ${s:-none})" >&2; return 1
}

stop() {
  local p; p=$(pid) || { rm -f "$PIDFILE"; return 0; }
  nsenter -t "$p" -m -p systemctl exit >/dev/null 2>&1 || kill -TERM "$p" || true
  for _ in $(seq 1 200); do kill -0 "$p" 2>/dev/null || { rm -f "$PIDFILE"; return 0; }; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null || true; rm -f "$PIDFILE"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) pid >/dev/null ;;
  exec) shift; p=$(pid) || { echo "sandbox: not running" >&2; exit 1; }; exec nsenter -t "$p" -m -p -- "$@" ;;
  *) sed -n '3,12p' "$0" >&2; exit 2 ;;
esac
