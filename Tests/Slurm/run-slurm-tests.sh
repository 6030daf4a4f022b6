#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# contrib/slurm/lossd-array.sbatch on a real single-node Slurm cluster (Tests/Slurm/slurm-cluster.sh,
# started in a temporary directory and always stopped): a 240-job sweep run as 4 array tasks
# must give, once merged by the dependent merge job, the results of one plain lossd run bit for
# bit, also when tasks are requeued, warned of their time limit, or cancelled, mid-run.
#
#   LOSSD_BINARY=/abs/path/to/lossd Tests/Slurm/run-slurm-tests.sh
#
# Scenarios: A  a clean run; the merge rerun by hand is a no-op
#            B  task 1 requeued while running (what preemption and node failure do), task 2 sent
#               the time-limit warning (it requeues itself): both resume from their checkpoints
#            C  task 1 cancelled with scancel, then requeued: it resumes; Slurm drops the merge job
#               (see lossd-array.sbatch), and submitting the same command again completes the merge
#            D  lossd results merge refuses one job with two configuration hashes, naming both
# Needs root (it runs munged, slurmctld and slurmd); otherwise it says why and skips (exit 0).
# Prints TAP: one "ok N - ..." or "not ok N - ..." per check, diagnostics as "# ..." lines, and
# exits 1 when a check failed. LOSSD_SLURM_SCENARIOS=a,d runs only those scenarios;
# LOSSD_SLURM_KEEP=1 keeps the temporary directory for inspection.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cluster="$root/Tests/Slurm/slurm-cluster.sh"
compare="$root/Tests/Slurm/compare-results.py"
launcher="$root/contrib/slurm/lossd-array.sbatch"
shards=4

if [ "$(id -u)" -ne 0 ]; then
    echo "1..0 # SKIP slurm: needs root (it runs munged, slurmctld and slurmd)"
    exit 0
fi
binary="${LOSSD_BINARY:-}"
[[ $binary == /* && -x $binary ]] || { echo "slurm: set LOSSD_BINARY to the absolute path of a lossd binary" >&2; exit 64; }
command -v python3 >/dev/null || { echo "slurm: needs python3" >&2; exit 69; }

work="$(mktemp -d -t lossd-slurm.XXXXXX)"
cleanup() {
    "$cluster" stop "$work/cluster" || true
    if [ "${LOSSD_SLURM_KEEP:-0}" = 1 ]; then echo "# kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
mkdir -p "$work/logs"

# MARK: - TAP

number=0
failed=0
ok() { number=$((number + 1)); echo "ok $number - $1"; }
not_ok() { number=$((number + 1)); failed=$((failed + 1)); echo "not ok $number - $1"; }
note() { sed 's/^/#   /'; }
# check NAME COMMAND...: one test point; the command's output follows as diagnostics (its last
# lines on failure, its last line on success). The command runs in this shell (no subshell), so
# that it can set variables; check returns its status.
check() {
    local name="$1" status=0
    shift
    "$@" >"$work/check.out" 2>&1 || status=$?
    if [ "$status" -eq 0 ]; then
        ok "$name"
        tail -n 1 "$work/check.out" | note
    else
        not_ok "$name"
        tail -n 30 "$work/check.out" | note
    fi
    return "$status"
}

# MARK: - Waiting on Slurm

# wait_until SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds; 1 on timeout.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}
# All of these jobs have left the queue (finished records stay for MinJobAge, an hour, so an
# unknown id is an error rather than "done").
jobs_gone() {
    local out
    out="$(squeue -h -j "$1" -o %i)" || return 1
    [ -z "$out" ]
}
# field JOB NAME: a field of scontrol's one-line record of the job (an array task as ID_TASK).
field() { scontrol -o show job "$1" | head -n 1 | grep -o "\b$2=[^ ]*" | cut -d= -f2-; }
task_running_mid_shard() {  # task_running_mid_shard ARRAY TASK BASE
    [ "$(field "$1_$2" JobState)" = RUNNING ] || return 1
    compgen -G "$3/shard-$2/checkpoints/*.ckpt" >/dev/null
}
# Every task of the array and the merge job completed with exit code 0.
all_completed() {
    local array="$1" merge="$2" lines bad
    lines="$(scontrol -o show job "$array")"
    echo "array $array: $(grep -c . <<<"$lines") task records"
    [ "$(grep -c . <<<"$lines")" -eq "$shards" ] || { echo "expected $shards tasks"; return 1; }
    bad="$(grep -v 'JobState=COMPLETED .*ExitCode=0:0' <<<"$lines" | grep -o 'ArrayTaskId=[^ ]*\|JobState=[^ ]*\|ExitCode=[^ ]*' | paste -sd ' ')" || true
    [ -z "$bad" ] || { echo "not completed with exit code 0: $bad"; return 1; }
    [ "$(field "$merge" JobState) $(field "$merge" ExitCode)" = "COMPLETED 0:0" ] ||
        { echo "merge job $merge: $(field "$merge" JobState) $(field "$merge" ExitCode) $(field "$merge" Reason)"; return 1; }
    echo "all $shards tasks and merge job $merge COMPLETED, exit code 0:0"
}
# What the scheduler and the jobs say, for a failed check.
dump() {
    {
        echo "--- squeue"
        squeue -a 2>&1 || true
        local id
        for id in "$@"; do
            echo "--- scontrol show job $id"
            # One line per task: its state, why, restarts and exit code.
            scontrol -o show job "$id" 2>&1 | while read -r record; do
                grep -o '^JobId=[^ ]*\|ArrayTaskId=[^ ]*\|JobState=[^ ]*\|Reason=[^ ]*\|Restarts=[^ ]*\|ExitCode=[^ ]*\|Dependency=[^ ]*' <<<"$record" | paste -sd ' ' || echo "$record"
            done
        done
        local log
        for log in "$work"/logs/*.out; do
            [ -f "$log" ] || continue
            echo "--- ${log##*/}"
            tail -n 8 "$log"
        done
        echo "--- slurmctld.log"
        tail -n 10 "$work/cluster/log/slurmctld.log" 2>&1 || true
    } | note
}
# submit BASE: the launcher, as a user runs it, from the log directory (where %x-%A_%a.out land);
# sets array_id and merge_id.
submit() {
    local out
    out="$(cd "$work/logs" && LOSSD="$binary" "$launcher" "$work/sweep.yaml" "$1" "$shards")" || return 1
    echo "$out"
    array_id="$(sed -n 's/^array job \([0-9]*\):.*/\1/p' <<<"$out")"
    merge_id="$(sed -n 's/^merge job \([0-9]*\):.*/\1/p' <<<"$out")"
    [ -n "$array_id" ] && [ -n "$merge_id" ]
}
# Waits for an array and its merge job to leave the queue; a not-ok point (with the scheduler's
# view) and the jobs cancelled on timeout, so that the next scenario starts on an empty queue.
wait_done() {  # wait_done SCENARIO ARRAY MERGE
    local started=$SECONDS
    if wait_until 600 jobs_gone "$2,$3"; then
        ok "$1: array $2 and merge job $3 left the queue ($((SECONDS - started)) s)"
    else
        not_ok "$1: array $2 and merge job $3 still queued after 600 s"
        dump "$2" "$3"
        scancel "$2" "$3" 2>/dev/null || true
        wait_until 60 jobs_gone "$2,$3" || true
        return 1
    fi
}

# MARK: - The sweep and its reference

# 240 free-tensor jobs of three sizes: 4 losses x 20 seeds each, drawn at random from the seed.
# l1 runs its full max_steps, the others converge earlier; each job takes a fraction of a second,
# the whole sweep about 16 s on one worker of a release build (the binary CI gives), so a task
# can be interrupted mid-run. A debug build takes about ten times as long.
seeds="$(seq -s ', ' 0 19)"
{
    echo "# SPDX-License-Identifier: Apache-2.0"
    echo "daemon: {workers: 1, checkpoint_interval: 100ms, report_interval: 100ms}"
    echo "defaults:"
    echo "  optimizer: {name: adam, lr: 0.05}"
    echo "  max_steps: 3000"
    echo "  tolerance: 1.0e-10"
    echo "jobs:"
    for size in "small [1024]" "medium [2048, 4]" "large [4096, 8]"; do
        shape="${size#* }"
        echo "  - name: ${size%% *}"
        echo "    init: {random: normal, shape: $shape, mean: 0, std: 2}"
        echo "    target: {random: uniform, shape: $shape, low: -1, high: 1}"
        echo "    sweep:"
        echo "      loss: [mse, l1, huber, smooth_l1]"
        echo "      seed: [$seeds]"
    done
} >"$work/sweep.yaml"

started=$SECONDS
check "reference: one lossd run of the 240-job sweep" \
    "$binary" run "$work/sweep.yaml" --state-dir "$work/reference" || { echo "Bail out! no reference results"; exit 1; }
echo "#   reference run: $((SECONDS - started)) s"

if ! check "cluster: a single-node Slurm cluster starts" "$cluster" start "$work/cluster"; then
    echo "Bail out! no Slurm cluster"
    exit 1
fi
# shellcheck source=/dev/null
. "$work/cluster/env"

# MARK: - A: a clean run

scenario_a() {
    local base="$work/a"
    check "A: the launcher submits the array and the merge job" submit "$base" || return 0
    local array="$array_id" merge="$merge_id"
    wait_done A "$array" "$merge" || return 0
    check "A: every task and the merge job completed, exit code 0" all_completed "$array" "$merge" || dump "$array" "$merge"
    local dirs=()
    for ((i = 0; i < shards; i++)); do dirs+=("$base/shard-$i"); done
    check "A: the $shards shard directories hold disjoint sets of jobs covering the sweep" \
        python3 "$compare" partition "$work/reference" "${dirs[@]}"
    check "A: the merged results equal the reference bit for bit" \
        python3 "$compare" equal "$work/reference" "$base/merged"
    check "A: merging again by hand (lossd-array.sbatch --merge) is a no-op" \
        env LOSSD="$binary" "$launcher" --merge "$base"
    check "A: ... and the merged results still equal the reference" \
        python3 "$compare" equal "$work/reference" "$base/merged"
}

# MARK: - B: requeued and time-limited tasks resume

scenario_b() {
    local base="$work/b"
    check "B: the launcher submits the array and the merge job" submit "$base" || return 0
    local array="$array_id" merge="$merge_id"

    # scontrol requeue of a RUNNING task is what Slurm does on preemption (PreemptMode=REQUEUE)
    # and on a node failure with --requeue: every process gets SIGTERM, then SIGKILL after
    # KillWait, and the task goes back to PENDING. (scancel then requeue is scenario C.)
    if wait_until 300 task_running_mid_shard "$array" 1 "$base"; then
        ok "B: task 1 is running with a checkpoint in shard-1/checkpoints"
        echo "#   shard-1: $(ls "$base/shard-1/results" 2>/dev/null | wc -l) results when requeued"
        check "B: scontrol requeue of running task ${array}_1" scontrol requeue "${array}_1"
        check "B: task 1 left RUNNING, requeued (Restarts=1)" \
            wait_until 60 eval '[ "$(field '"${array}_1"' JobState)" != RUNNING ] && [ "$(field '"${array}_1"' Restarts)" = 1 ]'
    else
        not_ok "B: task 1 never ran with a checkpoint in shard-1/checkpoints (the shard ends too fast?)"
        dump "$array" "$merge"
    fi

    # The time-limit warning (#SBATCH --signal=B:USR1@60) sent now, to the batch shell only, as
    # Slurm does: the task checkpoints and requeues itself.
    if wait_until 300 task_running_mid_shard "$array" 2 "$base"; then
        ok "B: task 2 is running with a checkpoint in shard-2/checkpoints"
        echo "#   shard-2: $(ls "$base/shard-2/results" 2>/dev/null | wc -l) results when warned"
        check "B: scancel --batch --signal=USR1 ${array}_2 (the time-limit warning)" \
            scancel --batch --signal=USR1 "${array}_2"
        check "B: task 2 requeued itself (Restarts=1)" \
            wait_until 60 eval '[ "$(field '"${array}_2"' Restarts)" = 1 ]'
    else
        not_ok "B: task 2 never ran with a checkpoint in shard-2/checkpoints (the shard ends too fast?)"
        dump "$array" "$merge"
    fi

    wait_done B "$array" "$merge" || return 0
    check "B: every task and the merge job completed, exit code 0" all_completed "$array" "$merge" || dump "$array" "$merge"
    local task
    for task in 1 2; do
        check "B: task $task resumed from its checkpoints (a result with \"resumed\": true)" \
            python3 "$compare" resumed "$base/shard-$task"
        check "B: task $task's log shows its restart and the resumed jobs" \
            eval 'grep "restart 1," "$work/logs/lossd-${array}_$task.out" && grep -m 1 "resumed from its checkpoint" "$work/logs/lossd-${array}_$task.out"'
        check "B: nothing left in shard-$task/checkpoints" \
            eval '! compgen -G "'"$base/shard-$task"'/checkpoints/*" >/dev/null || { ls "'"$base/shard-$task"'/checkpoints"; false; }'
    done
    check "B: the merged results equal the reference bit for bit" \
        python3 "$compare" equal "$work/reference" "$base/merged"
}

# MARK: - C: a cancelled task, requeued; the same command submitted again

scenario_c() {
    local base="$work/c"
    check "C: the launcher submits the array and the merge job" submit "$base" || return 0
    local array="$array_id" merge="$merge_id"
    if ! wait_until 300 task_running_mid_shard "$array" 1 "$base"; then
        not_ok "C: task 1 never ran with a checkpoint in shard-1/checkpoints (the shard ends too fast?)"
        dump "$array" "$merge"
        scancel "$array" "$merge" 2>/dev/null || true
        return 0
    fi
    ok "C: task 1 is running with a checkpoint in shard-1/checkpoints"
    check "C: scancel ${array}_1" scancel "${array}_1"
    # Until its processes have exited (out of squeue), a cancelled task is still completing.
    check "C: task 1 left RUNNING: CANCELLED, and its processes exited" \
        wait_until 60 eval '[ "$(field '"${array}_1"' JobState)" = CANCELLED ] && jobs_gone '"${array}_1"
    check "C: scontrol requeue of the cancelled task ${array}_1" scontrol requeue "${array}_1"
    wait_done C "$array" "$merge" || return 0
    check "C: task 1 completed after its requeue, exit code 0" \
        eval '[ "$(field '"${array}_1"' JobState) $(field '"${array}_1"' ExitCode) $(field '"${array}_1"' Restarts)" = "COMPLETED 0:0 1" ]'
    check "C: task 1 resumed from its checkpoints (a result with \"resumed\": true)" \
        python3 "$compare" resumed "$base/shard-1"
    # Not asserted either way: Slurm 22.05 cancels the merge job (DependencyNeverSatisfied)
    # because the array had a cancelled task; the resubmission below merges in any case.
    echo "#   merge job $merge after the cancelled task: $(field "$merge" JobState) ($(field "$merge" Reason))"

    check "C: the same command submitted again" submit "$base" || return 0
    local array2="$array_id" merge2="$merge_id"
    wait_done C "$array2" "$merge2" || return 0
    check "C: every task of the second array and its merge job completed, exit code 0" \
        all_completed "$array2" "$merge2" || dump "$array2" "$merge2"
    check "C: the merged results equal the reference bit for bit" \
        python3 "$compare" equal "$work/reference" "$base/merged"
}

# MARK: - D: conflicting results are refused

scenario_d() {
    local base="$work/d"
    printf '%s\n' "jobs:" "  - name: conflict" "    loss: mse" "    init: [10, 10, 10]" \
        "    target: [30, 20, 50]" "    optimizer: {name: sgd, lr: 0.1}" "    max_steps: 200" >"$work/conflict.yaml"
    check "D: one job run into two directories with different lr" eval \
        '"$binary" run "$work/conflict.yaml" --state-dir "$base/one" 2>/dev/null &&
         "$binary" run "$work/conflict.yaml" jobs.conflict.optimizer.lr=0.2 --state-dir "$base/two" 2>/dev/null'
    local status=0 message
    message="$("$binary" results merge "$base/out" "$base/one" "$base/two" 2>&1)" || status=$?
    if [ "$status" -ne 0 ] && grep -qF "$base/one" <<<"$message" && grep -qF "$base/two" <<<"$message"; then
        ok "D: lossd results merge refuses the conflict (exit $status), naming both directories"
    else
        not_ok "D: lossd results merge of a conflict: exit $status, expected non-zero naming $base/one and $base/two"
    fi
    note <<<"$message"
    check "D: ... and writes no result" eval '! compgen -G "$base/out/results/*.json" >/dev/null'
}

# A scenario goes on after a failed check: called in an || list, its commands do not stop the
# script (set -e is off in there), and each check reports for itself.
for scenario in a b c d; do
    [[ ,${LOSSD_SLURM_SCENARIOS:-a,b,c,d}, == *,$scenario,* ]] || continue
    started=$SECONDS
    "scenario_$scenario" || true
    echo "#   scenario ${scenario^^}: $((SECONDS - started)) s"
done

echo "1..$number"
echo "# $((number - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
