#!/bin/sh
# test_partner_cli.sh - `alidade partner add|set|list|rotate|remove` as an
# operator runs it: the token alone on the last line, only its SHA-256 in the
# store (checked by looking the hash up in the SQLite file with python3),
# the old token gone after rotate, names/identities/grants/fingerprints
# checked, list never showing a token or a whole hash, every change in the
# audit log. When `alidade serve` is registered and curl is there, the same
# tokens are also tried over HTTP (Basic and Bearer; the old one refused).
# Federation options: the remote token from a file or the environment,
# kept in the store, never printed nor audited; bad values refused.
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
T=$(mktemp -d)
SERVER=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2> /dev/null
    rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

D=$T/node
# sql QUERY: one value per line from the node's store
sql() {
    python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]):
    print("|".join(str(x) for x in r))' "$D/alidade.db" "$1"
}
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
# partners holding the token's hash (what store_partner_by_token finds)
holder() { sql "SELECT name FROM partner WHERE token_hash = '$(sha "$1")'"; }

ID_A=identity--7c2a1b3e-9d4f-4e6a-8b1c-2d3e4f5a6b7c
"$BIN" partner add alice --data "$D" --identity $ID_A --groups navy,nato-mcc > "$T/add" 2> "$T/err"
rc=$?
TOK_A=$(tail -n 1 "$T/add")
check "add exits 0 and prints more than the token" '[ $rc -eq 0 ] && [ $(wc -l < "$T/add") -ge 2 ]'
check "the last line is the token alone: 43 base64url characters" \
    'printf "%s" "$TOK_A" | grep -Eqx "[A-Za-z0-9_-]{43}"'
check "the store finds alice by the token's SHA-256" '[ "$(holder "$TOK_A")" = alice ]'
check "the token itself is nowhere in the store file" '! grep -q -- "$TOK_A" "$D"/alidade.db*'
def=$(sql "SELECT id FROM collection WHERE is_default = 1")
check "alice: identity, groups, default grants (read the default collection, write none)" \
    '[ "$(sql "SELECT identity, groups, read, write FROM partner WHERE name = '"'"'alice'"'"'")" = "$ID_A|navy,nato-mcc|$def|" ]'

FP=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89
"$BIN" partner add bob --data "$D" --read '*' --write "$def" --cert-fp $FP > "$T/add" 2>&1
rc=$?
TOK_B=$(tail -n 1 "$T/add")
check "bob: read all, write the default collection, fingerprint in lowercase without colons" \
    '[ $rc -eq 0 ] && [ "$(sql "SELECT read, write, cert_fp FROM partner WHERE name = '"'"'bob'"'"'")" = "*|$def|abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789" ]'
check "two partners, two different tokens" '[ "$TOK_A" != "$TOK_B" ] && [ "$(holder "$TOK_B")" = bob ]'

# list: every partner, a short hash prefix, never a token or a whole hash
"$BIN" partner list --data "$D" > "$T/list" 2>&1
rc=$?
HA=$(sha "$TOK_A")
check "list exits 0: a header and one line per partner" \
    '[ $rc -eq 0 ] && [ $(wc -l < "$T/list") -eq 3 ] && grep -q "^alice	$ID_A	navy,nato-mcc	" "$T/list" && grep -q "^bob	" "$T/list"'
check "list shows the first 8 hex digits of the hash only" \
    'grep -q "	$(printf %.8s "$HA")	" "$T/list" && ! grep -q "$HA" "$T/list" && ! grep -q -- "$TOK_A" "$T/list"'

# groups: each group of the partners with its marking id and members
"$BIN" partner groups --data "$D" > "$T/groups" 2>&1; rc=$?
check "groups lists nato-mcc and navy with their marking ids (uuid5) and members" \
    '[ $rc -eq 0 ] && [ "$(cat "$T/groups")" = "$(printf "group\tmarking\tpartners\nnato-mcc\tmarking-definition--%s\talice\nnavy\tmarking-definition--a7345911-10c2-598c-8701-539641365de6\talice\n" "$(python3 -c "import uuid; print(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, \"https://alidade.invalid/sharing-group\"), \"alidade-sharing-group:nato-mcc\"))")")" ]'
"$BIN" partner groups --data "$D" --stix > "$T/gstix" 2>&1; rc=$?
check "groups --stix: one statement marking-definition per group, JSON lines" \
    '[ $rc -eq 0 ] && [ $(wc -l < "$T/gstix") -eq 2 ] && python3 -c "
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    assert o[\"type\"] == \"marking-definition\" and o[\"definition_type\"] == \"statement\"
    assert o[\"definition\"][\"statement\"].startswith(\"Sharing group \")
" "$T/gstix"'

if "$BIN" help 2>&1 | grep -q "^  stix "; then
    "$BIN" stix import --data "$D" "$T/gstix" > "$T/o" 2>&1; rc=$?
    check "stix import takes the group markings as valid STIX" \
        '[ $rc -eq 0 ] && grep -q "2 added, 0 already there, 0 invalid" "$T/o"'
fi

# rotate: a new token, the old one no longer found
"$BIN" partner rotate alice --data "$D" > "$T/rot" 2>&1
rc=$?
TOK_A2=$(tail -n 1 "$T/rot")
check "rotate exits 0 with a new token alone on the last line" \
    '[ $rc -eq 0 ] && printf "%s" "$TOK_A2" | grep -Eqx "[A-Za-z0-9_-]{43}" && [ "$TOK_A2" != "$TOK_A" ]'
check "after rotate the new token finds alice, the old one nobody" \
    '[ "$(holder "$TOK_A2")" = alice ] && [ -z "$(holder "$TOK_A")" ]'
check "rotate keeps identity, groups and grants" \
    '[ "$(sql "SELECT identity, groups, read, write FROM partner WHERE name = '"'"'alice'"'"'")" = "$ID_A|navy,nato-mcc|$def|" ]'

# refusals: exit status, nothing changed
before=$(sql "SELECT count(*) FROM partner")
"$BIN" partner add alice --data "$D" > "$T/o" 2>&1; rc=$?
check "adding an existing name exits 1 and keeps its token" '[ $rc -eq 1 ] && [ "$(holder "$TOK_A2")" = alice ]'
for bad in "-x" ".hidden" "a b" "a/b" "$(printf 'x%.0s' $(seq 64))" "é"; do
    "$BIN" partner add "$bad" --data "$D" > "$T/o" 2>&1; rc=$?
    check "bad name '$bad' refused (exit 2)" '[ $rc -eq 2 ]'
done
"$BIN" partner add carol --data "$D" --identity indicator--7c2a1b3e-9d4f-4e6a-8b1c-2d3e4f5a6b7c > "$T/o" 2>&1; rc=$?
check "an identity that is not identity--UUID is refused" '[ $rc -eq 1 ] && grep -q "identity" "$T/o"'
"$BIN" partner add carol --data "$D" --read 00000000-0000-4000-8000-000000000000 > "$T/o" 2>&1; rc=$?
check "a grant on a collection that does not exist is refused" '[ $rc -eq 1 ] && grep -q "no collection" "$T/o"'
"$BIN" partner add carol --data "$D" --groups "navy,,army" > "$T/o" 2>&1; rc=$?
check "an empty group name is refused" '[ $rc -eq 1 ]'
"$BIN" partner add carol --data "$D" --cert-fp abcd > "$T/o" 2>&1; rc=$?
check "a short fingerprint is refused" '[ $rc -eq 1 ]'
"$BIN" partner add carol > "$T/o" 2>&1; rc=$?
check "--data is required" '[ $rc -eq 2 ]'
"$BIN" partner rotate nobody --data "$D" > "$T/o" 2>&1; rc=$?
check "rotate of an unknown partner exits 1" '[ $rc -eq 1 ]'
"$BIN" partner remove nobody --data "$D" > "$T/o" 2>&1; rc=$?
check "remove of an unknown partner exits 1" '[ $rc -eq 1 ]'
"$BIN" partner rotate alice --data "$D" --read '*' > "$T/o" 2>&1; rc=$?
check "grants go with add only" '[ $rc -eq 2 ] && [ "$(holder "$TOK_A2")" = alice ]'
check "no refused command added a partner" '[ "$(sql "SELECT count(*) FROM partner")" = "$before" ]'
"$BIN" partner --help > "$T/o" 2>&1; rc=$?
check "partner --help exits 0 and names every subcommand" \
    '[ $rc -eq 0 ] && grep -q "add NAME" "$T/o" && grep -q "rotate NAME" "$T/o" && grep -q "remove NAME" "$T/o" && grep -q "list" "$T/o"'

# over HTTP, once the server exists
if "$BIN" help 2>&1 | grep -q "^  serve " && command -v curl > /dev/null; then
    PORT=$((20000 + $$ % 20000))
    "$BIN" serve --data "$D" --listen 127.0.0.1:$PORT > "$T/serve.log" 2>&1 &
    SERVER=$!
    i=0
    while [ $i -lt 50 ] && ! curl -s -o /dev/null "http://127.0.0.1:$PORT/taxii2/"; do
        sleep 0.1; i=$((i + 1))
    done
    code() { curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/taxii+json;version=2.1' "$@" "http://127.0.0.1:$PORT/taxii2/"; }
    check "HTTP Basic with the new token: 200" '[ "$(code -u "alice:$TOK_A2")" = 200 ]'
    check "Bearer with the new token: 200" '[ "$(code -H "Authorization: Bearer $TOK_A2")" = 200 ]'
    check "Basic with the old token: 401" '[ "$(code -u "alice:$TOK_A")" = 401 ]'
    check "Bearer with the old token: 401" '[ "$(code -H "Authorization: Bearer $TOK_A")" = 401 ]'
    check "bob's token as alice: 401" '[ "$(code -u "alice:$TOK_B")" = 401 ]'
    # the policy end to end: who sees which object of the default collection
    ID_C=identity--0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e
    ID_X=identity--99999999-8888-4777-8666-555555555555
    "$BIN" partner add carol --data "$D" --identity $ID_C --groups army > "$T/add" 2>&1
    TOK_C=$(tail -n 1 "$T/add")
    "$BIN" partner add dave --data "$D" --read none > "$T/add" 2>&1
    TOK_D=$(tail -n 1 "$T/add")
    ind() {  # id-suffix markings-json extra-json
        printf '{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-00000000000%s","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '"'"'198.51.100.%s'"'"']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z"%s%s}\n' "$1" "$1" "$2" "$3"
    }
    NAVY=marking-definition--a7345911-10c2-598c-8701-539641365de6
    {
        ind 1 ',"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]' ''
        ind 2 ',"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","'$NAVY'"]' ''
        ind 3 ',"object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]' ',"created_by_ref":"'$ID_A'"'
        ind 4 ',"object_marking_refs":["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]' ',"created_by_ref":"'$ID_X'","x_alidade_recipients":["'$ID_C'"]'
        ind 5 '' ''
        ind 6 ',"object_marking_refs":["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"]' ',"created_by_ref":"'$ID_X'"'
    } > "$T/objs.jsonl"
    "$BIN" stix import --data "$D" "$T/objs.jsonl" > "$T/o" 2>&1
    check "six marked indicators imported into the default collection" 'grep -q "6 added, 0 already there, 0 invalid" "$T/o"'
    # seen USER TOKEN: the last digits of the indicator ids USER reads, in order
    seen() {
        curl -s -u "$1:$2" -H 'Accept: application/taxii+json;version=2.1' \
            "http://127.0.0.1:$PORT/api/collections/$def/objects/" |
            python3 -c 'import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print("error"); sys.exit()
print("".join(sorted(o["id"][-1] for o in d.get("objects", []) if o["type"] == "indicator")) or "none")'
    }
    check "alice (navy, creator of the RED one) reads GREEN, navy, her RED, unmarked" '[ "$(seen alice "$TOK_A2")" = 1235 ]'
    check "carol (army, named recipient) reads GREEN, the RED naming her, unmarked" '[ "$(seen carol "$TOK_C")" = 145 ]'
    check "bob (no identity, no groups, reads all) reads GREEN and unmarked" '[ "$(seen bob "$TOK_B")" = 15 ]'
    check "dave (no read grant) reads nothing" '[ "$(seen dave "$TOK_D")" = none ]'
    check "nobody reads the TLP 1.0 RED object that names nobody" \
        '! { seen alice "$TOK_A2"; seen carol "$TOK_C"; } | grep -q 6'
else
    echo "# HTTP checks skipped: alidade serve not registered yet or no curl"
fi

# remove: the token stops working, the partner is gone
"$BIN" partner remove bob --data "$D" > "$T/o" 2>&1; rc=$?
check "remove exits 0; bob's token finds nobody" '[ $rc -eq 0 ] && [ -z "$(holder "$TOK_B")" ]'
"$BIN" partner list --data "$D" > "$T/list" 2>&1
check "list after remove: bob gone, the others there" \
    '! grep -q "^bob" "$T/list" && grep -q "^alice	" "$T/list" && [ $(wc -l < "$T/list") -eq $(($(sql "SELECT count(*) FROM partner") + 1)) ]'
if [ -n "$SERVER" ]; then
    check "Bearer with a removed partner's token: 401" '[ "$(code -H "Authorization: Bearer $TOK_B")" = 401 ]'
fi

# federation options (docs/federation.md): add and set, the remote token
# from a file or the environment (never on the command line), kept in the
# store, never printed
REMOTE=tokenFromPartner_0123456789abcdefABCDEF-_xyz
printf '%s\n' "$REMOTE" > "$T/remote.tok"
"$BIN" partner add peer --data "$D" --url http://127.0.0.1:9/api --pull c-1,c-2 --push c-3 \
    --remote-user us --remote-token-file "$T/remote.tok" > "$T/o" 2>&1; rc=$?
check "add with --url/--pull/--push/--remote-user/--remote-token-file: '/' added to the URL, token kept, not printed" \
    '[ $rc -eq 0 ] && grep -q "sync with http://127.0.0.1:9/api/: pull c-1,c-2, push c-3, as us, token set, reshare no" "$T/o" && [ "$(sql "SELECT url, pull, push, remote_user, remote_token, reshare FROM partner WHERE name = '"'"'peer'"'"'")" = "http://127.0.0.1:9/api/|c-1,c-2|c-3|us|$REMOTE|0" ] && ! grep -q "$REMOTE" "$T/o"'
def=$(sql "SELECT id FROM collection WHERE is_default = 1")
NEWTOK=$REMOTE-2 "$BIN" partner set peer --data "$D" --remote-token-env NEWTOK --reshare \
    --push-from "$def" --pull-into "$def" > "$T/o" 2>&1; rc=$?
check "set: token from the environment, --reshare, --push-from and --pull-into our collections" \
    '[ $rc -eq 0 ] && [ "$(sql "SELECT remote_token, reshare, push_from, pull_into FROM partner WHERE name = '"'"'peer'"'"'")" = "$REMOTE-2|1|$def|$def" ]'
"$BIN" partner set peer --data "$D" --no-reshare > /dev/null 2>&1
check "set --no-reshare" '[ "$(sql "SELECT reshare FROM partner WHERE name = '"'"'peer'"'"'")" = 0 ]'
"$BIN" partner list --data "$D" > "$T/list" 2>&1
check "list: url, pull, push, remote user, 'set' for the token, never the token" \
    'grep -q "	http://127.0.0.1:9/api/	c-1,c-2	c-3	$def	$def	us	set	no	-	-$" "$T/list" && ! grep -q "$REMOTE" "$T/list"'
"$BIN" partner set peer --data "$D" --url ftp://x/ > "$T/o" 2>&1; rc1=$?
"$BIN" partner set peer --data "$D" --push "a b" > "$T/o2" 2>&1; rc2=$?
"$BIN" partner set peer --data "$D" --pull-into no-such-collection > "$T/o3" 2>&1; rc3=$?
"$BIN" partner set peer --data "$D" --remote-token-env NOT_SET_ANYWHERE > "$T/o4" 2>&1; rc4=$?
"$BIN" partner set peer --data "$D" --remote-token-file "$T/remote.tok" --remote-token-env X > "$T/o5" 2>&1; rc5=$?
"$BIN" partner set peer --data "$D" > "$T/o6" 2>&1; rc6=$?
"$BIN" partner set nobody --data "$D" --reshare > "$T/o7" 2>&1; rc7=$?
"$BIN" partner rotate peer --data "$D" --url http://x/ > "$T/o8" 2>&1; rc8=$?
"$BIN" partner add peer2 --data "$D" --pull c-1 > "$T/o9" 2>&1; rc9=$?
check "refused: ftp URL, a blank in --push, unknown --pull-into, unset variable, file and env together, nothing to set, unknown partner, sync options on rotate, --pull without --url" \
    '[ "$rc1$rc2$rc3$rc4$rc5$rc6$rc7$rc8$rc9" = "111122121" ] && grep -q "http:// or https://" "$T/o" && grep -q "comma-separated collection ids" "$T/o2" && grep -q "no collection" "$T/o3" && grep -q "NOT_SET_ANYWHERE is not set" "$T/o4" && grep -q "not both" "$T/o5" && grep -q "nothing to change" "$T/o6" && grep -q "no partner" "$T/o7" && grep -q "go with add and set" "$T/o8" && grep -q "need --url" "$T/o9"'
printf 'not really a pem\n' > "$T/x.pem"
"$BIN" partner set peer --data "$D" --remote-ca "$T/x.pem" > "$T/o" 2>&1; rc1=$?
"$BIN" partner set peer --data "$D" --remote-cert "$T/x.pem" > "$T/o2" 2>&1; rc2=$?
"$BIN" partner set peer --data "$D" --remote-ca "$T/no-such.pem" > "$T/o3" 2>&1; rc3=$?
"$BIN" partner set peer --data "$D" --remote-cert "$T/x.pem" --remote-key "$T/x.pem" > /dev/null 2>&1; rc4=$?
"$BIN" partner list --data "$D" > "$T/list" 2>&1
check "--remote-ca kept as an absolute path; --remote-cert needs --remote-key; a missing file refused; list shows them" \
    '[ "$rc1$rc2$rc3$rc4" = 0110 ] && grep -q "go together" "$T/o2" && grep -q "cannot read" "$T/o3" && grep -q "	no	$T/x.pem	$T/x.pem$" "$T/list"'
"$BIN" partner set peer --data "$D" --remote-ca "" --remote-cert "" --remote-key "" > /dev/null 2>&1
check "'' clears them" '[ "$(sql "SELECT remote_ca || remote_cert || remote_key FROM partner WHERE name = '"'"'peer'"'"'")" = "" ]'
check "the remote token is in no audit row" '! sql "SELECT detail FROM audit" | grep -q "$REMOTE"'
"$BIN" partner remove peer --data "$D" > /dev/null 2>&1

# the audit log: each change once, by "local", never a token or a whole hash
check "audit: add alice, add bob, rotate alice, remove bob, in that order" \
    '[ "$(sql "SELECT action || '"'"' '"'"' || object FROM audit WHERE who = '"'"'local'"'"' AND action LIKE '"'"'partner-%'"'"' AND object IN ('"'"'alice'"'"', '"'"'bob'"'"') ORDER BY seq" | tr "\n" ";")" = "partner-add alice;partner-add bob;partner-rotate alice;partner-remove bob;" ]'
check "audit holds no token and no hash" \
    '! sql "SELECT detail FROM audit" | grep -q -e "$TOK_A" -e "$TOK_A2" -e "$HA" -e "$(sha "$TOK_A2")"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
