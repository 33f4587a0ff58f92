#!/usr/bin/env bash
# federation.sh - federation between `alidade serve` nodes on this machine
# (docs/federation.md):
#   1. end-to-end latency A -> B -> C: BENCH_FED_OBJECTS indicators
#      (TLP:GREEN) made at A one by one (`alidade stix import`, every
#      BENCH_FED_GAP_MS); A pushes to B, B re-shares to C. Latency of an
#      object = its date_added at C minus its date_added at A (the same
#      clock: both are the store's microsecond stamps), p50/p99/max. Then
#      as many again with a partner S at A that accepts the connection and
#      never answers (tests/node/fed_stall.py), A pushing to and pulling
#      from it too: a stalled partner must not delay the others.
#   2. sustained objects/s between two nodes: BENCH_FED_BULK indicators in
#      X's store pushed to Y (X's push cursor from nothing to the end), and
#      then pulled by a fresh Z from X (pages of 500): objects over the time
#      from the first to the last date_added at the receiver.
#   3. memory of the partner workers (one thread per partner): node W with
#      BENCH_FED_OBJECTS objects gets BENCH_FED_PARTNERS partners while it
#      runs, each pushing to and pulling from a node V; W's resident memory
#      (VmRSS, VmHWM) and threads before and after every partner synced.
#
#   bench/federation.sh            print the Markdown section
#   bench/federation.sh --write    also replace the "Federation" section of
#                                  docs/PERFORMANCE.md
#
# Build: build-fed (release); BENCH_BUILD overrides. Every server is stopped
# on exit. The machine is shared with other work: the section says so.
#
# Environment: BENCH_FED_OBJECTS (200), BENCH_FED_GAP_MS (50),
#   BENCH_FED_BULK (20000), BENCH_FED_PARTNERS (50), BENCH_BUILD (build-fed).
set -euo pipefail
. "$(dirname "$0")/section.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
write=0
case "${1:-}" in
    --write) write=1 ;;
    "") ;;
    -h|--help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: $0 [--write]" >&2; exit 2 ;;
esac
N=${BENCH_FED_OBJECTS:-200}
GAP=${BENCH_FED_GAP_MS:-50}
BULK=${BENCH_FED_BULK:-20000}
NP=${BENCH_FED_PARTNERS:-50}
BUILD=${BENCH_BUILD:-build-fed}
BIN=$root/$BUILD/src/alidade
[ -x "$BIN" ] || { echo "federation.sh: build $BUILD first (meson setup $BUILD; ninja -C $BUILD)" >&2; exit 1; }

T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
declare -A PORT
start() {
    "$BIN" serve --data "$T/$1" --listen "127.0.0.1:${PORT[$1]}" --sync-interval 1 --threads 2 \
        --log-level warn 2>> "$T/$1.err" &
    PIDS+=($!)
    for _ in $(seq 1 100); do grep -q "listening on" "$T/$1.err" 2> /dev/null && return; sleep 0.1; done
    echo "federation.sh: node $1 did not start" >&2
    cat "$T/$1.err" >&2
    exit 1
}
defcoll() { "$BIN" collection list --data "$T/$1" | awk -F'\t' '$3 == "yes" {print $1}'; }
# token NAME AT: partner NAME added at node AT, its token into $T/tok.NAME_at_AT
token() { "$BIN" partner add "$1" --data "$T/$2" --read '*' --write '*' | tail -n 1 > "$T/tok.$1_at_$2"; }
count() {
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1], timeout=10).execute("SELECT count(*) FROM object").fetchone()[0])' "$T/$1/alidade.db"
}
# gen FILE N PREFIX: N GREEN indicators, one per line
gen() {
    python3 - "$1" "$2" "$3" << 'EOF'
import sys, uuid
path, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    for i in range(n):
        u = uuid.uuid5(uuid.NAMESPACE_URL, "%s-%d" % (prefix, i))
        f.write('{"type":"indicator","spec_version":"2.1","id":"indicator--%s",'
                '"created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z",'
                '"name":"bench %d","pattern":"[ipv4-addr:value = \'10.%d.%d.%d\']",'
                '"pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z",'
                '"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}\n'
                % (u, i, i >> 16 & 255, i >> 8 & 255, i & 255))
EOF
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 1. latency A -> B -> C ----
for n in A B C; do PORT[$n]=$(free_port); done
token A B
token C B
token B A
token B C
DA=$(defcoll A)
DB=$(defcoll B)
DC=$(defcoll C)
"$BIN" partner set B --data "$T/A" --url "http://127.0.0.1:${PORT[B]}/api/" --push "$DB" \
    --remote-user A --remote-token-file "$T/tok.A_at_B" > /dev/null
"$BIN" partner set C --data "$T/B" --url "http://127.0.0.1:${PORT[C]}/api/" --push "$DC" \
    --remote-user B --remote-token-file "$T/tok.B_at_C" --reshare > /dev/null
for n in A B C; do start $n; done
# one_by_one FILE: its objects made at A one at a time, GAP ms apart
one_by_one() {
    rm -f "$T"/one.*
    split -l 1 -d -a 4 "$1" "$T/one."
    for f in "$T"/one.*; do
        "$BIN" stix import --data "$T/A" "$f" > /dev/null
        sleep "$(printf '0.%03d' "$GAP")"
    done
}
# latency FILE: "p50 p99 max mean n" of date_added at C - at A of FILE's ids
latency() {
    python3 - "$T/A/alidade.db" "$T/C/alidade.db" "$1" << 'EOF'
import json, sqlite3, sys
a = dict(sqlite3.connect(sys.argv[1]).execute("SELECT id, date_added FROM object"))
c = dict(sqlite3.connect(sys.argv[2]).execute("SELECT id, date_added FROM object"))
ids = [json.loads(l)["id"] for l in open(sys.argv[3])]
d = sorted((c[k] - a[k]) / 1e6 for k in ids if k in a and k in c)
if not d:
    print("- - - - 0")
    sys.exit(0)
q = lambda p: d[min(len(d) - 1, int(round(p * (len(d) - 1))))]
print("%.3f %.3f %.3f %.3f %d" % (q(0.5), q(0.99), d[-1], sum(d) / len(d), len(d)))
EOF
}
gen "$T/lat.jsonl" "$N" "fed-bench-latency-$$"
one_by_one "$T/lat.jsonl"
for _ in $(seq 1 300); do [ "$(count C)" -ge "$N" ] && break; sleep 0.1; done
read -r p50 p99 pmax pmean nlat <<< "$(latency "$T/lat.jsonl")"
# again with a partner S at A that accepts connections and never answers
# (tests/node/fed_stall.py): A pushes to and pulls from it as well
python3 "$root/tests/node/fed_stall.py" silent "$T/S.port" "$T/S.log" &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$T/S.port" ] && break; sleep 0.1; done
echo x > "$T/tok.S"
"$BIN" partner add S --data "$T/A" > /dev/null
"$BIN" partner set S --data "$T/A" --url "http://127.0.0.1:$(cat "$T/S.port")/api/" --push "$DB" \
    --pull "$DB" --remote-user A --remote-token-file "$T/tok.S" > /dev/null
sleep 1
gen "$T/lat2.jsonl" "$N" "fed-bench-latency-stalled-$$"
one_by_one "$T/lat2.jsonl"
for _ in $(seq 1 300); do [ "$(count C)" -ge $((2 * N)) ] && break; sleep 0.1; done
read -r s50 s99 smax smean nslat <<< "$(latency "$T/lat2.jsonl")"
sopen=$(grep -c '^open' "$T/S.log" || true)
sclosed=$(grep -c '^closed' "$T/S.log" || true)
for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
PIDS=()

# ---- 2. throughput X -> Y (push) and X -> Z (pull) ----
for n in X Y Z; do PORT[$n]=$(free_port); done
token X Y
token Z X
token Y X
DX=$(defcoll X)
DY=$(defcoll Y)
DZ=$(defcoll Z)
gen "$T/bulk.jsonl" "$BULK" "fed-bench-bulk-$$"
"$BIN" stix import --data "$T/X" "$T/bulk.jsonl" > /dev/null
"$BIN" partner set Y --data "$T/X" --url "http://127.0.0.1:${PORT[Y]}/api/" --push "$DY" \
    --remote-user X --remote-token-file "$T/tok.X_at_Y" > /dev/null
start Y
start X
for _ in $(seq 1 1200); do [ "$(count Y)" -ge "$BULK" ] && break; sleep 0.1; done
"$BIN" partner add X --data "$T/Z" > /dev/null
"$BIN" partner set X --data "$T/Z" --url "http://127.0.0.1:${PORT[X]}/api/" --pull "$DX" \
    --pull-into "$DZ" --remote-user Z --remote-token-file "$T/tok.Z_at_X" > /dev/null
start Z
for _ in $(seq 1 1200); do [ "$(count Z)" -ge "$BULK" ] && break; sleep 0.1; done
rate() {
    python3 - "$T/$1/alidade.db" << 'EOF'
import sqlite3, sys
n, lo, hi = sqlite3.connect(sys.argv[1]).execute(
    "SELECT count(*), min(date_added), max(date_added) FROM object").fetchone()
print("%d %.2f %.0f" % (n, (hi - lo) / 1e6, n / max((hi - lo) / 1e6, 1e-6)))
EOF
}
read -r ny ty ry <<< "$(rate Y)"
read -r nz tz rz <<< "$(rate Z)"
for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null || true; done
PIDS=()

# ---- 3. memory: W gets NP partners while it runs ----
for n in W V; do PORT[$n]=$(free_port); done
token W V
DW=$(defcoll W)
DV=$(defcoll V)
"$BIN" stix import --data "$T/W" "$T/lat.jsonl" > /dev/null
start V
start W
pid_w=${PIDS[-1]}
# status KEY: VmRSS, VmHWM (kB) or Threads of W
status_of() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid_w/status"; }
sleep 2
rss0=$(status_of VmRSS)
thr0=$(status_of Threads)
for i in $(seq 1 "$NP"); do
    "$BIN" partner add "P$i" --data "$T/W" > /dev/null
    "$BIN" partner set "P$i" --data "$T/W" --url "http://127.0.0.1:${PORT[V]}/api/" --push "$DV" \
        --pull "$DV" --pull-into "$DW" --remote-user W --remote-token-file "$T/tok.W_at_V" > /dev/null
done
# every partner synced: pushed everything (lag 0) and pulled once
synced() {
    "$BIN" status --data "$T/W" --json | python3 -c '
import json, sys
p = json.load(sys.stdin)["partners"]
sys.exit(0 if len(p) == int(sys.argv[1]) and all(x["last_sync"] and x["lag_s"] == 0 and x["out"] + x["errors"] > 0 for x in p) else 1)' "$NP"
}
for _ in $(seq 1 600); do synced && break; sleep 0.1; done
sleep 3
rss1=$(status_of VmRSS)
hwm1=$(status_of VmHWM)
thr1=$(status_of Threads)
nsync=$("$BIN" status --data "$T/W" --json | python3 -c '
import json, sys
print(sum(1 for x in json.load(sys.stdin)["partners"] if x["last_sync"] and x["lag_s"] == 0))')
per=$(( (rss1 - rss0) / NP ))

cores=$(nproc)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
load1=$(cut -d' ' -f1-3 /proc/loadavg)
sec=$T/section.md
cat > "$sec" << EOF
## Federation

\`bench/federation.sh\` ($(date -u +%Y-%m-%d), $cpu, $cores cores, load average
$load0 before the runs and $load1 after: **the machine is shared with other work** (other
builds, tests and nodes ran at the same time), so these are what a busy
machine gives, not a quiet one's best). Release build, three nodes on
127.0.0.1, each \`alidade serve --threads 2 --sync-interval 1\`.

End-to-end latency A -> B -> C: $N TLP:GREEN indicators made at A one at
a time (one \`alidade stix import\` each, ${GAP} ms apart); A pushes to B, B
re-shares to C (\`--reshare\`). Latency = date_added at C - date_added at A
(the stores' own microsecond stamps, one clock).

| A's partners | arrived | p50 | p99 | max | mean | goal |
|---|---|---|---|---|---|---|
| B | $nlat of $N | ${p50} s | ${p99} s | ${pmax} s | ${pmean} s | p99 < 2 s |
| B and S, which stalls every request | $nslat of $N | ${s50} s | ${s99} s | ${smax} s | ${smean} s | p99 < 2 s |

S accepts the connection and never answers: A's worker for S waits in its
requests (S saw $sopen connection(s) from A, $sclosed of them given up by A
after the 30 s stall timeout and retried), while B's worker goes on.

Where it goes: each node notices a new object within its 100 ms store poll
(FED_POLL_MS) and kicks every partner's worker, which makes one POST of
what is new (TAXII check, store, audit, status resource at the receiver);
two hops. A partner that stalls does not change this (its own worker
waits: tests/node/test_fed_slow.sh).

Sustained objects/s between two nodes ($BULK indicators of about 430 bytes,
already in X's store): time from the first to the last date_added at the
receiver.

| direction | objects | seconds | objects/s |
|---|---|---|---|
| X pushes to Y (envelopes of 500) | $ny | $ty | $ry |
| Z pulls from X (pages of 500) | $nz | $tz | $rz |

Memory of the partner workers (one thread, store connection and HTTP
client per partner with a URL; docs/federation.md, "Workers"): node W
holding $N objects gets $NP partners while it runs (\`partner add|set\`),
each pushing to and pulling from one node V. $nsync of $NP synced (pushed
everything, pulled once).

| W | threads | VmRSS | VmHWM |
|---|---|---|---|
| before, no partner | $thr0 | $((rss0 / 1024)) MiB | |
| $NP partners synced | $thr1 | $((rss1 / 1024)) MiB | $((hwm1 / 1024)) MiB |

About **$per KiB resident per partner worker** ((after - before) / $NP).

Reproduce: \`ninja -C build-fed && bench/federation.sh --write\`
(BENCH_FED_OBJECTS, BENCH_FED_GAP_MS, BENCH_FED_BULK, BENCH_FED_PARTNERS).
EOF
cat "$sec"
if [ $write -eq 1 ]; then
    replace_section "$root/docs/PERFORMANCE.md" "Federation" "$sec"
fi
