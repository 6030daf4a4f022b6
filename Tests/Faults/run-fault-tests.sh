#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fault injection outside systemd: `lossd run` on a state directory that fills up (during a
# result, a history, a checkpoint, status.json), turns read-only, is deleted, fails with EIO,
# has a file in place of results/, or is shared by two runs. Each fault run must end with the
# expected exit status (74 while work is not on disk), and each scenario ends with a rerun that
# exits 0 with results bit-identical to an undisturbed run (output, loss, steps, status and the
# history CSV; timestamps and durations aside), no temporary file left and every result readable.
#
#   Tests/Faults/run-fault-tests.sh                 # builds lossd (debug)
#   LOSSD_BINARY=.build/release/lossd Tests/Faults/run-fault-tests.sh
#
# Needs root (tmpfs mounts, remounting read-only; as root chmod does not stop writes) and cc;
# otherwise it says why and skips (exit 0). EIO comes from an LD_PRELOAD shim (eio-shim.c):
# device-mapper's dm-error target needs /dev/mapper, which containers usually lack.
# Prints one "ok N - ..." or "not ok N - ..." line per check and a closing "N passed, M failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

skip() { echo "faults: skipped: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root (tmpfs mounts)"
command -v cc >/dev/null || skip "needs a C compiler (cc) for the EIO shim"
command -v python3 >/dev/null || skip "needs python3 to compare results"

binary="${LOSSD_BINARY:-}"
if [ -z "$binary" ]; then
    swift build --product lossd 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]|^Building|^Build complete' || true
    binary="$(swift build --show-bin-path)/lossd"
fi
[ -x "$binary" ] || { echo "no lossd binary at $binary" >&2; exit 1; }

work="$(mktemp -d /tmp/lossd-faults.XXXXXX)"
mnt="$work/mnt"
mkdir -p "$mnt"
cleanup() {
    [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null
    mountpoint -q "$mnt" && umount "$mnt"
    rm -rf "$work"
}
trap cleanup EXIT
cc -shared -fPIC -o "$work/eio-shim.so" Tests/Faults/eio-shim.c -ldl || { echo "cannot build the EIO shim" >&2; exit 1; }

passed=0; failed=0; number=0
check() {  # check NAME COMMAND...: records one result
    local name="$1"; shift
    number=$((number + 1))
    if "$@" >"$work/check.log" 2>&1; then
        passed=$((passed + 1)); echo "ok $number - $name"
    else
        failed=$((failed + 1)); echo "not ok $number - $name"
        tail -n 6 "$work/check.log" | sed 's/^/   | /'
        [ -f "$work/run.log" ] && tail -n 4 "$work/run.log" | sed 's/^/   l /'
    fi
}
equals() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }
contains() { grep -q -- "$2" "$1" || { echo "'$2' not in $1:"; tail -n 5 "$1"; return 1; }; }
wait_until() {  # wait_until SECONDS COMMAND...
    local deadline=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do [ $SECONDS -ge $deadline ] && return 1; sleep 0.1; done
}
# Whether status.json shows the first job past step 50 (the run is under way).
under_way() { python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["jobs"][0]["step"] >= 50 else 1)' "$1/status.json"; }
mount_tmpfs() { mountpoint -q "$mnt" && umount "$mnt"; mount -t tmpfs -o "size=$1" tmpfs "$mnt"; }
# fill_leaving BYTES: a filler file leaving about BYTES free on the tmpfs.
fill_leaving() {
    local free; free=$(($(stat -f -c '%a * %S' "$mnt")))
    head -c $((free - $1)) /dev/zero >"$mnt/filler" 2>/dev/null || true
}
# The first state file a fault run failed to write, as its log names it.
first_failure() { grep -m1 -oE 'cannot (write|checkpoint)[^/]*(/[^ :]*)' "$work/run.log" | grep -oE '/[^ ]*$'; }

# Compares a state directory with the undisturbed reference: per result the fields that do not
# depend on time, and the history CSV byte for byte; no temporary file, no checkpoint left.
same_as_reference() {  # same_as_reference STATE REFERENCE
    python3 - "$1" "$2" <<'EOF'
import json, os, sys
state, reference = sys.argv[1:]
problems = []
names = sorted(os.listdir(f"{reference}/results"))
for name in names:
    try:
        got = json.load(open(f"{state}/results/{name}"))
    except Exception as error:
        problems.append(f"{name}: {error}"); continue
    want = json.load(open(f"{reference}/results/{name}"))
    for key in ("status", "status_detail", "status_code", "steps", "loss", "best_loss", "grad_norm", "lr", "output", "shape"):
        if json.dumps(got.get(key)) != json.dumps(want.get(key)):
            problems.append(f"{name}: {key} differs")
    job = name[:-5]
    if open(f"{state}/history/{job}.csv", "rb").read() != open(f"{reference}/history/{job}.csv", "rb").read():
        problems.append(f"{job}.csv differs")
    if not os.path.exists(f"{state}/charts/{job}.svg"):
        problems.append(f"{job}.svg missing")
extra = sorted(set(os.listdir(f"{state}/results")) - set(names))
temporaries = [os.path.join(d, f) for d, _, files in os.walk(state) for f in files if f.startswith(".") and "tmp" in f]
checkpoints = os.listdir(f"{state}/checkpoints")
problems += [f"unexpected result {e}" for e in extra] + [f"left temporary {t}" for t in temporaries]
problems += [f"left checkpoint {c}" for c in checkpoints]
print("\n".join(problems) or f"{len(names)} results identical")
sys.exit(1 if problems else 0)
EOF
}

# MARK: - Configurations and their undisturbed runs

# mid: 20,000 elements (a 410 KB result, a 160 KB checkpoint, 47 KB of history), about 5 s in a
# debug build; small: 3 elements, 1,000 history rows (45 KB); many: 40 small jobs (a 12 KB status.json).
daemon_section='daemon:
  report_interval: 100ms
  checkpoint_interval: 1h
  workers: 2'
cat >"$work/mid.yaml" <<EOF
$daemon_section
jobs:
  - name: mid
    loss: mse
    init: {random: normal, shape: [20000], mean: 0, std: 1}
    target: {random: normal, shape: [20000], mean: 1, std: 1}
    optimizer: {name: sgd, lr: 0.1}
    max_steps: 1000
    tolerance: 0
    seed: 7
EOF
cat >"$work/small.yaml" <<EOF
$daemon_section
jobs:
  - name: small
    loss: mse
    init: [10, 10, 10]
    target: [30, 20, 50]
    optimizer: {name: sgd, lr: 0.001}
    max_steps: 2000
    tolerance: 0
EOF
{ echo "$daemon_section"; echo "jobs:"
  for i in $(seq 1 40); do
      printf '  - {name: job-%02d, loss: l1, init: [10, 10, %d], target: [30, 20, 50], optimizer: {name: sgd, lr: 0.001}, max_steps: 3000, tolerance: 0}\n' "$i" "$i"
  done; } >"$work/many.yaml"
for config in mid small many; do
    "$binary" run "$work/$config.yaml" --state-dir "$work/reference-$config" 2>"$work/run.log" >/dev/null
    check "undisturbed run of $config exits 0" equals "$?" 0
done

# run_fault CONFIG STATE [ENV...]: a foreground run, its exit status in $status.
run_fault() {
    local config="$1" state="$2"; shift 2
    env "$@" "$binary" run "$work/$config.yaml" --state-dir "$state" 2>"$work/run.log" >/dev/null
    status=$?
}
# start_fault CONFIG STATE [ENV...]: the same in the background ($daemon); finish with `finish`.
start_fault() {
    local config="$1" state="$2"; shift 2
    env "$@" "$binary" run "$work/$config.yaml" --state-dir "$state" 2>"$work/run.log" >/dev/null &
    daemon=$!
}
finish() { wait "$daemon"; status=$?; daemon=; }
# rerun CONFIG STATE NAME: the run after the fault is repaired, compared with the reference.
rerun() {
    local config="$1" state="$2" name="$3"
    "$binary" run "$work/$config.yaml" --state-dir "$state" 2>"$work/run.log" >/dev/null
    check "$name: the rerun exits 0" equals "$?" 0
    check "$name: the rerun is bit-identical to an undisturbed run, nothing left temporary" same_as_reference "$state" "$work/reference-$config"
}

# MARK: - Full disk

# During a result: history and chart fit, the 410 KB result does not.
mount_tmpfs 160k
run_fault mid "$mnt/st"
check "full during a result: exit 74" equals "$status" 74
check "full during a result: the result is the failed write" bash -c "[[ \$(grep -m1 -oE 'cannot write the files of job mid: [^ ]*' '$work/run.log') == *'/results/mid.json:' ]]"
check "full during a result: stderr lists the job and the reason" contains "$work/run.log" "not saved to $mnt/st: mid (result: state directory full)"
check "full during a result: one entry per job plus one per retry round" bash -c "[ \$(grep -c 'error' '$work/run.log') -le 6 ]"
mount -o remount,size=8m "$mnt"
rerun mid "$mnt/st" "full during a result"

# During the result of a resumed job: a stop checkpoints it, then the resumed run cannot write
# its result; the checkpoint is kept, and the rerun resumes from it rather than starting over.
mount_tmpfs 8m
start_fault mid "$mnt/st"
wait_until 30 under_way "$mnt/st"
kill -TERM "$daemon"
finish
check "kept checkpoint: a stop with space checkpoints and exits 0" equals "$status" 0
kept="$(head -c 300 "$mnt/st/checkpoints/mid.ckpt" | md5sum)"
fill_leaving 100000
run_fault mid "$mnt/st"
check "kept checkpoint: the resumed run cannot write its result and exits 74" equals "$status" 74
check "kept checkpoint: the checkpoint it resumed from is still on disk" equals "$(head -c 300 "$mnt/st/checkpoints/mid.ckpt" | md5sum)" "$kept"
rm -f "$mnt/filler"
rerun mid "$mnt/st" "kept checkpoint"
check "kept checkpoint: the rerun resumed from it" contains "$work/run.log" "job mid resumed from its checkpoint at step"

# During a history: status.json fits, the 45 KB history does not.
mount_tmpfs 24k
run_fault small "$mnt/st"
check "full during a history: exit 74" equals "$status" 74
check "full during a history: the history is the failed write" bash -c "[[ \$(grep -m1 -oE 'cannot write the files of job small: [^ ]*' '$work/run.log') == *'/history/small.csv:' ]]"
mount -o remount,size=8m "$mnt"
rerun small "$mnt/st" "full during a history"

# During a checkpoint: SIGTERM while the 160 KB checkpoint cannot fit.
mount_tmpfs 160k
start_fault mid "$mnt/st"
wait_until 30 under_way "$mnt/st"
kill -TERM "$daemon"
finish
check "full during a checkpoint: SIGTERM exits 74" equals "$status" 74
check "full during a checkpoint: the log says the checkpoint failed" contains "$work/run.log" "cannot checkpoint job mid: $mnt/st/checkpoints/mid.ckpt"
check "full during a checkpoint: status.json marks it unsaved" \
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); j=d["jobs"][0]; sys.exit(0 if j["status"]=="paused" and j.get("unsaved")=="state directory full" and "1 checkpoint not saved: state directory full" in d["summary"] else 1)' "$mnt/st/status.json"
mount -o remount,size=8m "$mnt"
rerun mid "$mnt/st" "full during a checkpoint"

# During status.json: a tmpfs with 8 KB left; the 12 KB status.json is the first write to fail,
# logged once however many report ticks pass.
mount_tmpfs 4m
mkdir -p "$mnt/st"
fill_leaving 8192
run_fault many "$mnt/st"
check "full during status.json: exit 74" equals "$status" 74
check "full during status.json: status.json is the first failed write" equals "$(first_failure)" "$mnt/st/status.json"
check "full during status.json: its failure is logged once" equals "$(grep -c "cannot write $mnt/st/status.json" "$work/run.log")" 1
rm -f "$mnt/filler"
rerun many "$mnt/st" "full during status.json"

# MARK: - Read-only, deleted, EIO, results/ a file

mount_tmpfs 8m
start_fault mid "$mnt/st"
wait_until 30 under_way "$mnt/st"
check "read-only mid-run: the tmpfs is remounted read-only under lossd" mount -o remount,ro "$mnt"
finish
check "read-only mid-run: exit 74" equals "$status" 74
check "read-only mid-run: stderr says read-only" contains "$work/run.log" "mid (result: state directory read-only)"
mount -o remount,rw "$mnt"
rerun mid "$mnt/st" "read-only mid-run"

mount_tmpfs 8m
start_fault mid "$mnt/st"
wait_until 30 under_way "$mnt/st"
rm -rf "$mnt/st"
finish
check "deleted mid-run: the directory is recreated and the result written (exit 0)" equals "$status" 0
check "deleted mid-run: the failure was logged as missing" contains "$work/run.log" "results/mid.json\|history/mid.csv"
check "deleted mid-run: the recovery was logged" contains "$work/run.log" "that could not be saved before: mid"
rerun mid "$mnt/st" "deleted mid-run"

mount_tmpfs 8m
start_fault mid "$mnt/st" LD_PRELOAD="$work/eio-shim.so" LOSSD_EIO_DIR="$mnt/st" LOSSD_EIO_TRIGGER="$work/eio"
wait_until 30 under_way "$mnt/st"
touch "$work/eio"
finish
rm -f "$work/eio"
check "EIO mid-run: exit 74" equals "$status" 74
check "EIO mid-run: stderr says I/O error" contains "$work/run.log" "mid (result: state directory I/O error)"
rerun mid "$mnt/st" "EIO mid-run"

mount_tmpfs 8m
mkdir -p "$mnt/st" && echo "not a directory" >"$mnt/st/results"
run_fault small "$mnt/st"
check "results/ a file: exit 74" equals "$status" 74
check "results/ a file: stderr says not writable" contains "$work/run.log" "small (result: state directory not writable)"
rm -f "$mnt/st/results"
rerun small "$mnt/st" "results/ a file"

# MARK: - Two runs on one directory

mount_tmpfs 8m
start_fault mid "$mnt/st"
wait_until 30 test -s "$mnt/st/lock"
first=$daemon
"$binary" run "$work/mid.yaml" --state-dir "$mnt/st" 2>"$work/second.log" >/dev/null
check "two runs: the second exits 73" equals "$?" 73
check "two runs: the second names the holder" contains "$work/second.log" "is in use by pid $first"
finish
check "two runs: the first exits 0" equals "$status" 0
check "two runs: the first's results are intact" same_as_reference "$mnt/st" "$work/reference-mid"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
