#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Validates the Kubernetes manifests in contrib/kubernetes/ offline: against the Kubernetes API's
# JSON schemas that kubernetes-validate (PyPI) ships, in strict mode (an unknown or misspelled
# field fails), for the oldest Kubernetes the manifests support and the newest the validator
# knows. No cluster is needed or contacted: nothing is applied or run. Then it checks what the
# schemas cannot (the shard count agrees between the Job, lossd's --shards and the merge), and
# that the validator rejects broken copies of the manifest, so that a pass means something.
#
#   Tests/Contrib/validate-kubernetes.sh
#   LOSSD_BINARY=.build/release/lossd Tests/Contrib/validate-kubernetes.sh   # + lossd check
#
# kubernetes-validate is installed on first use into a virtualenv, .build/kubernetes-validate
# (python3 with its venv module: the python3-venv package, installed when missing). With
# LOSSD_BINARY, the configuration in the ConfigMap must pass `lossd check`; without, that check
# is skipped. Prints one "ok N - ..." or "not ok N - ..." line per check and a closing
# "N passed, M failed"; exits 1 when a check failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

validator_version=1.37.0                # kubernetes-validate, from PyPI
oldest=1.30.0                           # the oldest Kubernetes the manifests support
newest=1.37.0                           # the newest whose schemas the validator ships
sweep=contrib/kubernetes/lossd-indexed-job.yaml
merge=contrib/kubernetes/lossd-merge-job.yaml
venv=.build/kubernetes-validate
validator="$venv/bin/kubernetes-validate"
python="$venv/bin/python"

work="$(mktemp -d "${TMPDIR:-/tmp}/lossd-kubernetes.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ "$("$validator" --version 2>/dev/null)" != "$validator_version" ]; then
    Scripts/install-deps python3-venv || exit 1
    echo "installing kubernetes-validate $validator_version into $venv" >&2
    if ! { python3 -m venv --clear "$venv" &&
           "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$validator_version"; } >"$work/install.log" 2>&1; then
        tail -n 20 "$work/install.log" >&2
        echo "cannot install kubernetes-validate $validator_version into $venv" >&2
        exit 1
    fi
fi

passed=0; failed=0; number=0
check() {  # check NAME COMMAND...: records one result
    local name="$1"; shift
    number=$((number + 1))
    if "$@" >"$work/check.log" 2>&1; then
        passed=$((passed + 1)); echo "ok $number - $name"
    else
        failed=$((failed + 1)); echo "not ok $number - $name"
        tail -n 8 "$work/check.log" | sed 's/^/   | /'
    fi
}
skip() {  # skip NAME REASON
    number=$((number + 1)); passed=$((passed + 1))
    echo "ok $number - $1 # SKIP $2"
}

# valid FILE VERSION: every document of FILE passes, and nothing else is said. kubernetes-validate
# only warns (and exits 0) for a kind or apiVersion it has no schema for, so a warning fails here.
valid() {
    local documents
    documents="$("$python" -c 'import sys, yaml; print(sum(1 for d in yaml.safe_load_all(open(sys.argv[1])) if d))' "$1")" || return 1
    "$validator" --strict -k "$2" "$1" >"$work/validator.log" 2>&1
    local status=$?
    cat "$work/validator.log"
    [ "$status" -eq 0 ] || { echo "kubernetes-validate exited $status"; return 1; }
    ! grep -v '^INFO .* passed for resource ' "$work/validator.log" || { echo "unexpected output (above)"; return 1; }
    [ "$(grep -c '^INFO .* passed for resource ' "$work/validator.log")" -eq "$documents" ] \
        || { echo "not all of the $documents documents passed"; return 1; }
}
# rejected FILE VERSION PATTERN: the validator fails FILE with an error that matches PATTERN.
rejected() {
    if valid "$1" "$2" >"$work/rejected.log" 2>&1; then echo "accepted:"; cat "$work/rejected.log"; return 1; fi
    grep -q -- "$3" "$work/rejected.log" || { echo "rejected, but not for '$3':"; cat "$work/rejected.log"; return 1; }
}
# broken NAME SED: a copy of the sweep manifest edited by SED, in $work/NAME.yaml; the edit must apply.
broken() {
    sed "$2" "$sweep" >"$work/$1.yaml"
    cmp -s "$sweep" "$work/$1.yaml" && { echo "the edit '$2' changed nothing in $sweep" >&2; return 1; }
    return 0
}

# MARK: - The manifests against the schemas

check "$(basename "$sweep") is valid against the Kubernetes $oldest schemas (strict)" valid "$sweep" "$oldest"
check "$(basename "$sweep") is valid against the Kubernetes $newest schemas (strict)" valid "$sweep" "$newest"
check "$(basename "$merge") is valid against the Kubernetes $oldest schemas (strict)" valid "$merge" "$oldest"
check "$(basename "$merge") is valid against the Kubernetes $newest schemas (strict)" valid "$merge" "$newest"

# MARK: - What the schemas cannot see

# The Job's completions, lossd's --shards and the merge's shard-0..shard-(N-1) must agree: with
# fewer shards than completions the extra indexes fail, with more some jobs never run.
shards_agree() {
    "$python" - "$sweep" "$merge" <<'EOF'
import sys, yaml
docs = [d for path in sys.argv[1:] for d in yaml.safe_load_all(open(path)) if d]
jobs = {d["metadata"]["name"]: d["spec"] for d in docs if d["kind"] == "Job"}
sweep, merge = jobs["lossd-sweep"], jobs["lossd-merge"]
completions = sweep["completions"]
command = sweep["template"]["spec"]["containers"][0]["command"]
flag = lambda name: command[command.index(name) + 1]
problems = []
if int(flag("--shards")) != completions:
    problems.append(f"--shards {flag('--shards')} but completions {completions}")
if sweep.get("maxFailedIndexes", 0) > completions:
    problems.append(f"maxFailedIndexes {sweep['maxFailedIndexes']} exceeds completions {completions}")
base = flag("--state-dir").rstrip("/")
merged = merge["template"]["spec"]["initContainers"][0]["command"]
expected = [f"{base}/shard-{i}" for i in range(completions)]
if merged[:3] != ["lossd", "results", "merge"] or merged[4:] != expected:
    problems.append(f"the merge joins {merged[4:]}, not {expected}")
claims = {d["metadata"]["name"] for d in docs if d["kind"] == "PersistentVolumeClaim"}
for name, job in jobs.items():
    for volume in job["template"]["spec"]["volumes"]:
        claim = volume.get("persistentVolumeClaim", {}).get("claimName")
        if claim and claim not in claims:
            problems.append(f"{name} mounts claim {claim}, which neither file defines")
print("\n".join(problems) or f"{completions} shards everywhere")
sys.exit(1 if problems else 0)
EOF
}
check "completions, --shards and the merged shard directories agree" shards_agree

# MARK: - The validator rejects broken manifests

if broken misspelled 's/^  completionMode: Indexed/  completionsMode: Indexed/'; then
    check "a misspelled field is rejected (completionsMode)" rejected "$work/misspelled.yaml" "$oldest" "'completionsMode' was unexpected"
else
    check "a misspelled field is rejected (completionsMode)" false
fi
if broken nested 's/readOnlyRootFilesystem: true/readOnlyRootFileSystem: true/'; then
    check "a misspelled field deep in the pod template is rejected (readOnlyRootFileSystem)" \
        rejected "$work/nested.yaml" "$oldest" "'readOnlyRootFileSystem' was unexpected"
else
    check "a misspelled field deep in the pod template is rejected (readOnlyRootFileSystem)" false
fi
if broken mistyped 's/^  completions: 4 /  completions: "four" /'; then
    check "a value of the wrong type is rejected (completions: \"four\")" rejected "$work/mistyped.yaml" "$oldest" "'four' is not of type 'integer'"
else
    check "a value of the wrong type is rejected (completions: \"four\")" false
fi
if broken unknown 's|^apiVersion: batch/v1$|apiVersion: batch/v2|'; then
    check "an unknown apiVersion is rejected (the validator itself only warns)" rejected "$work/unknown.yaml" "$oldest" "Couldn't find schema for kind Job"
else
    check "an unknown apiVersion is rejected (the validator itself only warns)" false
fi

# MARK: - The configuration in the ConfigMap

if [ -n "${LOSSD_BINARY:-}" ]; then
    config_checks() {
        "$python" -c 'import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "ConfigMap"]
sys.stdout.write(docs[0]["data"]["sweep.yaml"])' "$sweep" >"$work/sweep.yaml" || return 1
        "$LOSSD_BINARY" check "$work/sweep.yaml"
    }
    check "the configuration in the ConfigMap passes lossd check" config_checks
else
    skip "the configuration in the ConfigMap passes lossd check" "LOSSD_BINARY is not set"
fi

echo "1..$number"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
