#!/bin/sh
# test_audit.sh - `alidade audit list|archive|verify` on a real node: ATT&CK
# ICS imported (../shared), pages of 1000 objects read
# by a partner over TAXII (one audit row per page, naming every id
# released), then the old rows archived while the server still runs and
# appends: the archive holds exactly the removed rows (every line compared
# with `audit list --json` taken before), verify matches the store's record,
# a second archive is never written over the first, a changed archive fails
# verify, and the figures of what retention saves are printed.
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
for tool in curl python3 timeout zstd; do
    command -v $tool > /dev/null || { echo "skipped: $tool not installed"; exit 77; }
done
ATTACK=$CTI/attack/ics-attack.json
[ -f "$ATTACK" ] || { echo "skipped: no ATT&CK ICS bundle at $ATTACK (../shared absent)"; exit 77; }

D=$T/data
TA=$("$BIN" partner add alpha --data "$D" --read '*' 2>/dev/null | tail -n 1)
"$BIN" stix import --data "$D" "$ATTACK" > /dev/null 2>&1
check "audit list: the import and the partner, as a table with a header" \
    '"$BIN" audit list --data "$D" > "$T/l0" && head -n 1 "$T/l0" | grep -q "^seq	at	who	action" &&
     grep -q "	local	partner-add	alpha	" "$T/l0" && grep -q "	local	import	" "$T/l0"'

timeout 120 "$BIN" serve --data "$D" --listen 127.0.0.1:0 --threads 2 2> "$T/serve.err" &
SP=$!
PORT=""
for i in $(seq 1 100); do
    PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/taxii2/.*|\1|p' "$T/serve.err")
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { cat "$T/serve.err"; echo "$pass passed, 1 failed"; exit 1; }
U=http://127.0.0.1:$PORT
DEF=$(curl -s -u "alpha:$TA" -H "Accept: application/taxii+json;version=2.1" "$U/api/collections/" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["collections"][0]["id"])')
# every page of the default collection, following next
next=""
pages=0
while :; do
    q="limit=1000"
    [ -n "$next" ] && q="$q&next=$next"
    curl -s -u "alpha:$TA" -H "Accept: application/taxii+json;version=2.1" \
        "$U/api/collections/$DEF/objects/?$q" > "$T/page"
    pages=$((pages + 1))
    next=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("next","") if d.get("more") else "")' "$T/page")
    [ -n "$next" ] || break
done
"$BIN" audit list --data "$D" --who alpha --action read --json > "$T/reads"
check "one read row per page, naming every id released ($pages pages)" \
    'python3 - "$T/reads" "$pages" <<PY
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ids = [i for r in rows for i in r["detail"].split()]
assert len(rows) == int(sys.argv[2]), (len(rows), sys.argv[2])
assert len(ids) == len(set(ids)) and len(ids) > 1000, len(ids)
assert all(r["who"] == "alpha" and r["action"] == "read" for r in rows)
PY'
raw=$(wc -c < "$T/reads")
echo "# $pages read rows: $raw bytes of canonical JSON lines"

# everything up to now is "old"; the server keeps appending while we archive
CUT=$(python3 -c 'import datetime; print(datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))')
"$BIN" audit list --data "$D" --json > "$T/before"
sleep 0.05
( for i in 1 2 3 4 5; do curl -s -u "alpha:$TA" -H "Accept: application/taxii+json;version=2.1" \
      "$U/api/collections/$DEF/objects/?limit=10" > /dev/null; done ) &
BG=$!
"$BIN" audit archive --data "$D" --before "$CUT" --out "$T/a1.jsonl.zst" > "$T/arch" 2>&1; rc=$?
wait $BG
check "archive: exit 0 and a summary line" '[ $rc -eq 0 ] && grep -q "^archived [0-9]* rows (seq 1-" "$T/arch"'
cat "$T/arch" | sed 's/^/# /'
check "the archive holds exactly the rows listed before the cut, byte for byte" \
    'zstd -dc "$T/a1.jsonl.zst" > "$T/a1" && cmp -s "$T/a1" "$T/before"'
"$BIN" audit list --data "$D" --json > "$T/after"
check "the store kept only later rows, then the audit-archive row, and the new reads" \
    'python3 - "$T/before" "$T/after" <<PY
import json, sys
before = [json.loads(l) for l in open(sys.argv[1])]
after = [json.loads(l) for l in open(sys.argv[2])]
last = before[-1]["seq"]
assert all(r["seq"] > last for r in after), "archived rows still there"
arch = [r for r in after if r["action"] == "audit-archive"]
assert len(arch) == 1 and arch[0]["object"] == "a1.jsonl.zst", arch
assert arch[0]["detail"].startswith("rows 1-%d count %d sha256 " % (last, len(before))), arch
reads = [r for r in after if r["action"] == "read"]
assert len(reads) >= 1, "reads during the archive were lost"
PY'
check "verify: the archive matches the store's record" \
    '"$BIN" audit verify "$T/a1.jsonl.zst" --data "$D" > "$T/v" && grep -q "matches the store" "$T/v"'
check "an archive is never overwritten (exit 1, file and store unchanged)" \
    'cp "$T/a1.jsonl.zst" "$T/a1.copy"; "$BIN" audit archive --data "$D" --older-than 0 --out "$T/a1.jsonl.zst" 2> "$T/e1"; [ $? -eq 1 ] &&
     grep -q "never overwritten" "$T/e1" && cmp -s "$T/a1.jsonl.zst" "$T/a1.copy" &&
     "$BIN" audit list --data "$D" --json | cmp -s - "$T/after"'
check "a changed archive fails verify against the store" \
    'sed "s/\"who\":\"alpha\"/\"who\":\"mallory\"/" "$T/a1" | zstd -q -o "$T/forged.jsonl.zst" &&
     ! "$BIN" audit verify "$T/forged.jsonl.zst" --data "$D" > /dev/null 2> "$T/e2" && grep -q "no record" "$T/e2"'
check "a truncated archive is refused" \
    'head -c 100 "$T/a1.jsonl.zst" > "$T/trunc.zst"; ! "$BIN" audit verify "$T/trunc.zst" 2> "$T/e3" && grep -qi "zstd\|truncated" "$T/e3"'
check "nothing older than the cut left: archive says so, exit 0, no file" \
    '"$BIN" audit archive --data "$D" --before "$CUT" --out "$T/a2.jsonl.zst" 2> "$T/e4"; [ $? -eq 0 ] && [ ! -e "$T/a2.jsonl.zst" ] && grep -q "nothing to do" "$T/e4"'
check "bad options: exit 2" \
    '"$BIN" audit archive --data "$D" --out "$T/x" 2>/dev/null; a=$?; "$BIN" audit list --data "$D" --since yesterday 2>/dev/null; b=$?; "$BIN" audit frobnicate 2>/dev/null; c=$?; [ $a -eq 2 ] && [ $b -eq 2 ] && [ $c -eq 2 ]'
kill "$SP" 2>/dev/null; wait "$SP" 2>/dev/null; SP=""
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
