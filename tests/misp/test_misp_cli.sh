#!/bin/sh
# test_misp_cli.sh - `alidade misp` as a user runs it: help and usage errors;
# convert on the committed feed (bundle and JSON lines, summary line), on a
# feed directory with a broken event file and a missing one (reported, the
# others still converted), on a manifest with a key that is not a uuid;
# import into a fresh store, the same feed again (nothing added), an updated
# feed (a new version of the changed indicator only), export of what was
# stored; warninglist on the committed lists with its exit codes.
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
DATA=${ALD_TEST_DATA:?ALD_TEST_DATA must point at tests/data}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

FEED="$DATA/misp/feed"
EV=57c4445b-c548-4654-af0b-4be3950d210f

# help and usage
"$BIN" misp --help > "$T/h" 2>&1; rc=$?
check "misp --help lists convert, import, warninglist" '[ $rc -eq 0 ] && grep -q "^  convert " "$T/h" && grep -q "^  import " "$T/h" && grep -q "^  warninglist " "$T/h"'
"$BIN" misp frobnicate > /dev/null 2> "$T/e"; rc=$?
check "unknown subcommand: exit 2" '[ $rc -eq 2 ] && grep -q "unknown subcommand" "$T/e"'
"$BIN" misp convert > /dev/null 2> "$T/e"; rc=$?
check "convert without input: exit 2" '[ $rc -eq 2 ] && grep -q "no FEED_DIR" "$T/e"'
"$BIN" misp convert --help > "$T/h"; rc=$?
check "convert --help documents the exit status" '[ $rc -eq 0 ] && grep -q "Exit status" "$T/h"'

# convert the feed: a bundle of 1 marking, 1 identity, 5 indicators, 1 report
"$BIN" misp convert "$FEED" > "$T/b.json" 2> "$T/e"; rc=$?
check "convert feed: exit 0" '[ $rc -eq 0 ]'
check "convert feed: a bundle of 8 objects" '[ "$(grep -c "^{\"type\":" "$T/b.json")" -eq 9 ] && head -c 40 "$T/b.json" | grep -q "^{\"type\":\"bundle\",\"id\":\"bundle--"'
check "convert feed: summary line" 'grep -q "^alidade misp convert: 1 event (0 rejected), 9 attributes: 5 indicators .*skipped: 4 not to_ids, 0 deleted, 0 invalid, 0 not mappable$" "$T/e"'
"$BIN" stix validate "$T/b.json" > "$T/v"; rc=$?
check "convert feed: stix validate finds every object valid" '[ $rc -eq 0 ] && grep -q "8 objects: 8 valid, 0 invalid" "$T/v"'
"$BIN" misp convert --jsonl "$FEED" > "$T/l.jsonl" 2> /dev/null
check "--jsonl: one object per line, same objects" '[ "$(wc -l < "$T/l.jsonl")" -eq 8 ] && [ "$(grep -v "^{\"type\":\"bundle\"" "$T/b.json" | grep "^{" | sed "s/,\$//" | sort)" = "$(sort "$T/l.jsonl")" ]'
"$BIN" misp convert --jsonl "$FEED/$EV.json" > "$T/one.jsonl" 2> /dev/null
check "an event file alone gives the same objects" 'cmp -s "$T/one.jsonl" "$T/l.jsonl"'
"$BIN" misp convert --jsonl - < "$FEED/$EV.json" > "$T/stdin.jsonl" 2> /dev/null
check "an event on standard input" 'cmp -s "$T/stdin.jsonl" "$T/l.jsonl"'

# bad values: reported with the attribute, skipped; exit still 0
"$BIN" misp convert --jsonl "$DATA/misp/events/all-types.json" > "$T/all.jsonl" 2> "$T/e"; rc=$?
check "all-types: exit 0, 44 indicators" '[ $rc -eq 0 ] && [ "$(grep -c "\"type\":\"indicator\"" "$T/all.jsonl")" -eq 44 ]'
check "all-types: not-an-ip reported with file, event, attribute and why" 'grep -q "all-types.json: event 5f0c1e29-0000-4000-8000-000000000001: attribute 5f0c1e2a-0000-4000-8000-000000000040: ip-dst .not-an-ip.: not an IPv4 or IPv6 address" "$T/e"'
check "all-types: unmapped types listed" 'grep -q "not mappable to a STIX pattern: text 1, vulnerability 1, btc 1" "$T/e"'
"$BIN" misp convert -q --jsonl "$DATA/misp/events/all-types.json" > /dev/null 2> "$T/e"
check "-q: only the summary lines" '[ "$(wc -l < "$T/e")" -eq 2 ]'

# a feed with a broken event file and a missing one: both reported, the
# good event converted, exit 1
mkdir "$T/feed"
cp "$FEED/$EV.json" "$T/feed/"
printf '{"Event": {"info": "broken",\n "Attribute": [}\n' > "$T/feed/5f0c1e29-0000-4000-8000-0000000000b1.json"
cat > "$T/feed/manifest.json" <<JSON
{"5f0c1e29-0000-4000-8000-0000000000b1": {"info": "broken"},
 "$EV": {"info": "Ransomware - Xorist"},
 "5f0c1e29-0000-4000-8000-0000000000b2": {"info": "missing"}}
JSON
"$BIN" misp convert --jsonl "$T/feed" > "$T/f.jsonl" 2> "$T/e"; rc=$?
check "broken feed: exit 1" '[ $rc -eq 1 ]'
check "broken feed: the broken file named with line and column" 'grep -q "0000000000b1.json: line 2, column [0-9]*: not JSON" "$T/e"'
check "broken feed: the missing file named" 'grep -q "0000000000b2.json: " "$T/e"'
check "broken feed: the good event still converted" '[ "$(grep -c "\"type\":\"indicator\"" "$T/f.jsonl")" -eq 5 ] && grep -q "1 event (1 rejected)" "$T/e"'
printf '{"../../etc/passwd": {}}' > "$T/feed/manifest.json"
"$BIN" misp convert "$T/feed" > /dev/null 2> "$T/e"; rc=$?
check "a manifest key that is not a uuid is refused" '[ $rc -eq 1 ] && grep -q "is not an event uuid" "$T/e"'
rm "$T/feed/manifest.json"
"$BIN" misp convert --jsonl "$T/feed" > "$T/f.jsonl" 2> "$T/e"; rc=$?
check "a directory without manifest: every .json file" '[ $rc -eq 1 ] && [ "$(grep -c "\"type\":\"indicator\"" "$T/f.jsonl")" -eq 5 ]'

# import: into a fresh store, again (nothing new), then an update
"$BIN" misp import --data "$T/node" "$FEED" > "$T/o" 2> "$T/e"; rc=$?
check "import: 8 objects added" '[ $rc -eq 0 ] && grep -q "feed: 8 added, 0 already there, 0 invalid$" "$T/o"'
"$BIN" misp import --data "$T/node" "$FEED" > "$T/o" 2> "$T/e"; rc=$?
check "import again: nothing added" '[ $rc -eq 0 ] && grep -q "8 already there" "$T/o"'
mkdir "$T/upd"
cp "$FEED/manifest.json" "$T/upd/"
sed 's/"timestamp": "1472480395",/"timestamp": "1472600000",/' "$FEED/$EV.json" > "$T/upd/$EV.json"
"$BIN" misp import --data "$T/node" "$T/upd" > "$T/o" 2> "$T/e"; rc=$?
check "updated feed: the two changed indicators are new versions" '[ $rc -eq 0 ] && grep -q "upd: 2 added, 6 already there" "$T/o"'
"$BIN" stix export --data "$T/node" --type indicator --all-versions > "$T/x.json"; rc=$?
check "export: 7 indicator versions, the md5 one twice" '[ $rc -eq 0 ] && [ "$(grep -c "\"type\":\"indicator\"" "$T/x.json")" -eq 7 ] && [ "$(grep -c "indicator--57c4448b-454c-4d17-90d1-4d2f950d210f" "$T/x.json")" -eq 2 ]'
"$BIN" misp import --data "$T/node" --collection nope "$FEED" > /dev/null 2> "$T/e"; rc=$?
check "import into an unknown collection: exit 1" '[ $rc -eq 1 ] && grep -q "no collection" "$T/e"'

# warninglist
WL="$DATA/misp/warninglists"
"$BIN" misp warninglist --lists "$WL" 192.168.1.1 > "$T/o"; rc=$?
check "warninglist: an RFC 1918 address, exit 0" '[ $rc -eq 0 ] && grep -q "^192.168.1.1: ipv4: List of RFC 1918 CIDR blocks (rfc1918)$" "$T/o"'
"$BIN" misp warninglist --lists "$WL" evil.example.net 93.184.216.34 > "$T/o"; rc=$?
check "warninglist: values on no list, exit 1" '[ $rc -eq 1 ] && grep -q "^evil.example.net: domain: -$" "$T/o"'
"$BIN" misp warninglist --lists "$WL" https://bit.ly/x 2001:4860:4860::8888 org > "$T/o"; rc=$?
check "warninglist: URL by its host, IPv6 resolver, a TLD" '[ $rc -eq 0 ] && grep -q "^https://bit.ly/x: url: List of known URL Shorteners domains" "$T/o" && grep -q "^2001:4860:4860::8888: ipv6: List of known IPv6 public DNS resolvers" "$T/o" && grep -q "^org: domain: TLDs as known by IANA" "$T/o"'
"$BIN" misp warninglist --lists "$WL/tlds/list.json" --kind ipv4 org > "$T/o"; rc=$?
check "warninglist: --kind ipv4, a list for domains does not apply" '[ $rc -eq 1 ] && grep -q "^org: ipv4: -$" "$T/o"'
printf '{"Event":{"info":"nothing for detection","Attribute":[]}}' > "$T/empty.json"
"$BIN" misp convert "$T/empty.json" > "$T/o" 2> /dev/null; rc=$?
check "an event with nothing to convert: a bundle without objects (STIX: objects is non-empty when present)" '[ $rc -eq 0 ] && grep -q "^{\"type\":\"bundle\",\"id\":\"bundle--[0-9a-f-]*\"}$" "$T/o"'
"$BIN" misp warninglist --lists "$WL/rfc1918" -v 10.0.0.1 > /dev/null 2> "$T/e"; rc=$?
check "warninglist -v: lists and load time" '[ $rc -eq 0 ] && grep -q "^1 lists, 3 entries loaded in" "$T/e"'
"$BIN" misp warninglist --lists "$T/nowhere" 1.2.3.4 > /dev/null 2> "$T/e"; rc=$?
check "warninglist: unreadable lists, exit 2" '[ $rc -eq 2 ]'
"$BIN" misp warninglist 1.2.3.4 > /dev/null 2> "$T/e"; rc=$?
check "warninglist: --lists required, exit 2" '[ $rc -eq 2 ] && grep -q "lists DIR is required" "$T/e"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
