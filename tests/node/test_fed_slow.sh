#!/bin/sh
# test_fed_slow.sh - a slow partner must not delay the others
# (docs/federation.md, "Workers"): nodes A, B, C on 127.0.0.1, A pushes to
# and pulls from B, B re-shares to C; two fake partners S1 (accepts the
# connection and never answers) and S2 (answers one byte a second, never
# completing) written in Python (fed_stall.py), which A also pushes to and
# pulls from. Checked:
#   - an object made at A reaches C through B as fast with S1 and S2
#     stalling A's requests as without them (every latency < 2 s: the
#     stores' own date_added stamps), while S1 and S2 keep their
#     connections stalled; A's pull from B goes on too;
#   - `partner remove S1` stops its worker: the stalled request is cut at
#     once (S1 sees its connection closed within 2 s), no new one comes;
#   - `partner set S2` with a new token restarts its worker at once (the
#     request stalled with the old token is not waited for);
#   - status and /metrics per partner while S2 stalls;
#   - stopping A with a request stalled at S2 takes < 2 s;
#   - with --fed-timeout 2 a stalled request fails after about 2 s, is
#     counted (network) and retried, B's sync unaffected.
# Every process is stopped on exit, also on failure.
NEED="python3 curl"
. "$(dirname "$0")/harness.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
now() { date +%s.%N; }
# elapsed T0: seconds since T0 (3 decimals)
elapsed() { python3 -c 'import sys,time; print("%.3f" % (time.time() - float(sys.argv[1])))' "$1"; }
# wait_for SECONDS CONDITION: true as soon as CONDITION holds
wait_for() {
    n=$(($1 * 20))
    while [ $n -gt 0 ]; do
        eval "$2" && return 0
        sleep 0.05
        n=$((n - 1))
    done
    return 1
}

# start NAME [OPTIONS...]: serves $T/NAME on $PORT_NAME; pid in PID_NAME
start() {
    name=$1
    shift
    before=$(cat "$T/$name.err" 2> /dev/null | grep -c 'listening on')
    eval "port=\$PORT_$name"
    "$BIN" serve --data "$T/$name" --listen "127.0.0.1:$port" --sync-interval 1 \
        --threads 2 --log-level warn "$@" 2>> "$T/$name.err" &
    eval "PID_$name=$!"
    PIDS="$PIDS $!"
    errf="$T/$name.err"
    wait_for 10 'c=$(grep -c "listening on" "$errf" 2> /dev/null); [ "${c:-0}" -gt "$before" ]'
}

defcoll() { "$BIN" collection list --data "$T/$1" | awk -F'\t' '$3 == "yes" {print $1}'; }
token() { "$BIN" partner add "$1" --data "$T/$2" --read '*' --write '*' | tail -n 1 > "$T/tok.$1_at_$2"; }
count() {
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1], timeout=10).execute("SELECT count(*) FROM object").fetchone()[0])' "$T/$1/alidade.db" 2> /dev/null || echo 0
}
# has NAME ID: the store of NAME holds ID
has() {
    python3 -c 'import sqlite3,sys; sys.exit(0 if sqlite3.connect(sys.argv[1], timeout=10).execute("SELECT count(*) FROM object WHERE id = ?", (sys.argv[2],)).fetchone()[0] else 1)' "$T/$1/alidade.db" "$2" 2> /dev/null
}
# latencies FILE_OF_IDS: "max mean" of date_added at C - date_added at A
latencies() {
    python3 - "$T/A/alidade.db" "$T/C/alidade.db" "$1" << 'EOF'
import sqlite3, sys
a = dict(sqlite3.connect(sys.argv[1]).execute("SELECT id, date_added FROM object"))
c = dict(sqlite3.connect(sys.argv[2]).execute("SELECT id, date_added FROM object"))
ids = open(sys.argv[3]).read().split()
d = [(c[i] - a[i]) / 1e6 for i in ids if i in a and i in c]
print("%.3f %.3f %d" % (max(d), sum(d) / len(d), len(d)) if d else "99 99 0")
EOF
}
# make_at NAME IDFILE TAG N: N TLP:GREEN indicators made at NAME one at a
# time, 0.3 s apart; their ids appended to IDFILE
make_at() {
    i=0
    while [ $i -lt "$4" ]; do
        id=$(python3 -c 'import uuid,sys; print("indicator--%s" % uuid.uuid5(uuid.NAMESPACE_URL, sys.argv[1]))' "slow-$3-$i")
        printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","name":"t","pattern":"[ipv4-addr:value = '"'"'10.9.9.%d'"'"']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}\n' "$id" "$i" > "$T/one.json"
        "$BIN" stix import --data "$T/$1" "$T/one.json" > /dev/null 2>&1
        echo "$id" >> "$2"
        sleep 0.3
        i=$((i + 1))
    done
}
# arrived IDFILE: every id of IDFILE is at C
arrived() {
    python3 - "$T/C/alidade.db" "$1" << 'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
ids = open(sys.argv[2]).read().split()
sys.exit(0 if all(db.execute("SELECT 1 FROM object WHERE id = ?", (i,)).fetchone() for i in ids) else 1)
EOF
}
# opens S / closes S: connections S saw opened / closed by A so far
opens() { c=$(grep -c '^open' "$T/$1.log" 2> /dev/null); echo "${c:-0}"; }
closes() { c=$(grep -c '^closed' "$T/$1.log" 2> /dev/null); echo "${c:-0}"; }

# ---- three nodes, A -> B -> C, A pulls from B ----
for n in A B C; do eval "PORT_$n=$(free_port)"; done
token A B
token C B
token B A
token B C
DA=$(defcoll A)
DB=$(defcoll B)
DC=$(defcoll C)
"$BIN" partner set B --data "$T/A" --url "http://127.0.0.1:$PORT_B/api/" --push "$DB" --pull "$DB" \
    --pull-into "$DA" --remote-user A --remote-token-file "$T/tok.A_at_B" > /dev/null
"$BIN" partner set C --data "$T/B" --url "http://127.0.0.1:$PORT_C/api/" --push "$DC" \
    --remote-user B --remote-token-file "$T/tok.B_at_C" --reshare > /dev/null

# ---- the stalling partners ----
for s in S1:silent S2:dribble; do
    name=${s%%:*}
    python3 "$HERE/fed_stall.py" "${s#*:}" "$T/$name.port" "$T/$name.log" &
    PIDS="$PIDS $!"
done
wait_for 10 '[ -s "$T/S1.port" ] && [ -s "$T/S2.port" ]'
echo "x" > "$T/tok.fake"
FAKE=11111111-2222-4333-8444-555555555555

start B
start C
start A --log-level info
check "three nodes serving, two stalling partners listening" \
    'grep -q listening "$T/A.err" && grep -q listening "$T/B.err" && grep -q listening "$T/C.err" && [ -s "$T/S1.port" ] && [ -s "$T/S2.port" ]'

# ---- without S1 and S2 ----
: > "$T/base.ids"
make_at A "$T/base.ids" base 3
wait_for 10 'arrived "$T/base.ids"'
read -r bmax bmean bn << EOF
$(latencies "$T/base.ids")
EOF
check "without the stalling partners: $bn of 3 objects A -> B -> C, max $bmax s, mean $bmean s" \
    '[ "$bn" -eq 3 ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 2 else 1)" "$bmax"'

# ---- A also pushes to and pulls from S1 and S2, which stall ----
for s in S1 S2; do
    "$BIN" partner add "$s" --data "$T/A" > /dev/null
    "$BIN" partner set "$s" --data "$T/A" --url "http://127.0.0.1:$(cat "$T/$s.port")/api/" \
        --push "$FAKE" --pull "$FAKE" --remote-user A --remote-token-file "$T/tok.fake" > /dev/null
done
check "A's workers for S1 and S2 started without a restart, each stalled in a request" \
    'wait_for 10 "[ \$(opens S1) -ge 1 ] && [ \$(opens S2) -ge 1 ]" && grep -q "partner worker started.*S1" "$T/A.err" && grep -q "partner worker started.*S2" "$T/A.err"'
sleep 0.5
: > "$T/slow.ids"
make_at A "$T/slow.ids" slow 6
wait_for 10 'arrived "$T/slow.ids"'
read -r smax smean sn << EOF
$(latencies "$T/slow.ids")
EOF
echo "# latency A -> B -> C: without stalling partners max $bmax s mean $bmean s; with S1, S2 stalling max $smax s mean $smean s"
check "with S1 and S2 stalling: $sn of 6 objects A -> B -> C, every one < 2 s (max $smax s, mean $smean s)" \
    '[ "$sn" -eq 6 ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 2 else 1)" "$smax"'
check "S1 and S2 stalled all along: their connections from A still open" \
    '[ $(closes S1) -eq 0 ] && [ $(closes S2) -eq 0 ]'
I_B=indicator--5b5b5b5b-0000-4000-8000-000000000001
printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","name":"b","pattern":"[ipv4-addr:value = '"'"'10.8.8.8'"'"']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z"}\n' "$I_B" > "$T/b.json"
"$BIN" stix import --data "$T/B" "$T/b.json" > /dev/null 2>&1
t0=$(now)
check "A's pull from B goes on (every --sync-interval 1 s): B's new object at A" \
    'wait_for 5 "has A $I_B"'
echo "# B -> A by pull: $(elapsed "$t0") s"

# ---- status and /metrics per partner while S2 stalls ----
"$BIN" status --data "$T/A" --json > "$T/status.json"
check "status at A: B synced, no errors, out >= 9; S1 and S2 listed" \
    'python3 -c "
import json,sys
p={x[\"name\"]:x for x in json.load(open(sys.argv[1]))[\"partners\"]}
b=p[\"B\"]
sys.exit(0 if b[\"errors\"]==0 and b[\"out\"]>=9 and b[\"last_sync\"] and \"S1\" in p and \"S2\" in p else 1)" "$T/status.json"' || cat "$T/status.json"
curl -s "http://127.0.0.1:$PORT_A/metrics" > "$T/a.metrics"
check "/metrics at A: a worker per partner with a URL (3), B's objects out, B's lag" \
    'grep -q "^alidade_fed_workers 3" "$T/a.metrics" && grep -q "^alidade_fed_objects_out_total{partner=\"B\"} [1-9]" "$T/a.metrics" && grep -q "^alidade_fed_lag_seconds{partner=\"B\"} 0" "$T/a.metrics"' || grep fed "$T/a.metrics"

# ---- partner remove S1: its worker stops, its stalled request is cut ----
t0=$(now)
"$BIN" partner remove S1 --data "$T/A" > /dev/null
check "partner remove S1: its stalled request cut within 2 s" \
    'wait_for 2 "[ \$(closes S1) -ge 1 ]"'
echo "# S1's connection closed $(elapsed "$t0") s after partner remove"
check "and its worker stopped (log), S2's still there" \
    'wait_for 2 "grep -q \"partner worker stopped.*S1\" \"$T/A.err\"" && ! grep -q "partner worker stopped.*S2" "$T/A.err"'
n1=$(opens S1)
sleep 2
check "no new request to S1 after its removal" '[ "$(opens S1)" -eq "$n1" ] && [ "$(closes S1)" -eq "$n1" ]'
curl -s "http://127.0.0.1:$PORT_A/metrics" > "$T/a.metrics"
check "/metrics at A: 2 workers now" 'grep -q "^alidade_fed_workers 2" "$T/a.metrics"'

# ---- partner set with a new token: the stalled request is not waited for ----
o2=$(opens S2)
c2=$(closes S2)
echo "y" > "$T/tok.fake2"
t0=$(now)
"$BIN" partner set S2 --data "$T/A" --remote-token-file "$T/tok.fake2" > /dev/null
check "partner set S2 --remote-token-file: the stalled request cut within 2 s, a new one made" \
    'wait_for 2 "[ \$(closes S2) -gt $c2 ] && [ \$(opens S2) -gt $o2 ]"'
echo "# S2's request with the old token cut $(elapsed "$t0") s after partner set"

# ---- stopping A while S2 stalls a request: prompt ----
t0=$(now)
kill "$PID_A"
wait "$PID_A" 2> /dev/null
rc=$?
stop_s=$(elapsed "$t0")
check "A stopped (SIGTERM) in $stop_s s with S2's request stalled: < 2 s, exit 0" \
    '[ $rc -eq 0 ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 2 else 1)" "$stop_s"'
check "and S2 saw its connection closed" 'wait_for 2 "[ \$(closes S2) -ge 1 ]"'

# ---- --fed-timeout 2: a stalled request fails after about 2 s ----
o2=$(opens S2)
start A --fed-timeout 2
check "A restarted with --fed-timeout 2: a new request to S2" 'wait_for 5 "[ \$(opens S2) -gt $o2 ]"'
t0=$(now)
check "S2's dribbling request (1 byte/s) given up within 5 s" \
    'wait_for 5 "[ \$(closes S2) -gt $o2 ]"'
echo "# S2's request given up after $(elapsed "$t0") s (--fed-timeout 2)"
check "counted at A as a network error of S2, none for B" \
    'wait_for 5 "\"$BIN\" status --data \"$T/A\" --json | python3 -c \"
import json,sys
p={x[\\\"name\\\"]:x for x in json.load(sys.stdin)[\\\"partners\\\"]}
s=p[\\\"S2\\\"]
sys.exit(0 if s[\\\"errors\\\"]>=1 and \\\" network: \\\" in (s[\\\"last_error\\\"] or \\\"\\\") and p[\\\"B\\\"][\\\"errors\\\"]==0 else 1)\""'
: > "$T/late.ids"
make_at A "$T/late.ids" late 2
wait_for 10 'arrived "$T/late.ids"'
read -r lmax lmean ln << EOF
$(latencies "$T/late.ids")
EOF
check "and A -> B -> C still < 2 s (max $lmax s)" \
    '[ "$ln" -eq 2 ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 2 else 1)" "$lmax"'
check "S2 is retried after its backoff (a new request)" 'wait_for 8 "[ \$(opens S2) -gt \$((o2 + 1)) ]"'

for n in A B C; do
    eval "p=\$PID_$n"
    kill "$p" 2> /dev/null
    wait "$p" 2> /dev/null
done
check "every node stopped cleanly" '! grep -q "AddressSanitizer\|runtime error\|LeakSanitizer\|ThreadSanitizer" "$T"/*.err'

finish
