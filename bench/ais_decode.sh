#!/usr/bin/env bash
# ais_decode.sh - AIS decode throughput of `alidade ais decode` against gpsd's
# gpsdecode, on >= 1M real NMEA sentences, one pinned core, same run.
#
#   bench/ais_decode.sh            print the Markdown table
#   bench/ais_decode.sh --write    also replace the "AIS decode" section of
#                                  docs/PERFORMANCE.md (`make bench` does this)
#
# Input: every AIS sentence of the real captures in ../shared/data/ais, reduced
# to plain NMEA (tag blocks and trailing fields stripped, bad checksums and
# incomplete multipart groups dropped, groups kept together in order), the
# set repeated until it holds >= BENCH_SENTENCES sentences: bench/out/.
# Build: its own release build dir (build-bench, -O3, NDEBUG), not the
# sanitizer or debug ones.
#
# Environment: BENCH_RUNS (3), BENCH_CPU (0), BENCH_SENTENCES (1000000),
#   GPSDECODE (gpsdecode), ALD_SHARED_DATA (../shared/data), BENCH_BUILD,
#   BENCH_REV (the revision a BENCH_BUILD outside this tree was built from,
#   e.g. a `git archive` of HEAD while others have uncommitted changes here;
#   default: this tree's HEAD, flagged when lib/src have uncommitted changes).
set -euo pipefail
. "$(dirname "$0")/section.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
write=0
case "${1:-}" in
    --write) write=1 ;;
    "") ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--write]" >&2; exit 2 ;;
esac
runs=${BENCH_RUNS:-3}
cpu=${BENCH_CPU:-0}
want=${BENCH_SENTENCES:-1000000}
gpsdecode=${GPSDECODE:-gpsdecode}
data=${ALD_SHARED_DATA:-$root/../shared/data}/ais
bdir=${BENCH_BUILD:-$root/build-bench}
out=$root/bench/out
doc=$root/docs/PERFORMANCE.md

die() { echo "ais_decode.sh: $*" >&2; exit 2; }
[ -d "$data" ] || die "$data not found (set ALD_SHARED_DATA)"
command -v "$gpsdecode" >/dev/null || die "gpsdecode not found (apt-get install gpsd-clients)"
command -v taskset >/dev/null || die "taskset not found (util-linux)"

# ---- release build ----
if [ ! -f "$bdir/build.ninja" ]; then
    meson setup "$bdir" "$root" --buildtype=release -Db_ndebug=true >/dev/null \
        || die "meson setup $bdir failed"
fi
ninja -C "$bdir" src/alidade >/dev/null || die "build failed (ninja -C $bdir)"
alidade=$bdir/src/alidade

# ---- input ----
mkdir -p "$out"
base=$out/ais-real.nmea
input=$out/ais-bench.nmea
files=()
while IFS= read -r f; do files+=("$f"); done < <(
    find "$data" -type f ! -name '*.chk' ! -name '*.json' ! -name '*.csv' ! -name '*.md' \
        | LC_ALL=C sort)
# awk reads the files themselves (gzip ones decompressed into bench/out first)
# and counts the sentences kept per file
plain=()
for f in "${files[@]}"; do
    case "$f" in
        *.gz) g=$out/$(basename "$f" .gz); zcat -- "$f" > "$g"; plain+=("$g") ;;
        *) plain+=("$f") ;;
    esac
done
LC_ALL=C awk -v counts="$out/ais-real.counts" '
BEGIN {
    for (i = 0; i < 128; i++) ord[sprintf("%c", i)] = i
    for (a = 0; a < 128; a++)            # 7-bit XOR table (mawk has no xor())
        for (b = 0; b < 128; b++) {
            r = 0; p = 1; x = a; y = b
            for (k = 0; k < 7; k++) {
                if ((x % 2) != (y % 2)) r += p
                x = int(x / 2); y = int(y / 2); p *= 2
            }
            X[a, b] = r
        }
    hex = "0123456789ABCDEF"
}
function flush_group() { ng = 0; gbuf = "" }
FNR == 1 { flush_group() }        # no group across files
{
    sub(/\r$/, "")
    if (!match($0, /![A-Z][A-Z]VD[MO],/)) next
    s = substr($0, RSTART)
    star = index(s, "*")
    if (star == 0) next
    body = substr(s, 2, star - 2)
    cs = toupper(substr(s, star + 1, 2))
    x = 0
    n = length(body)
    for (i = 1; i <= n; i++) x = X[x, ord[substr(body, i, 1)]]
    if (cs != substr(hex, int(x / 16) + 1, 1) substr(hex, x % 16 + 1, 1)) next
    if (split(body, f, ",") != 7) next
    if (f[2] !~ /^[1-9]$/ || f[3] !~ /^[1-9]$/ || f[3] + 0 > f[2] + 0) next
    if (f[6] == "" || f[6] !~ /^[0-W`-w]+$/ || f[7] !~ /^[0-5]$/) next
    if (f[5] !~ /^[AB12]?$/) next       # gpsd 3.22 rejects other channels
    line = "!" body "*" cs
    if (f[2] == 1) { flush_group(); print line; kept[FILENAME]++; next }
    if (f[3] == 1) {
        flush_group(); ng = 1; gcount = f[2]; gseq = f[4]; gchan = f[5]; gbuf = line
        next
    }
    if (ng > 0 && f[3] == ng + 1 && f[2] == gcount && f[4] == gseq && f[5] == gchan) {
        ng++; gbuf = gbuf "\n" line
        if (ng == gcount + 0) { print gbuf; kept[FILENAME] += ng; flush_group() }
        next
    }
    flush_group()
}
END { for (fn in kept) print fn "\t" kept[fn] > counts }' "${plain[@]}" > "$base"

nbase=$(wc -l < "$base")
[ "$nbase" -gt 0 ] || die "no AIS sentences found under $data"
reps=$(( (want + nbase - 1) / nbase ))
: > "$input"
for ((i = 0; i < reps; i++)); do cat "$base"; done >> "$input"
nsent=$(wc -l < "$input")
bytes=$(wc -c < "$input")
msgs_base=$("$alidade" ais decode -f none --stats < "$base" 2>&1 >/dev/null \
            | sed -n 's/.*messages \([0-9]*\),.*/\1/p')
msgs=$("$alidade" ais decode -f none --stats < "$input" 2>&1 >/dev/null \
       | sed -n 's/.*messages \([0-9]*\),.*/\1/p')

# ---- same output? (not timed): JSON lines and lines per message type ----
types() { grep -o '"type":[0-9]*' | cut -d: -f2 | sort -n | uniq -c | awk '{ printf "%s%s: %s", sep, $2, $1; sep = ", " }'; }
gps_lines=$("$gpsdecode" -j < "$input" 2>/dev/null | wc -l)
ald_lines=$("$alidade" ais decode < "$input" 2>/dev/null | wc -l)
gps_types=$("$gpsdecode" -j < "$base" 2>/dev/null | types)
ald_types=$("$alidade" ais decode < "$base" 2>/dev/null | types)

# ---- timing: runs interleaved, each pinned to one core ----
names=("gpsdecode -j" "alidade ais decode (JSON)" "alidade ais decode -f csv" "alidade ais decode -f none")
cmds=("$gpsdecode -j" "$alidade ais decode" "$alidade ais decode -f csv" "$alidade ais decode -f none")
declare -a times
now() { date +%s%N; }
for ((r = 0; r < runs; r++)); do
    for i in "${!cmds[@]}"; do
        t0=$(now)
        # shellcheck disable=SC2086
        taskset -c "$cpu" ${cmds[$i]} < "$input" > /dev/null 2>&1
        t1=$(now)
        times[$i]="${times[$i]:-} $(( t1 - t0 ))"
    done
done

# best and median in seconds, rate from the best run
stat() {  # ns values -> "best median"
    tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END {
        printf "%.3f %.3f\n", v[1] / 1e9, v[int((NR + 1) / 2)] / 1e9 }'
}
read -r gbest _ <<<"$(echo "${times[0]}" | stat)"
gps_rate=$(awk -v n="$nsent" -v t="$gbest" 'BEGIN { printf "%.0f", n / t }')

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
[ -n "$cpu_model" ] || cpu_model=$(uname -m)
kernel=$(uname -r)
gps_version=$("$gpsdecode" -V 2>&1 | head -1)
cc_version=$(sed -n 's/^C compiler for the host machine: [^(]*(\([^ ]* [0-9.]*\).*/\1/p' \
             "$bdir/meson-logs/meson-log.txt" | head -1)
if [ -n "${BENCH_REV:-}" ]; then
    rev=$BENCH_REV
    dirty=""
else
    rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?")
    dirty=$(git -C "$root" status --porcelain -- lib src include 2>/dev/null | grep -q . && echo " (with uncommitted changes in lib/src)" || true)
fi
# "file (sentences)" for the files that contributed, in file order
file_list=$(for i in "${!files[@]}"; do
    n=$(awk -F'\t' -v f="${plain[$i]}" '$1 == f { print $2 }' "$out/ais-real.counts")
    if [ -n "$n" ]; then printf '%s (%s), ' "${files[$i]#"$data"/}" "$n"; fi
done | sed 's/, $//')

{
echo "## AIS decode"
echo
echo "Measured $(date -u +%Y-%m-%d) on $cpu_model, $(nproc) cores visible, Linux $kernel;"
echo "every command pinned to core $cpu with \`taskset -c $cpu\`, input from a file, output to"
echo "/dev/null; best and median of $runs runs (interleaved); rate = sentences / best time."
echo "alidade $rev$dirty, release build (\`build-bench\`: buildtype release, -O3, NDEBUG,"
echo "$cc_version); peer: $gps_version (Debian gpsd-clients)."
echo
echo "Input: \`bench/out/ais-bench.nmea\`, $nsent sentences ($bytes bytes, $msgs messages):"
echo "the $nbase valid AIS sentences ($msgs_base messages) of the real captures in"
echo "\`shared/data/ais\` repeated $reps times. Reduced to what both tools read: the"
echo "\`!xxVDM\`/\`!xxVDO\` sentence only (tag blocks, \`\$PGHP\` and other lines, trailing"
echo "fields after \`*hh\` removed), bad checksums, malformed fields and incomplete multipart"
echo "groups dropped, groups kept together in order; sentences kept per file: $file_list."
echo
echo "| command | output | best (s) | median (s) | sentences/s | MB/s | vs gpsdecode |"
echo "|---|---|---:|---:|---:|---:|---:|"
outs=("JSON" "JSON (gpsd dialect)" "CSV (positions)" "none (decode only)")
for i in "${!cmds[@]}"; do
    read -r best med <<<"$(echo "${times[$i]}" | stat)"
    awk -v name="${names[$i]}" -v o="${outs[$i]}" -v b="$best" -v m="$med" -v n="$nsent" \
        -v by="$bytes" -v g="$gps_rate" 'BEGIN {
        r = n / b
        printf "| `%s` | %s | %.3f | %.3f | %.0f | %.1f | %.1fx |\n", name, o, b, m, r, by / b / 1e6, r / g }'
done
echo
echo "JSON lines on the full input: gpsdecode $gps_lines, alidade $ald_lines."
if [ "$gps_types" = "$ald_types" ]; then
    echo "Lines per message type on the real set (type: lines) are the same for both: $ald_types."
else
    echo "Lines per message type on the real set differ: gpsdecode $gps_types; alidade $ald_types."
fi
echo "The lines are not compared byte for byte here: alidade writes gpsd 3.27's JSON and"
echo "3.22's differs (e.g. 6 vs 7 decimals in lat/lon, \"nan\" vs \"n/a\"); tests/ais does"
echo "the byte comparison against gpsd's own expected output."
echo
read -r jbest _ <<<"$(echo "${times[1]}" | stat)"
read -r nbest _ <<<"$(echo "${times[3]}" | stat)"
awk -v n="$nsent" -v g="$gps_rate" -v j="$jbest" -v r="$nbest" 'BEGIN {
    jr = n / j / g; nr = n / r
    printf "Goals: JSON >= 10x gpsdecode: %.1fx, %s; decode only >= 5,000,000 sentences/s/core:\n", jr, (jr >= 10 ? "met" : "missed")
    printf "%.0f, %s.\n", nr, (nr >= 5e6 ? "met" : "missed") }'
} > "$out/ais_decode.md"

cat "$out/ais_decode.md"

if [ "$write" = 1 ]; then
    mkdir -p "$(dirname "$doc")"
    if [ ! -f "$doc" ]; then
        cat > "$doc" <<'EOF'
# Performance

How fast alidade's hot paths are, measured against an established peer on
real data, on one pinned core. Each section is generated by a script; do not
edit it by hand, re-run it:

    make bench                    # or: bench/ais_decode.sh --write

The script builds its own release tree (`build-bench`), builds its input under
`bench/out/` (git-ignored) from the real captures in `../shared/data`, and
records the machine (CPU model, `nproc`, kernel) with the numbers.
EOF
    fi
    replace_section "$doc" "AIS decode" "$out/ais_decode.md" || die "cannot write $doc"
    echo "ais_decode.sh: wrote the AIS decode section of ${doc#"$root"/}" >&2
fi
