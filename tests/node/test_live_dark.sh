#!/bin/sh
# test_live_dark.sh - the live tracker's clock in `alidade serve` (docs/node.md
# "The feed clock", docs/detect-gap.md "Live: ongoing gaps"), with real nodes
# on 127.0.0.1 (free ports), each stopped by the test even when a check fails:
#   1. a drill scenario replayed over UDP at 3600x (an hour a second): the
#      planted vessel that goes dark (silent 13 h to 27 h) is stored as an
#      ongoing gap (same ids as ais detect's final one, "ongoing": true, end =
#      start + 6 h) while it is still silent, a few seconds after the feed
#      clock passes 6 h of silence; the final gap is a newer version of the
#      same objects once it is heard again, and the store keeps both;
#   2. a 2012 capture then the 2025 drill into one node (a 13-year jump of
#      the feed clock): no gap from the jump, the jump counted in /metrics
#      and logged; a receive time ahead of the wall clock is not believed;
#   3. a restart in the middle of the silence (socket source, no re-read):
#      the gap across the restart is stored when the vessel is heard again,
#      with the ids and end ais detect gives for the whole scenario.
NEED="curl python3"
. "$(dirname "$0")/harness.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

# node NAME UDPPORT ARGS...: a node with a UDP source named radio (log in
# $T/NAME.err); sets SP (pid) and PORT (HTTP port, empty if it did not start)
node() {
    name=$1
    up=$2
    shift 2
    [ -f "$T/$name.tok" ] ||
        "$BIN" partner add p --data "$T/$name" --read '*' 2>&1 | tail -n 1 > "$T/$name.tok"
    "$BIN" serve --listen 127.0.0.1:0 --log-level debug --data "$T/$name" \
        --source "ais+udp://127.0.0.1:$up?name=radio" "$@" 2>> "$T/$name.err" &
    SP=$!
    PIDS="$PIDS $SP"
    PORT=""
    for i in $(seq 1 100); do
        PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$T/$name.err" | tail -n 1)
        [ -n "$PORT" ] && grep -q "listening source=radio" "$T/$name.err" && break
        sleep 0.1
    done
}
stop() {
    kill "$1" 2>/dev/null
    wait "$1"
    RC=$?
}
metric() {
    curl -s "http://127.0.0.1:$1/metrics" | awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'
}
# gaps PORT NAME OUT [KIND]: every version of every gap (or KIND) sighting
# in the node's default collection over TAXII, one line each, sorted:
#   id modified start end ongoing(0/1) likely_disabling date_added mmsi
gaps() {
    python3 - "$1" "$(cat "$T/$2.tok")" "$3" "${4:-gap}" <<'EOF'
import json, sys, urllib.request, base64
port, tok, out, kind = sys.argv[1:5]
auth = "Basic " + base64.b64encode(("p:" + tok).encode()).decode()
def get(path):
    rq = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
        headers={"Accept": "application/taxii+json;version=2.1", "Authorization": auth})
    return json.load(urllib.request.urlopen(rq))
cid = get("/api/collections/")["collections"][0]["id"]
base = "/api/collections/%s/" % cid
def every(what):
    got, nxt = [], None
    while True:
        q = base + what + "/?match[type]=sighting&match[version]=all&limit=500"
        env = get(q + ("&next=" + nxt if nxt else ""))
        got += env.get("objects", [])
        if not env.get("more"):
            return got
        nxt = env["next"]
added = {(m["id"], m["version"]): m["date_added"] for m in every("manifest")}
rows = []
for o in every("objects"):
    x = list(o.get("extensions", {}).values())
    if not x or x[0].get("event") != kind:
        continue
    x = x[0]
    rows.append("%s %s %s %s %d %s %s %s" % (o["id"], o["modified"], x["start"], x["end"],
        1 if x.get("ongoing") else 0, x.get("likely_disabling", "null"),
        added.get((o["id"], o["modified"]), "?"), x["mmsi"]))
open(out, "w").write("".join(sorted(r + "\n" for r in rows)))
EOF
}
secs() { python3 -c 'import sys, datetime; print(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp())' "$1"; }

"$BIN" drill generate --out "$T/dr" --hours 36 --quiet
DR=$T/dr
GEO="--zones $DR/zones.geojson --shore $DR/coast.geojson --anchorages $DR/coast.geojson"
# the planted gap as ais detect reports it on the whole scenario
# shellcheck disable=SC2086
"$BIN" ais detect $GEO -f stix "$DR/scenario.nmea" > "$T/detect.stix" 2> /dev/null
python3 - "$T/detect.stix" > "$T/want" <<'EOF'
import json, sys
for o in json.load(open(sys.argv[1]))["objects"]:
    x = list(o.get("extensions", {}).values())
    if o["type"] == "sighting" and x and x[0]["event"] == "gap":
        print(o["id"], o["modified"], x[0]["start"], x[0]["end"])
EOF
read -r GID GMOD GSTART GEND < "$T/want"
check "ais detect finds the planted gap ($GSTART to $GEND)" '[ -n "${GID:-}" ]'

# ---- 1. the ongoing gap while the vessel is dark, then the final one ----
UP=$(free_port udp)
# shellcheck disable=SC2086
node n1 "$UP" $GEO
check "node n1 with a UDP source started" '[ -n "$PORT" ]'
P1=$PORT
S1=$SP
W0=$(python3 -c 'import time; print(time.time())')
"$BIN" ais replay "$DR/scenario.nmea" --udp "127.0.0.1:$UP" --speed 3600 -q &
RP=$!
PIDS="$PIDS $RP"
# the feed clock passes start + 6 h at W0 + (start + 6 h - first report) / 3600
T6=$(python3 -c 'import sys; print(float(sys.argv[1]) + (float(sys.argv[2]) + 6 * 3600 - float(sys.argv[3])) / 3600)' \
    "$W0" "$(secs "$GSTART")" "$(secs 2025-01-01T00:00:00Z)")
TBACK=$(python3 -c 'import sys; print(float(sys.argv[1]) + (float(sys.argv[2]) - float(sys.argv[3])) / 3600)' \
    "$W0" "$(secs "$GEND")" "$(secs 2025-01-01T00:00:00Z)")
# half-way between: the vessel is still dark
python3 -c 'import sys, time; time.sleep(max(0, (float(sys.argv[1]) + float(sys.argv[2])) / 2 - time.time()))' "$T6" "$TBACK"
gaps "$P1" n1 "$T/mid"
check "while the vessel is still dark: one ongoing gap stored (ongoing, no likely_disabling)" \
    '[ "$(wc -l < "$T/mid")" = 1 ] && awk "{ exit !(\$5 == 1 && \$6 == \"null\") }" "$T/mid"'
check "the ongoing gap has the ids of ais detect's final gap, start = its start, end = start + 6 h" \
    'read -r id mod st en rest < "$T/mid" && [ "$id" = "$GID" ] && [ "$st" = "$GSTART" ] &&
     python3 -c "import sys; sys.exit(0 if float(sys.argv[2]) - float(sys.argv[1]) == 6 * 3600 else 1)" \
        "$(secs "$st")" "$(secs "$en")"'
ADDED=$(awk '{ print $7 }' "$T/mid")
LAG=$(python3 -c 'import sys; print("%.1f" % (float(sys.argv[1]) - float(sys.argv[2])))' "$(secs "$ADDED")" "$T6")
check "stored $LAG s (wall) after the feed clock passed 6 h of silence (within 0-5 s)" \
    'python3 -c "import sys; sys.exit(0 if -0.5 <= float(sys.argv[1]) <= 5 else 1)" "$LAG"'
wait "$RP"
for i in $(seq 1 100); do
    gaps "$P1" n1 "$T/end"
    [ "$(wc -l < "$T/end")" -ge 2 ] && break
    sleep 0.2
done
check "after the vessel is heard again: two versions of the same sighting, both kept" \
    '[ "$(wc -l < "$T/end")" = 2 ] && [ "$(cut -d" " -f1 "$T/end" | sort -u | wc -l)" = 1 ]'
check "the newer version is the final gap, as ais detect gives it (same id, modified, end)" \
    'tail -n 1 "$T/end" | { read -r id mod st en on ld rest;
        [ "$id" = "$GID" ] && [ "$mod" = "$GMOD" ] && [ "$en" = "$GEND" ] && [ "$on" = 0 ] &&
        [ "$ld" = True ]; }'
check "/metrics: 2 gap events (the ongoing one and the final one), no clock jump" \
    '[ "$(metric $P1 "alidade_ingest_events_total{detector=\"gap\"}")" = 2 ] &&
     [ "$(metric $P1 alidade_ingest_clock_jumps_total)" = 0 ]'
stop "$S1"
check "n1 stopped cleanly" '[ "$RC" = 0 ]'

# ---- 2. a 2012 capture, then the 2025 drill: a 13-year jump is no gap ----
UP=$(free_port udp)
# shellcheck disable=SC2086
node n2 "$UP" $GEO
P2=$PORT
S2=$SP
EE=$SRC/data/ais/exactearth-2012.txt.zst
"$BIN" ais replay "$EE" --udp "127.0.0.1:$UP" --speed 0 -q
sleep 3
V2012=$(metric "$P2" alidade_ingest_vessels)
"$BIN" ais replay "$DR/scenario.nmea" --udp "127.0.0.1:$UP" --speed 0 -q
NL=$(($(zstd -dc "$EE" | wc -l) + $(wc -l < "$DR/scenario.nmea")))
for i in $(seq 1 300); do
    [ "$(metric "$P2" "alidade_ingest_lines_total{source=\"radio\"}")" -ge "$NL" ] && break
    sleep 0.1
done
sleep 3
gaps "$P2" n2 "$T/n2.gaps"
check "$V2012 vessels heard in 2012, then the drill: the only gap stored is the drill's" \
    '[ "$V2012" -gt 100 ] && [ -s "$T/n2.gaps" ] && [ "$(cut -d" " -f1 "$T/n2.gaps" | sort -u)" = "$GID" ]'
check "/metrics: the clock jump counted (alidade_ingest_clock_jumps_total 1)" \
    '[ "$(metric $P2 alidade_ingest_clock_jumps_total)" = 1 ]'
check "the jump logged once, with where it jumped from and to" \
    '[ "$(grep -c "feed clock jumped" "$T/n2.err")" = 1 ] &&
     grep "feed clock jumped" "$T/n2.err" | grep -q "from=2012-"'
# a receive time a day ahead of the wall clock: not believed
AHEAD=$(python3 -c 'import time; print(int(time.time()) + 86400)')
python3 - "$UP" "$AHEAD" "$DR/scenario.nmea" <<'EOF'
import re, socket, sys
port, t = int(sys.argv[1]), sys.argv[2]
# a position report of the scenario with its tag block's time replaced
line = next(l for l in open(sys.argv[3]) if "!AIVDM,1,1," in l)
body = re.sub(r"c:\d+", "c:" + t, line[1:line.index("*")])
ck = 0
for ch in body:
    ck ^= ord(ch)
out = "\\%s*%02X%s" % (body, ck, line[line.index("*") + 3:])
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(out.encode(), ("127.0.0.1", port))
EOF
for i in $(seq 1 50); do
    [ "$(metric "$P2" "alidade_ingest_errors_total{reason=\"clock_ahead\"}")" -ge 1 ] && break
    sleep 0.1
done
check "a receive time a day ahead of the wall clock is dropped and counted (clock_ahead)" \
    '[ "$(metric $P2 "alidade_ingest_errors_total{reason=\"clock_ahead\"}")" = 1 ] &&
     [ "$(metric $P2 alidade_ingest_clock_jumps_total)" = 1 ]'
stop "$S2"

# ---- 3. a restart while the vessel is dark (a socket source: no re-read) ----
GS=$(secs "$GSTART")
S0=$(secs 2025-01-01T00:00:00Z)
# the scenario cut 3 h after the vessel went dark
CUT=$(python3 -c 'import sys; print(int(float(sys.argv[1]) + 3 * 3600))' "$GS")
python3 - "$DR/scenario.nmea" "$CUT" "$T/part1.nmea" "$T/part2.nmea" <<'EOF'
import re, sys
src, cut, a, b = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "w"), open(sys.argv[4], "w")
for line in open(src):
    m = re.search(r"c:(\d+)", line)
    (a if int(m.group(1)) < cut else b).write(line)
EOF
UP=$(free_port udp)
# shellcheck disable=SC2086
node n3 "$UP" $GEO
S3=$SP
"$BIN" ais replay "$T/part1.nmea" --udp "127.0.0.1:$UP" --speed 0 -q
N1=$(wc -l < "$T/part1.nmea")
for i in $(seq 1 300); do
    [ "$(metric "$PORT" "alidade_ingest_lines_total{source=\"radio\"}")" -ge "$N1" ] && break
    sleep 0.1
done
sleep 1
stop "$S3"
check "n3 stopped cleanly after the first part" '[ "$RC" = 0 ]'
SAVED=$(sed -n 's/.*vessel states saved rows_written=\([0-9]*\).*/\1/p' "$T/n3.err")
check "the vessel states were saved (${SAVED:-0} rows written, the last ones at the stop)" \
    '[ "${SAVED:-0}" -ge 60 ]'
: > "$T/n3.err"
# shellcheck disable=SC2086
node n3 "$UP" $GEO
S3=$SP
LOADED=$(sed -n 's/.*vessel states loaded vessels=\([0-9]*\).*/\1/p' "$T/n3.err")
check "restarted: the states of the ${LOADED:-0} vessels loaded" '[ "${LOADED:-0}" -ge 50 ]'
"$BIN" ais replay "$T/part2.nmea" --udp "127.0.0.1:$UP" --speed 0 -q
N2=$(wc -l < "$T/part2.nmea")
for i in $(seq 1 300); do
    [ "$(metric "$PORT" "alidade_ingest_lines_total{source=\"radio\"}")" -ge "$N2" ] && break
    sleep 0.1
done
sleep 2
gaps "$PORT" n3 "$T/n3.gaps"
check "the gap across the restart stored when the vessel is heard again (ais detect's id, modified, end)" \
    'grep -q "^$GID $GMOD $GSTART $GEND 0 " "$T/n3.gaps"'
check "and no other gap (the other vessels' silence across the restart is under 6 h)" \
    '[ "$(cut -d" " -f1 "$T/n3.gaps" | sort -u)" = "$GID" ]'
# the name change planted at 16:00:30, 30 s after the restart: the name
# heard before it came back with the vessel states
gaps "$PORT" n3 "$T/n3.ident" identity_change
check "a name change across the restart is an identity change (229000909)" \
    'grep -q " 229000909\$" "$T/n3.ident"'
stop "$S3"

grep -l "AddressSanitizer\|LeakSanitizer\|runtime error" "$T"/*.err > "$T/san" 2> /dev/null
check "no sanitizer report in any node's log" '[ ! -s "$T/san" ]'
[ -s "$T/san" ] && grep -h -A12 "AddressSanitizer\|LeakSanitizer\|runtime error" $(cat "$T/san") | head -n 40

finish
