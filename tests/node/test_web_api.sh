#!/bin/sh
# test_web_api.sh - the dashboard's server side (src/web*.c, docs/api.md)
# against a node this test starts on 127.0.0.1 (ports picked by python3),
# with the data `make run` puts in a node: a generated drill's maritime
# events (ais detect -f stix, stix import), the partner CERT's indicators
# and the sightings of them in the bundled Suricata alerts (match --store),
# plus one indicator a partner POSTs over TAXII. Checks: login required,
# same answer for unknown user and wrong password, cookie flags, CSRF,
# partner credentials refused on the dashboard's names while TAXII under
# /api/ still answers them, security headers, each endpoint's shape and
# bounds (limit, bbox, since/until) against counts computed here with
# python3 from the imported files, live positions (alidade ais replay into
# --source ais+udp) on /api/vessels (also ?at= an earlier time) and /api/stream, 20 idle streams while
# TAXII still answers on 2 worker threads, a clean stop with streams open,
# the login rate limit, and the Secure cookie over HTTPS (when openssl is
# there). The server is stopped on exit.
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
T=$(mktemp -d)
SP=""
CURLS=""
cleanup() {
    for p in $CURLS; do kill "$p" 2>/dev/null; done
    if [ -n "$SP" ]; then kill "$SP" 2>/dev/null; wait "$SP" 2>/dev/null; fi
    [ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

for tool in curl python3 timeout; do
    command -v $tool > /dev/null || { echo "skipped: $tool not installed"; exit 77; }
done
SRC=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$SRC/data/cti/partner-indicators.json" ] || { echo "skipped: data/cti missing"; exit 77; }

# free ports from the kernel (TCP for the listener, UDP for the AIS feed)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
UDP=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
U=http://127.0.0.1:$PORT

# ---- the node's data, as make run makes it ----
D=$T/node
IN=$T/in
mkdir -p "$IN"
"$BIN" drill generate --quiet --out "$IN/drill" > /dev/null 2>&1
"$BIN" ais detect -f stix --zones "$IN/drill/zones.geojson" --shore "$IN/drill/coast.geojson" \
    --anchorages "$IN/drill/coast.geojson" "$IN/drill/scenario.nmea" > "$IN/drill.stix.json" 2> /dev/null
"$BIN" stix import --data "$D" "$IN/drill.stix.json" > /dev/null 2>&1
"$BIN" stix import --data "$D" "$SRC/data/cti/partner-indicators.json" > /dev/null 2>&1
# the same sightings twice: a bundle to count here, and into the store
"$BIN" match -q --indicators store --data "$D" "$SRC/data/cti/suricata-alerts.eve.json.zst" \
    > "$IN/sightings.json" 2> /dev/null
"$BIN" match -q --indicators store --data "$D" --store "$SRC/data/cti/suricata-alerts.eve.json.zst" \
    > /dev/null 2>&1
"$BIN" partner add bravo --data "$D" --read '*' --write '*' > "$T/p.out" 2>&1
TOKEN=$(tail -n 1 "$T/p.out")
"$BIN" operator add alice --data "$D" > "$T/op.out" 2> "$T/op.err"
PW=$(tail -n 1 "$T/op.out")
check "operator add prints a generated 43-character password alone on the last line" \
    '[ ${#PW} -eq 43 ] && [ "$(printf %s "$PW" | tr -d "A-Za-z0-9_-")" = "" ]'
check "operator list shows the account and its PBKDF2 iterations, never the hash" \
    '"$BIN" operator list --data "$D" | grep -q "^alice	pbkdf2-sha256	[0-9]* iterations$" &&
     ! "$BIN" operator list --data "$D" | grep -q "\\$"'
"$BIN" operator add alice --data "$D" > /dev/null 2>&1; rc=$?
check "operator add refuses an existing name (exit 1)" '[ $rc -eq 1 ]'
"$BIN" operator add "-x" --data "$D" > /dev/null 2>&1; rc=$?
check "operator add refuses a bad name (exit 2)" '[ $rc -eq 2 ]'
"$BIN" operator add bob --data "$D" > /dev/null 2>&1
"$BIN" operator remove bob --data "$D" > /dev/null 2>&1; rc=$?
check "operator remove" '[ $rc -eq 0 ] && ! "$BIN" operator list --data "$D" | grep -q "^bob"'

# expected figures, computed from the imported files
python3 - "$IN/drill.stix.json" "$SRC/data/cti/partner-indicators.json" "$IN/sightings.json" \
    > "$T/expect" << 'EOF'
import json, sys
from datetime import datetime, timezone
EXT = "extension-definition--7fba3282-6758-58ab-a05c-9833b9c3c00d"
def objs(path):
    d = json.load(open(path))
    return d["objects"] if isinstance(d, dict) else d
def ts(s):
    return datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
ev = [o for o in objs(sys.argv[1]) if o["type"] == "sighting" and EXT in o.get("extensions", {})]
ext = [o["extensions"][EXT] for o in ev]
starts = sorted(ts(x["start"]) for x in ext)
mid = starts[len(starts) // 2]
# since=mid: events that end at or after mid; until=mid: start at or before
n_since = sum(1 for x in ext if ts(x["end"]) >= mid)
n_until = sum(1 for x in ext if ts(x["start"]) <= mid)
# a box around the first event with a position
p = [x for x in ext if "lat" in x][0]
box = (p["lon"] - 0.5, p["lat"] - 0.5, p["lon"] + 0.5, p["lat"] + 0.5)
n_box = sum(1 for x in ext if "lat" in x and box[1] <= x["lat"] <= box[3] and box[0] <= x["lon"] <= box[2])
ind = [o for o in objs(sys.argv[2]) if o["type"] == "indicator"]
sg = [o for o in objs(sys.argv[3]) if o["type"] == "sighting" and o["sighting_of_ref"].startswith("indicator--")]
created_by = ev[0]["created_by_ref"]
print("EV=%d" % len(ev))
print("EV_SINCE=%d" % n_since)
print("EV_UNTIL=%d" % n_until)
print("MID=%d" % mid)
print("BOX=%s" % ",".join("%.6f" % v for v in box))
print("EV_BOX=%d" % n_box)
print("IND=%d" % len(ind))
print("SG=%d" % len(sg))
print("SG_HITS=%d" % sum(o["count"] for o in sg))
print("CREATED_BY=%s" % created_by)
print("ZONES=%d" % len(json.load(open(sys.argv[1].replace("drill.stix.json", "drill/zones.geojson")))["features"]))
EOF
. "$T/expect"
check "expected counts computed (events $EV, indicators $IND, sightings $SG)" \
    '[ "$EV" -gt 5 ] && [ "$IND" -gt 0 ] && [ "$SG" -gt 0 ]'

# ---- the node ----
: > "$T/serve.err"
timeout 300 "$BIN" serve --data "$D" --listen "127.0.0.1:$PORT" --threads 2 \
    --zones "$IN/drill/zones.geojson" --source "ais+udp://127.0.0.1:$UDP" 2>> "$T/serve.err" &
SP=$!
up=""
for i in $(seq 1 100); do
    grep -q "listening on" "$T/serve.err" && { up=1; break; }
    sleep 0.1
done
check "server started" '[ -n "$up" ]'
[ -n "$up" ] || { cat "$T/serve.err"; echo "$pass passed, $fail failed"; exit 1; }

# get NAME [curl args...]: body in $T/NAME, headers in $T/NAME.hdr, status echoed
get() {
    out=$1
    shift
    curl -s -o "$T/$out" -D "$T/$out.hdr" -w '%{http_code}' "$@"
}
# jq-like: py FILE EXPR (d is the parsed JSON)
py() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# ---- access ----
all_401=1
for p in me vessels vessel/1 events zones indicators/summary sightings sharing stream; do
    s=$(get n401 "$U/api/$p")
    [ "$s" = 401 ] && [ "$(cat "$T/n401")" = '{"error":"login required"}' ] || all_401=0
done
check "every dashboard name is 401 {\"error\":\"login required\"} without a session" '[ $all_401 = 1 ]'
s1=$(get pb -u "bravo:$TOKEN" "$U/api/vessels")
s2=$(get pt -H "Authorization: Bearer $TOKEN" "$U/api/events")
check "a partner's Basic or Bearer token does not open the dashboard (401)" \
    '[ "$s1" = 401 ] && [ "$s2" = 401 ]'
# the embedded page: gzip only to a client that takes it, the same bytes
if curl -s -o "$T/page" "$U/" && grep -q "<html" "$T/page"; then
    curl -s -D "$T/gz.hdr" -o "$T/page.gz" -H "Accept-Encoding: gzip, deflate" "$U/"
    curl -s -D "$T/gz0.hdr" -o /dev/null -H "Accept-Encoding: gzip;q=0, identity" "$U/"
    check "the page: gzip for Accept-Encoding gzip (same bytes, Vary), plain for gzip;q=0" \
        'grep -qi "^Content-Encoding: gzip" "$T/gz.hdr" && grep -qi "^Vary: Accept-Encoding" "$T/gz.hdr" &&
         gzip -dc "$T/page.gz" | cmp -s - "$T/page" && ! grep -qi "^Content-Encoding" "$T/gz0.hdr"'
fi
ACC="Accept: application/taxii+json;version=2.1"
s=$(get root -u "bravo:$TOKEN" -H "$ACC" "$U/api/")
s2=$(get cols -u "bravo:$TOKEN" -H "$ACC" "$U/api/collections/")
s3=$(get st404 -u "bravo:$TOKEN" -H "$ACC" "$U/api/status/00000000-0000-4000-8000-000000000000/")
check "TAXII still answers /api/, /api/collections/ (200) and /api/status/ID/ (404)" \
    '[ "$s" = 200 ] && [ "$s2" = 200 ] && [ "$s3" = 404 ] &&
     grep -qi "^Content-Type: application/taxii+json" "$T/cols.hdr"'
COLL=$(py "$T/cols" 'd["collections"][0]["id"]')
cat > "$T/env.json" << 'EOF'
{"objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--5d1a0f3e-0d8c-4f57-9d4f-aa0000000001","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"bravo's address","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]}]}
EOF
s=$(get post -u "bravo:$TOKEN" -H "$ACC" -H "Content-Type: application/taxii+json;version=2.1" \
    --data-binary @"$T/env.json" "$U/api/collections/$COLL/objects/")
check "a partner POSTs an indicator over TAXII under /api/collections/ (202)" '[ "$s" = 202 ]'

LOGIN='{"user":"alice","password":"'"$PW"'"}'
s=$(get login -H "Content-Type: application/json" -d "$LOGIN" "$U/api/login")
CSRF=$(py "$T/login" 'd["csrf"]' 2> /dev/null)
COOKIE=$(sed -n 's/^Set-Cookie: alidade_session=\([0-9a-f]*\);.*/\1/p' "$T/login.hdr" | tr -d '\r')
check "login: 200 {user, csrf} and a 256-bit session cookie" \
    '[ "$s" = 200 ] && [ "$(py "$T/login" "d[\"user\"]")" = alice ] && [ ${#CSRF} -eq 64 ] && [ ${#COOKIE} -eq 64 ]'
check "cookie flags: HttpOnly, SameSite=Strict, Path=/, no Secure on plain HTTP" \
    'grep -i "^Set-Cookie:" "$T/login.hdr" | grep -q "; Path=/; HttpOnly; SameSite=Strict" &&
     ! grep -i "^Set-Cookie:" "$T/login.hdr" | grep -qi secure'
C="Cookie: alidade_session=$COOKIE"
s=$(get me -H "$C" "$U/api/me")
check "/api/me with the cookie: 200, the same csrf" \
    '[ "$s" = 200 ] && [ "$(py "$T/me" "d[\"csrf\"]")" = "$CSRF" ]'
check "security headers: CSP default-src 'self' with frame-ancestors 'none', nosniff, no-store" \
    'grep -qi "^Content-Security-Policy: default-src .self.;.*frame-ancestors .none." "$T/me.hdr" &&
     grep -qi "^X-Content-Type-Options: nosniff" "$T/me.hdr" && grep -qi "^Cache-Control: no-store" "$T/me.hdr"'
s1=$(get bad1 -H "Content-Type: application/json" -d '{"user":"alice","password":"wrong"}' "$U/api/login")
s2=$(get bad2 -H "Content-Type: application/json" -d '{"user":"mallory","password":"wrong"}' "$U/api/login")
check "wrong password and unknown user: both 401 with the same body" \
    '[ "$s1" = 401 ] && [ "$s2" = 401 ] && cmp -s "$T/bad1" "$T/bad2" && ! grep -qi "set-cookie" "$T/bad1.hdr"'
s=$(get form -d "user=alice&password=$PW" "$U/api/login")
check "a form-encoded login is refused (415: no cross-site form login)" '[ "$s" = 415 ]'
s1=$(get lo1 -X POST -H "$C" "$U/api/logout")
s2=$(get lo2 -X POST -H "$C" -H "X-CSRF-Token: 00$CSRF" "$U/api/logout")
s3=$(get lo3 -X DELETE -H "$C" -H "X-CSRF-Token: $CSRF" "$U/api/vessels")
check "POST without or with a wrong X-CSRF-Token: 403; another method: 405" \
    '[ "$s1" = 403 ] && [ "$s2" = 403 ] && [ "$s3" = 405 ]'

s=$(get index "$U/")
if grep -qi "^ETag:" "$T/index.hdr"; then
    ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$T/index.hdr" | tr -d '\r')
    s2=$(get index2 -H "If-None-Match: $ETAG" "$U/")
    check "GET / is the embedded page (200 text/html), 304 with its ETag" \
        '[ "$s" = 200 ] && grep -qi "^Content-Type: text/html" "$T/index.hdr" && [ "$s2" = 304 ]'
else
    check "GET / without an embedded front-end: the old page on loopback" \
        '[ "$s" = 200 ] && grep -q "TAXII 2.1 discovery" "$T/index"'
fi

# ---- maritime events from the store ----
s=$(get ev -H "$C" "$U/api/events")
check "/api/events: all $EV imported maritime events, not truncated" \
    '[ "$s" = 200 ] && [ "$(py "$T/ev" "len(d[\"events\"])")" = "$EV" ] && [ "$(py "$T/ev" "d[\"truncated\"]")" = False ]'
check "/api/events: each with id, event, mmsi, start, end, TLP, created_by and source" \
    '[ "$(py "$T/ev" "all(e[\"id\"].startswith(\"sighting--\") and e[\"event\"] and e[\"mmsi\"] and e[\"start\"].endswith(\"Z\") and e[\"end\"] and e[\"tlp\"]==\"green\" and e[\"created_by\"]==\"$CREATED_BY\" and e[\"source\"]==\"local\" and isinstance(e[\"details\"], dict) for e in d[\"events\"])")" = True ]'
check "/api/events: latest start first" \
    '[ "$(py "$T/ev" "[e[\"start\"] for e in d[\"events\"]] == sorted([e[\"start\"] for e in d[\"events\"]], reverse=True)")" = True ]'
s=$(get ev2 -H "$C" "$U/api/events?limit=2")
check "/api/events?limit=2: 2 events, truncated, total $EV" \
    '[ "$s" = 200 ] && [ "$(py "$T/ev2" "len(d[\"events\"]), d[\"truncated\"], d[\"total\"]")" = "2 True $EV" ]'
s=$(get ev3 -H "$C" "$U/api/events?since=$MID")
s2=$(get ev4 -H "$C" "$U/api/events?until=$(python3 -c "import datetime,sys; print(datetime.datetime.fromtimestamp($MID, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))")")
check "/api/events since (unix seconds: $EV_SINCE) and until (ISO 8601: $EV_UNTIL)" \
    '[ "$(py "$T/ev3" "len(d[\"events\"])")" = "$EV_SINCE" ] && [ "$(py "$T/ev4" "len(d[\"events\"])")" = "$EV_UNTIL" ]'
s=$(get ev5 -H "$C" "$U/api/events?bbox=$BOX")
check "/api/events?bbox: the $EV_BOX events in the box" \
    '[ "$s" = 200 ] && [ "$(py "$T/ev5" "len(d[\"events\"])")" = "$EV_BOX" ]'
s1=$(get eb1 -H "$C" "$U/api/events?bbox=1,2,3")
s2=$(get eb2 -H "$C" "$U/api/events?limit=0")
s3=$(get eb3 -H "$C" "$U/api/events?since=yesterday")
s4=$(get eb4 -H "$C" "$U/api/events?limit=10001")
check "/api/events: bad bbox, limit 0 or past 10000, bad time: 400 with an error" \
    '[ "$s1" = 400 ] && [ "$s2" = 400 ] && [ "$s3" = 400 ] && [ "$s4" = 400 ] && grep -q "\"error\"" "$T/eb1"'

# ---- cyber ----
s=$(get ind -H "$C" "$U/api/indicators/summary")
check "/api/indicators/summary: total $IND + 1, bravo's one under source bravo with its TLP" \
    '[ "$s" = 200 ] && [ "$(py "$T/ind" "d[\"total\"], d[\"complete\"]")" = "$((IND + 1)) True" ] &&
     [ "$(py "$T/ind" "sum(g[\"count\"] for g in d[\"by_source\"])")" = $((IND + 1)) ] &&
     [ "$(py "$T/ind" "[(g[\"tlp\"], g[\"count\"]) for g in d[\"by_source\"] if g[\"source\"]==\"bravo\"]")" = "[('"'"'amber'"'"', 1)]" ]'
s=$(get sg -H "$C" "$U/api/sightings")
check "/api/sightings: the $SG sightings of indicators, $SG_HITS hits in the buckets" \
    '[ "$s" = 200 ] && [ "$(py "$T/sg" "d[\"total\"], len(d[\"sightings\"])")" = "$SG $SG" ] &&
     [ "$(py "$T/sg" "sum(b[\"count\"] for b in d[\"buckets\"])")" = "$SG_HITS" ]'
# (lines: the raw EVE lines `match --store` kept, with the log and line number)
check "/api/sightings: indicator, pattern, name, first/last seen, TLP, created_by, source, raw lines (log, line)" \
    '[ "$(py "$T/sg" "all(s[\"indicator\"].startswith(\"indicator--\") and s[\"pattern\"].startswith(\"[\") and s[\"name\"] and s[\"first_seen\"] and s[\"last_seen\"] and s[\"tlp\"]==\"amber\" and s[\"created_by\"].startswith(\"identity--\") and s[\"source\"]==\"local\" and s[\"lines_from\"]==\"log\" and len(s[\"lines\"])>=1 and all(l[\"text\"].startswith(\"{\") and l[\"line\"]>=1 and l[\"source\"].endswith(\"suricata-alerts.eve.json.zst\") for l in s[\"lines\"]) for s in d[\"sightings\"])")" = True ]'
s=$(get sg2 -H "$C" "$U/api/sightings?limit=1&bucket=86400&since=2015-01-01T00:00:00Z&until=2016-01-01T00:00:00Z")
check "/api/sightings?limit=1&bucket=86400: one sighting, truncated, daily buckets" \
    '[ "$(py "$T/sg2" "len(d[\"sightings\"]), d[\"truncated\"], d[\"bucket_s\"]")" = "1 True 86400" ]'

# ---- zones, sharing ----
s=$(get zones -H "$C" "$U/api/zones")
check "/api/zones: the $ZONES zones of --zones as a FeatureCollection" \
    '[ "$s" = 200 ] && [ "$(py "$T/zones" "d[\"type\"], len(d[\"features\"])")" = "FeatureCollection $ZONES" ]'
s=$(get sh -H "$C" "$U/api/sharing")
check "/api/sharing: node, partner bravo with its counters, audit newest first" \
    '[ "$s" = 200 ] && [ "$(py "$T/sh" "[p[\"name\"] for p in d[\"partners\"]]")" = "['"'"'bravo'"'"']" ] &&
     [ "$(py "$T/sh" "sorted(d[\"partners\"][0].keys())")" = "['"'"'errors'"'"', '"'"'identity'"'"', '"'"'in'"'"', '"'"'lag_s'"'"', '"'"'last_error'"'"', '"'"'last_sync'"'"', '"'"'name'"'"', '"'"'out'"'"', '"'"'url'"'"']" ] &&
     [ "$(py "$T/sh" "[a[\"seq\"] for a in d[\"audit\"]] == sorted([a[\"seq\"] for a in d[\"audit\"]], reverse=True) and any(a[\"action\"]==\"write\" and a[\"who\"]==\"bravo\" for a in d[\"audit\"])")" = True ]'
B=$(py "$T/sh" 'd["audit"][2]["seq"]')
s=$(get sh2 -H "$C" "$U/api/sharing?before=$B")
check "/api/sharing?before=SEQ pages back (only older rows)" \
    '[ "$s" = 200 ] && [ "$(py "$T/sh2" "all(a[\"seq\"] < $B for a in d[\"audit\"]) and len(d[\"audit\"]) == $B - 1")" = True ]'

# ---- live: positions into the picture, the stream ----
curl -s -N -H "$C" "$U/api/stream" > "$T/sse1" &
CURLS="$CURLS $!"
sleep 0.5
"$BIN" ais replay -q --udp "127.0.0.1:$UDP" --speed 0 "$IN/drill/scenario.nmea" > /dev/null 2>&1
seen=""
for i in $(seq 1 20); do
    grep -q "^event: position" "$T/sse1" && { seen=1; break; }
    sleep 0.1
done
check "/api/stream delivers position news within 2 s (id, event, data lines)" \
    '[ -n "$seen" ] && grep -q "^id: [0-9]*$" "$T/sse1" && grep -q "^data: {\"mmsi\":" "$T/sse1"'
# live detections: ingest announces them as `event` news; /api/events merges
# them with the stored ones by id
for i in $(seq 1 30); do
    grep -q "^event: event" "$T/sse1" && break
    sleep 0.1
done
s=$(get evlive -H "$C" "$U/api/events")
check "live maritime events on /api/stream (event), merged by id into /api/events" \
    'grep -q "^event: event" "$T/sse1" && grep -A1 "^event: event" "$T/sse1" | grep -q "^data: {\"id\":\"sighting--" &&
     [ "$(py "$T/evlive" "d[\"total\"] >= $EV and len(set(e[\"id\"] for e in d[\"events\"])) == len(d[\"events\"])")" = True ]'
sleep 1
LAST=$(($(sed -n 's/^id: //p' "$T/sse1" | tail -n 1) - 3))
curl -s -N --max-time 2 -H "$C" -H "Last-Event-ID: $LAST" "$U/api/stream" > "$T/sse2"
check "/api/stream with Last-Event-ID: $LAST resumes at the next one (3 news)" \
    '[ "$(sed -n "s/^id: //p" "$T/sse2" | head -n 1)" = $((LAST + 1)) ] && [ "$(grep -c "^id: " "$T/sse2")" = 3 ]'
curl -s -N --max-time 2 -H "$C" -H "Last-Event-ID: 10" "$U/api/stream" > "$T/sse3"
check "/api/stream with a Last-Event-ID gone from the ring: event reset first" \
    '[ "$(grep "^event: " "$T/sse3" | head -n 1)" = "event: reset" ]'
s=$(get ves -H "$C" "$U/api/vessels")
N=$(py "$T/ves" 'd["count"]')
check "/api/vessels: columns of equal length ($N vessels heard)" \
    '[ "$s" = 200 ] && [ "$N" -gt 10 ] && [ "$(py "$T/ves" "len(set(len(d[k]) for k in (\"mmsi\",\"lat\",\"lon\",\"cog\",\"sog\",\"heading\",\"type\",\"t\")))==1 and d[\"t_max\"].endswith(\"Z\")")" = True ]'
s=$(get ves2 -H "$C" "$U/api/vessels?limit=5")
check "/api/vessels?limit=5: 5 vessels, truncated, total $N" \
    '[ "$(py "$T/ves2" "d[\"count\"], d[\"truncated\"], d[\"total\"]")" = "5 True $N" ]'
VBOX=$(py "$T/ves" '"%.4f,%.4f,%.4f,%.4f" % (d["lon"][0]-0.3, d["lat"][0]-0.3, d["lon"][0]+0.3, d["lat"][0]+0.3)')
WANT=$(py "$T/ves" "sum(1 for a,o in zip(d['lat'],d['lon']) if abs(a-d['lat'][0])<=0.3 and abs(o-d['lon'][0])<=0.3)")
s=$(get ves3 -H "$C" "$U/api/vessels?bbox=$VBOX")
check "/api/vessels?bbox: the $WANT vessels in the box, all inside" \
    '[ "$(py "$T/ves3" "d[\"count\"]")" = "$WANT" ]'
s=$(get ves4 -H "$C" "$U/api/vessels?bbox=179,-90,-179,90")
check "/api/vessels across the antimeridian: only longitudes beyond +-179" \
    '[ "$s" = 200 ] && [ "$(py "$T/ves4" "all(abs(o) >= 179 for o in d[\"lon\"])")" = True ]'
M=$(py "$T/ves" 'd["mmsi"][0]')
s=$(get v1 -H "$C" "$U/api/vessel/$M")
check "/api/vessel/$M: static fields and a track of [t, lat, lon, sog, cog], oldest first" \
    '[ "$s" = 200 ] && [ "$(py "$T/v1" "d[\"mmsi\"]==$M and len(d[\"track\"])>1 and all(len(p)==5 for p in d[\"track\"]) and [p[0] for p in d[\"track\"]]==sorted(p[0] for p in d[\"track\"]) and \"flag\" in d and \"name\" in d")" = True ]'
T1=$(py "$T/v1" 'd["track"][1][0]')
s=$(get v2 -H "$C" "$U/api/vessel/$M?since=$T1")
check "/api/vessel?since: the track from that time on" \
    '[ "$(py "$T/v2" "min(p[0] for p in d[\"track\"]) >= $T1 and len(d[\"track\"]) < len(json.load(open(\"$T/v1\"))[\"track\"])")" = True ]'
s1=$(get v404 -H "$C" "$U/api/vessel/999999999")
s2=$(get v400 -H "$C" "$U/api/vessel/12ab")
check "/api/vessel: unknown 404, malformed 400" '[ "$s1" = 404 ] && [ "$s2" = 400 ]'
# ?at=: the picture as it was at an earlier time (the dashboard's time
# slider): vessel $M's position is its last track point at or before then
AT=$(py "$T/v1" 'd["track"][len(d["track"]) // 2][0] + 1')
ATISO=$(python3 -c "import datetime; print(datetime.datetime.fromtimestamp($AT, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'))")
WANTP=$(py "$T/v1" "[p for p in d['track'] if p[0] <= $AT][-1]")
s=$(get vat -H "$C" "$U/api/vessels?at=$AT")
check "/api/vessels?at=$AT: vessel $M at its track point $WANTP, every t <= at, none older than 6 h" \
    '[ "$s" = 200 ] && [ "$(py "$T/vat" "(lambda w, i: d[\"t\"][i] == w[0] and abs(d[\"lat\"][i] - w[1]) < 2e-5 and abs(d[\"lon\"][i] - w[2]) < 2e-5)($WANTP, d[\"mmsi\"].index($M)) and all($AT - 21600 <= t <= $AT for t in d[\"t\"]) and len(set(len(d[k]) for k in (\"mmsi\",\"lat\",\"lon\",\"t\")))==1")" = True ]'
s=$(get vat2 -H "$C" "$U/api/vessels?at=$ATISO")
check "/api/vessels?at=$ATISO (ISO 8601) answers as the unix seconds" \
    '[ "$s" = 200 ] && [ "$(py "$T/vat2" "d[\"mmsi\"], d[\"lat\"], d[\"t\"]")" = "$(py "$T/vat" "d[\"mmsi\"], d[\"lat\"], d[\"t\"]")" ]'
s=$(get vat3 -H "$C" "$U/api/vessels?at=$AT&max_age=60")
check "/api/vessels?at=&max_age=60: only vessels heard in the minute before (fewer or as many)" \
    '[ "$s" = 200 ] && [ "$(py "$T/vat3" "all($AT - 60 <= t <= $AT for t in d[\"t\"]) and d[\"count\"] <= json.load(open(\"$T/vat\"))[\"count\"]")" = True ]'
s=$(get vat4 -H "$C" "$U/api/vessels?at=0")
s1=$(get vat5 -H "$C" "$U/api/vessels?at=yesterday")
s2=$(get vat6 -H "$C" "$U/api/vessels?at=$AT&max_age=-1")
check "/api/vessels?at=0: nobody yet; a bad at or max_age: 400" \
    '[ "$s" = 200 ] && [ "$(py "$T/vat4" "d[\"count\"]")" = 0 ] && [ "$s1" = 400 ] && [ "$s2" = 400 ]'

# ---- 20 idle streams do not take the 2 worker threads from TAXII ----
for i in $(seq 1 20); do
    curl -s -N -H "$C" "$U/api/stream" > "$T/idle$i" &
    CURLS="$CURLS $!"
done
sleep 1
open=0
for i in $(seq 1 20); do grep -q "alidade live stream" "$T/idle$i" && open=$((open + 1)); done
t0=$(date +%s%N)
s=$(get disc --max-time 5 -u "bravo:$TOKEN" -H "$ACC" "$U/taxii2/")
s2=$(get cols2 --max-time 5 -u "bravo:$TOKEN" -H "$ACC" "$U/api/collections/$COLL/objects/?limit=5")
s3=$(get me2 --max-time 5 -H "$C" "$U/api/me")
ms=$((($(date +%s%N) - t0) / 1000000))
check "21 streams open ($open idle + 1), TAXII and /api/me still answered (${ms} ms for 3 requests)" \
    '[ "$open" = 20 ] && [ "$s" = 200 ] && [ "$s2" = 200 ] && [ "$s3" = 200 ] && [ "$ms" -lt 3000 ]'

s=$(get metrics "$U/metrics")
check "/metrics counts dashboard logins and open streams (>= 21: a client gone is noticed at the next keepalive)" \
    'grep -q "^alidade_dashboard_logins_total{result=\"ok\"} 1$" "$T/metrics" &&
     grep -q "^alidade_dashboard_logins_total{result=\"failed\"} 2$" "$T/metrics" &&
     [ "$(sed -n "s/^alidade_dashboard_streams //p" "$T/metrics")" -ge 21 ]'

# ---- provenance: a second node pulls from this one (federation) ----
if "$BIN" partner add --help 2>&1 | grep -q -- "--url"; then
    D2=$T/node2
    PORT3=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    ALD_TEST_TOKEN=$TOKEN "$BIN" partner add alpha --data "$D2" --url "$U/api/" --pull "$COLL" \
        --remote-user bravo --remote-token-env ALD_TEST_TOKEN > /dev/null 2>&1
    PW2=$("$BIN" operator add op2 --data "$D2" 2> /dev/null | tail -n 1)
    : > "$T/b.err"
    timeout 120 "$BIN" serve --data "$D2" --listen "127.0.0.1:$PORT3" --sync-interval 1 \
        2>> "$T/b.err" &
    SP2=$!
    CURLS="$CURLS $SP2"
    for i in $(seq 1 100); do grep -q "pulled partner=alpha" "$T/b.err" && break; sleep 0.1; done
    U2=http://127.0.0.1:$PORT3
    curl -s -c "$T/jar2" -o /dev/null -H "Content-Type: application/json" \
        -d '{"user":"op2","password":"'"$PW2"'"}' "$U2/api/login"
    curl -s -b "$T/jar2" -o "$T/b_ind" "$U2/api/indicators/summary"
    curl -s -b "$T/jar2" -o "$T/b_ev" "$U2/api/events"
    curl -s -b "$T/jar2" -o "$T/b_sh" "$U2/api/sharing"
    kill "$SP2" 2>/dev/null
    wait "$SP2" 2>/dev/null
    check "a node pulling from this one shows the pulled objects with source alpha" \
        '[ "$(py "$T/b_ind" "d[\"total\"] >= $IND and {g[\"source\"] for g in d[\"by_source\"]} == {\"alpha\"}")" = True ] &&
         [ "$(py "$T/b_ev" "d[\"total\"] == $EV and {e[\"source\"] for e in d[\"events\"]} == {\"alpha\"}")" = True ]'
    check "its /api/sharing: partner alpha with url, last_sync, objects in, no errors" \
        '[ "$(py "$T/b_sh" "[(p[\"name\"], p[\"url\"], p[\"last_sync\"][-1], p[\"in\"] > 0, p[\"errors\"]) for p in d[\"partners\"]] == [(\"alpha\", \"$U/api/\", \"Z\", True, 0)]")" = True ]'
else
    echo "skipped: no federation in this build (partner add --url)"
fi

# ---- logout ----
s=$(get lo4 -X POST -H "$C" -H "X-CSRF-Token: $CSRF" "$U/api/logout")
s2=$(get me3 -H "$C" "$U/api/me")
check "logout with the CSRF token: 204 (cookie cleared), then 401" \
    '[ "$s" = 204 ] && grep -qi "^Set-Cookie: alidade_session=;.*Max-Age=0" "$T/lo4.hdr" && [ "$s2" = 401 ]'

# ---- login rate limit (last: it blocks this address for a minute) ----
codes=""
for i in 1 2 3 4 5; do
    codes="$codes$(get rl -H "Content-Type: application/json" -d '{"user":"alice","password":"x"}' "$U/api/login") "
done
s=$(get rl6 -H "Content-Type: application/json" -d "$LOGIN" "$U/api/login")
check "login rate limit: after 5 failures even the right password is 429 with Retry-After" \
    '[ "$s" = 429 ] && grep -qi "^Retry-After: [0-9]" "$T/rl6.hdr"'

# ---- a clean stop with 21 streams open ----
t0=$(date +%s)
kill -TERM "$SP"
wait "$SP"; rc=$?
SP=""
dt=$(($(date +%s) - t0))
check "SIGTERM with live streams open: exit 0 (got $rc) in ${dt} s, no libmicrohttpd complaint" \
    '[ $rc -eq 0 ] && [ $dt -le 5 ] && ! grep -qi "suspended\|panic" "$T/serve.err"'
check "no sanitizer report in the node's log (ASan/UBSan builds)" \
    '! grep -q "runtime error\|ERROR: AddressSanitizer\|LeakSanitizer" "$T/serve.err"'

# ---- HTTPS: the cookie is Secure ----
if command -v openssl > /dev/null; then
    (cd "$T" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout tls.key -out tls.pem -days 2 -subj "/CN=alidade test" \
        -addext "subjectAltName=IP:127.0.0.1") > /dev/null 2>&1
    PORT2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    : > "$T/tls.err"
    timeout 120 "$BIN" serve --data "$D" --listen "127.0.0.1:$PORT2" --tls-cert "$T/tls.pem" \
        --tls-key "$T/tls.key" 2>> "$T/tls.err" &
    SP=$!
    for i in $(seq 1 100); do grep -q "listening on" "$T/tls.err" && break; sleep 0.1; done
    s=$(get tlogin --cacert "$T/tls.pem" -H "Content-Type: application/json" -d "$LOGIN" \
        "https://127.0.0.1:$PORT2/api/login")
    check "over HTTPS the session cookie is also Secure" \
        '[ "$s" = 200 ] && grep -i "^Set-Cookie: alidade_session=" "$T/tlogin.hdr" | grep -q "; Secure"'
    kill "$SP" 2>/dev/null
    wait "$SP" 2>/dev/null
    SP=""
else
    echo "skipped: openssl absent (HTTPS cookie)"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
