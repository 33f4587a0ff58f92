#!/bin/sh
# test_ingest.sh - live ingest of `alidade serve --source ...` as an
# operator runs it, every server on 127.0.0.1 (free ports picked by python3)
# and stopped by the test even when a check fails:
#   1. UDP: a drill scenario sent by `alidade ais replay --speed 0`; the
#      planted events are stored as STIX (read over TAXII by a partner), of
#      the truth's kinds and vessels, with the very ids `ais detect -f stix`
#      gives; /metrics counts messages, events per detector, batches;
#   2. a followed file appended in pieces (a multipart message cut between
#      two appends, a line cut in the middle), rotated, then truncated:
#      every message decoded once, none orphaned;
#   3. TCP: a feed that closes and accepts again: the node reconnects;
#   4. EVE followed with planted indicators: the sightings stored count what
#      `alidade match` counts on the same lines; an indicator imported while
#      the node runs is matched after the background recompile;
#   5. kill -9 in the middle of a big followed file, restart: the objects
#      stored equal a clean run's (ids and versions: no loss, no duplicate);
#   6. a bad SPEC is refused with its reason;
# also a directory source (new file, renamed file) and a Zeek TSV log
# resumed past its header after a restart.
NEED="curl python3"
. "$(dirname "$0")/harness.sh"
DATA=${ALD_TEST_DATA:?ALD_TEST_DATA must point at tests/data}

# start_node NAME ARGS...: the server in the background, log in $T/NAME.err;
# sets SP (its pid) and PORT (its HTTP port, empty when it did not start)
start_node() {
    name=$1
    shift
    : >> "$T/$name.err"
    "$BIN" serve --listen 127.0.0.1:0 --log-level debug "$@" 2>> "$T/$name.err" &
    SP=$!
    PIDS="$PIDS $SP"
    PORT=""
    for i in $(seq 1 100); do
        PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$T/$name.err" | tail -n 1)
        [ -n "$PORT" ] && break
        sleep 0.1
    done
}
# stop_node PID: SIGTERM and wait; its exit status in RC
stop_node() {
    kill "$1" 2>/dev/null
    wait "$1"
    RC=$?
}
# metric PORT SERIES: its value (0 when absent)
metric() {
    curl -s "http://127.0.0.1:$1/metrics" | awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'
}
# wait_metric PORT SERIES MIN SECONDS: until the value reaches MIN
wait_metric() {
    n=0
    while [ $n -lt $(($4 * 10)) ]; do
        v=$(metric "$1" "$2")
        python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)' "$v" "$3" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}
# wait_stable PORT SERIES SECONDS: until the value stops changing for SECONDS
wait_stable() {
    last=-1
    same=0
    for i in $(seq 1 600); do
        v=$(metric "$1" "$2")
        if [ "$v" = "$last" ]; then same=$((same + 1)); else same=0; last=$v; fi
        [ $same -ge $(($3 * 5)) ] && return 0
        sleep 0.2
    done
    return 1
}
# dump PORT TOKEN OUT: every object version of the default collection, one
# JSON object per line (paging through with next)
dump() {
    python3 - "$1" "$2" "$3" <<'EOF'
import json, sys, urllib.request, base64
port, tok, out = sys.argv[1:4]
auth = "Basic " + base64.b64encode(("p:" + tok).encode()).decode()
def get(path):
    rq = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
        headers={"Accept": "application/taxii+json;version=2.1", "Authorization": auth})
    return json.load(urllib.request.urlopen(rq))
cols = get("/api/collections/")["collections"]
cid = cols[0]["id"]
objs, nxt = [], None
while True:
    q = "/api/collections/%s/objects/?match[version]=all&limit=500" % cid
    if nxt:
        q += "&next=" + nxt
    env = get(q)
    objs += env.get("objects", [])
    if not env.get("more"):
        break
    nxt = env["next"]
with open(out, "w") as f:
    for o in objs:
        f.write(json.dumps(o, sort_keys=True) + "\n")
EOF
}
# maritime events among dumped objects: "event mmsi" sorted (latest versions)
events_of() {
    python3 - "$1" <<'EOF'
import json, sys
ext = None
latest = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["type"] == "sighting" and "extensions" in o:
        if o["id"] not in latest or o["modified"] > latest[o["id"]]["modified"]:
            latest[o["id"]] = o
rows = []
for o in latest.values():
    e = list(o["extensions"].values())[0]
    rows.append("%s %s" % (e["event"], e["mmsi"]))
print("\n".join(sorted(rows)))
EOF
}

"$BIN" drill generate --out "$T/dr" --quiet
DR=$T/dr
GEO="--zones $DR/zones.geojson --shore $DR/coast.geojson --anchorages $DR/coast.geojson"
python3 -c '
import json, sys
print("\n".join(sorted("%s %s" % (o["event"], o["mmsi"]) for o in map(json.loads, open(sys.argv[1])))))' \
    "$DR/truth.jsonl" > "$T/truth.txt"

# ---- 1. UDP, replayed drill ----
"$BIN" partner add p --data "$T/n1" --read '*' > "$T/p1.out" 2>&1
TOK1=$(tail -n 1 "$T/p1.out")
UP=$(free_port udp)
# shellcheck disable=SC2086
start_node n1 --data "$T/n1" --source "ais+udp://127.0.0.1:$UP?name=radio1" $GEO
check "node with a UDP source started" '[ -n "$PORT" ]'
P1=$PORT
S1=$SP
for i in $(seq 1 50); do grep -q "listening source=radio1" "$T/n1.err" && break; sleep 0.1; done
NL=$(wc -l < "$DR/scenario.nmea")
"$BIN" ais replay "$DR/scenario.nmea" --udp "127.0.0.1:$UP" --speed 0 2> "$T/replay.err"; rc=$?
check "ais replay --speed 0 sent every line" '[ $rc -eq 0 ] && grep -q "$NL lines" "$T/replay.err"'
wait_metric "$P1" "alidade_ingest_lines_total{source=\"radio1\"}" "$NL" 30
check "every line arrived over UDP ($NL)" \
    '[ "$(metric $P1 "alidade_ingest_lines_total{source=\"radio1\"}")" = "$NL" ]'
"$BIN" ais detect $GEO -f stix "$DR/scenario.nmea" > "$T/detect.json" 2> "$T/detect.err"
MSGS=$(sed -n 's/.*messages \([0-9]*\),.*/\1/p' "$T/detect.err")
check "messages decoded from radio1 = ais detect's ($MSGS)" \
    '[ "$(metric $P1 "alidade_ingest_messages_total{source=\"radio1\"}")" = "$MSGS" ]'
NT=$(wc -l < "$T/truth.txt")
for i in $(seq 1 100); do
    dump "$P1" "$TOK1" "$T/n1.objs" 2> /dev/null
    [ "$(events_of "$T/n1.objs" | wc -l)" -ge "$NT" ] && break
    sleep 0.2
done
events_of "$T/n1.objs" > "$T/n1.events"
check "the planted events are STIX sightings over TAXII, as in the truth ($NT)" \
    'cmp -s "$T/n1.events" "$T/truth.txt"'
python3 -c '
import json, sys
# every version is dumped: the live node may also have stored a gap while
# the vessel was still silent (an ongoing gap, an earlier version of the
# same objects: docs/detect-gap.md), depending on how fast the replay went
ids = lambda objs: sorted(set(o["id"] for o in objs if o["type"] in ("sighting", "location")))
a = ids(json.load(open(sys.argv[1]))["objects"])
b = ids(map(json.loads, open(sys.argv[2])))
sys.exit(0 if a == b and a else 1)' "$T/detect.json" "$T/n1.objs"
check "the same sighting and location ids as ais detect -f stix" '[ $? -eq 0 ]'
python3 -c '
import json, sys
s = [o for o in map(json.loads, open(sys.argv[1])) if o["type"] == "sighting"]
sys.exit(0 if s and all(o.get("x_alidade_feed") == "radio1" for o in s) else 1)' "$T/n1.objs"
check "provenance: every event names the feed that heard it (x_alidade_feed radio1)" '[ $? -eq 0 ]'
# the stored objects against the OASIS STIX 2.1 schemas (as ais detect's are)
VS=$(dirname "$0")/../detect/validate_stix.py
if [ -n "${ALD_SHARED_DATA:-}" ] && [ -f "$VS" ] && /usr/bin/python3 -c 'import jsonschema' 2> /dev/null; then
    python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
# one bundle of the latest versions, one of the earlier ones (ongoing gaps):
# a bundle holds each id once
latest = {}
for o in objs:
    k = o["id"]
    if k not in latest or o.get("modified", "") > latest[k].get("modified", ""):
        latest[k] = o
# the second: the earlier versions in place of the latest ones, with
# everything else (the markings, extension definitions they refer to)
earlier = {o["id"]: o for o in objs if latest[o["id"]] is not o}
json.dump({"type": "bundle", "id": "bundle--0d9ba8f4-7a8e-4c55-9f39-53e1c8f0a001",
           "objects": list(latest.values())}, open(sys.argv[2], "w"))
json.dump({"type": "bundle", "id": "bundle--0d9ba8f4-7a8e-4c55-9f39-53e1c8f0a002",
           "objects": [earlier.get(k, o) for k, o in latest.items()] if earlier else []},
          open(sys.argv[3], "w"))' "$T/n1.objs" "$T/n1.bundle" "$T/n1.earlier"
    /usr/bin/python3 "$VS" --bundle "$T/n1.bundle" > "$T/vs.out" 2>&1; rc=$?
    if [ $rc -eq 0 ] && python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["objects"] else 1)' "$T/n1.earlier"; then
        /usr/bin/python3 "$VS" --bundle "$T/n1.earlier" >> "$T/vs.out" 2>&1; rc=$?
    fi
    if [ $rc -eq 77 ]; then
        echo "# skipped: OASIS schemas ($(tail -n 1 "$T/vs.out"))"
    else
        check "the stored maritime objects pass the OASIS STIX 2.1 schemas" '[ $rc -eq 0 ]'
        [ $rc -eq 0 ] || tail -n 5 "$T/vs.out"
    fi
fi
# gap events = the gap's versions: 1, or 2 when it was stored while ongoing
GAPV=$(python3 -c '
import json, sys
v = set()
for o in map(json.loads, open(sys.argv[1])):
    if o["type"] == "sighting" and "extensions" in o and \
            list(o["extensions"].values())[0]["event"] == "gap":
        v.add((o["id"], o["modified"]))
print(len(v))' "$T/n1.objs")
check "/metrics: events per detector, batches, connected, vessels" \
    '[ "$(metric $P1 "alidade_ingest_events_total{detector=\"gap\"}")" = "$GAPV" ] &&
     [ "$(metric $P1 "alidade_ingest_events_total{detector=\"encounter\"}")" = 1 ] &&
     [ "$(metric $P1 alidade_ingest_batches_total)" -ge 1 ] &&
     [ "$(metric $P1 "alidade_ingest_connected{source=\"radio1\"}")" = 1 ] &&
     [ "$(metric $P1 alidade_ingest_vessels)" -ge 50 ]'
curl -s "http://127.0.0.1:$P1/metrics" > "$T/n1.metrics"
check "/metrics: commit lag gauge and objects added" \
    'grep -q "^alidade_ingest_commit_lag_seconds " "$T/n1.metrics" &&
     grep -q "^alidade_ingest_objects_total{result=\"added\"}" "$T/n1.metrics"'
stop_node "$S1"; rc=$RC
check "SIGTERM: the node stops cleanly (exit 0, 'stopped' logged)" \
    '[ "$rc" = 0 ] && grep -q "info ingest: stopped" "$T/n1.err"'

# ---- 2. a followed file: pieces, multipart split, rotation, truncation ----
mkdir -p "$T/feed"
F=$T/feed/ais.nmea
head -n 4000 "$DR/scenario.nmea" > "$T/4000.nmea"
# the first multipart message's first fragment
I=$(grep -n '!AIVDM,2,1,' "$T/4000.nmea" | head -n 1 | cut -d: -f1)
"$BIN" partner add p --data "$T/n2" --read '*' > /dev/null 2>&1
start_node n2 --data "$T/n2" --source "ais+file:$F?name=feed"
P2=$PORT
S2=$SP
check "node with a followed file started (the file does not exist yet)" '[ -n "$P2" ]'
sleep 0.5
head -n "$I" "$T/4000.nmea" > "$F"                         # ends with fragment 1 of 2
sleep 0.6
sed -n "$((I + 1))p" "$T/4000.nmea" | head -c 12 >> "$F"    # fragment 2, cut mid-line
sleep 0.6
sed -n "$((I + 1))p" "$T/4000.nmea" | tail -c +13 >> "$F"
sed -n "$((I + 2)),2000p" "$T/4000.nmea" >> "$F"
EXP=$(head -n 2000 "$T/4000.nmea" | "$BIN" ais decode --split24 2> /dev/null | wc -l)
wait_metric "$P2" "alidade_ingest_messages_total{source=\"feed\"}" "$EXP" 15
check "appended in pieces (multipart cut between appends): $EXP messages, none orphaned" \
    '[ "$(metric $P2 "alidade_ingest_messages_total{source=\"feed\"}")" = "$EXP" ] &&
     [ "$(metric $P2 "alidade_ingest_errors_total{reason=\"ais_frag_orphan\"}")" = 0 ]'
mv "$F" "$F.1"
sed -n '2001,4000p' "$T/4000.nmea" > "$F"
EXP=$("$BIN" ais decode --split24 "$T/4000.nmea" 2> /dev/null | wc -l)
wait_metric "$P2" "alidade_ingest_messages_total{source=\"feed\"}" "$EXP" 15
check "rotated (new inode): the new file is read, every message once ($EXP)" \
    '[ "$(metric $P2 "alidade_ingest_messages_total{source=\"feed\"}")" = "$EXP" ] &&
     grep -q "file rotated source=feed" "$T/n2.err"'
: > "$F"
sleep 0.5
head -n 300 "$DR/scenario.nmea" > "$F"
EXP=$((EXP + $(head -n 300 "$DR/scenario.nmea" | "$BIN" ais decode --split24 2> /dev/null | wc -l)))
wait_metric "$P2" "alidade_ingest_messages_total{source=\"feed\"}" "$EXP" 15
check "truncated: read again from its start ($EXP in all)" \
    '[ "$(metric $P2 "alidade_ingest_messages_total{source=\"feed\"}")" = "$EXP" ] &&
     grep -q "file truncated" "$T/n2.err"'
stop_node "$S2"; rc=$RC
check "followed-file node stops cleanly" '[ "$rc" = 0 ]'

# ---- 2b. a directory of NMEA files, a new one appearing ----
mkdir -p "$T/dir"
sed -n '1,1000p' "$DR/scenario.nmea" > "$T/dir/a.nmea"
sed -n '1001,2000p' "$DR/scenario.nmea" > "$T/dir/b.nmea"
"$BIN" partner add p --data "$T/n8" --read '*' > /dev/null 2>&1
start_node n8 --data "$T/n8" --source "ais+file:$T/dir?name=dir1"
EXP=$(head -n 2000 "$DR/scenario.nmea" | "$BIN" ais decode --split24 2> /dev/null | wc -l)
wait_metric "$PORT" "alidade_ingest_messages_total{source=\"dir1\"}" "$EXP" 15
check "a directory: both files read ($EXP messages)" \
    '[ "$(metric $PORT "alidade_ingest_messages_total{source=\"dir1\"}")" = "$EXP" ]'
sed -n '2001,3000p' "$DR/scenario.nmea" > "$T/dir/.c.tmp"
mv "$T/dir/.c.tmp" "$T/dir/c.nmea"
mv "$T/dir/a.nmea" "$T/dir/a.nmea.old"                # renamed inside: not read again
EXP=$(head -n 3000 "$DR/scenario.nmea" | "$BIN" ais decode --split24 2> /dev/null | wc -l)
wait_metric "$PORT" "alidade_ingest_messages_total{source=\"dir1\"}" "$EXP" 15
sleep 1.5
check "a directory: a new file picked up, a renamed one not read twice ($EXP)" \
    '[ "$(metric $PORT "alidade_ingest_messages_total{source=\"dir1\"}")" = "$EXP" ]'
stop_node "$SP"

# ---- 3. TCP: the feed closes, the node reconnects ----
TP=$(free_port tcp)
head -n 500 "$DR/scenario.nmea" > "$T/tcp1.nmea"
sed -n '501,1000p' "$DR/scenario.nmea" > "$T/tcp2.nmea"
python3 - "$TP" "$T/tcp1.nmea" "$T/tcp2.nmea" > "$T/tcpserver.log" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
for path in sys.argv[2:]:
    c, _ = s.accept()
    print("accepted", flush=True)
    c.sendall(open(path, "rb").read())
    time.sleep(0.3)
    c.close()
c, _ = s.accept()          # the third connection stays open
print("accepted", flush=True)
time.sleep(120)
EOF
TCPPID=$!
PIDS="$PIDS $TCPPID"
sleep 0.3
"$BIN" partner add p --data "$T/n3" --read '*' > /dev/null 2>&1
start_node n3 --data "$T/n3" --source "ais+tcp://127.0.0.1:$TP?name=tcp1"
P3=$PORT
S3=$SP
EXP=$(head -n 1000 "$DR/scenario.nmea" | "$BIN" ais decode --split24 2> /dev/null | wc -l)
wait_metric "$P3" "alidade_ingest_messages_total{source=\"tcp1\"}" "$EXP" 20
check "TCP: both connections' messages ($EXP) after a reconnect" \
    '[ "$(metric $P3 "alidade_ingest_messages_total{source=\"tcp1\"}")" = "$EXP" ]'
for i in $(seq 1 50); do [ "$(grep -c accepted "$T/tcpserver.log")" -ge 3 ] && break; sleep 0.1; done
check "TCP: disconnected, backoff logged, connected again (3 connections)" \
    'grep -q "warn ingest: disconnected source=tcp1" "$T/n3.err" &&
     grep -q "reconnecting source=tcp1 delay_s=" "$T/n3.err" &&
     [ "$(grep -c "info ingest: connected source=tcp1" "$T/n3.err")" -ge 3 ]'
sleep 0.7
check "TCP: connected gauge is 1" '[ "$(metric $P3 "alidade_ingest_connected{source=\"tcp1\"}")" = 1 ]'
stop_node "$S3"; rc=$RC
check "TCP node stops cleanly" '[ "$rc" = 0 ]'
kill "$TCPPID" 2> /dev/null
wait "$TCPPID" 2> /dev/null
TCPPID=""

# ---- 4. EVE followed, planted indicators, recompile while running ----
EVE=$DATA/match/sample.eve.json
ind() {
    printf '{"type":"indicator","spec_version":"2.1","id":"indicator--a1b2c3d4-0000-4000-8000-%012d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"%s","pattern_type":"stix","valid_from":"2000-01-01T00:00:00Z"}\n' "$1" "$2"
}
ind 1 "[domain-name:value = 'id.l.google.com']" > "$T/ind1.jsonl"
ind 2 "[ipv4-addr:value = '10.47.3.200']" >> "$T/ind1.jsonl"
ind 3 "[ipv4-addr:value = '10.0.0.100']" > "$T/ind2.jsonl"
"$BIN" partner add p --data "$T/n4" --read '*' > "$T/p4.out" 2>&1
TOK4=$(tail -n 1 "$T/p4.out")
"$BIN" stix import --data "$T/n4" "$T/ind1.jsonl" > /dev/null 2>&1
# what `alidade match` counts on the same lines (per indicator: sum of counts)
counts() {
    python3 -c '
import json, sys
c = {}
for o in json.load(open(sys.argv[1]))["objects"]:
    if o["type"] == "sighting":
        c[o["sighting_of_ref"][-3:]] = c.get(o["sighting_of_ref"][-3:], 0) + o["count"]
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$1"
}
# the same from the store (latest version of each sighting)
stored_counts() {
    python3 -c '
import json, sys
latest = {}
for o in map(json.loads, open(sys.argv[1])):
    if o["type"] == "sighting" and "extensions" not in o:
        if o["id"] not in latest or o["modified"] > latest[o["id"]]["modified"]:
            latest[o["id"]] = o
c = {}
for o in latest.values():
    k = o["sighting_of_ref"][-3:]
    c[k] = c.get(k, 0) + o["count"]
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$1"
}
"$BIN" match --indicators "$T/ind1.jsonl" --out "$T/m1.json" -q "$EVE"
WANT=$(counts "$T/m1.json")
mkdir -p "$T/eve"
start_node n4 --data "$T/n4" --source "eve+file:$T/eve/eve.json?name=ids1"
P4=$PORT
S4=$SP
check "node with a followed EVE log started" '[ -n "$P4" ]'
head -n 120 "$EVE" > "$T/eve/eve.json"
sleep 0.7
tail -n +121 "$EVE" >> "$T/eve/eve.json"
NE=$(wc -l < "$EVE")
wait_metric "$P4" "alidade_ingest_lines_total{source=\"ids1\"}" "$NE" 15
HITS=$(python3 -c 'import sys; print(sum(int(x.split("=")[1]) for x in sys.argv[1:]))' $WANT)
wait_metric "$P4" alidade_ingest_hits_total "$HITS" 10
for i in $(seq 1 50); do
    dump "$P4" "$TOK4" "$T/n4.objs" 2> /dev/null
    [ "$(stored_counts "$T/n4.objs")" = "$WANT" ] && break
    sleep 0.2
done
check "EVE appended in two pieces: sightings stored count what alidade match counts ($WANT)" \
    '[ "$(stored_counts "$T/n4.objs")" = "$WANT" ]'
check "EVE: observed-data stored with the sightings" 'grep -q "\"type\": \"observed-data\"" "$T/n4.objs"'
"$BIN" stix import --data "$T/n4" "$T/ind2.jsonl" > /dev/null 2>&1
for i in $(seq 1 100); do
    [ "$(grep -c "indicators compiled" "$T/n4.err")" -ge 2 ] && break
    sleep 0.1
done
wait_metric "$P4" alidade_ingest_indicators 3 5
check "an indicator imported while the node runs: recompiled in the background" \
    '[ "$(grep -c "indicators compiled" "$T/n4.err")" -ge 2 ] &&
     [ "$(metric $P4 alidade_ingest_indicators)" = 3 ]'
cat "$EVE" >> "$T/eve/eve.json"
# the first two indicators over both copies, the new one over the second only
"$BIN" match --indicators "$T/ind1.jsonl" --out "$T/m2.json" -q "$EVE" "$EVE"
"$BIN" match --indicators "$T/ind2.jsonl" --out "$T/m3.json" -q "$EVE"
WANT2="$(counts "$T/m2.json") $(counts "$T/m3.json")"
for i in $(seq 1 100); do
    dump "$P4" "$TOK4" "$T/n4.objs" 2> /dev/null
    [ "$(stored_counts "$T/n4.objs")" = "$WANT2" ] && break
    sleep 0.2
done
check "the same lines again: counts add up in the stored versions, the new indicator hits ($WANT2)" \
    '[ "$(stored_counts "$T/n4.objs")" = "$WANT2" ]'
check "/metrics: hits and sightings counted" \
    '[ "$(metric $P4 alidade_ingest_sightings_total)" -ge 2 ]'
stop_node "$S4"; rc=$RC
check "EVE node stops cleanly" '[ "$rc" = 0 ]'

# ---- 4b. Zeek TSV followed, the node stopped and restarted mid-file ----
ZL=$DATA/match/zeek/dns.log
ind 4 "[domain-name:value = 'ise.wrccdc.org']" > "$T/ind4.jsonl"
"$BIN" partner add p --data "$T/n7" --read '*' > "$T/p7.out" 2>&1
TOK7=$(tail -n 1 "$T/p7.out")
"$BIN" stix import --data "$T/n7" "$T/ind4.jsonl" > /dev/null 2>&1
"$BIN" match --indicators "$T/ind4.jsonl" --out "$T/m4.json" -q "$ZL"
WANT4=$(counts "$T/m4.json")
mkdir -p "$T/zeek"
head -n 60 "$ZL" > "$T/zeek/dns.log"                 # the header and 52 rows
start_node n7 --data "$T/n7" --source "zeek+file:$T/zeek/dns.log?name=zeek1"
wait_metric "$PORT" "alidade_ingest_lines_total{source=\"zeek1\"}" 60 15
sleep 1
stop_node "$SP"
tail -n +61 "$ZL" >> "$T/zeek/dns.log"               # written while the node is down
start_node n7b --data "$T/n7" --source "zeek+file:$T/zeek/dns.log?name=zeek1"
check "Zeek: restarted past the header, resumes at its committed offset" \
    'for i in $(seq 1 50); do grep -q "following file source=zeek1" "$T/n7b.err" && break; sleep 0.1; done;
     grep "following file source=zeek1" "$T/n7b.err" | grep -qv "offset=0 "'
for i in $(seq 1 100); do
    dump "$PORT" "$TOK7" "$T/n7.objs" 2> /dev/null
    [ "$(stored_counts "$T/n7.objs")" = "$WANT4" ] && break
    sleep 0.2
done
check "Zeek TSV across a restart (header read again): sightings count what alidade match counts ($WANT4)" \
    '[ "$(stored_counts "$T/n7.objs")" = "$WANT4" ]'
stop_node "$SP"

# ---- 5. kill -9 in the middle of a big followed file ----
"$BIN" drill generate --out "$T/big" --vessels 400 --hours 60 --seed 7 --quiet
BIG=$T/big/scenario.nmea
NB=$(wc -l < "$BIG")
BGEO="--zones $T/big/zones.geojson --shore $T/big/coast.geojson --anchorages $T/big/coast.geojson"
run_clean() {
    "$BIN" partner add p --data "$T/$1" --read '*' > "$T/$1.p" 2>&1
    # shellcheck disable=SC2086
    start_node "$1" --data "$T/$1" --source "ais+file:$BIG?name=big" $BGEO
}
run_clean n5a
TOK5A=$(tail -n 1 "$T/n5a.p")
wait_metric "$PORT" "alidade_ingest_lines_total{source=\"big\"}" "$NB" 240
sleep 3
stop_node "$SP"; rc=$RC
start_node n5a-read --data "$T/n5a"
dump "$PORT" "$TOK5A" "$T/n5a.objs"
stop_node "$SP"
run_clean n5b
TOK5B=$(tail -n 1 "$T/n5b.p")
# kill_at N: kill -9 once N lines were read (and some committed); V: the count then
kill_at() {
    for i in $(seq 1 1200); do
        V=$(metric "$PORT" "alidade_ingest_lines_total{source=\"big\"}")
        [ "$V" -ge "$1" ] && break
        sleep 0.05
    done
    kill -9 "$SP"
    wait "$SP" 2> /dev/null
}
# restart: the same node again; RE (byte offset it re-reads from) and OFF (the
# committed offset it resumes at) from its log
restart() {
    : > "$T/n5b.err"
    # shellcheck disable=SC2086
    start_node n5b --data "$T/n5b" --source "ais+file:$BIG?name=big" $BGEO
    for i in $(seq 1 300); do grep -q "following file source=big" "$T/n5b.err" && break; sleep 0.1; done
    OFF=$(sed -n 's/.*following file source=big .* offset=\([0-9]*\) .*/\1/p' "$T/n5b.err")
    RE=$(sed -n 's/.*following file source=big .* reread_from=\([0-9]*\).*/\1/p' "$T/n5b.err")
}
# every line after RE read again: the node is through the file
wait_through() {
    n=$(tail -c +$((RE + 1)) "$BIG" | wc -l)
    wait_metric "$PORT" "alidade_ingest_lines_total{source=\"big\"}" "$n" 240
}
kill_at $((NB / 3))
check "killed with kill -9 in the middle (at line $V of $NB)" '[ "$V" -ge $((NB / 3)) ] && [ "$V" -lt "$NB" ]'
restart
check "restart resumes from the committed offset $OFF, re-reading from $RE for the detectors' state" \
    '[ "${OFF:-0}" -gt 0 ] && [ "${RE:-x}" -le "$OFF" ]'
# the second kill past 48 h of data: the re-read starts at a checkpoint, not at 0
kill_at $((NB * 88 / 100))
restart
check "killed again at line $V: re-read from a warm-up checkpoint ($RE) before the offset ($OFF)" \
    '[ "${RE:-0}" -gt 0 ] && [ "$RE" -lt "$OFF" ]'
wait_through
for i in $(seq 1 100); do grep -q "caught up" "$T/n5b.err" && break; sleep 0.1; done
sleep 3
stop_node "$SP"; rc=$RC
start_node n5b-read --data "$T/n5b"
dump "$PORT" "$TOK5B" "$T/n5b.objs"
stop_node "$SP"
key() { python3 -c '
import json, sys
print("\n".join(sorted("%s %s" % (o["id"], o.get("modified", "")) for o in map(json.loads, open(sys.argv[1])))))' "$1"; }
key "$T/n5a.objs" > "$T/a.keys"
key "$T/n5b.objs" > "$T/b.keys"
check "after kill -9 and restart: the same object versions as a clean run ($(wc -l < "$T/a.keys"))" \
    '[ -s "$T/a.keys" ] && cmp -s "$T/a.keys" "$T/b.keys"'
cmp -s "$T/a.keys" "$T/b.keys" || { echo "# clean run vs killed run:"; diff "$T/a.keys" "$T/b.keys" | head -n 20; }
check "no duplicate: every (id, version) once" '[ -z "$(uniq -d "$T/b.keys")" ]'
check "the big scenario's events were all found" \
    '[ "$(events_of "$T/n5a.objs" | wc -l)" -ge 9 ]'

# ---- 6. bad SPECs ----
for spec in "ais+tcp://nohostport" "ais+udp://127.0.0.1:99999" "foo+file:/x" "ais+file:" \
            "ais+file:/x?name=bad/label"; do
    "$BIN" serve --listen 127.0.0.1:0 --data "$T/n6" --source "$spec" > /dev/null 2> "$T/n6.err" &
    p=$!
    PIDS="$PIDS $p"
    wait "$p"
    rc=$?
    check "bad SPEC '$spec' refused with its reason (exit $rc)" \
        '[ $rc -eq 2 ] && grep -q "live ingest: --source" "$T/n6.err"'
done
"$BIN" serve --listen 127.0.0.1:0 --data "$T/n6" --source "ais+file:/a?name=x" \
    --source "ais+file:/b?name=x" > /dev/null 2> "$T/n6.err"
check "two sources with one name refused" 'grep -q "is already used" "$T/n6.err"'

# under ASan/UBSan the nodes' reports are in their logs
grep -l "AddressSanitizer\|LeakSanitizer\|ThreadSanitizer\|runtime error" "$T"/*.err > "$T/san" 2> /dev/null
check "no sanitizer report in any node's log" '[ ! -s "$T/san" ]'
[ -s "$T/san" ] && grep -h -A12 "AddressSanitizer\|LeakSanitizer\|ThreadSanitizer\|runtime error" $(cat "$T/san") | head -n 40

finish
