#!/bin/sh
# test_config.sh - `alidade serve --config FILE` and the node `make run`
# starts, as an operator uses them:
#   - a config file's keys take effect (title, identity, threads, listen,
#     access_log, default_tlp), flags override them;
#   - every mistake (unknown key or section, bad value, key given twice, key
#     outside a section, syntax error, over-long line, missing file) stops
#     the server with exit status 2 and FILE:LINE in the message;
#   - SIGHUP re-reads [policy] default_tlp: an object without TLP marking is
#     invisible to a partner under red and visible after switching to green;
#     a broken file on SIGHUP keeps the policy; --default-tlp is kept;
#   - the overview page at GET /overview shows exact object counts and escapes a hostile
#     collection title;
#   - `make run-node` (the steps make run ends with) on a free port: the
#     expected collections, counts and events, and the printed token works.
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
SRC=$(cd "${ALD_TEST_DATA:?}/../.." && pwd)
T=$(mktemp -d)
SERVER=
RUN=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2> /dev/null
    [ -n "$RUN" ] && kill -TERM "-$RUN" 2> /dev/null
    rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }
ACC='Accept: application/taxii+json;version=2.1'

# start ARGS...: runs alidade serve in the background, sets SERVER and PORT
start() {
    [ -f "$T/serve.err" ] && cat "$T/serve.err" >> "$T/servers.log"
    : > "$T/serve.err"
    "$BIN" serve "$@" 2> "$T/serve.err" &
    SERVER=$!
    PORT=
    for _ in $(seq 1 100); do
        PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$T/serve.err")
        [ -n "$PORT" ] && break
        sleep 0.05
    done
}
stop() {
    kill "$SERVER" 2> /dev/null
    wait "$SERVER" 2> /dev/null
    SERVER=
}
# waitlog TEXT: until the server's stderr holds TEXT (5 s at most)
waitlog() {
    for _ in $(seq 1 100); do
        grep -qF -- "$1" "$T/serve.err" && return 0
        sleep 0.05
    done
    return 1
}
# jget URL FILE [curl args]: HTTP status; body in FILE
jget() {
    u=$1
    f=$2
    shift 2
    curl -s -o "$T/$f" -w '%{http_code}' "$@" "$u"
}
# objects FILE: how many objects a TAXII envelope holds
objects() {
    python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("objects", [])))' "$1"
}

# jtitle FILE: the title member of a JSON answer
jtitle() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["title"])' "$1"
}

D=$T/node
"$BIN" stix import --data "$D" /dev/null > /dev/null 2>&1   # creates the node
DEF=$("$BIN" collection list --data "$D" | awk -F'\t' '$3 == "yes" {print $1}')
TOK=$("$BIN" partner add reader --data "$D" | tail -n 1)
# an indicator without any TLP marking: the node's default_tlp decides
cat > "$T/ind.json" << 'JSON'
{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"demo","pattern":"[ipv4-addr:value = '198.51.100.1']","pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z"}
JSON
"$BIN" stix import --data "$D" "$T/ind.json" > /dev/null
HOSTILE='<script>alert("x")</script> & <b>'
HC=$("$BIN" collection add "$HOSTILE" --data "$D" | tail -n 1)
check "setup: default collection, partner token, hostile collection" \
    '[ -n "$DEF" ] && [ -n "$TOK" ] && [ -n "$HC" ]'

# ---- errors with line numbers ----
# bad NAME LINE EXPECTED CONTENT: the server refuses to start, exit 2, message
bad() {
    printf "$4" > "$T/$1.ini"
    "$BIN" serve --config "$T/$1.ini" --data "$D" > /dev/null 2> "$T/$1.err"
    rc=$?
    check "config error $1: exit 2 and '$T/$1.ini:$2: $3'" \
        "[ $rc -eq 2 ] && grep -qF -- \"alidade serve: $T/$1.ini:$2: $3\" '$T/$1.err'"
}
bad unknown-key 4 "unknown key 'thread' in [server]" '; comment\n[server]\nlisten = 127.0.0.1:0\nthread = 2\n'
bad unknown-section 4 "unknown section [sever] (key 'listen')" '[server]\n\n[sever]\nlisten = 127.0.0.1:0\n'
bad outside 1 "key 'listen' outside a section" 'listen = 127.0.0.1:0\n'
bad threads 2 "bad value '17' for threads" '[server]\nthreads = 17\n'
bad tlp 5 "bad value 'purple' for default_tlp" '[server]\nthreads = 2\n\n[policy]\ndefault_tlp = purple\n'
bad bool 2 "bad value 'maybe' for access_log" '[server]\naccess_log = maybe\n'
bad max-body 2 "bad value '100' for max_body" '[server]\nmax_body = 100\n'
bad identity 2 "bad value 'identity--nope' for identity" '[node]\nidentity = identity--nope\n'
bad api-root 2 "bad value 'a/b' for api_root" '[server]\napi_root = a/b\n'
bad twice 3 "'threads' given twice in [server]" '[server]\nthreads = 2\nthreads = 3\n'
bad continued 3 "'title' given twice in [node]" '[node]\ntitle = a\n  b\n'
bad syntax 3 "syntax error" '[server]\nthreads = 2\nlisten\n'
bad section-syntax 1 "syntax error" '[server\nthreads = 2\n'
# the first mistake is the one reported, whatever its kind
bad first 2 "syntax error" '[server]\nnonsense\nbogus = 1\n'
python3 -c 'print("[node]\ntitle = " + "x" * 400 + "\n[server]\nbogus = 1")' > "$T/long.ini"
"$BIN" serve --config "$T/long.ini" --data "$D" > /dev/null 2> "$T/long.err"
rc=$?
check "config error: over-long line 2 reported (not split in two)" \
    "[ $rc -eq 2 ] && grep -q 'long.ini:2: line longer than' '$T/long.err'"
"$BIN" serve --config "$T/missing.ini" --data "$D" > /dev/null 2> "$T/missing.err"
rc=$?
check "config error: missing file, exit 2" \
    "[ $rc -eq 2 ] && grep -qF '$T/missing.ini: No such file or directory' '$T/missing.err'"

# ---- a good file, then flags over it ----
ID=identity--0b7c5b4e-3f0a-4c2e-9d1e-6a7b8c9d0e1f
cat > "$T/node.ini" << EOF
# alidade serve settings
[server]
listen = 127.0.0.1:0
data = $D
threads = 2
access_log = yes
max_page = 50

[policy]
default_tlp = red   ; until partners are vetted

[node]
title = Harbour <node> & "co"
identity = $ID
EOF
start --config "$T/node.ini"
check "config: started on the file's listen address with its 2 threads and data" \
    "[ -n '$PORT' ] && grep -qF '(data $D, 2 threads)' '$T/serve.err'"
U=http://127.0.0.1:$PORT
s=$(jget "$U/taxii2/" disc -H "$ACC" -H "Authorization: Bearer $TOK")
TITLE='Harbour <node> & "co"'
check "config: discovery title from [node] title" \
    "[ $s = 200 ] && [ \"\$(jtitle '$T/disc')\" = \"\$TITLE\" ]"
s=$(jget "$U/api/collections/$DEF/objects/" red -H "$ACC" -H "Authorization: Bearer $TOK")
check "config: default_tlp red hides the unmarked indicator from the partner" \
    "[ $s = 200 ] && [ \$(objects '$T/red') = 0 ]"
check "config: access_log = yes logs requests with the partner's name" \
    "waitlog 'reader GET /api/collections/$DEF/objects/ 200'"
s=$(jget "$U/overview" dash)
check "overview: 200 with the title and identity escaped" \
    "[ $s = 200 ] && grep -qF '<h1>Harbour &lt;node&gt; &amp; &quot;co&quot;</h1>' '$T/dash' && grep -qF '$ID' '$T/dash'"
check "overview: hostile collection title escaped, never raw" \
    "grep -qF '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;' '$T/dash' && ! grep -qF '<script>' '$T/dash' && ! grep -qF '<b>' '$T/dash'"
check "overview: counts (default 1 object, hostile 0) and the discovery URL" \
    "grep -qF '<code>$DEF</code></td><td class=\"n\">1</td>' '$T/dash' && grep -qF '<code>$HC</code></td><td class=\"n\">0</td>' '$T/dash' && grep -qF 'http://127.0.0.1:$PORT/taxii2/' '$T/dash'"
check "overview: no script, no external asset" \
    "! grep -qiE '<script|src=|href=' '$T/dash'"

# the overview page is for loopback clients only: from the machine's other
# address GET /overview is the TAXII handler's (401 without credentials, 404 with)
IP=$(hostname -I 2> /dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | grep -v '^127\.' | head -n 1)
if [ -n "$IP" ]; then
    "$BIN" serve --data "$D" --listen 0.0.0.0:0 --insecure-plain-http 2> "$T/any.err" &
    ANY=$!
    AP=
    for _ in $(seq 1 100); do
        AP=$(sed -n 's|.*listening on http://0.0.0.0:\([0-9]*\)/taxii2/.*|\1|p' "$T/any.err")
        [ -n "$AP" ] && break
        sleep 0.05
    done
    s1=$(jget "http://$IP:$AP/overview" anon)
    s2=$(jget "http://$IP:$AP/overview" auth -H "$ACC" -H "Authorization: Bearer $TOK")
    s3=$(jget "http://127.0.0.1:$AP/overview" loop)
    check "overview: not served to $IP (401, 404 with a token), served to 127.0.0.1" \
        "[ '$s1' = 401 ] && [ '$s2' = 404 ] && ! grep -q DOCTYPE '$T/auth' && [ '$s3' = 200 ] && grep -q DOCTYPE '$T/loop'"
    kill "$ANY"
    wait "$ANY" 2> /dev/null
else
    echo "skip - dashboard from a non-loopback address (none found)"
fi

# ---- SIGHUP ----
sed 's/^default_tlp = red.*/default_tlp = green/' "$T/node.ini" > "$T/node.tmp" && mv "$T/node.tmp" "$T/node.ini"
kill -HUP "$SERVER"
check "SIGHUP: reload logged with the new default_tlp" \
    "waitlog 'SIGHUP: reloaded $T/node.ini: default_tlp green'"
s=$(jget "$U/api/collections/$DEF/objects/" green -H "$ACC" -H "Authorization: Bearer $TOK")
check "SIGHUP: under green the partner now sees the indicator" \
    "[ $s = 200 ] && [ \$(objects '$T/green') = 1 ] && grep -q indicator--8e2e2d2b '$T/green'"
printf '[policy]\ndefault_tlp = red\nbogus = 1\n' > "$T/node.ini"
kill -HUP "$SERVER"
check "SIGHUP: a broken file is reported with its line, policy kept" \
    "waitlog 'SIGHUP: $T/node.ini:3: unknown key' && waitlog 'policy unchanged (default_tlp green)'"
s=$(jget "$U/api/collections/$DEF/objects/" kept -H "$ACC" -H "Authorization: Bearer $TOK")
check "SIGHUP: after the broken reload the indicator is still visible" \
    "[ $s = 200 ] && [ \$(objects '$T/kept') = 1 ]"
kill -TERM "$SERVER"
wait "$SERVER"
rc=$?
SERVER=
check "SIGTERM: clean stop, exit 0" "[ $rc -eq 0 ] && grep -q 'SIGTERM, stopping' '$T/serve.err'"

# ---- flags override the file ----
printf '[server]\nlisten = 127.0.0.1:1\nthreads = 2\ndata = /nonexistent/x\n[policy]\ndefault_tlp = red\n[node]\ntitle = From file\n' > "$T/o.ini"
start --config "$T/o.ini" --listen 127.0.0.1:0 -t 3 --data "$D" --title "From flag" --default-tlp green
check "override: --listen, -t, --data win over the file" \
    "[ -n '$PORT' ] && grep -qF '(data $D, 3 threads)' '$T/serve.err'"
U=http://127.0.0.1:$PORT
s=$(jget "$U/taxii2/" odisc -H "$ACC" -H "Authorization: Bearer $TOK")
check "override: --title wins" "[ $s = 200 ] && grep -qF '\"title\":\"From flag\"' '$T/odisc'"
s=$(jget "$U/api/collections/$DEF/objects/" og -H "$ACC" -H "Authorization: Bearer $TOK")
check "override: --default-tlp green wins over the file's red" \
    "[ $s = 200 ] && [ \$(objects '$T/og') = 1 ]"
kill -HUP "$SERVER"
check "override: SIGHUP keeps --default-tlp" "waitlog 'default_tlp green kept (--default-tlp given)'"
stop
"$BIN" serve --config "$T/o.ini" --data "$D" -t 0 > /dev/null 2> "$T/o.err"
check "override: a bad flag value is still refused (exit 2)" "[ $? -eq 2 ]"

# ---- make run-node: what make run ends with, on a free port ----
if command -v make > /dev/null && command -v setsid > /dev/null &&
    [ -f "$SRC/data/ais/exactearth-2012.txt.zst" ]; then
    P=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    setsid timeout 120 make -s -C "$SRC" run-node ALIDADE="$BIN" BUILD="$T/run" \
        LISTEN="127.0.0.1:$P" LIVE=0 > "$T/run.out" 2>&1 &
    RUN=$!
    for _ in $(seq 1 600); do
        grep -q 'listening on' "$T/run.out" 2> /dev/null && break
        sleep 0.1
    done
    check "make run-node: the node listens on the given port" \
        "grep -qF 'listening on http://127.0.0.1:$P/taxii2/ (data $T/run/node, 4 threads)' '$T/run.out'"
    check "make run-node: imported the capture's 43 and the drill's 31 objects" \
        "grep -q 'exactearth.stix.json: 43 added, 0 already there, 0 invalid' '$T/run.out' && grep -q 'drill.stix.json: 31 added, 0 already there, 0 invalid' '$T/run.out'"
    RT=$(sed -n 's/^demo partner: user demo, token //p' "$T/run.out")
    s=$(jget "http://127.0.0.1:$P/api/collections/" rcoll -H "$ACC" -u "demo:$RT")
    check "make run-node: the printed token reads both collections" \
        "[ $s = 200 ] && grep -q '\"title\":\"Default\"' '$T/rcoll' && grep -q '\"title\":\"Drill scenario (generated)\"' '$T/rcoll'"
    check "make run-node: the curl example holds the token and the port" \
        "grep -qF \"curl -u demo:$RT -H 'Accept: application/taxii+json;version=2.1' http://127.0.0.1:$P/api/collections/\" '$T/run.out'"
    s=$(jget "http://127.0.0.1:$P/overview" rdash)
    check "make run-node: the partner's indicators sighted in the bundled alerts (5 sightings)" \
        "grep -q \"^sightings of the partner's indicators stored: 5$\" '$T/run.out'"
    # default collection: the capture's 43 events, the partner's 7 objects
    # (identity + 6 indicators) and 152 of alidade match (identity, marking,
    # 5 sightings, the observed-data of the hits with their SCOs)
    check "make run-node: overview counts 202 and 31, 24 maritime events" \
        "[ $s = 200 ] && grep -qE '<td>Default \\(default\\)</td><td><code>[0-9a-f-]+</code></td><td class=\"n\">202</td>' '$T/rdash' && grep -qE '<td>Drill scenario \\(generated\\)</td><td><code>[0-9a-f-]+</code></td><td class=\"n\">31</td>' '$T/rdash' && grep -qF '<p>24 stored, the latest 20 by start time:</p>' '$T/rdash'"
    check "make run-node: the latest event is the drill's mmsi_clash of 255000707" \
        "grep -qF '<tr><td>mmsi_clash</td><td class=\"n\">255000707</td><td>2025-01-02T00:02:00.000Z</td>' '$T/rdash'"
    # the dashboard's operator: the printed password logs in
    PW=$(sed -n 's/^dashboard:  http:.* (operator admin, password \(.*\))$/\1/p' "$T/run.out")
    s=$(curl -s -o "$T/login" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"user\":\"admin\",\"password\":\"$PW\"}" "http://127.0.0.1:$P/api/login")
    check "make run-node: the printed operator password opens the dashboard" \
        "[ '$s' = 200 ] && grep -q '\"user\":\"admin\"' '$T/login'"
    # the partner CERT's node answers, and this node pulls from it
    PP=$(sed -n 's|^partner:    the partner CERT.s node at http://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$T/run.out")
    synced=
    for _ in $(seq 1 100); do
        "$BIN" status --data "$T/run/node" 2> /dev/null |
            grep -q "^partner-cert	http://127.0.0.1:$PP/api/	20" && synced=1 && break
        sleep 0.1
    done
    check "make run-node: the partner CERT's node runs and this node has synced with it" \
        "[ -n '$PP' ] && [ -n '$synced' ]"
    kill -TERM "-$RUN" 2> /dev/null
    wait "$RUN" 2> /dev/null
    RUN=
    for _ in $(seq 1 100); do
        grep -q 'SIGTERM, stopping' "$T/run.out" && break
        sleep 0.05
    done
    check "make run-node: SIGTERM to its process group stops the node cleanly" \
        "grep -q 'alidade serve: SIGTERM, stopping' '$T/run.out'"
else
    echo "skip - make run-node (no make/setsid or no bundled capture)"
fi

# every server's stderr (under ASan+UBSan: their reports)
cat "$T/serve.err" "$T"/*.err "$T/run.out" >> "$T/servers.log" 2> /dev/null
check "no sanitizer report from any server" \
    "! grep -E 'Sanitizer|runtime error' '$T/all.err'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
