#!/usr/bin/env bash
# fuzz.sh - builds the libFuzzer targets (fuzz/) in build-fuzz/ with clang,
# ASan and UBSan, seeds their corpora from the real captures in
# ../shared/data/ais, and runs each target for FUZZ_SECONDS. Exits 1 when a
# target finds a crash, leak, timeout or OOM (reproducer: build-fuzz/artifacts/),
# 2 when it cannot build or run. `make fuzz` calls it.
#
# Environment:
#   FUZZ_SECONDS   run time per target (default 60)
#   FUZZ_TARGETS   targets to run (default: every fuzz/fuzz_*.c)
#   FUZZ_PARALLEL  1: run the targets at the same time (default 1 if nproc >= 2)
#   FUZZ_BUILD     build dir (default build-fuzz at the repo root)
#   ALD_SHARED_DATA  shared data folder (default ../shared/data beside the repo)
# Reproduce a finding: build-fuzz/fuzz/fuzz_stream build-fuzz/artifacts/<file>
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bdir=${FUZZ_BUILD:-$root/build-fuzz}
secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-$(cd "$root/fuzz" && ls fuzz_*.c | sed 's/\.c$//' | tr '\n' ' ')}
ncpu=$(nproc 2>/dev/null || echo 1)
parallel=${FUZZ_PARALLEL:-$([ "$ncpu" -ge 2 ] && echo 1 || echo 0)}
data=${ALD_SHARED_DATA:-$root/../shared/data}/ais

die() { echo "fuzz.sh: $*" >&2; exit 2; }

command -v clang >/dev/null || die "clang not found (apt-get install clang)"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' \
    | clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null \
    || die "clang cannot link -fsanitize=fuzzer (apt-get install libclang-rt-14-dev or the one matching clang)"

# ---- configure and build ----
if [ ! -f "$bdir/build.ninja" ]; then
    CC=clang meson setup "$bdir" "$root" -Dfuzz=true -Db_sanitize=address,undefined \
        -Dbuildtype=debugoptimized -Db_lundef=false >/dev/null \
        || die "meson setup $bdir failed"
else
    meson configure "$bdir" -Dfuzz=true >/dev/null || die "meson configure $bdir failed"
fi
build_targets=(fuzz/mkseeds)
for t in $targets; do build_targets+=("fuzz/$t"); done
ninja -C "$bdir" "${build_targets[@]}" >/dev/null || die "build failed (ninja -C $bdir)"

# ---- seed corpora (regenerated each run; what the fuzzer found is kept) ----
captures=()
if [ -d "$data" ]; then
    while IFS= read -r f; do captures+=("$f"); done < <(
        find "$data" -type f ! -name '*.chk' ! -name '*.json' ! -name '*.csv' \
            ! -name '*.md' | LC_ALL=C sort)
else
    echo "fuzz.sh: $data not found, using only the committed seeds in fuzz/seeds" >&2
fi
cat_capture() { case "$1" in *.gz) zcat -- "$1" ;; *) cat -- "$1" ;; esac; }

mkdir -p "$bdir/artifacts" "$bdir/corpus-stream" "$bdir/corpus-bits"
for t in $targets; do mkdir -p "$bdir/corpus-${t#fuzz_}"; done
i=0
for f in "${captures[@]}"; do
    i=$((i + 1))
    # 8-line chunks, at most 4000 lines per capture (variety, not volume)
    cat_capture "$f" | awk 'NR <= 4000' | "$bdir/fuzz/mkseeds" stream "$bdir/corpus-stream" 8 "seed$i"
    cat_capture "$f" | "$bdir/fuzz/mkseeds" bits "$bdir/corpus-bits" "seed$i"
done
for t in $targets; do
    kind=${t#fuzz_}
    if [ -d "$root/fuzz/seeds/$kind" ]; then
        cp -- "$root/fuzz/seeds/$kind"/* "$bdir/corpus-$kind/"
    fi
done

# ---- run ----
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
    local t=$1 kind=${1#fuzz_}
    local args=(-max_len=4096 -timeout=10 -rss_limit_mb=2048 -max_total_time="$secs"
                -print_final_stats=1 -artifact_prefix="$bdir/artifacts/$t-")
    [ -f "$root/fuzz/$kind.dict" ] && args+=(-dict="$root/fuzz/$kind.dict")
    "$bdir/fuzz/$t" "${args[@]}" "$bdir/corpus-$kind" >"$bdir/$t.log" 2>&1
}

declare -A pid status
for t in $targets; do
    echo "fuzz.sh: $t for ${secs}s (corpus $(ls "$bdir/corpus-${t#fuzz_}" | wc -l) files, log $bdir/$t.log)"
    if [ "$parallel" = 1 ]; then
        run_one "$t" & pid[$t]=$!
    else
        if run_one "$t"; then status[$t]=0; else status[$t]=$?; fi
    fi
done
if [ "$parallel" = 1 ]; then
    for t in $targets; do
        if wait "${pid[$t]}"; then status[$t]=0; else status[$t]=$?; fi
    done
fi

rc=0
for t in $targets; do
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$bdir/$t.log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$bdir/$t.log" | tail -1 || true)
    if [ "${status[$t]}" = 0 ]; then
        echo "fuzz.sh: $t ok: ${execs:-?} executions, ${cov:-cov: ?}"
    else
        rc=1
        echo "fuzz.sh: $t FAILED (exit ${status[$t]}), see $bdir/$t.log" >&2
        grep -E '^(SUMMARY|==[0-9]+==ERROR|fuzz check failed|.*runtime error)' "$bdir/$t.log" \
            | head -5 >&2 || true
        ls -1 "$bdir/artifacts/$t-"* 2>/dev/null | sed 's/^/  reproducer: /' >&2 || true
    fi
done
exit $rc
