#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer target for the configuration loader, replays the seed corpus, then fuzzes
# for a bounded time. Exits non-zero on a crash, a leak, a timeout or an out-of-memory.
#
#   Tests/Fuzz/run-fuzz.sh              # replay + 60 s of fuzzing
#   FUZZ_SECONDS=600 Tests/Fuzz/run-fuzz.sh
#   FUZZ_SECONDS=0 Tests/Fuzz/run-fuzz.sh   # replay only
#
# Libraries are built with SwiftPM into .build-fuzz (instrumented with -sanitize=fuzzer,address),
# then the entry point is compiled with swiftc and linked against their object files and the
# system libyaml. New inputs the fuzzer finds go to a temporary directory, not into the corpus;
# a crashing input is saved as .build-fuzz/crash-* (add it to the corpus once fixed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
scratch=.build-fuzz
seconds="${FUZZ_SECONDS:-60}"
flags=(-Xswiftc -sanitize=fuzzer,address)

echo "== building the instrumented libraries"
swift build --scratch-path "$scratch" --target LossdConfig "${flags[@]}" 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
bin="$(swift build --scratch-path "$scratch" --show-bin-path "${flags[@]}")"

# LossdConfig and everything it links: this package's modules (LossdConfig's dependency closure,
# read from the manifest, so a new dependency needs no edit here) object by source file, so that
# the object of a deleted file, left in the scratch folder, is never linked; the others' as built.
objects=()
while read -r kind module path; do
    while IFS= read -r source; do
        objects+=("$bin/$module.build/$(basename "$source").o")
    done < <(find "$path" -name "*.$kind" | sort)
done < <(swift package describe --type json 2>/dev/null | python3 -c '
import json, sys
targets = {t["name"]: t for t in json.load(sys.stdin)["targets"]}
seen, todo = set(), ["LossdConfig"]
while todo:
    name = todo.pop()
    if name in seen or name not in targets:
        continue
    seen.add(name)
    todo += targets[name].get("target_dependencies", [])
for name in sorted(seen):
    kind = {"SwiftTarget": "swift", "ClangTarget": "c"}.get(targets[name]["module_type"])
    if kind:
        print(kind, name, targets[name]["path"])
')
for module in RealModule _NumericsShims DequeModule HeapModule ContainersPreview InternalCollectionsUtilities; do
    objects+=("$bin/$module.build"/*.o)
done
module_maps=(-Xcc "-fmodule-map-file=$bin/CLossdPlugin.build/module.modulemap"
             -Xcc "-fmodule-map-file=$bin/CLossdKernels.build/module.modulemap")
while IFS= read -r map; do module_maps+=(-Xcc "-fmodule-map-file=$map"); done < <(
    find "$root/Sources/CYAML" "$scratch/checkouts/swift-numerics/Sources/_NumericsShims" -name module.modulemap)

echo "== linking the fuzz target"
# (gold's "Cannot export local symbol '__asan_*'" warnings are harmless and filtered out.)
swiftc -sanitize=fuzzer,address -parse-as-library -g \
    -I "$bin/Modules" "${module_maps[@]}" \
    Tests/Fuzz/FuzzConfigLoader.swift "${objects[@]}" -lyaml \
    -o "$scratch/fuzz-config-loader" 2>&1 | { grep -v "Cannot export local symbol" || true; }
test -x "$scratch/fuzz-config-loader"

# A valid input may hold random tensors of up to 32 MB (the target's maxRandomTensorBytes),
# checked with placeholders, so a single input can legitimately take ~100 MB; ASan's quarantine
# adds to the RSS.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=64:detect_leaks=1}"
options=(-rss_limit_mb=2048 -malloc_limit_mb=256 -timeout=10 -max_len=65536 -dict=Tests/Fuzz/yaml.dict "-artifact_prefix=$scratch/")
echo "== replaying the seed corpus"
"$scratch/fuzz-config-loader" "${options[@]}" -runs=0 Tests/Fuzz/corpus

if [ "$seconds" -gt 0 ]; then
    work="$(mktemp -d)"
    trap 'rm -rf "$work"' EXIT
    echo "== fuzzing for $seconds s"
    "$scratch/fuzz-config-loader" "${options[@]}" -max_total_time="$seconds" -print_final_stats=1 "$work" Tests/Fuzz/corpus
fi
echo "== fuzzing found nothing"
