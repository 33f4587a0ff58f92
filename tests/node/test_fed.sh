#!/bin/sh
# test_fed.sh - federation between `alidade serve` nodes on 127.0.0.1
# (docs/federation.md): three nodes A, B, C with their own data
# directories and free ports (picked by python3), partners registered both
# ways with the tokens `partner add` printed. A pushes to B and pulls from
# it; B pushes to A and to C (C may receive re-shared CLEAR/GREEN); C pulls
# from B and pushes to it. Pulls go into the collection the partner pushes
# to (--pull-into), as docs/federation.md advises when both directions run.
# Checked: a TLP:GREEN indicator made at A reaches C through B; a TLP:AMBER
# one reaches B and never C (neither by B's push nor by C's pull from B:
# the same policy); an indicator imported at B reaches A; nothing comes
# back to where it came from and every node holds each id+modified once
# (rows and counters stable over several rounds); `alidade status` (text
# and JSON), provenance, the partner list; the maritime events `alidade ais
# detect` finds at B in a generated drill scenario reach A; `partner
# remove` stops the sync.
# Then X -> Y: Y pulls 3000 objects in pages of 2 into "From X" and is
# killed with SIGKILL in the middle, restarted: afterwards Y holds exactly
# X's id+modified set, each once. X pushes the same 3000 to Z in batches
# of 2 while Z is killed and restarted: the same. A partner with a small
# max_body: envelopes halve after 413, an object it never takes is refused.
# Over HTTPS: the partner's CA (--remote-ca) and mTLS (--remote-cert/-key).
# Every server is stopped on exit, also on failure.
NEED="python3"
. "$(dirname "$0")/harness.sh"

# wait_for SECONDS CONDITION: true as soon as CONDITION holds
wait_for() {
    n=$(($1 * 10))
    while [ $n -gt 0 ]; do
        eval "$2" && return 0
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

# start NAME: serves $T/NAME on port $PORT_NAME; its pid in PID_NAME
start() {
    before=$(cat "$T/$1.err" 2> /dev/null | grep -c 'listening on')
    eval "port=\$PORT_$1"
    # the server itself is the background job (no wrapper): kill reaches it
    "$BIN" serve --data "$T/$1" --listen "127.0.0.1:$port" --sync-interval 1 \
        --threads 2 --log-level warn 2>> "$T/$1.err" &
    eval "PID_$1=$!"
    PIDS="$PIDS $!"
    errf="$T/$1.err"
    wait_for 10 '[ "$(grep -c "listening on" "$errf")" -gt "$before" ]'
}
stop() {
    eval "p=\$PID_$1"
    kill "$p" 2> /dev/null
    wait "$p" 2> /dev/null
}

defcoll() { "$BIN" collection list --data "$T/$1" | awk -F'\t' '$3 == "yes" {print $1}'; }

# rows NAME: "id modified" of every stored object version of every
# collection (one line each, sorted); duplicates stay (uniq -d finds them)
rows() {
    python3 - "$BIN" "$T/$1" << 'EOF'
import json, subprocess, sys
b, d = sys.argv[1], sys.argv[2]
out = subprocess.run([b, "status", "--data", d, "--json"], capture_output=True, text=True).stdout
rows = []
for c in json.loads(out)["collections"]:
    bundle = subprocess.run([b, "stix", "export", "--data", d, "--collection", c["id"],
                             "--all-versions"], capture_output=True, text=True).stdout
    for o in json.loads(bundle).get("objects", []):
        rows.append("%s %s" % (o["id"], o.get("modified", "")))
for r in sorted(rows):
    print(r)
EOF
}
has() { rows "$1" | grep -q "^$2 "; }
# count NAME: object versions stored (all collections), straight from the
# SQLite file (cheap enough to poll)
count() {
    python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1], timeout=10).execute("SELECT count(*) FROM object").fetchone()[0])' "$T/$1/alidade.db" 2> /dev/null || echo 0
}

GREEN=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
AMBER=marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421
# indicator ID TLP FILE
indicator() {
    printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","name":"t","pattern":"[ipv4-addr:value = '"'"'10.1.2.3'"'"']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z","object_marking_refs":["%s"]}\n' "$1" "$2" > "$3"
}
I_GREEN=indicator--11111111-1111-4111-8111-111111111111
I_AMBER=indicator--22222222-2222-4222-8222-222222222222
I_FROM_B=indicator--33333333-3333-4333-8333-333333333333
I_LATE=indicator--44444444-4444-4444-8444-444444444444

for n in A B C; do eval "PORT_$n=$(free_port)"; done
UA=http://127.0.0.1:$PORT_A/api/
UB=http://127.0.0.1:$PORT_B/api/
UC=http://127.0.0.1:$PORT_C/api/

# ---- partners both ways: who may use my server, with the tokens printed ----
"$BIN" partner add A --data "$T/B" --read '*' --write '*' > "$T/out" && tail -n 1 "$T/out" > "$T/tok.A_at_B"
"$BIN" partner add C --data "$T/B" --read '*' --write '*' > "$T/out" && tail -n 1 "$T/out" > "$T/tok.C_at_B"
"$BIN" partner add B --data "$T/A" --read '*' --write '*' > "$T/out" && tail -n 1 "$T/out" > "$T/tok.B_at_A"
"$BIN" partner add B --data "$T/C" --read '*' --write '*' > "$T/out" && tail -n 1 "$T/out" > "$T/tok.B_at_C"
DA=$(defcoll A)
DB=$(defcoll B)
DC=$(defcoll C)
check "three stores, four partners, tokens" \
    '[ ${#DA} -eq 36 ] && [ ${#DB} -eq 36 ] && [ ${#DC} -eq 36 ] && [ $(cat "$T"/tok.* | wc -c) -eq 176 ]'

# ---- and what each syncs with the others ----
"$BIN" partner set B --data "$T/A" --url "$UB" --push "$DB" --pull "$DB" --pull-into "$DA" --remote-user A \
    --remote-token-file "$T/tok.A_at_B" > "$T/set.out" 2>&1
rc1=$?
"$BIN" partner set A --data "$T/B" --url "$UA" --push "$DA" --pull "$DA" --pull-into "$DB" --remote-user B \
    --remote-token-file "$T/tok.B_at_A" >> "$T/set.out" 2>&1
rc2=$?
TOKEN_FOR_C=$(cat "$T/tok.B_at_C") "$BIN" partner set C --data "$T/B" --url "$UC" --push "$DC" \
    --remote-user B --remote-token-env TOKEN_FOR_C --reshare >> "$T/set.out" 2>&1
rc3=$?
"$BIN" partner set B --data "$T/C" --url "$UB" --pull "$DB" --pull-into "$DC" --push "$DB" --remote-user C \
    --remote-token-file "$T/tok.C_at_B" >> "$T/set.out" 2>&1
rc4=$?
check "partner set: federation settings of A, B (two) and C" \
    '[ $rc1$rc2$rc3$rc4 = 0000 ] && grep -q "sync with $UC: pull (none), push $DC, as B, token set, reshare yes" "$T/set.out"'
"$BIN" partner list --data "$T/B" > "$T/list.B"
check "partner list shows url, pull, push, reshare; never the token" \
    'grep -q "^C	.*	$UC	-	$DC	-	-	B	set	yes	-	-$" "$T/list.B" && grep -q "^A	.*	$UA	$DA	$DA	-	$DB	B	set	no	-	-$" "$T/list.B" && ! grep -q "$(cat "$T/tok.B_at_C")" "$T/list.B"'

start A
start B
start C
check "three nodes serving" 'grep -q listening "$T/A.err" && grep -q listening "$T/B.err" && grep -q listening "$T/C.err"'

indicator $I_GREEN $GREEN "$T/green.json"
indicator $I_AMBER $AMBER "$T/amber.json"
"$BIN" stix import --data "$T/A" "$T/green.json" "$T/amber.json" > /dev/null 2>&1
check "GREEN indicator made at A reaches C through B" 'wait_for 20 "has C $I_GREEN"'
check "AMBER indicator made at A reaches B" 'wait_for 20 "has B $I_AMBER"'
indicator $I_FROM_B $AMBER "$T/fromb.json"
"$BIN" stix import --data "$T/B" "$T/fromb.json" > /dev/null 2>&1
check "an indicator imported at B reaches A" 'wait_for 20 "has A $I_FROM_B"'
check "and C (B's own AMBER: C may read it at B)" 'wait_for 20 "has C $I_FROM_B"'
# several pull rounds (1 s) and push wake-ups later
sleep 4
check "A's AMBER indicator never reached C (B's push nor C's pull from B)" '! has C $I_AMBER'
rows A > "$T/a1"
rows B > "$T/b1"
rows C > "$T/c1"
check "no duplicates: each id+modified once per node" \
    '[ -z "$(uniq -d "$T/a1")$(uniq -d "$T/b1")$(uniq -d "$T/c1")" ] && [ $(wc -l < "$T/a1") -eq 3 ] && [ $(wc -l < "$T/b1") -eq 3 ] && [ $(wc -l < "$T/c1") -eq 2 ]'
"$BIN" status --data "$T/B" --json > "$T/s1.json"
sleep 3
rows A > "$T/a2"
rows B > "$T/b2"
rows C > "$T/c2"
"$BIN" status --data "$T/B" --json > "$T/s2.json"
check "no loops: the same rows and counters after three more rounds" \
    'cmp -s "$T/a1" "$T/a2" && cmp -s "$T/b1" "$T/b2" && cmp -s "$T/c1" "$T/c2" && python3 -c "
import json,sys
a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
f=lambda s: [(p[\"name\"],p[\"in\"],p[\"out\"]) for p in s[\"partners\"]]
sys.exit(0 if f(a)==f(b) else 1)" "$T/s1.json" "$T/s2.json"'
check "status --json at B: A sent 2 in, B sent 1 out to A, 2 out to C, no errors, lag 0" \
    'python3 -c "
import json,sys
s=json.load(open(sys.argv[1])); p={x[\"name\"]:x for x in s[\"partners\"]}
a,c=p[\"A\"],p[\"C\"]
ok=a[\"out\"]==1 and c[\"out\"]==2 and a[\"errors\"]==0 and c[\"errors\"]==0 and a[\"last_sync\"] and c[\"lag_s\"]==0
sys.exit(0 if ok else 1)" "$T/s2.json"' || cat "$T/s2.json"
"$BIN" status --data "$T/C" > "$T/status.C"
check "status (text) at C: partner B with its URL and last sync, collections and counts" \
    'grep -q "^partners$" "$T/status.C" && grep -q "^B	$UB	20[0-9-]*T[0-9:]*Z	0.0	" "$T/status.C" && grep -q "^collections$" "$T/status.C" && grep -q "^$DC	Default	yes	2$" "$T/status.C"'
check "provenance: A's objects at B are marked as from A" \
    'python3 -c "
import sqlite3,sys
db=sqlite3.connect(sys.argv[1])
r=dict(db.execute(\"SELECT id, origin FROM object\").fetchall())
sys.exit(0 if r[sys.argv[2]]==\"A\" and r[sys.argv[3]]==\"A\" and r[sys.argv[4]]==\"\" else 1)" "$T/B/alidade.db" $I_GREEN $I_AMBER $I_FROM_B'

# ---- a maritime event detected at B reaches A ----
"$BIN" drill generate --out "$T/drill" -n 5 > /dev/null 2>&1
"$BIN" ais detect --format stix --identity B --zones "$T/drill/zones.geojson" \
    "$T/drill/scenario.nmea" > "$T/events.json" 2> /dev/null
python3 -c '
import json, sys
for o in json.load(open(sys.argv[1]))["objects"]:
    print("%s %s" % (o["id"], o.get("modified", "")))' "$T/events.json" | sort > "$T/events.rows"
"$BIN" stix import --data "$T/B" "$T/events.json" > /dev/null 2>&1
check "maritime events detected at B (ais detect --format stix: $(grep -c "^sighting--" "$T/events.rows") sightings) reach A, every object" \
    '[ $(grep -c "^sighting--" "$T/events.rows") -ge 5 ] && wait_for 20 "[ -z \"\$(rows A | comm -13 - \"$T/events.rows\")\" ]"'

# ---- partner remove stops the sync ----
"$BIN" partner remove C --data "$T/B" > /dev/null
indicator $I_LATE $GREEN "$T/late.json"
"$BIN" stix import --data "$T/A" "$T/late.json" > /dev/null 2>&1
check "after partner remove C at B: A's new GREEN indicator reaches B" 'wait_for 20 "has B $I_LATE"'
sleep 3
check "and not C" '! has C $I_LATE'
check "partner remove dropped C's sync state at B" \
    '! "$BIN" status --data "$T/B" | grep -q "^C	"'
stop A
stop B
stop C

# ---- kill -9 in the middle of a pull, and of a push ----
PORT_X=$(free_port)
PORT_Y=$(free_port)
UX=http://127.0.0.1:$PORT_X/api/
UY=http://127.0.0.1:$PORT_Y/api/
"$BIN" partner add Y --data "$T/X" --read '*' --write '*' > "$T/out" && tail -n 1 "$T/out" > "$T/tok.Y_at_X"
"$BIN" partner add X --data "$T/Y" --read '*' --write '*' > "$T/out" && tail -n 1 "$T/out" > "$T/tok.X_at_Y"
DX=$(defcoll X)
DY=$(defcoll Y)
python3 - "$T/big.json" 3000 << 'EOF'
import sys, uuid
n = int(sys.argv[2])
with open(sys.argv[1], "w") as f:
    for i in range(n):
        u = uuid.uuid5(uuid.NAMESPACE_URL, "fed-test-%d" % i)
        f.write('{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":'
                '"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:%02d.000Z","name":"n%d",'
                '"pattern":"[ipv4-addr:value = \'10.%d.%d.%d\']","pattern_type":"stix",'
                '"valid_from":"2026-11-01T00:00:00Z","object_marking_refs":["%s"]}\n'
                % (u, i % 60, i, i >> 16 & 255, i >> 8 & 255, i & 255,
                   "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"))
EOF
"$BIN" stix import --data "$T/X" "$T/big.json" > /dev/null 2>&1
# Y pulls X's default collection, 2 objects a page, into "From X" (made
# on the first pull)
"$BIN" partner set X --data "$T/Y" --url "$UX" --pull "$DX" --remote-user Y \
    --remote-token-file "$T/tok.Y_at_X" > /dev/null
start X
export ALD_FED_PAGE=2
start Y
# kill it once it has part of them
wait_for 60 '[ "$(count Y)" -gt 30 ]'
kill -9 "$PID_Y"
wait "$PID_Y" 2> /dev/null
mid=$(count Y)
check "Y killed (SIGKILL) in the middle of its pull ($mid of 3000 stored)" '[ "$mid" -gt 0 ] && [ "$mid" -lt 3000 ]'
start Y
unset ALD_FED_PAGE
wait_for 120 '[ "$(count Y)" -ge 3000 ]'
rows X > "$T/x.rows"
rows Y > "$T/y.rows"
check "after restart Y holds X's 3000 id+modified exactly, each once" \
    'cmp -s "$T/x.rows" "$T/y.rows" && [ $(wc -l < "$T/y.rows") -eq 3000 ]'
check "Y made the collection \"From X\" and pulled into it" \
    '"$BIN" collection list --data "$T/Y" | grep -q "	From X	-	Objects pulled from partner X by federation$"'
check "Y's counter of objects in agrees: 3000" \
    '"$BIN" status --data "$T/Y" --json | grep -q "\"name\":\"X\",[^}]*\"in\":3000,"'
stop Y
stop X

# X pushes to a fresh Z; Z is killed and restarted while X pushes
PORT_Z=$(free_port)
UZ=http://127.0.0.1:$PORT_Z/api/
"$BIN" partner add X --data "$T/Z" --read '*' --write '*' > "$T/out" && tail -n 1 "$T/out" > "$T/tok.X_at_Z"
DZ=$(defcoll Z)
"$BIN" partner add Z --data "$T/X" > /dev/null
"$BIN" partner set Z --data "$T/X" --url "$UZ" --push "$DZ" --remote-user X \
    --remote-token-file "$T/tok.X_at_Z" > /dev/null
start Z
export ALD_FED_BATCH=2
start X
unset ALD_FED_BATCH
wait_for 60 '[ "$(count Z)" -gt 100 ]'
kill -9 "$PID_Z"
wait "$PID_Z" 2> /dev/null
mid=$(count Z)
sleep 1
start Z
check "Z killed (SIGKILL) while X pushed ($mid of 3000 stored), restarted" '[ "$mid" -lt 3000 ]'
wait_for 120 '[ "$(count Z)" -ge 3000 ]'
rows Z > "$T/z.rows"
check "after X's retries Z holds X's 3000 id+modified exactly, each once" \
    'cmp -s "$T/x.rows" "$T/z.rows"'
check "X counted the failed pushes as errors (network) and went on" \
    '"$BIN" status --data "$T/X" --json | python3 -c "
import json,sys
p={x[\"name\"]:x for x in json.load(sys.stdin)[\"partners\"]}[\"Z\"]
sys.exit(0 if p[\"errors\"]>=1 and p[\"out\"]>=3000 and p[\"lag_s\"]==0 else 1)"'
stop X
stop Z
# ---- a partner that takes small bodies: 413, smaller envelopes, one object
# bigger than it ever takes is refused and does not stall the outbox ----
PORT_L=$(free_port)
PORT_K=$(free_port)
"$BIN" partner add K --data "$T/L" --write '*' > "$T/out" && tail -n 1 "$T/out" > "$T/tok.K_at_L"
DL=$(defcoll L)
"$BIN" partner add L --data "$T/K" > /dev/null
"$BIN" partner set L --data "$T/K" --url "http://127.0.0.1:$PORT_L/api/" --push "$DL" \
    --remote-user K --remote-token-file "$T/tok.K_at_L" > /dev/null
python3 - "$T/small.json" << 'EOF2'
import sys, uuid
with open(sys.argv[1], "w") as f:
    for i in range(40):
        f.write('{"type":"indicator","spec_version":"2.1","id":"indicator--%s","created":'
                '"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","name":"%s",'
                '"pattern":"[ipv4-addr:value = \'10.0.0.%d\']","pattern_type":"stix",'
                '"valid_from":"2026-11-01T00:00:00Z"}\n'
                % (uuid.uuid5(uuid.NAMESPACE_URL, "small-%d" % i), "x" * (3000 if i == 7 else 9), i))
EOF2
"$BIN" stix import --data "$T/K" "$T/small.json" > /dev/null 2>&1
"$BIN" serve --data "$T/L" --listen "127.0.0.1:$PORT_L" --max-body 2048 --log-level warn \
    2>> "$T/L.err" &
PID_L=$!
PIDS="$PIDS $!"
wait_for 10 'grep -q "listening on" "$T/L.err"'
start K
check "partner with --max-body 2048: 39 of 40 arrive in smaller envelopes after 413s" \
    'wait_for 20 "[ \$(count L) -eq 39 ]"'
check "the object bigger than it takes is counted as refused, the cursor went past it" \
    'wait_for 10 "\"$BIN\" status --data \"$T/K\" --json | grep -q \"\\\"out\\\":39,\\\"errors\\\":[0-9]*,\\\"last_error\\\":\\\"1 objects refused by L\""'
stop K
stop L

# ---- HTTPS: the partner's CA, our client certificate (mTLS), no token ----
if command -v openssl > /dev/null; then
    C=$T/tls
    mkdir -p "$C"
    (
        cd "$C" || exit 1
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
            -out ca.pem -days 2 -subj "/CN=alidade fed test ca"
        printf 'subjectAltName=IP:127.0.0.1\n' > srv.ext
        for who in srv cli; do
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $who.key \
                -out $who.csr -subj "/CN=$who"
            ext=""
            [ $who = srv ] && ext="-extfile srv.ext"
            openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
                -out $who.pem -days 2 $ext
        done
    ) > /dev/null 2>&1
    FP=$(openssl x509 -in "$C/cli.pem" -noout -fingerprint -sha256 | cut -d= -f2)
    PORT_S=$(free_port)
    PORT_Q=$(free_port)
    "$BIN" partner add Q --data "$T/S" --cert-fp "$FP" --write '*' > /dev/null
    DS=$(defcoll S)
    "$BIN" partner add S --data "$T/Q" > /dev/null
    "$BIN" partner set S --data "$T/Q" --url "https://127.0.0.1:$PORT_S/api/" --push "$DS" \
        --remote-cert "$C/cli.pem" --remote-key "$C/cli.key" > /dev/null
    "$BIN" serve --data "$T/S" --listen "127.0.0.1:$PORT_S" --tls-cert "$C/srv.pem" \
        --tls-key "$C/srv.key" --tls-ca "$C/ca.pem" --log-level warn 2>> "$T/S.err" &
    PID_S=$!
    PIDS="$PIDS $!"
    wait_for 10 'grep -q "listening on" "$T/S.err"'
    indicator $I_GREEN $GREEN "$T/q.json"
    "$BIN" stix import --data "$T/Q" "$T/q.json" > /dev/null 2>&1
    start Q
    check "HTTPS without the partner's CA: the push fails, counted" \
        'wait_for 20 "\"$BIN\" status --data \"$T/Q\" --json | grep -q \"\\\"errors\\\":[1-9]\""'
    check "and the object did not go" '! has S $I_GREEN'
    "$BIN" partner set S --data "$T/Q" --remote-ca "$C/ca.pem" > /dev/null
    check "with --remote-ca and the client certificate (mTLS, no token): it reaches S" \
        'wait_for 30 "has S $I_GREEN"'
    check "S recorded it as written by partner Q (its certificate)" \
        'python3 -c "
import sqlite3,sys
sys.exit(0 if sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM audit WHERE who = ? AND action = ? AND object = ?\", (\"Q\", \"write\", sys.argv[2])).fetchone()[0] == 1 else 1)" "$T/S/alidade.db" $I_GREEN'
    stop Q
    stop S
else
    echo "# HTTPS checks skipped: no openssl"
fi
check "every node stopped cleanly" '! grep -q "AddressSanitizer\|runtime error" "$T"/*.err'

finish
