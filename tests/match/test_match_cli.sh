#!/bin/sh
# test_match_cli.sh - `alidade match` as an analyst runs it, on real logs
# with planted indicators whose sightings are known: the expected counts are
# computed here by an independent reading of the same logs (python3 json /
# awk), not taken from alidade. Covers: usage errors and exit codes; EVE
# (committed real alerts) with an address, a CIDR, a lookalike address that
# must not hit, a network-traffic conjunction and a general (LIKE) pattern;
# the details stream (every line it names holds the value); windows; a
# broken indicator reported while the rest loads; a missing log; the
# bundle valid STIX; --store (one transaction, audit, export); a MISP feed
# as the source (a hash planted in a text log); MISP warninglists vetoing a
# value; Zeek TSV (committed excerpt, and the whole shared dns.log.gz when
# ../shared is there).
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
DATA=${ALD_TEST_DATA:?ALD_TEST_DATA must point at tests/data}
SHARED=${ALD_SHARED_DATA:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

EVE="$DATA/match/eve-alerts.ndjson"

# indicator JSON line: id-suffix pattern [extra properties]
ind() {
    printf '{"type":"indicator","spec_version":"2.1","id":"indicator--a1b2c3d4-0000-4000-8000-%012d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","pattern":"%s","pattern_type":"stix","valid_from":"2000-01-01T00:00:00Z"%s}\n' "$1" "$2" "${3:-}"
}
# sum of the counts of the sightings of one indicator in a bundle
count_of() {
    python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))
print(sum(o["count"] for o in b["objects"] if o["type"] == "sighting"
          and o["sighting_of_ref"].endswith(sys.argv[2])))' "$1" "$2"
}
# lines of the EVE sample whose field F (dotted) equals V
eve_count() {
    python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    if any(o.get(f) == sys.argv[3] for f in sys.argv[2].split(",")):
        n += 1
print(n)' "$EVE" "$1" "$2"
}

# ---- usage ----
"$BIN" match --help > "$T/h"; rc=$?
check "match --help: exit 0, documents the exit status" '[ $rc -eq 0 ] && grep -q "Exit status" "$T/h"'
"$BIN" match "$EVE" > /dev/null 2> "$T/e"; rc=$?
check "no --indicators: exit 2 with the reason" '[ $rc -eq 2 ] && grep -q "indicators SOURCE is required" "$T/e"'
"$BIN" match --indicators x.json > /dev/null 2> "$T/e"; rc=$?
check "no LOG: exit 2" '[ $rc -eq 2 ] && grep -q "no LOG given" "$T/e"'
"$BIN" match --indicators x.json --format csv "$EVE" > /dev/null 2> "$T/e"; rc=$?
check "bad --format: exit 2" '[ $rc -eq 2 ] && grep -q "is not auto, eve" "$T/e"'

# ---- planted indicators on the committed EVE alerts ----
TOP=54.235.163.229          # most frequent src_ip of the sample (12 lines)
{
    ind 1 "[ipv4-addr:value = '$TOP']" ',"name":"planted top talker"'
    ind 2 "[ipv4-addr:value = '192.168.0.0/24']"
    ind 3 "[ipv4-addr:value = '54.235.163.22']"       # a prefix of TOP as text: no hit
    ind 4 "[network-traffic:dst_port = 22 AND network-traffic:src_ref.value = '8.42.77.171']"
    ind 5 "[ipv4-addr:value LIKE '8.42.77.%']"
    ind 6 "[ipv4-addr:value = '1.2.3.4'"               # broken: no ']'
} > "$T/ind.jsonl"
"$BIN" match -q --indicators "$T/ind.jsonl" --details "$T/d.jsonl" "$EVE" > "$T/b.json" 2> "$T/e"; rc=$?
check "planted: exit 0 (sightings found)" '[ $rc -eq 0 ]'
check "broken indicator reported with its id and why" 'grep -q "indicator--a1b2c3d4-0000-4000-8000-000000000006.*invalid STIX pattern" "$T/e"'
exp=$(eve_count src_ip,dest_ip $TOP)
check "address: count = lines holding it ($exp)" '[ "$(count_of "$T/b.json" 000000000001)" = "$exp" ]'
exp=$(python3 -c '
import json, ipaddress, sys
net = ipaddress.ip_network("192.168.0.0/24")
print(sum(1 for l in open(sys.argv[1]) if any(ipaddress.ip_address(json.loads(l)[f]) in net for f in ("src_ip", "dest_ip"))))' "$EVE")
check "CIDR: count = lines with an address inside ($exp)" '[ "$(count_of "$T/b.json" 000000000002)" = "$exp" ]'
check "lookalike address: no sighting" '[ "$(count_of "$T/b.json" 000000000003)" = 0 ]'
exp=$(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if (lambda o: o["src_ip"] == "8.42.77.171" and o["dest_port"] == 22)(json.loads(l))))' "$EVE")
check "conjunction src address AND dst_port: count $exp" '[ "$(count_of "$T/b.json" 000000000004)" = "$exp" ]'
exp=$(python3 -c '
import json, sys
print(sum(1 for l in open(sys.argv[1]) if any(json.loads(l)[f].startswith("8.42.77.") for f in ("src_ip", "dest_ip"))))' "$EVE")
check "general pattern (LIKE) through the evaluator: count $exp" '[ "$(count_of "$T/b.json" 000000000005)" = "$exp" ]'
check "details: one line per hit, each naming a line that holds the value" 'python3 -c "
import json, sys
lines = open(sys.argv[1]).read().split(chr(10))
n = 0
for d in map(json.loads, open(sys.argv[2])):
    n += 1
    if d.get(\"general\"):
        continue
    for f in d[\"fields\"]:
        assert f[\"value\"] in lines[d[\"line\"] - 1], d
    assert d[\"text\"] == lines[d[\"line\"] - 1]
b = json.load(open(sys.argv[3]))
assert n == sum(o[\"count\"] for o in b[\"objects\"] if o[\"type\"] == \"sighting\"), n
" "$EVE" "$T/d.jsonl" "$T/b.json"'
check "details name the indicator (id and name) and the event type" 'grep -q "\"indicator\":\"indicator--a1b2c3d4-0000-4000-8000-000000000001\",\"name\":\"planted top talker\",.*\"event\":\"alert\"" "$T/d.jsonl"'
"$BIN" stix validate "$T/b.json" > "$T/v"; rc=$?
check "bundle: every object valid STIX 2.1 (stix validate)" '[ $rc -eq 0 ] && grep -q " 0 invalid" "$T/v"'
check "bundle: refs resolve, sightings by this node, marked TLP:AMBER" 'python3 -c "
import json, sys
b = json.load(open(sys.argv[1]))
ids = {o[\"id\"] for o in b[\"objects\"]}
node = [o[\"id\"] for o in b[\"objects\"] if o[\"type\"] == \"identity\"]
assert len(node) == 1
for o in b[\"objects\"]:
    if o[\"type\"] == \"sighting\":
        assert o[\"where_sighted_refs\"] == node and o[\"created_by_ref\"] == node[0]
        assert o[\"object_marking_refs\"] == [\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\"]
        assert all(r in ids for r in o.get(\"observed_data_refs\", [])), o
    if o[\"type\"] == \"observed-data\":
        assert all(r in ids for r in o[\"object_refs\"]), o
" "$T/b.json"'

# windows: 0 gives one sighting per indicator; 60 s splits the top talker's
"$BIN" match -q --window 0 --indicators "$T/ind.jsonl" "$EVE" > "$T/w0.json" 2>/dev/null
check "--window 0: one sighting per indicator hit" '[ "$(grep -o "\"type\":\"sighting\"" "$T/w0.json" | wc -l)" = 4 ]'
"$BIN" match -q --window 60 --tlp none --indicators "$T/ind.jsonl" "$EVE" > "$T/w60.json" 2>/dev/null
check "--window 60: more sightings, same total count; --tlp none: no marking" '[ "$(grep -o "\"type\":\"sighting\"" "$T/w60.json" | wc -l)" -gt 4 ] && [ "$(count_of "$T/w60.json" 000000000001)" = "$(count_of "$T/w0.json" 000000000001)" ] && ! grep -q marking-definition "$T/w60.json"'

# nothing found: exit 1; a missing log: exit 2 with the reason
ind 7 "[domain-name:value = 'not-in-these-logs.example']" > "$T/none.jsonl"
"$BIN" match -q --indicators "$T/none.jsonl" "$EVE" > /dev/null 2>&1; rc=$?
check "no sighting: exit 1" '[ $rc -eq 1 ]'
"$BIN" match -q --indicators "$T/none.jsonl" "$T/missing.log" > /dev/null 2> "$T/e"; rc=$?
check "missing log: exit 2, named" '[ $rc -eq 2 ] && grep -q "missing.log" "$T/e"'

# corrupt lines: a candidate line (holding an indicator value) that is corrupt
# is named with its line number and skipped; --parse-all names every one
head -n 3 "$EVE" > "$T/bad.eve"
printf '{"timestamp":"2019-01-02T03:50:11","event_type":"alert","src_ip":"%s",\n' $TOP >> "$T/bad.eve"
printf '{"timestamp":"2019-01-02T03:50:11","event_type":"alert","src_ip":"9.9.9.9"\n' >> "$T/bad.eve"
tail -n 2 "$EVE" >> "$T/bad.eve"
ind 1 "[ipv4-addr:value = '$TOP']" > "$T/one.jsonl"
"$BIN" match --indicators "$T/one.jsonl" "$T/bad.eve" > /dev/null 2> "$T/e"
check "corrupt candidate line: named with its line number, the others scanned" 'grep -q "bad.eve:4:[0-9]*: corrupt line skipped: not JSON" "$T/e" && ! grep -q "bad.eve:5:" "$T/e" && grep -q "7 lines.*1 corrupt lines" "$T/e"'
"$BIN" match --parse-all --indicators "$T/one.jsonl" "$T/bad.eve" > /dev/null 2> "$T/e"
check "--parse-all: every corrupt line named" 'grep -q "bad.eve:4:" "$T/e" && grep -q "bad.eve:5:" "$T/e" && grep -q "2 corrupt lines" "$T/e"'

# ---- into the store ----
"$BIN" stix import --data "$T/node" "$T/none.jsonl" > /dev/null 2>&1
"$BIN" match -q --store --data "$T/node" --indicators "$T/ind.jsonl" "$EVE" 2> "$T/e"; rc=$?
check "--store: exit 0" '[ $rc -eq 0 ]'
"$BIN" stix export --data "$T/node" --type sighting > "$T/s.json" 2>/dev/null
check "--store: the sightings are in the store" '[ "$(grep -o "\"type\":\"sighting\"" "$T/s.json" | wc -l)" = "$(grep -o "\"type\":\"sighting\"" "$T/b.json" | wc -l)" ]'
"$BIN" match -q --indicators store --data "$T/node" "$EVE" > /dev/null 2>&1; rc=$?
check "--indicators store: the store's indicator (no hit here): exit 1" '[ $rc -eq 1 ]'

# ---- a MISP feed as the source: its md5 planted in a text log ----
printf '2016-08-01T10:00:00Z host av: quarantined 3Z4wnG9603it23y.exe md5=0749bae92ca336a02c83d126e04ec628\nnothing here\n' > "$T/av.log"
"$BIN" match --indicators "$DATA/misp/feed" "$T/av.log" > "$T/m.json" 2> "$T/e"; rc=$?
check "MISP feed: the md5 attribute's indicator is sighted (id from the attribute uuid)" '[ $rc -eq 0 ] && grep -q "\"sighting_of_ref\":\"indicator--57c4448b-454c-4d17-90d1-4d2f950d210f\"" "$T/m.json"'
check "MISP feed: conversion summary on stderr" 'grep -q "MISP: 1 events" "$T/e"'

# ---- warninglists veto known-benign values ----
printf '2020-01-01T00:00:00Z resolver 10.1.2.3 asked\n' > "$T/wl.log"
ind 8 "[ipv4-addr:value = '10.1.2.3']" > "$T/wl.jsonl"
"$BIN" match -q --indicators "$T/wl.jsonl" "$T/wl.log" > /dev/null 2>&1; rc=$?
check "without warninglists: the private address hits" '[ $rc -eq 0 ]'
"$BIN" match --warninglists "$DATA/misp/warninglists" --indicators "$T/wl.jsonl" "$T/wl.log" > /dev/null 2> "$T/e"; rc=$?
check "with warninglists (rfc1918): vetoed, exit 1, counted" '[ $rc -eq 1 ] && grep -q "1 vetoed by warninglists" "$T/e"'

# ---- Zeek TSV ----
ZD="$DATA/match/zeek/dns.log"
Q=$(awk -F'\t' '!/^#/ {print $10}' "$ZD" | sort | uniq -c | sort -rn | awk 'NR==1 {print $2}')
exp=$(awk -F'\t' -v q="$Q" '!/^#/ { hit = ($10 == q); n = split($22, a, ","); for (i = 1; i <= n; i++) if (a[i] == q) hit = 1; if (hit) c++ } END { print c + 0 }' "$ZD")
ind 9 "[domain-name:value = '$Q']" > "$T/z.jsonl"
"$BIN" match -q --indicators "$T/z.jsonl" "$ZD" > "$T/z.json" 2>/dev/null; rc=$?
check "Zeek TSV dns excerpt: '$Q' sighted on every line naming it ($exp)" '[ $rc -eq 0 ] && [ "$(count_of "$T/z.json" 000000000009)" = "$exp" ]'
if [ -n "$SHARED" ] && [ -f "$SHARED/cti/logs/zeek-wrccdc2018/zeek-default/dns.log.gz" ]; then
    Z="$SHARED/cti/logs/zeek-wrccdc2018/zeek-default/dns.log.gz"
    exp=$(zcat "$Z" | awk -F'\t' '!/^#/ { hit = ($10 == "docs.google.com"); n = split($22, a, ","); for (i = 1; i <= n; i++) if (a[i] == "docs.google.com") hit = 1; if (hit) c++ } END { print c + 0 }')
    ind 10 "[domain-name:value = 'docs.google.com']" > "$T/g.jsonl"
    ind 11 "[domain-name:value = 'google.com']" >> "$T/g.jsonl"
    "$BIN" match -q --indicators "$T/g.jsonl" "$Z" > "$T/g.json" 2>/dev/null; rc=$?
    check "shared dns.log.gz: docs.google.com on $exp lines, and google.com never on its subdomains" '[ $rc -eq 0 ] && [ "$(count_of "$T/g.json" 000000000010)" = "$exp" ] && [ "$(count_of "$T/g.json" 000000000011)" = "$(zcat "$Z" | awk -F"\t" "!/^#/ && (\$10 == \"google.com\" || \$22 ~ /(^|,)google\\.com(,|$)/)" | wc -l)" ]'
else
    echo "skipped: ../shared/data absent (whole Zeek dns.log.gz)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
