#!/bin/sh
# test_serve.sh - `alidade serve` as a partner meets it, with curl over
# HTTP on 127.0.0.1 (a free port picked by the server: --listen :0):
# discovery URLs with the request's host and port, Basic and Bearer
# authentication, 401/403/404/405/406/413/415, collections per partner,
# POST of the medallion fixture objects and the status resource,
# `alidade stix import` of both MITRE ATT&CK ICS releases while the server
# runs, then paging through them with limit/next (each object exactly once),
# the access log,
# match[version]=all, X-TAXII-Date-Added-* headers, and a clean stop on
# SIGTERM; then HTTPS with client certificates (mTLS) when openssl is there.
# The server is killed on exit and bounded by `timeout`.
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
CTI=${ALD_SHARED_DATA:-/nonexistent}/cti
T=$(mktemp -d)
SP=""
cleanup() {
    if [ -n "$SP" ]; then kill "$SP" 2>/dev/null; wait "$SP" 2>/dev/null; fi
    rm -rf "$T"
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

D=$T/data
"$BIN" partner add alpha --data "$D" --read '*' --write '*' > "$T/a.out" 2>&1
TA=$(tail -n 1 "$T/a.out")
"$BIN" partner add bravo --data "$D" > "$T/b.out" 2>&1
TB=$(tail -n 1 "$T/b.out")
COLL=$("$BIN" collection add "ATT&CK ICS" --data "$D" 2> /dev/null | tail -n 1)
check "partners and a collection created" '[ ${#TA} -eq 43 ] && [ ${#TB} -eq 43 ] && [ ${#COLL} -eq 36 ]'

"$BIN" serve --listen 0.0.0.0:0 --data "$D" 2> "$T/refuse.err"; rc=$?
check "plain HTTP on a non-loopback address is refused (exit 2)" '[ $rc -eq 2 ] && grep -q "loopback" "$T/refuse.err"'

: > "$T/serve.err"
timeout 300 "$BIN" serve --data "$D" --listen 127.0.0.1:0 --threads 2 --max-page 100 \
    --max-body 1048576 --upload-budget 262144 --access-log 2>> "$T/serve.err" &
SP=$!
PORT=""
for i in $(seq 1 100); do
    PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$T/serve.err")
    [ -n "$PORT" ] && break
    sleep 0.1
done
check "server started and printed its port" '[ -n "$PORT" ]'
[ -n "$PORT" ] || { cat "$T/serve.err"; echo "$pass passed, $fail failed"; exit 1; }
U=http://127.0.0.1:$PORT
ACC="Accept: application/taxii+json;version=2.1"
CT="Content-Type: application/taxii+json;version=2.1"

# get NAME URL [curl args...]: body in $T/body, headers in $T/hdr, status echoed
get() {
    out=$1
    shift
    curl -s -o "$T/$out" -D "$T/$out.hdr" -w '%{http_code}' "$@"
}

s=$(get disc -u "alpha:$TA" -H "$ACC" "$U/taxii2/")
check "discovery with Basic: 200 and URLs with this host and port" \
    '[ "$s" = 200 ] && [ "$(cat "$T/disc")" = "{\"title\":\"alidade node\",\"default\":\"$U/api/\",\"api_roots\":[\"$U/api/\"]}" ]'
check "discovery is application/taxii+json;version=2.1" \
    'grep -qi "^Content-Type: application/taxii+json;version=2.1" "$T/disc.hdr"'
s=$(get disc2 -H "$ACC" -H "Authorization: Bearer $TA" "http://localhost:$PORT/taxii2/")
check "discovery with Bearer, URLs follow the Host header (localhost)" \
    '[ "$s" = 200 ] && grep -q "\"default\":\"http://localhost:$PORT/api/\"" "$T/disc2"'

s=$(get disc3 -0 -H "Host:" -H "$ACC" -u "alpha:$TA" "$U/taxii2/")
check "HTTP/1.0 without Host: URLs from the address the connection came to" \
    '[ "$s" = 200 ] && grep -q "\"default\":\"$U/api/\"" "$T/disc3"'

s=$(get e401 -H "$ACC" "$U/taxii2/")
check "no credentials: 401, WWW-Authenticate, TAXII error body" \
    '[ "$s" = 401 ] && grep -qi "^WWW-Authenticate: Basic realm=\"alidade\"" "$T/e401.hdr" && grep -q "\"http_status\":\"401\"" "$T/e401"'
s=$(get e401b -u "alpha:$TB" -H "$ACC" "$U/taxii2/")
check "another partner's token under alpha's name: 401" '[ "$s" = 401 ]'
s=$(get e406 -u "alpha:$TA" -H "Accept: application/stix+json;version=2.1" "$U/api/")
check "Accept application/stix+json: 406" '[ "$s" = 406 ] && grep -q "\"http_status\":\"406\"" "$T/e406"'
s=$(get e405 -u "alpha:$TA" -H "$ACC" -X PUT "$U/api/collections/")
check "PUT on collections: 405 with Allow: GET" '[ "$s" = 405 ] && grep -qi "^Allow: GET" "$T/e405.hdr"'
s=$(get e404 -u "alpha:$TA" -H "$ACC" "$U/api/nothing/")
check "unknown path: 404" '[ "$s" = 404 ]'
s=$(get e404b -u "alpha:$TA" -H "$ACC" "$U/api/x%0A2026-11-23T00:00:00.000000Z%20alpha%20GET%20/taxii2/%20200%2010/")
check "a path with an encoded newline: 404, logged on one line with '?' for it" \
    '[ "$s" = 404 ] && grep -q "^20[0-9-]*T[0-9:.]*Z alpha GET /api/x?2026-11-23T00:00:00.000000Z alpha GET /taxii2/ 200 10/ 404 [0-9]*$" "$T/serve.err" && ! grep -q "^2026-11-23T00:00:00.000000Z" "$T/serve.err"'
check "access log: time, partner, method, path, status, bytes" \
    'grep -q "^20[0-9-]*T[0-9:.]*Z alpha GET /taxii2/ 200 [0-9]*$" "$T/serve.err" && grep -q "^20[0-9-]*T[0-9:.]*Z - GET /taxii2/ 401 [0-9]*$" "$T/serve.err"'

s=$(get cols -u "alpha:$TA" -H "$ACC" "$U/api/collections/")
check "alpha sees both collections" '[ "$s" = 200 ] && [ "$(grep -o "\"id\":" "$T/cols" | wc -l)" -eq 2 ]'
s=$(get colsb -u "bravo:$TB" -H "$ACC" "$U/api/collections/")
check "bravo (default grants) sees only the default collection, read-only" \
    '[ "$s" = 200 ] && [ "$(grep -o "\"id\":" "$T/colsb" | wc -l)" -eq 1 ] && grep -q "\"can_read\":true,\"can_write\":false" "$T/colsb"'
DEF=$(sed -n 's/.*"collections":\[{"id":"\([^"]*\)".*/\1/p' "$T/colsb")
s=$(get hidden -u "bravo:$TB" -H "$ACC" "$U/api/collections/$COLL/objects/")
check "bravo on the collection it may not read: 404 as if absent" '[ "$s" = 404 ]'

# POST the medallion fixture's objects (its __meta bookkeeping removed)
python3 - "$CTI/taxii/medallion-default_data.json" "$T/env.json" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except OSError:
    sys.exit(0)
objs = []
for c in d["trustgroup1"]["collections"]:
    for o in c.get("objects", []):
        objs.append({k: v for k, v in o.items() if k != "__meta"})
json.dump({"objects": objs}, open(sys.argv[2], "w"))
EOF
if [ -f "$T/env.json" ]; then
    N=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["objects"]))' "$T/env.json")
    s=$(get post -u "alpha:$TA" -H "$ACC" -H "$CT" --data-binary @"$T/env.json" "$U/api/collections/$DEF/objects/")
    # one of them (malware--c0931cc6...) lacks spec_version: a failure, the
    # others are stored
    check "POST of the $N medallion objects: 202, $((N - 1)) stored, the one without spec_version fails" \
        '[ "$s" = 202 ] && grep -q "\"status\":\"complete\",.*\"total_count\":$N,\"success_count\":$((N - 1)),.*\"failure_count\":1,\"failures\":\[{\"id\":\"malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec\",\"version\":\"2018-02-23T18:30:00.000Z\",\"message\":\"spec_version: is required" "$T/post"'
    SID=$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' "$T/post")
    s=$(get st -u "alpha:$TA" -H "$ACC" "$U/api/status/$SID/")
    check "GET status returns the same resource" '[ "$s" = 200 ] && cmp -s "$T/st" "$T/post"'
    s=$(get stb -u "bravo:$TB" -H "$ACC" "$U/api/status/$SID/")
    check "another partner's status: 404" '[ "$s" = 404 ]'
    s=$(get objs -u "alpha:$TA" -H "$ACC" "$U/api/collections/$DEF/objects/")
    check "alpha reads them back with X-TAXII-Date-Added-First/Last" \
        '[ "$s" = 200 ] && grep -qi "^X-TAXII-Date-Added-First: 20" "$T/objs.hdr" && grep -qi "^X-TAXII-Date-Added-Last: 20" "$T/objs.hdr"'
    # TLP 2.0: alpha's objects (default AMBER, none addressed to bravo) are
    # alpha's; the node does not pass them on to another partner
    s=$(get objsb -u "bravo:$TB" -H "$ACC" "$U/api/collections/$DEF/objects/")
    check "bravo does not get alpha's AMBER objects (TLP 2.0 re-sharing)" \
        '[ "$s" = 200 ] && python3 -c "
import json,sys
sent={o[\"id\"] for o in json.load(open(sys.argv[1]))[\"objects\"]}
got={o[\"id\"] for o in json.load(open(sys.argv[2])).get(\"objects\", [])}
assert not (sent & got), sent & got
" "$T/env.json" "$T/objsb"'
    check "objects are served as the bytes posted (first object byte-identical)" \
        'python3 -c "
import json,sys
sent=json.load(open(sys.argv[1]))[\"objects\"]
got=json.load(open(sys.argv[2]))[\"objects\"]
ids={o[\"id\"] for o in got}
assert {o[\"id\"] for o in sent} >= ids and len(got) > 0
" "$T/env.json" "$T/objs"'
else
    echo "skipped: medallion fixture absent (../shared/data)"
fi

s=$(get e415 -u "alpha:$TA" -H "$ACC" -H "Content-Type: application/json" --data-binary '{"objects":[]}' "$U/api/collections/$DEF/objects/")
check "POST as application/json: 415" '[ "$s" = 415 ]'
s=$(get e403 -u "bravo:$TB" -H "$ACC" -H "$CT" --data-binary '{"objects":[]}' "$U/api/collections/$DEF/objects/")
check "bravo may not write: 403" '[ "$s" = 403 ]'
python3 -c 'print("{\"objects\":[" + " " * 1100000 + "]}")' > "$T/big.json"
s=$(get e413 -u "alpha:$TA" -H "$ACC" -H "$CT" --data-binary @"$T/big.json" "$U/api/collections/$DEF/objects/")
check "a body over --max-body: 413" '[ "$s" = 413 ] && grep -q "\"http_status\":\"413\"" "$T/e413"'
python3 -c 'print("{\"objects\":[" + " " * 400000 + "]}")' > "$T/mid.json"
s=$(get e503 -u "alpha:$TA" -H "$ACC" -H "$CT" --data-binary @"$T/mid.json" "$U/api/collections/$DEF/objects/")
check "a body within --max-body but past --upload-budget: 503 with Retry-After" \
    '[ "$s" = 503 ] && grep -qi "^Retry-After: 5" "$T/e503.hdr" && grep -q "\"http_status\":\"503\"" "$T/e503"'
python3 -c 'print("{\"objects\":[" + " " * 200000 + "]}")' > "$T/ok.json"
s=$(get anon -H "$ACC" -H "$CT" --data-binary @"$T/mid.json" "$U/api/collections/$DEF/objects/")
check "the same body without credentials: 401 (not kept, so not 503)" '[ "$s" = 401 ]'
s=$(get ok200k -u "alpha:$TA" -H "$ACC" -H "$CT" --data-binary @"$T/ok.json" "$U/api/collections/$DEF/objects/")
check "the budget came back: a 200 kB envelope is taken (202)" '[ "$s" = 202 ]'
s=$(get e400 -u "alpha:$TA" -H "$ACC" -H "$CT" --data-binary '{"objects":[' "$U/api/collections/$DEF/objects/")
check "malformed JSON: 400" '[ "$s" = 400 ]'
s=$(get e422 -u "alpha:$TA" -H "$ACC" -H "$CT" --data-binary '[1,2]' "$U/api/collections/$DEF/objects/")
check "JSON that is not an envelope: 422" '[ "$s" = 422 ]'

# ATT&CK ICS, both releases, imported while the server runs; paged back
A=$CTI/attack/ics-attack.json
A17=$CTI/attack/ics-attack-17.1.json
if [ -f "$A" ] && [ -f "$A17" ]; then
    "$BIN" stix import --data "$D" --collection "$COLL" "$A" "$A17" > "$T/imp.out" 2>&1; rc=$?
    check "stix import of both ATT&CK ICS releases while serving (exit 0)" '[ $rc -eq 0 ]'
    python3 - "$U/api/collections/$COLL/objects/" "alpha:$TA" "$A" "$A17" > "$T/page.out" 2>&1 <<'EOF'
import base64, json, sys, urllib.request, urllib.parse
url, cred, a, a17 = sys.argv[1:5]
auth = "Basic " + base64.b64encode(cred.encode()).decode()
def get(q):
    r = urllib.request.Request(url + "?" + urllib.parse.urlencode(q),
        headers={"Accept": "application/taxii+json;version=2.1", "Authorization": auth})
    with urllib.request.urlopen(r) as resp:
        return json.load(resp), resp.headers
want_last = {}
want_all = set()
for f in (a, a17):
    for o in json.load(open(f))["objects"]:
        v = o.get("modified", o.get("created"))
        want_all.add((o["id"], v))
        if v > want_last.get(o["id"], ""):
            want_last[o["id"]] = v
def walk(extra):
    seen, pages, nxt = [], 0, None
    while True:
        q = dict(extra, limit="100")
        if nxt:
            q["next"] = nxt
        env, hdr = get(q)
        pages += 1
        objs = env.get("objects", [])
        seen += [(o["id"], o.get("modified", o.get("created"))) for o in objs]
        assert len(objs) <= 100
        if not env["more"]:
            assert "next" not in env
            return seen, pages
        nxt = env["next"]
seen, pages = walk({})
assert len(seen) == len(set(seen)), "an object twice"
assert dict(seen) == want_last, "latest versions differ"
print("latest", len(seen), "pages", pages)
seen, pages = walk({"match[version]": "all"})
assert len(seen) == len(set(seen)) and set(seen) == want_all
print("all", len(seen), "pages", pages)
EOF
    rc=$?
    cat "$T/page.out"
    check "paging with limit=100 and next: each of the 2064 objects once, latest version" \
        '[ $rc -eq 0 ] && grep -q "^latest 2064 pages 21$" "$T/page.out"'
    check "match[version]=all pages every one of the 2141 versions once" \
        '[ $rc -eq 0 ] && grep -q "^all 2141 pages 22$" "$T/page.out"'
else
    echo "skipped: ATT&CK ICS bundles absent (../shared/data)"
fi

# liveness and counters (issue 6: /healthz for anyone, /metrics from
# loopback only, Prometheus text)
curl -s -o "$T/hz" -w '%{http_code}' "$U/healthz" > "$T/hz.code"
check "/healthz: 200 ok" '[ "$(cat "$T/hz.code")" = 200 ] && [ "$(cat "$T/hz")" = ok ]'
curl -s -D "$T/mh" -o "$T/m" "$U/metrics"
check "/metrics: Prometheus text, requests by code, alpha's requests and bytes" \
    'grep -qi "^content-type: text/plain; version=0.0.4" "$T/mh" && grep -q "^alidade_up 1$" "$T/m" && grep -Eq "^alidade_http_requests_total\{code=\"200\"\} [1-9][0-9]*$" "$T/m" && grep -Eq "^alidade_http_requests_total\{code=\"401\"\} [1-9]" "$T/m" && grep -Eq "^alidade_partner_requests_total\{partner=\"alpha\"\} [1-9]" "$T/m" && grep -Eq "^alidade_partner_response_bytes_total\{partner=\"alpha\"\} [1-9]" "$T/m" && grep -Eq "^alidade_store_objects [0-9]+$" "$T/m"'

kill -HUP "$SP"
sleep 0.2
check "SIGHUP is logged, the server goes on" \
    'grep -q "SIGHUP" "$T/serve.err" && [ "$(get hup -u "alpha:$TA" -H "$ACC" "$U/api/")" = 200 ]'
kill -TERM "$SP"
wait "$SP"; rc=$?
SP=""
check "SIGTERM: clean stop, exit 0" '[ $rc -eq 0 ] && grep -q "SIGTERM, stopping" "$T/serve.err"'


# HTTPS, and partners identified by client certificate (mTLS) signed by --tls-ca
if command -v openssl > /dev/null; then
    C=$T/tls
    mkdir -p "$C"
    (
        cd "$C" || exit 1
        for who in ca rogue; do
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $who.key \
                -out $who.pem -days 2 -subj "/CN=alidade test $who"
        done
        printf 'subjectAltName=IP:127.0.0.1\n' > srv.ext
        for who in srv cli bad; do
            signer=ca
            [ $who = bad ] && signer=rogue
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $who.key \
                -out $who.csr -subj "/CN=$who"
            ext=""
            [ $who = srv ] && ext="-extfile srv.ext"
            openssl x509 -req -in $who.csr -CA $signer.pem -CAkey $signer.key -CAcreateserial \
                -out $who.pem -days 2 $ext
        done
    ) > /dev/null 2>&1
    FP=$(openssl x509 -in "$C/cli.pem" -noout -fingerprint -sha256 | cut -d= -f2)
    FPBAD=$(openssl x509 -in "$C/bad.pem" -noout -fingerprint -sha256 | cut -d= -f2)
    "$BIN" partner add charlie --data "$D" --cert-fp "$FP" > /dev/null 2>&1
    "$BIN" partner add rogue --data "$D" --cert-fp "$FPBAD" > /dev/null 2>&1
    : > "$T/tls.err"
    timeout 120 "$BIN" serve --data "$D" --listen 127.0.0.1:0 --tls-cert "$C/srv.pem" \
        --tls-key "$C/srv.key" --tls-ca "$C/ca.pem" 2>> "$T/tls.err" &
    SP=$!
    PORT=""
    for i in $(seq 1 100); do
        PORT=$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$T/tls.err")
        [ -n "$PORT" ] && break
        sleep 0.1
    done
    U=https://127.0.0.1:$PORT
    s=$(get tls1 --cacert "$C/ca.pem" --cert "$C/cli.pem" --key "$C/cli.key" -H "$ACC" "$U/taxii2/")
    check "HTTPS with a client certificate of the CA: partner charlie, https URLs" \
        '[ "$s" = 200 ] && grep -q "\"default\":\"$U/api/\"" "$T/tls1"'
    s=$(get tls2 --cacert "$C/ca.pem" --cert "$C/bad.pem" --key "$C/bad.key" -H "$ACC" "$U/taxii2/")
    check "a certificate another CA signed (fingerprint registered all the same): 401" '[ "$s" = 401 ]'
    s=$(get tls3 --cacert "$C/ca.pem" -u "alpha:$TA" -H "$ACC" "$U/api/")
    check "HTTPS with Basic and no certificate" '[ "$s" = 200 ]'
    kill -TERM "$SP"
    wait "$SP"; rc=$?
    SP=""
    check "HTTPS server stops cleanly" '[ $rc -eq 0 ]'
else
    echo "skipped: openssl absent (HTTPS and client certificates)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
