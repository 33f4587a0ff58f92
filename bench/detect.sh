#!/usr/bin/env bash
# detect.sh - maritime detection at scale: `alidade ais detect` (decoder ->
# tracker -> every detector) over 1M, 10M and 100M generated positions from a
# fleet of ~100k vessels; wall time, positions/s, peak RSS and how both grow.
#
#   bench/detect.sh            print the Markdown table
#   bench/detect.sh --write    also replace the "Maritime detection" section of
#                              docs/PERFORMANCE.md (`make bench` does this)
#
# Input: `alidade drill generate` (seeded, deterministic: lib/sim/sim.c) writes
# NMEA with tag-block times into bench/out/detect-<N>.nmea, once per size
# (kept between runs: 100M positions is ~7 GB). The detector runs on the
# file, output to /dev/null; /usr/bin/time gives wall time and peak RSS.
# There is no established peer that runs these detectors on raw NMEA, so the
# figures are absolute (goal of the issue: 100M positions in < 60 s on 2
# cores with < 4 GB).
#
# Input read compressed (BENCH_ZSTD=1): the file is compressed once with
# `zstd -3` into bench/out/detect-<N>.nmea.zst and `ais detect` reads that
# (alidade's input layer decompresses .zst). At 100M positions the plain file
# (17 GB) is larger than the page cache and this machine's disk delivers
# ~220 MB/s cold, i.e. 81 s for the reading alone; compressed it is 5.0 GB.
# Decompressing costs ~0.16 s of CPU per 1M positions (docs/detect-perf.md).
#
# Environment: BENCH_SIZES ("1000000 10000000 100000000"), BENCH_VESSELS
#   (100000), BENCH_RUNS (1), BENCH_BUILD (build-bench), BENCH_KEEP (1: keep
#   the inputs in bench/out; 0: delete each after use), BENCH_ZSTD (0; 1:
#   read the zstd-compressed input).
set -euo pipefail
. "$(dirname "$0")/section.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
write=0
case "${1:-}" in
    --write) write=1 ;;
    "") ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--write]" >&2; exit 2 ;;
esac
sizes=${BENCH_SIZES:-"1000000 10000000 100000000"}
vessels=${BENCH_VESSELS:-100000}
runs=${BENCH_RUNS:-1}
keep=${BENCH_KEEP:-1}
zst=${BENCH_ZSTD:-0}
bdir=${BENCH_BUILD:-$root/build-bench}
out=$root/bench/out
doc=$root/docs/PERFORMANCE.md

die() { echo "detect.sh: $*" >&2; exit 2; }
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"

# ---- release build ----
if [ ! -f "$bdir/build.ninja" ]; then
    meson setup "$bdir" "$root" --buildtype=release -Db_ndebug=true >/dev/null \
        || die "meson setup $bdir failed"
fi
ninja -C "$bdir" src/alidade >/dev/null || die "build failed (ninja -C $bdir)"
alidade=$bdir/src/alidade
mkdir -p "$out"

rows=()
prev_n=0 prev_s=0 prev_m=0
for n in $sizes; do
    input=$out/detect-$n.nmea
    if [ ! -s "$input" ] || [ ! -s "$input.ok" ]; then
        echo "detect.sh: generating $n positions from $vessels vessels -> ${input#"$root"/}" >&2
        start=$(date +%s.%N)
        "$alidade" drill generate --seed 1 --vessels "$vessels" --hours 100000 \
            --positions "$n" --no-events --out - > "$input" || die "generator failed"
        end=$(date +%s.%N)
        gen_s=$(echo "$end - $start" | bc -l)
        { echo "$n"; echo "$gen_s"; } > "$input.ok"
    fi
    gen_s=$(sed -n 2p "$input.ok")
    bytes=$(stat -c %s "$input")
    lines=$(wc -l < "$input")
    timed=$input
    if [ "$zst" = 1 ]; then
        command -v zstd > /dev/null || die "zstd not found (apt-get install zstd)"
        if [ ! -s "$input.zst" ] || [ "$input.zst" -ot "$input" ]; then
            echo "detect.sh: compressing ${input#"$root"/} (zstd -3)" >&2
            zstd -q -3 -T1 -f "$input" -o "$input.zst" || die "zstd failed"
        fi
        timed=$input.zst
    fi
    best=""
    mem=0
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$out/detect.time" \
            "$alidade" ais detect "$timed" > /dev/null 2> "$out/detect.err" \
            || die "ais detect failed: $(tail -n 3 "$out/detect.err")"
        read -r s m < "$out/detect.time"
        if [ -z "$best" ] || [ "$(echo "$s < $best" | bc -l)" = 1 ]; then best=$s; fi
        [ "$m" -gt "$mem" ] && mem=$m
    done
    summary=$(grep -E '^lines ' "$out/detect.err" | head -n 1 || true)
    fixes=$(echo "$summary" | sed -n 's/.*fixes \([0-9]*\).*/\1/p')
    held=$(echo "$summary" | sed -n 's/.*vessels \([0-9]*\).*/\1/p')
    rate=$(echo "$n / $best" | bc)
    mb=$(echo "scale=1; $mem / 1024" | bc)
    grow_t="" grow_m=""
    if [ "$prev_n" -gt 0 ]; then
        grow_t=$(echo "scale=2; $best / $prev_s" | bc)x
        grow_m=$(echo "scale=2; $mem / $prev_m" | bc)x
    fi
    rows+=("| $n | $lines | $((bytes / 1048576)) | ${fixes:-?} | ${held:-?} | $best | $rate | $mb | ${grow_t:--} | ${grow_m:--} | $(printf %.1f "$gen_s") |")
    prev_n=$n prev_s=$best prev_m=$mem
    [ "$keep" = 1 ] || rm -f "$input" "$input.ok" "$input.zst"
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' | awk '{print $1, $2}')
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
{
    echo "## Maritime detection"
    echo
    echo "Measured $(date -u +%Y-%m-%d) on $cpu, $(nproc) cores visible, Linux $(uname -r);"
    echo "alidade $commit, release build (\`build-bench\`). Command: \`bench/detect.sh --write\`."
    echo
    echo "Input: \`alidade drill generate --seed 1 --vessels $vessels --no-events --positions N\`"
    echo "(normal traffic of $vessels vessels, NMEA with tag-block times, static reports"
    if [ "$zst" = 1 ]; then
        echo "included), read from the file compressed with \`zstd -3\` (BENCH_ZSTD=1; MB is"
        echo "the plain size). Timed: \`alidade ais detect FILE.zst > /dev/null\`: decompress, decode,"
    else
        echo "included), read from a file. Timed: \`alidade ais detect FILE > /dev/null\`: decode,"
    fi
    echo "tracker and every detector (gap, encounter, loitering, zones, spoofing) in one"
    echo "process, four threads (reading and decompressing; decoding; tracker; detectors and output); best of $runs run(s)."
    echo "Peak RSS from /usr/bin/time. Wall time depends on a second free core."
    echo
    echo "| positions | lines | MB | fixes kept | vessels | time (s) | positions/s | peak RSS (MB) | time growth | RSS growth | generate (s) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for r in "${rows[@]}"; do echo "$r"; done
    echo
    echo "Growth is against the previous row (10x more positions). Goal of the issue:"
    echo "100M positions through all detectors in < 60 s with < 4 GB."
} > "$out/detect.md"
cat "$out/detect.md"

if [ "$write" = 1 ]; then
    [ -f "$doc" ] || die "$doc not found (run bench/ais_decode.sh --write first)"
    replace_section "$doc" "Maritime detection" "$out/detect.md" || die "cannot write $doc"
    echo "detect.sh: wrote the Maritime detection section of ${doc#"$root"/}" >&2
fi
