#!/bin/sh
# test_history.sh - the node's stored vessel history (issue 7; docs/api.md
# "Vessel history"), on a real `alidade serve` fed by `alidade ais replay
# --udp` with a generated drill (2 days, 59 vessels, ~1,800 reports each,
# so every vessel's 256-point in-memory track has wrapped many times):
#   1. ?at= three hours after the start answers from the store
#      (from_store > 0): every vessel heard by then, each at one of its
#      real reports (time, position, speed, course as in the input), no
#      later than the time asked and at most one heartbeat (15 min under
#      way, 1 h at rest) behind the vessel's last report then;
#   2. a vessel's track reaches back to its first report (more than the
#      256 points held in memory);
#   3. kill -9 and restart: /api/vessels shows the vessels at their latest
#      positions (as before the kill) before any new report;
#   4. restarted with --history-days 1: what is older than a day before the
#      newest report is pruned (?at= at the start finds none, a time within
#      the day still does).
NEED="curl python3"
. "$(dirname "$0")/harness.sh"

# start_node NAME ARGS...: sets SP and PORT (empty when it did not start)
start_node() {
    name=$1
    shift
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
metric() {
    curl -s "http://127.0.0.1:$1/metrics" | awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'
}
# login PORT: sets CK (the session cookie header)
login() {
    curl -s -D "$T/login.hdr" -o /dev/null -H "Content-Type: application/json" \
        -d "{\"user\":\"alice\",\"password\":\"$PW\"}" "http://127.0.0.1:$1/api/login"
    CK="Cookie: alidade_session=$(sed -n 's/^Set-Cookie: alidade_session=\([0-9a-f]*\);.*/\1/p' "$T/login.hdr" | tr -d '\r')"
}
api() { curl -s -H "$CK" "http://127.0.0.1:$PORT$1"; }

"$BIN" drill generate --out "$T/dr" --quiet || { echo "drill generate failed"; exit 1; }
# the input's position reports: mmsi, unix time, lat, lon, sog, cog
"$BIN" ais decode -f csv "$T/dr/scenario.nmea" 2> /dev/null | python3 -c '
import csv, datetime, sys
for r in csv.reader(sys.stdin):
    if len(r) < 6 or not r[0].isdigit() or not r[1] or not r[2]:
        continue
    t = int(datetime.datetime.fromisoformat(r[1].replace("Z", "+00:00")).timestamp())
    print(r[0], t, r[2], r[3], r[4] or "nan", r[5] or "nan")' > "$T/input.txt"
"$BIN" operator add alice --data "$T/n" > "$T/op.out" 2>&1
PW=$(tail -n 1 "$T/op.out")

# ---- 1. the replay, then ?at= early ----
UP=$(free_port udp)
start_node n --data "$T/n" --source "ais+udp://127.0.0.1:$UP?name=radio"
check "node started" '[ -n "$PORT" ]'
for i in $(seq 1 50); do grep -q "listening source=radio" "$T/n.err" && break; sleep 0.1; done
NL=$(wc -l < "$T/dr/scenario.nmea")
"$BIN" ais replay "$T/dr/scenario.nmea" --udp "127.0.0.1:$UP" --speed 0 --rate 40000 -q
for i in $(seq 1 300); do
    [ "$(metric "$PORT" 'alidade_ingest_lines_total{source="radio"}')" -ge "$NL" ] && break
    sleep 0.1
done
check "every line arrived ($NL)" \
    '[ "$(metric "$PORT" "alidade_ingest_lines_total{source=\"radio\"}")" = "$NL" ]'
sleep 3                              # one flush of the history (every 2 s) after the last line
check "the history was written (alidade_history_points_total > 0)" \
    '[ "$(metric "$PORT" alidade_history_points_total)" -gt 0 ]'
login "$PORT"
T0=$(head -n 1 "$T/dr/scenario.nmea" | sed -n 's/.*c:\([0-9]*\).*/\1/p')
AT=$((T0 + 3 * 3600))
api "/api/vessels?at=$AT&max_age=0" > "$T/at.json"
api "/api/vessels" > "$T/live.json"
python3 - "$T/input.txt" "$T/at.json" "$AT" > "$T/at.out" 2>&1 <<'EOF'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    m, t, lat, lon, sog, cog = line.split()
    rows.setdefault(int(m), []).append((int(t), float(lat), float(lon), float(sog), float(cog)))
at = int(sys.argv[3])
d = json.load(open(sys.argv[2]))
heard = {m for m, v in rows.items() if any(x[0] <= at for x in v)}
got = dict(zip(d["mmsi"], zip(d["t"], d["lat"], d["lon"], d["sog"], d["cog"])))
bad = []
for m, (t, lat, lon, sog, cog) in got.items():
    mine = rows.get(m, [])
    real = [x for x in mine if x[0] == t and abs(x[1] - lat) < 2e-5 and abs(x[2] - lon) < 2e-5
            and (sog is None or abs(x[3] - sog) < 0.11) and (cog is None or abs(x[4] - cog) < 0.11)]
    last = max((x[0] for x in mine if x[0] <= at), default=None)
    moving = sog is not None and sog >= 1
    if not real or t > at or last is None or last - t > (900 if moving else 3600):
        bad.append((m, t, lat, lon, last))
print("vessels heard by then", len(heard), "answered", len(got), "from_store", d.get("from_store"),
      "bad", bad[:3], "fewest reports of a vessel", min(len(v) for v in rows.values()))
ok = set(got) == heard and not bad and d.get("from_store", 0) > 0 and len(heard) > 10
sys.exit(0 if ok else 1)
EOF
check "?at= 3 h after the start: every vessel heard by then, at a real report, from the store ($(cat "$T/at.out"))" \
    '[ $? -eq 0 ]'
N=$(sed -n 's/.*fewest reports of a vessel \([0-9]*\).*/\1/p' "$T/at.out")
check "every vessel's in-memory track has wrapped (fewest reports $N > 256)" '[ "${N:-0}" -gt 256 ]'

# near the end the in-memory tracks answer (exact reports), the store not
NEWEST=$(python3 -c 'import json,sys; print(max(json.load(open(sys.argv[1]))["t"]))' "$T/live.json")
AT2=$((NEWEST - 2 * 3600))
api "/api/vessels?at=$AT2&max_age=0" > "$T/late.json"
python3 - "$T/input.txt" "$T/late.json" "$AT2" > "$T/late.out" 2>&1 <<'EOF'
import json, sys
last = {}
at = int(sys.argv[3])
for line in open(sys.argv[1]):
    m, t, lat, lon = line.split()[:4]
    if int(t) <= at and (int(m) not in last or int(t) >= last[int(m)][0]):
        last[int(m)] = (int(t), float(lat), float(lon))
d = json.load(open(sys.argv[2]))
ok = len(set(d["mmsi"])) == d["count"] == len(last) and d["from_store"] == 0 and all(
    last[m][0] == t and abs(last[m][1] - la) < 2e-5 and abs(last[m][2] - lo) < 2e-5
    for m, t, la, lo in zip(d["mmsi"], d["t"], d["lat"], d["lon"]))
print(d["count"], "vessels,", d["from_store"], "from the store")
sys.exit(0 if ok else 1)
EOF
check "?at= 2 h before the end: each vessel once, at its exact last report, from memory ($(cat "$T/late.out"))" \
    '[ $? -eq 0 ]'

# ---- 2. a vessel's track back to its first report ----
M=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["mmsi"][0])' "$T/at.json")
api "/api/vessel/$M" > "$T/track.json"
python3 - "$T/input.txt" "$T/track.json" "$M" > "$T/track.out" 2>&1 <<'EOF'
import json, sys
first = min(int(l.split()[1]) for l in open(sys.argv[1]) if l.split()[0] == sys.argv[3])
tr = json.load(open(sys.argv[2]))["track"]
ts = [p[0] for p in tr]
print("points", len(tr), "first", ts[0] if ts else None, "input first", first)
sys.exit(0 if len(tr) > 256 and ts[0] == first and ts == sorted(ts) else 1)
EOF
check "the track of $M reaches back to its first report, in time order ($(cat "$T/track.out"))" '[ $? -eq 0 ]'
api "/api/vessel/$M?since=$T0&until=$AT" > "$T/track2.json"
python3 -c '
import json, sys
tr = json.load(open(sys.argv[1]))["track"]
sys.exit(0 if tr and all(int(sys.argv[2]) <= p[0] <= int(sys.argv[3]) for p in tr) else 1)' \
    "$T/track2.json" "$T0" "$AT"
check "since/until bound the stored track" '[ $? -eq 0 ]'

# ---- 3. kill -9, restart: the picture before any new report ----
kill -9 "$SP"
wait "$SP" 2> /dev/null
start_node n2 --data "$T/n"
check "restarted" '[ -n "$PORT" ]'
login "$PORT"
api "/api/vessels" > "$T/live2.json"
python3 - "$T/live.json" "$T/live2.json" > "$T/restart.out" 2>&1 <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
ka = {m: (t, la, lo, ty) for m, t, la, lo, ty in zip(a["mmsi"], a["t"], a["lat"], a["lon"], a["type"])}
kb = {m: (t, la, lo, ty) for m, t, la, lo, ty in zip(b["mmsi"], b["t"], b["lat"], b["lon"], b["type"])}
newest = max(v[0] for v in ka.values())
want = {m: v for m, v in ka.items() if v[0] >= newest - 6 * 3600}
print("before", len(ka), "within 6 h", len(want), "after restart", len(kb))
sys.exit(0 if want and kb == want else 1)
EOF
check "after kill -9 and restart /api/vessels shows them at their latest positions and types ($(cat "$T/restart.out"))" \
    '[ $? -eq 0 ]'
grep -q "picture filled from the stored history" "$T/n2.err"
check "the fill is logged" '[ $? -eq 0 ]'
api "/api/vessels?at=$AT&max_age=0" > "$T/at2.json"
check "?at= after the restart answers as before" \
    'python3 -c "import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); sys.exit(0 if a[\"mmsi\"]==b[\"mmsi\"] and a[\"lat\"]==b[\"lat\"] else 1)" "$T/at.json" "$T/at2.json"'
kill "$SP"
wait "$SP"
check "stopped cleanly (exit 0)" '[ $? -eq 0 ]'

# ---- 4. a window of one day: pruned ----
start_node n3 --data "$T/n" --history-days 1
login "$PORT"
for i in $(seq 1 50); do
    [ "$(metric "$PORT" alidade_history_pruned_total)" -gt 0 ] && break
    sleep 0.1
done
check "--history-days 1 pruned the older points" '[ "$(metric "$PORT" alidade_history_pruned_total)" -gt 0 ]'
api "/api/vessels?at=$AT&max_age=0" > "$T/at3.json"
api "/api/vessels?at=$((NEWEST - 12 * 3600))" > "$T/at4.json"
check "?at= before the window: none; within it: the vessels" \
    'python3 -c "import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); sys.exit(0 if a[\"count\"]==0 and b[\"count\"]>10 and b[\"history_from\"]>=$NEWEST-86400-1 else 1)" "$T/at3.json" "$T/at4.json"'
check "the history window is refused beyond 366 days" \
    '! "$BIN" serve --data "$T/x" --history-days 400 2> /dev/null'
kill "$SP"
wait "$SP"
check "stopped cleanly (exit 0)" '[ $? -eq 0 ]'
check "no sanitizer report in the nodes' logs (ASan/UBSan builds)" \
    '! grep -l "Sanitizer\|runtime error" "$T"/*.err'

finish
