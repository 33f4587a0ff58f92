#!/bin/sh
# test_live_general.sh - the live node's cyber matcher complete (issue 6)
# and the raw log lines behind its sightings (issue 7), against a real
# `alidade serve` following a real Suricata EVE log (tests/data/match:
# WRCCDC 2018 alerts and Zeek-derived events; with ../shared/data also the
# FIRST 2015 conference alerts appended):
#   1. indicators in a collection other than the default one (as
#      federation's --pull-into and TAXII POSTs put them) are matched; one
#      indicator held in two collections counts once;
#   2. a GENERAL indicator (MATCHES) is evaluated live, and GENERAL
#      indicators over several observations (FOLLOWEDBY ... WITHIN, REPEATS
#      ... WITHIN) added while the node runs are recompiled and evaluated:
#      every sighting (indicator, first/last seen, count, references) is
#      the one `alidade match --store` makes from the same log read whole,
#      and `alidade match --indicators store` reads every collection too;
#   3. the dashboard's /api/sightings gives each sighting's raw lines,
#      byte-identical to the log at their offsets, the same lines `alidade
#      match --store` keeps (first 20 and last 20), lines_from "log"; a
#      partner's sighting gets lines rebuilt from its observed-data;
#   4. the raw lines are local: absent from every TAXII response of the
#      node and from what federation pushed to a partner's node;
#   5. kill -9 while a big log is read, restart: every sighting's lines
#      ranked 1..count, the first and last 20 hits in file order, none lost
#      or stored twice.
NEED="curl python3"
. "$(dirname "$0")/harness.sh"
DATA=${ALD_TEST_DATA:?ALD_TEST_DATA must point at tests/data}
SHARED=${ALD_SHARED_DATA:-}
metric() {
    curl -s "http://127.0.0.1:$1/metrics" | awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'
}
# wait_for SECONDS CONDITION
wait_for() {
    n=0
    while [ $n -lt $(($1 * 10)) ]; do
        eval "$2" && return 0
        sleep 0.1
        n=$((n + 1))
    done
    return 1
}

# the log: the committed sample, then (shared data) the FIRST 2015 alerts
LOG=$T/log.eve.json
cp "$DATA/match/sample.eve.json" "$LOG"
FIRST=$SHARED/cti/logs/suricata-eve/first-org-conf-2015/alerts-only.eve.ndjson
if [ -n "$SHARED" ] && [ -f "$FIRST" ]; then
    cat "$FIRST" >> "$LOG"
else
    echo "# ../shared/data absent: the committed sample alone"
fi
NL=$(wc -l < "$LOG")

ind() {
    printf '{"type":"indicator","spec_version":"2.1","id":"indicator--a1b2c3d4-0000-4000-8000-%012d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"planted %s","pattern":"%s","pattern_type":"stix","valid_from":"2000-01-01T00:00:00Z"}\n' "$1" "$1" "$2"
}
# S1 simple, in the partner's collection and (the same object) in the
# default one; G1 general, one observation (MATCHES)
ind 1 "[ipv4-addr:value = '10.47.3.200']" > "$T/s1.jsonl"
ind 2 "[ipv4-addr:value MATCHES '^10\\\\\\\\.47\\\\\\\\.22\\\\\\\\.']" > "$T/g1.jsonl"
# added while running: several observations
ind 3 "[ipv4-addr:value = '10.47.22.25'] FOLLOWEDBY [ipv4-addr:value = '216.239.38.10'] WITHIN 3600 SECONDS" > "$T/g2.jsonl"
ind 4 "[ipv4-addr:value = '10.47.1.10'] REPEATS 5 TIMES WITHIN 3600 SECONDS" >> "$T/g2.jsonl"
ind 5 "[ipv4-addr:value = '54.235.163.229'] REPEATS 3 TIMES WITHIN 600 SECONDS" >> "$T/g2.jsonl"

# setup DIR: a store with a partner's collection ("From cert") holding S1
# and G1, S1 also in the default collection; its id in COL
setup() {
    "$BIN" collection add "From cert" --data "$1" > "$T/col.out" 2>&1
    COL=$(tail -n 1 "$T/col.out")
    "$BIN" stix import --data "$1" --collection "$COL" "$T/s1.jsonl" "$T/g1.jsonl" > /dev/null 2>&1
    "$BIN" stix import --data "$1" "$T/s1.jsonl" > /dev/null 2>&1
}

# sightings DB: the latest version of each sighting of a planted indicator
# in a store, one line each: "ind first_seen last_seen count refs"
sightings() {
    python3 - "$1" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect("file:%s/alidade.db?mode=ro" % sys.argv[1], uri=True)
latest = {}
for (j,) in db.execute("SELECT json FROM object WHERE type = 'sighting'"):
    o = json.loads(j)
    if "extensions" in o:
        continue
    if o["id"] not in latest or o["modified"] > latest[o["id"]]["modified"]:
        latest[o["id"]] = o
for o in sorted(latest.values(), key=lambda o: (o["sighting_of_ref"], o["first_seen"])):
    print(o["sighting_of_ref"][-2:], o["first_seen"], o["last_seen"], o["count"],
          len(o.get("observed_data_refs", [])))
EOF
}
# only the lines of some indicators: pick "01 02" < file
pick() { awk -v keep=" $1 " 'index(keep, " " $1 " ")'; }

# ---- the node ----
mkdir -p "$T/eve"
setup "$T/n"
NCOL=$COL
"$BIN" partner add p --data "$T/n" --read '*' > "$T/p.out" 2>&1
TOKP=$(tail -n 1 "$T/p.out")
"$BIN" operator add op --data "$T/n" > "$T/op.out" 2>&1
PW=$(tail -n 1 "$T/op.out")
# a partner's node Z that ours pushes its default collection to
PORT_Z=$(free_port)
"$BIN" partner add N --data "$T/z" --read '*' --write '*' > "$T/out" 2>&1 && tail -n 1 "$T/out" > "$T/tok.N_at_Z"
DZ=$("$BIN" collection list --data "$T/z" | awk -F'\t' '$3 == "yes" {print $1}')
"$BIN" partner add Z --data "$T/n" > /dev/null 2>&1
"$BIN" partner set Z --data "$T/n" --url "http://127.0.0.1:$PORT_Z/api/" --push "$DZ" \
    --remote-user N --remote-token-file "$T/tok.N_at_Z" > /dev/null 2>&1
"$BIN" serve --data "$T/z" --listen "127.0.0.1:$PORT_Z" --log-level warn 2> "$T/z.err" &
PIDS="$PIDS $!"
: > "$T/n.err"
"$BIN" serve --data "$T/n" --listen 127.0.0.1:0 --sync-interval 1 --log-level debug \
    --source "eve+file:$T/eve/eve.json?name=ids1" 2>> "$T/n.err" &
SP=$!
PIDS="$PIDS $SP"
wait_for 10 'grep -q "listening on" "$T/n.err"'
P=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$T/n.err" | tail -n 1)
check "node started, following an EVE log, indicators of both collections compiled" \
    '[ -n "$P" ] && grep "indicators compiled" "$T/n.err" | grep -q "simple=1 general_single=1 general_multi=0 .*collections=2 in_two_collections=1"'

# ---- 1-2. the log in two pieces: S1 (two collections) and G1 (MATCHES) ----
head -n 150 "$LOG" > "$T/eve/eve.json"
sleep 0.7
tail -n +151 "$LOG" >> "$T/eve/eve.json"
setup "$T/ref1"
"$BIN" match -q --indicators store --data "$T/ref1" --store "$LOG"
sightings "$T/ref1" > "$T/want1"
wait_for 20 '[ "$(metric $P "alidade_ingest_lines_total{source=\"ids1\"}")" -ge "$NL" ] &&
             sightings "$T/n" > "$T/got1" && cmp -s "$T/got1" "$T/want1"'
check "alidade match --indicators store reads every collection (S1 and G1 hit, S1 once)" \
    '[ "$(cut -d" " -f1 "$T/want1" | sort -u | tr "\n" " ")" = "01 02 " ]'
check "live: the non-default collection's simple indicator and the MATCHES indicator give match --store's sightings ($(wc -l < "$T/want1") sightings)" \
    'cmp -s "$T/got1" "$T/want1"'
# independently: S1 hits every line naming the address (20 in the sample),
# once although it is in two collections
S1LINES=$(grep -c '"10.47.3.200"' "$LOG")
check "the indicator held in two collections counts each line once ($S1LINES lines; 2 indicators evaluated)" \
    '[ "$(pick 01 < "$T/got1" | awk "{ n += \$4 } END { print n }")" = "$S1LINES" ] &&
     [ "$(metric $P alidade_ingest_indicators)" = 2 ]'

# ---- 2. several observations, added while the node runs ----
"$BIN" stix import --data "$T/n" --collection "$NCOL" "$T/g2.jsonl" > /dev/null 2>&1
wait_for 20 '[ "$(metric $P alidade_ingest_indicators)" = 5 ]'
check "indicators over several observations added to the partner's collection: recompiled (5 evaluated)" \
    '[ "$(metric $P alidade_ingest_indicators)" = 5 ] &&
     grep "indicators compiled" "$T/n.err" | tail -n 1 | grep -q "general_multi=3"'
cat "$LOG" >> "$T/eve/eve.json"
# what match --store makes: the new ones over one copy, the first two over two
setup "$T/ref2"
"$BIN" stix import --data "$T/ref2" --collection "$COL" "$T/g2.jsonl" > /dev/null 2>&1
"$BIN" match -q --indicators store --data "$T/ref2" --store "$LOG"
# (the second copy as another file, as the node sees other lines: each
# its own observed-data)
cp "$LOG" "$T/log2.eve.json"
setup "$T/ref3"
"$BIN" match -q --indicators store --data "$T/ref3" --store "$LOG" "$T/log2.eve.json"
{ sightings "$T/ref3" | pick "01 02"; sightings "$T/ref2" | pick "03 04 05"; } > "$T/want2"
wait_for 30 '[ "$(metric $P "alidade_ingest_lines_total{source=\"ids1\"}")" -ge $((NL * 2)) ] &&
             sightings "$T/n" > "$T/got2" && cmp -s "$T/got2" "$T/want2"'
check "match --store finds the FOLLOWEDBY and both REPEATS patterns" \
    '[ "$(pick "03 04" < "$T/want2" | wc -l)" -ge 2 ]'
check "live: FOLLOWEDBY/REPEATS ... WITHIN added while running give match --store's sightings; the others add up over both copies" \
    'cmp -s "$T/got2" "$T/want2"'
[ -f "$T/got2" ] && ! cmp -s "$T/got2" "$T/want2" && diff "$T/got2" "$T/want2" | head -n 20

# ---- 3. the raw lines, from the dashboard ----
# a partner's sightings (another identity) received into its collection:
# no raw lines here, lines rebuilt from their observed-data
"$BIN" match -q --identity "partner cert" --indicators "$T/s1.jsonl" --out "$T/partner.json" "$LOG"
"$BIN" stix import --data "$T/n" --collection "$NCOL" "$T/partner.json" > /dev/null 2>&1
sleep 1.2                                    # (the dashboard's cache: once a second)
curl -s -D "$T/login.hdr" -H "Content-Type: application/json" \
    -d "{\"user\":\"op\",\"password\":\"$PW\"}" "http://127.0.0.1:$P/api/login" > /dev/null
CK=$(sed -n 's/^Set-Cookie: alidade_session=\([0-9a-f]*\);.*/\1/p' "$T/login.hdr" | tr -d '\r')
curl -s -H "Cookie: alidade_session=$CK" "http://127.0.0.1:$P/api/sightings?limit=5000" > "$T/api.json"
# every raw line is the log's line at its offset, byte for byte; the same
# lines, in the same order, as match --store kept (ref2/ref3 tables)
python3 - "$T/api.json" "$T/eve/eve.json" "$T/ref2" "$T/ref3" "$LOG" > "$T/lines.out" <<'EOF'
import json, sqlite3, sys
api, followed, ref2, ref3, log = sys.argv[1:6]
data = open(followed, "rb").read()
loglines = open(log, "rb").read().split(b"\n")
def ref_lines(d):
    db = sqlite3.connect("file:%s/alidade.db?mode=ro" % d, uri=True)
    out = {}
    objs = {}
    for (j,) in db.execute("SELECT json FROM object WHERE type = 'sighting'"):
        o = json.loads(j)
        objs[o["id"]] = o
    for sid, seq, line, text in db.execute(
            "SELECT sighting, seq, line, text FROM sighting_line ORDER BY sighting, seq"):
        o = objs[sid]
        key = (o["sighting_of_ref"], o["first_seen"])
        out.setdefault(key, []).append((seq, bytes(text)))
        # match keeps line numbers: the text is the log's line there
        assert bytes(text) == loglines[line - 1], (sid, line)
    return out
ref = {}
for d, keep in ((ref3, ("01", "02")), (ref2, ("03", "04", "05"))):
    for k, v in ref_lines(d).items():
        if k[0][-2:] in keep:
            ref[k] = v
d = json.load(open(api))
checked = identical = same_as_match = raw = 0
for s in d["sightings"]:
    if not s["indicator"].startswith("indicator--a1b2c3d4"):
        continue
    if s["lines_from"] != "log":
        continue
    raw += 1
    ok = True
    for l in s["lines"]:
        t = l["text"].encode()
        checked += 1
        ok &= l["source"] == "ids1" and l["file"] == followed and l["offset"] is not None \
            and data[l["offset"]:l["offset"] + len(t) + 1] == t + b"\n"
    identical += ok
    mine = [(l["rank"], l["text"].encode()) for l in s["lines"]]
    theirs = ref.get((s["indicator"], s["first_seen"]))
    same_as_match += theirs is not None and [t for _, t in mine] == [t for _, t in theirs] \
        and s["lines_total"] == max(r for r, _ in theirs) and len(mine) <= 40
partner = [s for s in d["sightings"] if s["lines_from"] == "observed-data"]
good = sum(1 for s in partner if s["lines"] and all(" -> " in l["text"] and "source" not in l
                                                     for l in s["lines"]))
print(raw, identical, same_as_match, checked, len(ref), len(partner), good)
EOF
read RAW IDENT SAME NCHK NREF NPART NGOOD < "$T/lines.out"
NSIG=$(wc -l < "$T/want2")
check "/api/sightings: every planted sighting has its raw lines (lines_from log): $RAW of $NSIG" \
    '[ "$RAW" = "$NSIG" ]'
check "raw lines byte-identical to the followed log at their offsets, source and file named ($NCHK lines)" \
    '[ "$IDENT" = "$NSIG" ] && [ "$NCHK" -gt 0 ]'
check "the same lines (first 20 and last 20, in order) as alidade match --store keeps" \
    '[ "$SAME" = "$NSIG" ] && [ "$NREF" = "$NSIG" ]'
check "a partner's sightings (no raw lines here): lines rebuilt from the observed-data, lines_from says so ($NPART)" \
    '[ "$NPART" -ge 1 ] && [ "$NGOOD" = "$NPART" ]'

# ---- 4. local only: not over TAXII, not pushed ----
python3 - "$P" "$TOKP" "$T/taxii.txt" <<'EOF'
import json, sys, urllib.request, base64
port, tok, out = sys.argv[1:4]
auth = "Basic " + base64.b64encode(("p:" + tok).encode()).decode()
def get(path):
    rq = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
        headers={"Accept": "application/taxii+json;version=2.1", "Authorization": auth})
    return urllib.request.urlopen(rq).read().decode()
with open(out, "w") as f:
    for c in json.loads(get("/api/collections/"))["collections"]:
        nxt = None
        while True:
            q = "/api/collections/%s/objects/?match[version]=all&limit=1000" % c["id"]
            if nxt:
                q += "&next=" + nxt
            body = get(q)
            f.write(body + "\n")
            env = json.loads(body)
            if not env.get("more"):
                break
            nxt = env["next"]
EOF
check "TAXII: the node's sightings and observed-data are served" \
    'grep -q "sighting--" "$T/taxii.txt" && grep -q "observed-data--" "$T/taxii.txt"'
# a raw EVE line carries keys no STIX object has (flow_id, pcap_cnt)
check "TAXII: no raw log line in any response (no flow_id, pcap_cnt, event_type)" \
    '! grep -q -e flow_id -e pcap_cnt -e event_type "$T/taxii.txt"'
zsightings() {
    python3 -c 'import sqlite3, sys
print(sqlite3.connect("file:%s/alidade.db?mode=ro" % sys.argv[1], uri=True).execute(
    "SELECT COUNT(*) FROM object WHERE type = ?", ("sighting",)).fetchone()[0])' "$T/z" 2> /dev/null
}
wait_for 30 '[ "$(zsightings)" -ge "$NSIG" ]'
python3 - "$T/z" > "$T/z.txt" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s/alidade.db?mode=ro" % sys.argv[1], uri=True)
for (j,) in db.execute("SELECT json FROM object"):
    print(j if isinstance(j, str) else j.decode())
t = db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sighting_line'").fetchone()[0]
print("sighting_line tables:", t)
EOF
check "federation: the partner's node received our sightings by push" \
    'grep -q "\"type\":\"sighting\"" "$T/z.txt"'
check "federation: no raw log line in what was pushed, no lines table at the partner" \
    '! grep -q -e flow_id -e pcap_cnt -e event_type "$T/z.txt" && grep -q "sighting_line tables: 0" "$T/z.txt"'

kill "$SP" 2> /dev/null
wait "$SP"
rc=$?
check "node stops cleanly" '[ "$rc" = 0 ]'

# ---- 5. kill -9 while it reads, restart: lines neither lost nor doubled ----
# 300 copies of the sample (the same times: S1 and G1 fold into the same
# sightings): 150 appended while the node reads them, killed (SIGKILL) at
# once, 150 more while it is down, restarted
K=$T/k.eve.json
: > "$K"
setup "$T/k"
start_k() {
    "$BIN" serve --data "$T/k" --listen 127.0.0.1:0 --log-level info \
        --source "eve+file:$K?name=big" 2>> "$T/k.err" &
    KP=$!
    PIDS="$PIDS $KP"
    wait_for 10 '[ "$(grep -c "listening on" "$T/k.err")" -ge "$1" ]'
    KPORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$T/k.err" | tail -n 1)
}
: > "$T/k.err"
start_k 1
for i in $(seq 1 150); do
    cat "$DATA/match/sample.eve.json" >> "$K"
    [ $((i % 10)) -eq 0 ] && sleep 0.1
done
MID=$(metric $KPORT "alidade_ingest_lines_total{source=\"big\"}")
kill -9 "$KP"
wait "$KP" 2> /dev/null
for i in $(seq 1 150); do cat "$DATA/match/sample.eve.json"; done >> "$K"
NK=$(wc -l < "$K")
start_k 2
check "killed (SIGKILL) while reading ($MID of $NK lines counted), restarted" \
    '[ "$MID" -gt 0 ] && [ "$MID" -lt "$NK" ] && [ -n "$KPORT" ]'
# the counts: 300 times those of one copy (ref1 read the sample once plus,
# with shared data, other lines that do not hit S1 or G1's 10.47.22.x)
awk '{ print $1, $2, $3, $4 * 300 }' "$T/want1" | sort > "$T/kwant"
wait_for 120 'sightings "$T/k" | awk "{ print \$1, \$2, \$3, \$4 }" | sort > "$T/kgot" &&
              cmp -s "$T/kgot" "$T/kwant"'
kill "$KP" 2> /dev/null
wait "$KP" 2> /dev/null
check "after kill -9 and restart: every hit counted once (300 x one copy's counts)" \
    'cmp -s "$T/kgot" "$T/kwant"'
# every sighting: ranks 1..count without a gap in what is kept (the first
# 20 and last 20), each kept line the file's line at its offset, the first
# 20 the first 20 hits in the file and the last 20 the last ones, no offset
# twice (nothing re-read twice was stored twice)
python3 - "$T/k" "$K" > "$T/k.out" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect("file:%s/alidade.db?mode=ro" % sys.argv[1], uri=True)
data = open(sys.argv[2], "rb").read()
latest = {}
for (j,) in db.execute("SELECT json FROM object WHERE type = 'sighting'"):
    o = json.loads(j)
    if o["id"] not in latest or o["modified"] > latest[o["id"]]["modified"]:
        latest[o["id"]] = o
good = 0
for sid, o in latest.items():
    rows = list(db.execute("SELECT seq, offset, text FROM sighting_line WHERE sighting = ?"
                           " ORDER BY seq", (sid,)))
    seqs = [r[0] for r in rows]
    n = o["count"]
    want = list(range(1, min(n, 20) + 1)) + list(range(max(21, n - 19), n + 1))
    offs = [r[1] for r in rows]
    same = all(data[off:off + len(t) + 1] == bytes(t) + b"\n" for _, off, t in rows)
    # where the hits are: lines with the address (S1) / a 10.47.22.x address (G1)
    key = b'"10.47.3.200"' if o["sighting_of_ref"].endswith("01") else None
    order = True
    if key:
        hits, p = [], 0
        for line in data.split(b"\n"):
            if key in line:
                hits.append(p)
            p += len(line) + 1
        order = offs == hits[:20] + hits[-20:]
    good += seqs == want and same and len(set(offs)) == len(offs) and order
print(len(latest), good)
EOF
read KS KG < "$T/k.out"
check "after kill -9: every sighting's lines ranked 1..count (first and last 20), byte-identical, none twice, in file order ($KG of $KS)" \
    '[ "$KS" -ge 2 ] && [ "$KG" = "$KS" ]'
finish
