#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# lossd's engine against the hand-written C references, the machine's memory bandwidth, PyTorch
# and numpy, in one run: builds the C references (best_loops.c and model_epoch.c with cc -O3
# -march=native) and lossd-perf (release), runs every workload, prints the figures and their
# ratios as a table (metric, lossd, reference, ratio, target).
#
#   Benchmarks/compare.sh [--quick] [--models]
#
# --quick runs shorter workloads, once each (a smoke test; the ratios are noisier). --models runs
# the model-job rows only (about a minute). Set PYTHON to
# the interpreter that has PyTorch (default python3); without PyTorch its figures are skipped. Set
# TARGET_CPU (for example haswell) to build lossd-perf for that CPU (-Xswiftc -target-cpu, in
# .build-TARGET_CPU) instead of the baseline x86-64 that a plain build targets.
# Takes about 3 minutes after the first build (about 30 s with --quick). Run it on a quiet
# machine: the ratios against the C loop are taken between figures measured a minute apart, and
# other load shifts them (the worker-count and reporting ratios are medians of runs made back to
# back, which drift less).
set -eu
cd "$(dirname "$0")"
quick=""
models=""
for argument in "$@"; do
    case "$argument" in
        --quick) quick="--quick" ;;
        --models) models="--models" ;;
        *) echo "usage: compare.sh [--quick] [--models]" >&2; exit 64 ;;
    esac
done
python="${PYTHON:-python3}"
figures=$(mktemp)
trap 'rm -f "$figures"' EXIT

echo "building the C references and lossd-perf ..." >&2
mkdir -p .build
cc -O3 -march=native -fno-math-errno -pthread -o .build/best_loops reference/best_loops.c -lm
cc -O3 -march=native -o .build/model_epoch reference/model_epoch.c -lm
if [ -n "${TARGET_CPU:-}" ]; then
    swift build -c release --product lossd-perf --scratch-path ".build-$TARGET_CPU" -Xswiftc -target-cpu -Xswiftc "$TARGET_CPU" >&2
    perf=".build-$TARGET_CPU/release/lossd-perf"
else
    swift build -c release --product lossd-perf >&2
    perf=.build/release/lossd-perf
fi

if [ -z "$models" ]; then
    # The C references (best_loops.c, -O3 -march=native, 16 accumulator lanes): best of 3 repeats;
    # the machine's bandwidth from the STREAM triad in the same run, best of 10.
    field() { sed -n "s/.* $1=\([0-9.e+-]*\).*/\1/p"; }
    if [ -n "$quick" ]; then seed_steps=10000000; wide_steps=10; else seed_steps=100000000; wide_steps=40; fi

    echo "memory bandwidth (STREAM triad) ..." >&2
    for threads in 1 2; do
        echo "c.triad.t$threads.bytes_per_s $(.build/best_loops triad 10000000 10 "$threads" | field bytes_per_s)" >>"$figures"
    done
    echo "seed job ..." >&2
    echo "c.seed.ns_per_step $(.build/best_loops sgd 3 "$seed_steps" 3 1 | field ns_per_step)" >>"$figures"
    $perf $quick seed >>"$figures"
    echo "wide job ..." >&2
    for threads in 1 2; do
        echo "c.wide.t$threads.ns_per_step $(.build/best_loops sgd 10000000 "$wide_steps" 3 "$threads" | field ns_per_step)" >>"$figures"
    done
    echo "c.wide.adam.ns_per_step $(.build/best_loops adam 10000000 "$wide_steps" 3 | field ns_per_step)" >>"$figures"
    $perf $quick wide >>"$figures"
    echo "1,000 seed jobs ..." >&2
    $perf $quick jobs >>"$figures"
    echo "reporting ..." >&2
    $perf $quick history >>"$figures"
    # journald: the system's when it runs; otherwise, as root with unshare, a private journald in a
    # mount namespace of its own (tmpfs over /run/systemd, /run/log and /var/log/journal, so nothing
    # outside sees it), stopped afterwards; otherwise none (entries are sent to a missing socket).
    journald=/lib/systemd/systemd-journald
    if [ ! -S /run/systemd/journal/socket ] && [ "$(id -u)" = 0 ] && [ -x "$journald" ] && command -v unshare >/dev/null; then
        unshare -m --propagation private sh -c '
            mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/log /var/log/journal &&
            mount -t tmpfs tmpfs /run/log && mount -t tmpfs tmpfs /var/log/journal || exit 1
            "$0" >/dev/null 2>&1 &
            journald=$!
            for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S /run/systemd/journal/socket ] && break; sleep 0.2; done
            "$@"; status=$?
            kill "$journald"; wait "$journald" 2>/dev/null
            exit $status' "$journald" $perf $quick reporting >>"$figures" ||
            $perf $quick reporting >>"$figures"
    else
        $perf $quick reporting >>"$figures"
    fi
    echo "memory ..." >&2
    $perf $quick memory >>"$figures"
fi
echo "model jobs ..." >&2
# The C reference: best of 5 epochs (2 with --quick), in file order and shuffled.
if [ -n "$quick" ]; then epochs=2; else epochs=5; fi
for model in linear mlp; do
    .build/model_epoch "$model" "$epochs" |
        sed -n "s/.*ms_per_epoch=\([0-9.]*\) loss=\(.*\)/c.model.$model.ms_per_epoch \1\nc.model.$model.loss \2/p" >>"$figures"
    .build/model_epoch "$model" "$epochs" shuffle |
        sed -n "s/.*ms_per_epoch=\([0-9.]*\).*/c.model.${model}_shuffle.ms_per_epoch \1/p" >>"$figures"
done
$perf $quick model >>"$figures"
$perf $quick modelmemory >>"$figures"
$perf $quick modelpasses >>"$figures"
echo "PyTorch and numpy ..." >&2
"$python" compare_torch.py $quick ${models:+models} >>"$figures" || echo "compare_torch.py failed: its figures are missing" >&2

awk -v nproc="$(nproc)" -v cpu="${TARGET_CPU:-}" '
function has(k) { return (k in v) }
function row(metric, lossd, reference, ratio, target) { printf "| %s | %s | %s | %s | %s |\n", metric, lossd, reference, ratio, target }
function rate(x) { return sprintf("%.3g", x) }
function faster(r) { return r >= 1 ? sprintf("%.2fx faster", r) : sprintf("%.2fx slower", 1 / r) }
{ v[$1] = $2 }
END {
    print "Figures from a " nproc "-CPU machine, one run (compare.sh)" (cpu == "" ? "." : "; lossd built for " cpu " (-target-cpu).")
    print ""
    row("metric", "lossd", "reference", "ratio", "target")
    print "|---|---|---|---|---|"
    if (has("seed.engine.ns_per_step")) {
        s = v["seed.engine.ns_per_step"]; c = v["c.seed.ns_per_step"]
        row("seed job (n = 3, MSE + SGD), steps/s on 1 worker", rate(1e9 / s) " (" sprintf("%.2f", s) " ns/step)",
            "best C loop: " rate(1e9 / c) " (" sprintf("%.2f", c) " ns/step)", sprintf("%.2f", c / s), ">= 0.8")
        w1 = v["wide.w1.ns_per_step"]; w2 = v["wide.w2.ns_per_step"]; cw = v["c.wide.t1.ns_per_step"]; cw2 = v["c.wide.t2.ns_per_step"]
        b1 = v["c.triad.t1.bytes_per_s"]; b2 = v["c.triad.t2.bytes_per_s"]
        # The bound: one MSE + SGD element step moves 24 bytes (read x, read y, write x).
        bound1 = 24 * 1e7 / b1 * 1e9; bound2 = 24 * 1e7 / b2 * 1e9
        row("wide job (10^7 elements, MSE + SGD), element steps/s, 1 worker", rate(1e16 / w1) " (" sprintf("%.2f", w1 / 1e6) " ms/step)",
            "best C loop: " rate(1e16 / cw) " (" sprintf("%.2f", cw / 1e6) " ms/step)", sprintf("%.2f", cw / w1), ">= 0.9")
        row("wide job, 1 worker, against the bandwidth bound", sprintf("%.2f ms/step", w1 / 1e6),
            "triad " sprintf("%.1f GB/s", b1 / 1e9) ": " sprintf("%.2f ms/step", bound1 / 1e6), sprintf("%.2f", bound1 / w1), ">= 0.85")
        row("wide job, 2 workers", rate(1e16 / w2) " (" sprintf("%.2f", w2 / 1e6) " ms/step)",
            "best C loop, 2 threads: " rate(1e16 / cw2) " (" sprintf("%.2f", cw2 / 1e6) " ms/step)", sprintf("%.2f", cw2 / w2), ">= 0.9")
        row("wide job, 2 workers, against the bandwidth bound", sprintf("%.2f ms/step", w2 / 1e6),
            "triad, 2 threads " sprintf("%.1f GB/s", b2 / 1e9) ": " sprintf("%.2f ms/step", bound2 / 1e6), sprintf("%.2f", bound2 / w2), "")
        if (has("wide.adam.w1.ns_per_step")) {
            wa = v["wide.adam.w1.ns_per_step"]; ca = v["c.wide.adam.ns_per_step"]
            row("wide job with Adam (10^7 elements), 1 worker", sprintf("%.2f ms/step", wa / 1e6),
                "best C Adam loop: " sprintf("%.2f ms/step", ca / 1e6), sprintf("%.2f", ca / wa), ">= 0.85")
        }
        j1 = v["jobs.w1.steps_per_s"]; j2 = v["jobs.w2.steps_per_s"]
        row("1,000 seed jobs x 10^4 steps, steps/s on 2 workers (best run)", rate(j2), "1 worker: " rate(j1),
            sprintf("%.2f (median of rounds; best runs: %.2f)", v["jobs.ratio"], j2 / j1), ">= 1.8")
        for (n = 0; n < 2; n++) {
            name = n == 0 ? "long" : "short"
            label = n == 0 ? "100 seed jobs x 10^6 steps" : "1,000 seed jobs x 10^4 steps"
            if (!has("reporting." name ".off.steps_per_s")) continue
            off = v["reporting." name ".off.steps_per_s"]
            row(label ", 2 workers, reporting on (report_interval 1s), steps/s (best run)", rate(v["reporting." name ".on_1s.steps_per_s"]),
                "reporting off: " rate(off), sprintf("%.3f", v["reporting." name ".on_1s.ratio"]), ">= 0.98")
            row(label ", reporting on (report_interval 10ms)", rate(v["reporting." name ".on_10ms.steps_per_s"]),
                "reporting off: " rate(off), sprintf("%.3f", v["reporting." name ".on_10ms.ratio"]), "(stress)")
            row(label ", reporting off against off (the noise of this run)", rate(v["reporting." name ".off_again.steps_per_s"]),
                "reporting off: " rate(off), sprintf("%.3f", v["reporting." name ".off_again.ratio"]), "(about 1)")
        }
        if (has("history.10000.ratio"))
            row("10^4-step seed jobs on the calling thread (no engine): history at the daemon cadence", "", "no history",
                sprintf("%.3f", v["history.10000.ratio"]), "(diagnostic)")
        m = v["memory.bytes"] / 1048576
        row("10,000 live seed-sized jobs, resident memory", sprintf("%.1f MB added (%.0f bytes/job), process %.1f MB", m,
            v["memory.bytes_per_job"], v["memory.process_bytes"] / 1048576), "", "", "< 100 MB")
        if (has("torch.seed.us_per_step"))
            row("seed job, time per step", sprintf("%.2f ns", s), "PyTorch eager: " sprintf("%.1f us", v["torch.seed.us_per_step"]),
                sprintf("%.0fx faster", v["torch.seed.us_per_step"] * 1000 / s), "")
        if (has("numpy.seed.us_per_step"))
            row("seed job, time per step", sprintf("%.2f ns", s), "numpy: " sprintf("%.2f us", v["numpy.seed.us_per_step"]),
                sprintf("%.0fx faster", v["numpy.seed.us_per_step"] * 1000 / s), "")
        if (has("torch.wide.us_per_step"))
            row("wide job, time per step", sprintf("%.1f ms", w1 / 1e6), "PyTorch eager (" v["torch.threads"] " threads): " sprintf("%.1f ms", v["torch.wide.us_per_step"] / 1000),
                sprintf("%.1fx faster", v["torch.wide.us_per_step"] * 1000 / w1), "")
        if (has("numpy.wide.us_per_step"))
            row("wide job, time per step", sprintf("%.1f ms", w1 / 1e6), "numpy: " sprintf("%.1f ms", v["numpy.wide.us_per_step"] / 1000),
                sprintf("%.1fx faster", v["numpy.wide.us_per_step"] * 1000 / w1), "")
    }
    for (n = 0; n < 4; n++) {
        name = n < 2 ? "linear" : "mlp"
        order = n % 2 == 0 ? "" : "_shuffle"
        key = name order
        if (!has("model." key ".ms_per_epoch")) continue
        label = (name == "linear" ? "linear model 32->1" : "MLP 32-64-64-1 (relu)") ", one epoch of 100,000 rows, batch 256" (order == "" ? "" : ", shuffled")
        ms = v["model." key ".ms_per_epoch"]
        if (has("torch.model." key ".ms_per_epoch"))
            row(label, sprintf("%.1f ms", ms), "PyTorch eager (" v["torch.model.threads"] " thread): " sprintf("%.1f ms", v["torch.model." key ".ms_per_epoch"]),
                faster(v["torch.model." key ".ms_per_epoch"] / ms), order == "" ? ">= 2x" : "")
        if (has("c.model." key ".ms_per_epoch"))
            row(label, sprintf("%.1f ms", ms), "C loop: " sprintf("%.1f ms", v["c.model." key ".ms_per_epoch"]),
                sprintf("%.2f", v["c.model." key ".ms_per_epoch"] / ms), "(recorded)")
        if (order == "" && has("c.model." key ".loss") && has("torch.model." key ".loss")) {
            l = v["model." key ".loss"]; c = v["c.model." key ".loss"]; t = v["torch.model." key ".loss"]
            d = (l > c ? l - c : c - l); e = (l > t ? l - t : t - l); if (e > d) d = e
            row(label ": mean batch loss of the epoch (the same work?)", sprintf("%.15g", l), "C: " sprintf("%.15g", c) ", PyTorch: " sprintf("%.15g", t),
                sprintf("%.1e (largest relative difference)", d / c), "< 1e-9")
        }
    }
    for (n = 0; n < 2; n++) {
        name = n == 0 ? "linear" : "mlp"
        key = "modelpasses." name
        if (!has(key ".total.ms")) continue
        label = (name == "linear" ? "linear model" : "MLP") ", one epoch on Sequential directly (no engine): where the time goes"
        rest = v[key ".total.ms"] - v[key ".forward.ms"] - v[key ".backward.ms"]
        row(label, sprintf("%.1f ms: forward %.1f, backward %.1f, batch copy + loss + update %.1f", v[key ".total.ms"],
            v[key ".forward.ms"], v[key ".backward.ms"], rest), "", "", "(diagnostic)")
    }
    if (has("modelmemory.dataset_bytes"))
        row("one 100,000 x 32 file (npy) trained on by 2 jobs, resident memory added", sprintf("data loaded: %.1f MB; 1 job: %.1f MB; 2 jobs: %.1f MB (%s)",
            v["modelmemory.loaded_bytes"] / 1048576, v["modelmemory.one_job_bytes"] / 1048576, v["modelmemory.two_jobs_bytes"] / 1048576,
            v["modelmemory.shared"] == 1 ? "one copy" : "two copies"), "the data as float64: " sprintf("%.1f MB", v["modelmemory.dataset_bytes"] / 1048576),
            "", "held once")
    if (!has("reporting.journald")) exit
    print ""
    print "Ratios of runs on a shared machine drift with its load: the worker-count and reporting"
    print "ratios are medians over rounds of runs made back to back (see lossd-perf), not ratios of"
    print "best runs taken seconds apart."
    print ""
    print "journald: " v["reporting.journald"] " during the reporting runs; sd_notify datagrams received: " v["reporting.notify_messages"]
}' "$figures"
