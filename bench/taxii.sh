#!/usr/bin/env bash
# taxii.sh - TAXII 2.1 serving under load: `alidade serve` over a store of
# 1,000,000 STIX objects, pages of 1000 objects fetched by 64 concurrent
# connections (wrk, 2 threads, 30 s), then POST ingest of envelopes of 1000.
#
#   bench/taxii.sh            print the Markdown table
#   bench/taxii.sh --write    also replace the "TAXII serving" section of
#                             docs/PERFORMANCE.md (`make bench` does this)
#
# Data: the objects of MITRE ATT&CK ICS (../shared/data/cti/attack/ics-attack.json)
# copied with new ids (type--uuid4) until BENCH_OBJECTS, written once as
# envelopes under bench/out/taxii-gen/ and imported once with `alidade stix
# import` into bench/out/taxii-data/ (both kept between runs).
# GET load: page boundaries (X-TAXII-Date-Added-Last of every manifest page of
# 1000, collected once, bench/out/taxii-cursors.txt) are the added_after of
# random pages: `GET .../objects/?added_after=T&limit=1000`, each a full page.
# Two runs: saturated (every connection sends its next request as soon as the
# answer is in: the closed loop wrk does) and paced (each connection waits a
# random time between requests so that the 64 together ask for BENCH_PACED
# objects/s, the goal's rate); latency percentiles from wrk --latency.
# Server peak RSS: VmHWM of the server process after all runs.
# POST: BENCH_POSTS envelopes of 1000 new objects (fresh ids each run) into a
# collection of their own, BENCH_POST_CLIENTS curl processes at once.
# Build: its own release build dir (build-bench). wrk and the server share the
# machine's cores, as they would not in production: the table says how many.
#
# Environment: BENCH_OBJECTS (1000000), BENCH_SECONDS (30), BENCH_CONNS (64),
#   BENCH_WRK_THREADS (2), BENCH_THREADS (server worker threads, 4),
#   BENCH_PACED (20000), BENCH_POSTS (20), BENCH_POST_CLIENTS (2),
#   ALD_SHARED_DATA (../shared/data), BENCH_BUILD (build-bench).
set -euo pipefail
. "$(dirname "$0")/section.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
write=0
case "${1:-}" in
    --write) write=1 ;;
    "") ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--write]" >&2; exit 2 ;;
esac
nobj=${BENCH_OBJECTS:-1000000}
secs=${BENCH_SECONDS:-30}
conns=${BENCH_CONNS:-64}
wthreads=${BENCH_WRK_THREADS:-2}
sthreads=${BENCH_THREADS:-4}
paced=${BENCH_PACED:-20000}
nposts=${BENCH_POSTS:-20}
pclients=${BENCH_POST_CLIENTS:-2}
attack=${ALD_SHARED_DATA:-$root/../shared/data}/cti/attack/ics-attack.json
bdir=${BENCH_BUILD:-$root/build-bench}
out=$root/bench/out
gen=$out/taxii-gen
data=$out/taxii-data
doc=$root/docs/PERFORMANCE.md

die() { echo "taxii.sh: $*" >&2; exit 2; }
[ -f "$attack" ] || die "$attack not found (set ALD_SHARED_DATA)"
command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"
command -v curl >/dev/null || die "curl not found"
command -v python3 >/dev/null || die "python3 not found"

# ---- release build ----
if [ ! -f "$bdir/build.ninja" ]; then
    meson setup "$bdir" "$root" --buildtype=release -Db_ndebug=true >/dev/null \
        || die "meson setup $bdir failed"
fi
ninja -C "$bdir" src/alidade >/dev/null || die "build failed (ninja -C $bdir)"
alidade=$bdir/src/alidade
mkdir -p "$out"

# envelopes of ATT&CK ICS objects with new ids: gen_envelopes DIR COUNT PER_FILE
gen_envelopes() {
    python3 - "$attack" "$1" "$2" "$3" <<'EOF'
import json, os, sys, uuid
src, outdir, total, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
objs = [o for o in json.load(open(src, encoding="utf-8"))["objects"]]
# each object serialised once, its id replaced per copy
texts = []
for o in objs:
    t = json.dumps(o, ensure_ascii=False, separators=(",", ":"))
    old = '"id":"%s"' % o["id"]
    assert t.count(old) == 1
    texts.append((o["type"], t.replace(old, '"id":"@ID@"')))
os.makedirs(outdir, exist_ok=True)
done, k = 0, 0
while done < total:
    n = min(per, total - done)
    path = os.path.join(outdir, "env-%04d.json" % k)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write('{"objects":[')
        for i in range(n):
            typ, t = texts[(done + i) % len(texts)]
            f.write(("," if i else "") + t.replace("@ID@", "%s--%s" % (typ, uuid.uuid4())))
        f.write("]}\n")
    os.rename(path + ".tmp", path)
    done += n
    k += 1
EOF
}

# ---- the store of BENCH_OBJECTS objects (once) ----
import_s=$(cat "$data/.bench-import-seconds" 2>/dev/null || true)
if [ ! -f "$data/.bench-objects-$nobj" ]; then
    rm -rf "$data" "$gen"
    echo "taxii.sh: generating $nobj objects in $gen" >&2
    gen_envelopes "$gen" "$nobj" 100000
    echo "taxii.sh: importing them into $data" >&2
    t0=$(date +%s%N)
    "$alidade" stix import --data "$data" "$gen"/env-*.json >"$out/taxii-import.log" 2>&1 \
        || die "import failed, see $out/taxii-import.log"
    t1=$(date +%s%N)
    import_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    echo "$import_s" > "$data/.bench-import-seconds"
    touch "$data/.bench-objects-$nobj"
    rm -f "$out/taxii-cursors.txt"
fi
store_mb=$(du -sm "$data" | cut -f1)

# ---- server and partner ----
pname=bench-$$
token=$("$alidade" partner add "$pname" --data "$data" --read '*' --write '*' | tail -1)
[ -n "$token" ] || die "partner add failed"
slog=$out/taxii-serve.log
"$alidade" serve --data "$data" --listen 127.0.0.1:0 --threads "$sthreads" 2>"$slog" &
spid=$!
cleanup() {
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    "$alidade" partner remove "$pname" --data "$data" >/dev/null 2>&1 || true
}
trap cleanup EXIT
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$slog")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || die "server did not start: $(cat "$slog")"
base=http://127.0.0.1:$port
auth="Authorization: Bearer $token"
accept="Accept: application/taxii+json;version=2.1"
coll=$(curl -sf -H "$auth" -H "$accept" "$base/api/collections/" \
       | python3 -c 'import json,sys; print(json.load(sys.stdin)["collections"][0]["id"])') \
    || die "no collection"
objects_url=$base/api/collections/$coll/objects/

# ---- page boundaries (once): X-TAXII-Date-Added-Last of each manifest page ----
cursors=$out/taxii-cursors.txt
if [ ! -s "$cursors" ]; then
    echo "taxii.sh: collecting page boundaries from the manifest" >&2
    python3 - "$base/api/collections/$coll/manifest/" "$token" "$cursors" <<'EOF'
import json, sys, urllib.parse, urllib.request
url, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
hdr = {"Authorization": "Bearer " + token, "Accept": "application/taxii+json;version=2.1"}
lasts, nxt = [], None
while True:
    q = "?limit=1000" + ("&next=" + urllib.parse.quote(nxt) if nxt else "")
    with urllib.request.urlopen(urllib.request.Request(url + q, headers=hdr)) as r:
        body = json.load(r)
        if body.get("objects"):
            lasts.append(r.headers["X-TAXII-Date-Added-Last"])
    if not body.get("more"):
        break
    nxt = body["next"]
# a page that starts after the last boundary but one is full (1000 objects)
with open(path, "w") as f:
    f.write("\n".join(lasts[:-1]) + "\n")
EOF
fi
ncur=$(wc -l < "$cursors")
[ "$ncur" -gt 0 ] || die "no page boundaries"

# one page, to check it and to know its size
first=$(head -1 "$cursors")
probe=$out/taxii-page.json
curl -sf -H "$auth" -H "$accept" -o "$probe" \
    "$objects_url?added_after=$first&limit=1000" || die "GET of a page failed"
page_objs=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["objects"]))' "$probe")
[ "$page_objs" = 1000 ] || die "a page holds $page_objs objects, not 1000"
page_bytes=$(wc -c < "$probe")
# the comparison run's query must serve the same page, byte for byte
nover='&match[version]=all&match[spec_version]=2.1'
curl -gsf -H "$auth" -H "$accept" -o "$probe.all" \
    "$objects_url?added_after=$first&limit=1000$nover" || die "GET of a page failed"
cmp -s "$probe" "$probe.all" || die "the $nover page differs from the default one"

# ---- GET load with wrk ----
lua=$out/taxii-get.lua
cat > "$lua" <<'EOF'
-- random full pages of 1000: added_after = a page boundary (taxii.sh)
local cursors = {}
local path, auth, delay_ms, extra = nil, nil, 0, ""
function init(args)
    path, auth, delay_ms, extra = args[1], args[2], tonumber(args[4]) or 0, args[5] or ""
    for line in io.lines(args[3]) do cursors[#cursors + 1] = line end
    math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0))
end
function request()
    local t = cursors[math.random(#cursors)]
    return wrk.format("GET", path .. "?added_after=" .. t .. "&limit=1000" .. extra,
        {["Authorization"] = "Bearer " .. auth,
         ["Accept"] = "application/taxii+json;version=2.1"})
end
function delay()
    if delay_ms > 0 then return math.random(0, 2 * delay_ms) end
    return 0
end
EOF
objpath=/api/collections/$coll/objects/
# server CPU time (user + system) in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$spid/stat"; }
hz=$(getconf CLK_TCK)
# run_wrk LOG DELAY_MS [EXTRA_QUERY]: also writes LOG.cpu, server CPU ms per page
run_wrk() {
    local c0 c1
    c0=$(cpu_ticks)
    wrk -t "$wthreads" -c "$conns" -d "${secs}s" --latency --timeout 30s -s "$lua" \
        "$base$objpath" -- "$objpath" "$token" "$cursors" "$2" "${3:-}" > "$1" 2>&1 \
        || die "wrk failed: $(cat "$1")"
    c1=$(cpu_ticks)
    if grep -q 'Non-2xx\|Socket errors' "$1"; then die "errors under load: $(cat "$1")"; fi
    awk -v a="$c0" -v b="$c1" -v hz="$hz" '/ requests in / { n = $1 }
        END { printf "%.1f\n", (b - a) * 1000 / hz / n }' "$1" > "$1.cpu"
}
# "requests/s p50_ms p99_ms max_ms" from a wrk log
wrk_stats() {
    awk '
    function ms(v) {
        if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
        if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
    $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
    $1 == "Latency" && $2 ~ /[0-9]/ { mx = ms($4) }
    $1 == "Requests/sec:" { rps = $2 }
    END { printf "%s %.1f %.1f %.1f\n", rps, p50, p99, mx }' "$1"
}
echo "taxii.sh: saturated GET, $conns connections, ${secs}s" >&2
run_wrk "$out/taxii-wrk-sat.log" 0
read -r s_rps s_p50 s_p99 s_max <<<"$(wrk_stats "$out/taxii-wrk-sat.log")"
s_cpu=$(cat "$out/taxii-wrk-sat.log.cpu")
# the same pages without the per-object version lookup: every version of
# spec_version 2.1 (all objects here have one version: the same pages, checked above)
echo "taxii.sh: saturated GET with $nover, ${secs}s" >&2
run_wrk "$out/taxii-wrk-all.log" 0 "$nover"
read -r a_rps a_p50 a_p99 a_max <<<"$(wrk_stats "$out/taxii-wrk-all.log")"
a_cpu=$(cat "$out/taxii-wrk-all.log.cpu")
# paced: mean wait per connection so that conns connections ask for `paced` objects/s
pdelay=$(awk -v c="$conns" -v r="$paced" 'BEGIN { printf "%d", c / (r / 1000) * 1000 }')
echo "taxii.sh: paced GET ($paced objects/s offered, mean wait ${pdelay} ms), ${secs}s" >&2
run_wrk "$out/taxii-wrk-paced.log" "$pdelay"
read -r p_rps p_p50 p_p99 p_max <<<"$(wrk_stats "$out/taxii-wrk-paced.log")"
p_cpu=$(cat "$out/taxii-wrk-paced.log.cpu")

# ---- POST ingest ----
icoll_file=$data/.bench-ingest-collection
if [ ! -s "$icoll_file" ]; then
    "$alidade" collection add "bench ingest" --data "$data" | tail -1 > "$icoll_file"
fi
icoll=$(cat "$icoll_file")
pgen=$out/taxii-post
rm -rf "$pgen"
gen_envelopes "$pgen" $((nposts * 1000)) 1000
echo "taxii.sh: POST of $nposts envelopes of 1000 objects, $pclients clients" >&2
post_url=$base/api/collections/$icoll/objects/
t0=$(date +%s%N)
# shellcheck disable=SC2016
ls "$pgen"/env-*.json | xargs -P "$pclients" -I{} sh -c \
    'curl -s -o "$1.status" -w "%{http_code}\n" -H "$2" -H "$3" \
        -H "Content-Type: application/taxii+json;version=2.1" --data-binary "@$1" "$4"' \
    _ {} "$auth" "$accept" "$post_url" > "$pgen/codes"
t1=$(date +%s%N)
[ "$(grep -c '^202$' "$pgen/codes")" = "$nposts" ] || die "POST failed: $(sort "$pgen/codes" | uniq -c)"
stored=$(cat "$pgen"/env-*.json.status | python3 -c '
import json, sys
n = 0
for line in sys.stdin.read().replace("}{", "}\n{").splitlines():
    n += json.loads(line)["success_count"]
print(n)')
[ "$stored" = $((nposts * 1000)) ] || die "POST stored $stored of $((nposts * 1000)) objects"
post_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')

rss_mb=$(awk '$1 == "VmHWM:" { printf "%.0f", $2 / 1024 }' "/proc/$spid/status")

# ---- table ----
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
[ -n "$cpu_model" ] || cpu_model=$(uname -m)
cc_version=$(sed -n 's/^C compiler for the host machine: [^(]*(\([^ ]* [0-9.]*\).*/\1/p' \
             "$bdir/meson-logs/meson-log.txt" | head -1)
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?")
dirty=$(git -C "$root" status --porcelain -- lib src include 2>/dev/null | grep -q . \
        && echo " (with uncommitted changes in lib/src/include)" || true)
wrk_version=$( (wrk -v 2>&1 || true) | head -1 | awk '{ print $1, $2 }')
{
echo "## TAXII serving"
echo
echo "Measured $(date -u +%Y-%m-%d) on $cpu_model, $(nproc) cores visible, Linux $(uname -r);"
echo "server and load generator on the same cores (loopback). alidade $rev$dirty, release"
echo "build (\`build-bench\`: -O3, NDEBUG, $cc_version), \`alidade serve --threads $sthreads\`;"
echo "load: $wrk_version, $wthreads threads, $conns connections, ${secs} s per run."
echo
echo "Store: $nobj objects (MITRE ATT&CK ICS objects copied with new ids, about"
echo "$(awk -v b="$page_bytes" 'BEGIN { printf "%.0f", b / 1000 }') bytes each as served), $store_mb MB on disk, imported once with"
echo "\`alidade stix import\`${import_s:+ in $import_s s}. Each GET is a full page:"
echo "\`GET /api/collections/{default}/objects/?added_after=T&limit=1000\` (T one of the"
echo "$ncur page boundaries, at random), $page_bytes bytes; objects/s = pages/s x 1000."
echo "Saturated: each connection asks again as soon as it has its answer. Paced: each"
echo "waits a random 0-$((2 * pdelay)) ms first, so the $conns together offer $paced objects/s."
echo
echo "| run | pages/s | objects/s | p50 (ms) | p99 (ms) | max (ms) | server CPU ms/page |"
echo "|---|---:|---:|---:|---:|---:|---:|"
row() { awk -v n="$1" -v r="$2" -v a="$3" -v b="$4" -v m="$5" -v u="$6" 'BEGIN {
    printf "| %s | %.1f | %.0f | %.1f | %.1f | %.1f | %.1f |\n", n, r, r * 1000, a, b, m, u }'; }
row "GET, $conns connections, saturated" "$s_rps" "$s_p50" "$s_p99" "$s_max" "$s_cpu"
row "GET, $conns connections, paced at $paced objects/s" "$p_rps" "$p_p50" "$p_p99" "$p_max" "$p_cpu"
row "saturated, \`$nover\`" "$a_rps" "$a_p50" "$a_p99" "$a_max" "$a_cpu"
echo
echo "The last row serves the same objects (each has one version) through the store's"
echo "path that needs no look at an object's other versions: the difference in CPU per"
echo "page is what choosing the version (the default \`match[version]=last\`) costs."
echo
awk -v n="$((nposts * 1000))" -v t="$post_s" -v p="$pclients" -v e="$nposts" 'BEGIN {
    printf "POST ingest: %d envelopes of 1000 new objects (%d curl clients at once), %d stored\n", e, p, n
    printf "in %.2f s: %.0f objects/s (each checked, stored and audited).\n", t, n / t }'
echo "Server peak RSS (VmHWM) over all runs: $rss_mb MB."
echo
awk -v sr="$s_rps" -v s99="$s_p99" -v pr="$p_rps" -v p99="$p_p99" -v c="$conns" -v o="$paced" 'BEGIN {
    sat = (sr * 1000 >= 20000 && s99 < 50); pac = (p99 < 50)
    printf "Goal: >= 20,000 objects/s with p99 < 50 ms at %d clients. Saturated: %s (%.0f objects/s,\n", c, (sat ? "met" : "missed"), sr * 1000
    printf "p99 %.1f ms). Paced (%d objects/s offered, %.0f served: the first wait of each\n", s99, o, pr * 1000
    printf "connection is part of the run): p99 %.1f ms, %s.\n", p99, (pac ? "met" : "missed")
    printf "With %d connections always waiting, mean latency = %d / pages/s (Little'"'"'s law):\n", c, c
    printf "p99 < 50 ms saturated would need more than %d pages/s, %.0f objects/s.\n", c / 0.05, c / 0.05 * 1000 }'
} > "$out/taxii.md"

cat "$out/taxii.md"

if [ "$write" = 1 ]; then
    [ -f "$doc" ] || die "$doc not found (bench/ais_decode.sh --write creates it)"
    replace_section "$doc" "TAXII serving" "$out/taxii.md" || die "cannot write $doc"
    echo "taxii.sh: wrote the TAXII serving section of ${doc#"$root"/}" >&2
fi
