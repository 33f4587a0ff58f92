#!/bin/sh
# test_real_events.sh - `alidade ais detect --shore builtin` on the real
# timestamped captures gives exactly the events reviewed by hand and kept in
# tests/data/detect/<capture>.jsonl (docs/detect.md, "Real captures", says
# why each is right). The bundled exactEarth capture (data/ais) always runs;
# the others come from ../shared/data/ais and are skipped, with a message,
# when it is absent. aisdb's captures are AGPL and are not used here.
# Regenerate after a reviewed change: ALD_REGEN=1 meson test detect/test_real_events
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${ALD_SHARED_DATA:-$ROOT/../shared/data}/ais
EXP=$ROOT/tests/data/detect
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0 skip=0

one() {   # name file
    name=$1 file=$2
    if [ ! -f "$file" ]; then
        skip=$((skip + 1))
        echo "skip - $name: $file not found (shared data absent)"
        return
    fi
    "$BIN" ais detect --shore builtin "$file" > "$T/$name.jsonl" 2> "$T/$name.err"
    rc=$?
    if [ "${ALD_REGEN:-0}" = 1 ]; then
        cp "$T/$name.jsonl" "$EXP/$name.jsonl"
        tail -n 1 "$T/$name.err" > "$EXP/$name.summary"
    fi
    if [ $rc -ne 0 ]; then
        fail=$((fail + 1)); echo "FAIL - $name: exit $rc: $(tail -n 2 "$T/$name.err")"
    elif ! cmp -s "$T/$name.jsonl" "$EXP/$name.jsonl"; then
        fail=$((fail + 1)); echo "FAIL - $name: events differ from the reviewed ones:"
        diff "$EXP/$name.jsonl" "$T/$name.jsonl" | head -n 20
    elif [ "$(tail -n 1 "$T/$name.err")" != "$(cat "$EXP/$name.summary")" ]; then
        fail=$((fail + 1)); echo "FAIL - $name: summary differs: $(tail -n 1 "$T/$name.err")"
    else
        pass=$((pass + 1)); echo "ok - $name: $(wc -l < "$EXP/$name.jsonl") events as reviewed"
    fi
}

one exactearth-2012 "$ROOT/data/ais/exactearth-2012.txt.zst"
one exact-earth-augmented-2 "$SHARED/amsa-risky/exact-earth-augmented-2.txt"
one exact-earth-with-tag-block "$SHARED/amsa-risky/exact-earth-with-tag-block.txt"
one nmea-timestamped "$SHARED/amsa-risky/nmea-timestamped.txt"
one libais-test "$SHARED/libais/test.aivdm"
one gfw-type1-bad-bitcount "$SHARED/gfw-ais-tools/type1-bad-bitcount.nmea"
one gfw-multi-part "$SHARED/gfw-ais-tools/multi-part.nmea"
one gfw-mixed-types "$SHARED/gfw-ais-tools/mixed_types.nmea"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
