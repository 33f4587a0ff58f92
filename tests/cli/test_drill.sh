#!/bin/sh
# test_drill.sh - `alidade drill generate` as a user runs it: help, usage
# errors and exit statuses, the four output files, determinism, stdout mode,
# --positions, --no-events, and the round trip through `alidade ais detect`:
# the detector finds exactly the planted events of truth.jsonl (kind and
# MMSI; the exact times and positions are checked in tests/sim/test_scenario.c).
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

# help and usage errors
"$BIN" drill > "$T/o" 2> "$T/e"; rc=$?
check "drill without a subcommand exits 2 and lists generate" '[ $rc -eq 2 ] && grep -q "^  generate" "$T/e"'
"$BIN" drill --help > "$T/o" 2>&1; rc=$?
check "drill --help exits 0 and lists generate" '[ $rc -eq 0 ] && grep -q "^  generate" "$T/o"'
"$BIN" help drill > "$T/o" 2>&1; rc=$?
check "help drill works too" '[ $rc -eq 0 ] && grep -q "generate" "$T/o"'
"$BIN" drill generate --help > "$T/o" 2>&1; rc=$?
check "drill generate --help exits 0 and documents its options" '[ $rc -eq 0 ] && grep -q -- "--seed" "$T/o" && grep -q -- "--vessels" "$T/o" && grep -q -- "--hours" "$T/o" && grep -q -- "--positions" "$T/o" && grep -q -- "--no-events" "$T/o" && grep -q -- "--out" "$T/o"'
"$BIN" drill frobnicate > /dev/null 2> "$T/e"; rc=$?
check "unknown drill subcommand exits 2" '[ $rc -eq 2 ] && grep -q "unknown subcommand" "$T/e"'
"$BIN" drill generate > /dev/null 2> "$T/e"; rc=$?
check "generate without --out exits 2 and says why" '[ $rc -eq 2 ] && grep -q -- "--out DIR or --out -" "$T/e"'
"$BIN" drill generate --vessels 0 --out "$T/x" > /dev/null 2> "$T/e"; rc=$?
check "--vessels 0 exits 2" '[ $rc -eq 2 ] && grep -q "bad --vessels" "$T/e" && [ ! -e "$T/x" ]'
"$BIN" drill generate --hours abc --out - > /dev/null 2> "$T/e"; rc=$?
check "--hours abc exits 2" '[ $rc -eq 2 ] && grep -q "bad --hours" "$T/e"'
"$BIN" drill generate --out "$T/no/such/dir" > /dev/null 2> "$T/e"; rc=$?
check "an output directory that cannot be created exits 2" '[ $rc -eq 2 ] && grep -q "cannot create" "$T/e"'
"$BIN" drill generate --out "$T/y" --truth "$T/t" > /dev/null 2> "$T/e"; rc=$?
check "--truth without --out - exits 2" '[ $rc -eq 2 ]'

# a scenario
"$BIN" drill generate --seed 11 --out "$T/d" 2> "$T/e"; rc=$?
check "generate --out DIR exits 0 and writes four files" '[ $rc -eq 0 ] && [ -s "$T/d/scenario.nmea" ] && [ -s "$T/d/truth.jsonl" ] && [ -s "$T/d/zones.geojson" ] && [ -s "$T/d/coast.geojson" ]'
check "the summary counts vessels, positions, sentences and events" 'grep -q "^vessels 60, positions [0-9]*, static reports [0-9]*, sentences [0-9]*, .* planted events 9;" "$T/e"'
n=$(wc -l < "$T/d/truth.jsonl")
check "truth.jsonl holds the 9 planted events" '[ "$n" -eq 9 ]'
re='^\\s:drill,c:[0-9]{10}(,g:[12]-2-[0-9]+)?\*[0-9A-F]{2}\\!AIVDM,[12],[12],[0-9]?,[AB],[0-9:;<=>?@A-W`a-w]+,[0-5]\*[0-9A-F]{2}$'
check "every scenario line is a tag block and an !AIVDM sentence" '! grep -Ev "$re" "$T/d/scenario.nmea" | grep -q .'
"$BIN" drill generate --seed 11 --out "$T/d2" -q 2> "$T/e"; rc=$?
check "same seed, same bytes; -q prints nothing" '[ $rc -eq 0 ] && cmp -s "$T/d/scenario.nmea" "$T/d2/scenario.nmea" && cmp -s "$T/d/truth.jsonl" "$T/d2/truth.jsonl" && [ ! -s "$T/e" ]'
"$BIN" drill generate --seed 11 --out - --truth "$T/t.jsonl" -q > "$T/stdout.nmea"; rc=$?
check "--out - writes the same NMEA to stdout, --truth the same truth" '[ $rc -eq 0 ] && cmp -s "$T/d/scenario.nmea" "$T/stdout.nmea" && cmp -s "$T/d/truth.jsonl" "$T/t.jsonl"'
"$BIN" drill generate --seed 12 --out - -q | cmp -s - "$T/d/scenario.nmea"; rc=$?
check "another seed, other bytes" '[ $rc -ne 0 ]'

# ais detect finds the truth: the same (event, mmsi) pairs, nothing else
geo=""
if "$BIN" ais detect --help 2>&1 | grep -q -- "--shore"; then
    geo="--shore $T/d/coast.geojson --anchorages $T/d/coast.geojson"
fi
# shellcheck disable=SC2086
"$BIN" ais detect -q --zones "$T/d/zones.geojson" $geo "$T/d/scenario.nmea" > "$T/ev.jsonl"; rc=$?
pairs() { sed 's/^{"event":"\([a-z_]*\)","mmsi":\([0-9]*\).*/\1 \2/' "$1" | sort; }
pairs "$T/d/truth.jsonl" > "$T/want"
pairs "$T/ev.jsonl" > "$T/got"
check "ais detect finds exactly the planted events (kind and MMSI)" '[ $rc -eq 0 ] && cmp -s "$T/want" "$T/got"'
if [ -n "$geo" ]; then
    check "with the scenario's coast, the gap is a likely disabling" 'grep "^{\"event\":\"gap\"" "$T/ev.jsonl" | grep -q "\"likely_disabling\":true"'
else
    echo "ok - (pending: ais detect has no --shore yet; likely_disabling checked in test_scenario)"
fi

# the same with the real Natural Earth coastline and land mask: the scenario
# lies in open Atlantic, so nothing changes (and nothing is "on land")
if "$BIN" ais detect --help 2>&1 | grep -q "builtin"; then
    "$BIN" ais detect -q --zones "$T/d/zones.geojson" --shore builtin "$T/d/scenario.nmea" > "$T/ev2.jsonl"; rc=$?
    pairs "$T/ev2.jsonl" > "$T/got2"
    check "with --shore builtin (real land), still exactly the planted events" '[ $rc -eq 0 ] && cmp -s "$T/want" "$T/got2" && grep "^{\"event\":\"gap\"" "$T/ev2.jsonl" | grep -q "\"likely_disabling\":true"'
else
    echo "ok - (pending: ais detect has no --shore builtin yet)"
fi

# normal traffic only
"$BIN" drill generate --no-events --vessels 200 --hours 24 --out "$T/n" -q; rc=$?
"$BIN" ais detect -q --zones "$T/n/zones.geojson" "$T/n/scenario.nmea" > "$T/nev.jsonl"
check "--no-events: empty truth, and ais detect reports nothing" '[ $rc -eq 0 ] && [ ! -s "$T/n/truth.jsonl" ] && [ ! -s "$T/nev.jsonl" ]'

# --positions: exactly that many position reports, then stop
"$BIN" drill generate --vessels 1000 --positions 5000 --out - 2> "$T/e" > "$T/p.nmea"; rc=$?
check "--positions 5000 stops after 5000 position reports" '[ $rc -eq 0 ] && grep -q "positions 5000," "$T/e"'
np=$("$BIN" ais decode -f csv "$T/p.nmea" | tail -n +2 | wc -l)
check "... and the file decodes to 5000 positions" '[ "$np" -eq 5000 ]'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
