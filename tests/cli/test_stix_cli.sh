#!/bin/sh
# test_stix_cli.sh - `alidade stix validate` as a user runs it: help, usage
# errors, the real ATT&CK ICS bundle (all valid), what `ais detect --format
# stix` writes (all valid), hand-made invalid objects
# with their exact FILE: ID: PROPERTY: MESSAGE lines, every input shape
# (bundle, envelope, array, JSON lines, stdin), text that is not JSON with its
# line and column, the cap on printed problems, unreadable files, exit 0/1/2.
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
SHARED=${ALD_SHARED_DATA:-}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

IND='{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"[ipv4-addr:value = '"'"'198.51.100.1'"'"']","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"}'
ID=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f

# help and usage
"$BIN" stix --help > "$T/h" 2>&1; rc=$?
check "stix --help lists validate, exit 0" '[ $rc -eq 0 ] && grep -q "^  validate " "$T/h"'
"$BIN" stix validate --help > "$T/h" 2>&1; rc=$?
check "stix validate --help documents the exit status" '[ $rc -eq 0 ] && grep -q "Exit status" "$T/h"'
"$BIN" stix validate > /dev/null 2> "$T/e"; rc=$?
check "no FILE: exit 2 with a message" '[ $rc -eq 2 ] && grep -q "no FILE given" "$T/e"'
"$BIN" stix validate --frobnicate x > /dev/null 2>&1; rc=$?
check "unknown option: exit 2" '[ $rc -eq 2 ]'

# the real ATT&CK ICS bundle: every object valid
if [ -f "$SHARED/cti/attack/ics-attack.json" ]; then
    "$BIN" stix validate "$SHARED/cti/attack/ics-attack.json" > "$T/o"; rc=$?
    check "ATT&CK ICS v18.1: 1826 objects valid, exit 0" '[ $rc -eq 0 ] && [ "$(cat "$T/o")" = "1 file (0 unreadable), 1826 objects: 1826 valid, 0 invalid, 0 problems" ]'
else
    echo "skipped: ATT&CK bundle not found (../shared/data absent)"
fi

# what this node writes itself: ais detect --format stix on a drill scenario
# (every event kind) and on the bundled exactEarth capture
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
"$BIN" drill generate -q --out "$T/drill" && "$BIN" ais detect -q --format stix --tlp amber \
    --zones "$T/drill/zones.geojson" --shore "$T/drill/coast.geojson" "$T/drill/scenario.nmea" > "$T/drill.json" \
    && "$BIN" ais detect -q --format stix "$ROOT/data/ais/exactearth-2012.txt.zst" > "$T/ee.json"
"$BIN" stix validate "$T/drill.json" "$T/ee.json" > "$T/o"; rc=$?
check "ais detect --format stix output (drill, exactEarth) is valid" '[ $rc -eq 0 ] && grep -q "^2 files (0 unreadable), [0-9]* objects: [0-9]* valid, 0 invalid, 0 problems$" "$T/o" && [ "$(grep -c "\"type\":\"sighting\"" "$T/drill.json")" -ge 9 ]'

# one valid object, alone and in every container shape
printf '%s\n' "$IND" > "$T/one.json"
printf '{"type":"bundle","id":"bundle--44af6c39-c09b-49c5-9de2-394224b04982","objects":[%s,%s]}' "$IND" "$IND" > "$T/bundle.json"
printf '{"more":false,"objects":[%s]}' "$IND" > "$T/env.json"
printf '[%s,\n%s]' "$IND" "$IND" > "$T/array.json"
printf '%s\r\n\r\n%s\n' "$IND" "$IND" > "$T/lines.jsonl"
"$BIN" stix validate "$T/one.json" "$T/bundle.json" "$T/env.json" "$T/array.json" "$T/lines.jsonl" > "$T/o"; rc=$?
check "object, bundle, envelope, array, JSON lines: 8 objects valid" '[ $rc -eq 0 ] && [ "$(cat "$T/o")" = "5 files (0 unreadable), 8 objects: 8 valid, 0 invalid, 0 problems" ]'
"$BIN" stix validate - < "$T/bundle.json" > "$T/o"; rc=$?
check "standard input" '[ $rc -eq 0 ] && grep -q "^1 file (0 unreadable), 2 objects: 2 valid" "$T/o"'
"$BIN" stix validate -q "$T/one.json" > "$T/o"; rc=$?
check "-q: nothing printed when valid" '[ $rc -eq 0 ] && [ ! -s "$T/o" ]'

# invalid objects: every problem on its own line, exactly
BAD1=$(printf '%s' "$IND" | sed 's/"spec_version":"2.1"/"spec_version":"2.0"/; s/"valid_from":"2016-01-01T00:00:00Z"/"valid_from":"2016-01-01T00:00:00Z","created_by_ref":"malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"/')
BAD2='{"type":"relationship","spec_version":"2.1","created":"2016-04-06T20:06:37.000Z","modified":"2016-04-06T20:06:37Z","source_ref":"'$ID'"}'
printf '%s\n%s\n%s\n' "$IND" "$BAD1" "$BAD2" > "$T/bad.jsonl"
"$BIN" stix validate "$T/bad.jsonl" > "$T/o"; rc=$?
cat > "$T/want" <<EOF
$T/bad.jsonl: $ID: spec_version: must be "2.1"
$T/bad.jsonl: $ID: created_by_ref: must be an identity id, not a malware id
$T/bad.jsonl: object 2: id: is required
$T/bad.jsonl: object 2: relationship_type: is required for relationship
$T/bad.jsonl: object 2: target_ref: is required for relationship
$T/bad.jsonl: object 2: modified: must be precise to the millisecond (e.g. 2016-05-12T08:17:27.000Z)
1 file (0 unreadable), 3 objects: 1 valid, 2 invalid, 6 problems
EOF
check "invalid objects: FILE: ID: PROPERTY: MESSAGE lines and summary, exit 1" '[ $rc -eq 1 ] && cmp -s "$T/o" "$T/want"'
[ $rc -eq 1 ] && cmp -s "$T/o" "$T/want" || diff "$T/want" "$T/o"

# a problem about the whole object has no PROPERTY part
printf '{"type":"location","spec_version":"2.1","id":"location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64","created":"2016-04-06T20:03:00.000Z","modified":"2016-04-06T20:03:00.000Z"}' > "$T/loc.json"
"$BIN" stix validate -q "$T/loc.json" > "$T/o"; rc=$?
check "whole-object problem: FILE: ID: MESSAGE" '[ $rc -eq 1 ] && [ "$(cat "$T/o")" = "$T/loc.json: location--a6e9345f-5a15-4c29-8bb3-7dcc5d168d64: a location needs region, country, or latitude and longitude" ]'

# not JSON: line and column, nothing checked from that file
printf '{"type":"bundle","objects":[\n  %s,\n  {"a":"b\\q"}]}\n' "$IND" > "$T/broken.json"
"$BIN" stix validate "$T/broken.json" > "$T/o"; rc=$?
check "malformed JSON: FILE: line, column: reason, exit 1" '[ $rc -eq 1 ] && [ "$(head -n 1 "$T/o")" = "$T/broken.json: line 3, column 10: invalid escape in string (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t, \\uXXXX)" ] && grep -q "0 objects: 0 valid, 0 invalid, 1 problems" "$T/o"'

# more than 32 problems: 32 printed, the rest counted
{
    printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"p","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"' "$ID"
    i=0
    while [ $i -lt 40 ]; do printf ',"x_l%d":[]' $i; i=$((i + 1)); done
    printf '}\n'
} > "$T/many.json"
"$BIN" stix validate "$T/many.json" > "$T/o"; rc=$?
check "40 problems: 32 lines, then '8 more problems'" '[ $rc -eq 1 ] && [ "$(grep -c ": lists must not be empty" "$T/o")" -eq 32 ] && grep -q "^$T/many.json: $ID: 8 more problems$" "$T/o" && grep -q "40 problems$" "$T/o"'

# unreadable files: exit 2 even when others are fine or invalid
"$BIN" stix validate "$T/one.json" "$T/nonexistent.json" "$T/bad.jsonl" > "$T/o" 2> "$T/e"; rc=$?
check "unreadable file: message on stderr, the others still checked, exit 2" '[ $rc -eq 2 ] && grep -q "nonexistent.json: cannot open: No such file or directory" "$T/e" && grep -q "^3 files (1 unreadable), 4 objects: 2 valid, 2 invalid, 6 problems$" "$T/o"'
"$BIN" stix validate "$T" > /dev/null 2> "$T/e"; rc=$?
check "a directory is unreadable: exit 2" '[ $rc -eq 2 ] && [ -s "$T/e" ]'

# compressed input: the same reader as ais detect (gzip and zstd by content)
"$BIN" ais detect -f stix "$ROOT/data/ais/exactearth-2012.txt.zst" 2>/dev/null > "$T/ee.json"
gzip -c "$T/ee.json" > "$T/ee.gz"; zstd -q -c "$T/ee.json" > "$T/ee.zst"
"$BIN" stix validate "$T/ee.gz" "$T/ee.zst" > "$T/o" 2> "$T/e"; rc=$?
check "gzip and zstd STIX files validate like the plain one (exit 0)" \
      '[ $rc -eq 0 ] && grep -q "^2 files (0 unreadable), 86 objects: 86 valid, 0 invalid, 0 problems$" "$T/o"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
