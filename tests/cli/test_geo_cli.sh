#!/bin/sh
# test_geo_cli.sh - `alidade ais detect` with operator geography and CSV
# input, as a user runs it: --shore builtin (the bundled Natural Earth 1:50m
# land) gives a known distance off Sydney Heads, no --shore gives null,
# --anchorages from a GFW-style CSV suppresses an encounter at an anchorage,
# --land, gzip'd operator files, CSV positions (decode's own CSV and AMSA's
# headerless drift candidates) with bad rows counted, and bad options.
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$ROOT/data/ais
SHARED=${ALD_SHARED_DATA:-$ROOT/../shared/data}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }
# the number after "key": in the first line of file $2 (empty when null)
num() { sed -n "1s/.*\"$1\":\([-0-9.]*\).*/\1/p" "$2"; }
# true when $1 is within [$2, $3]
between() { awk -v v="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(v != "" && v >= a && v <= b) }'; }

# A vessel 5 km east of Sydney Heads (North Head is at 151.30 E), silent
# for 8 h: a gap event whose start is that far from shore.
cat > "$T/sydney.csv" <<'EOF'
mmsi,time,lat,lon,sog,cog,heading,nav_status,type
503123456,2024-03-01T00:00:00Z,-33.8300,151.3500,0.1,,,1,1
503123456,2024-03-01T00:09:00Z,-33.8300,151.3500,0.1,,,1,1
503123456,2024-03-01T08:09:00Z,-33.8300,151.3500,0.1,,,1,1
EOF
"$BIN" ais detect --shore builtin "$T/sydney.csv" > "$T/o" 2> "$T/e"; rc=$?
d=$(grep '"event":"gap"' "$T/o" | head -n 1 > "$T/g"; num shore_km "$T/g")
check "--shore builtin: gap off Sydney Heads is 4-7 km from shore (got $d)" \
      '[ $rc -eq 0 ] && between "$d" 4 7'
"$BIN" ais detect "$T/sydney.csv" > "$T/o" 2> "$T/e"
check "without --shore, shore_km is null (unknown, not guessed)" \
      'grep "\"event\":\"gap\"" "$T/o" | grep -q "\"shore_km\":null"'
# 60 km out to sea east of Sydney: the coast is at 151.3 E
sed 's/151.3500/152.0000/' "$T/sydney.csv" > "$T/off.csv"
"$BIN" ais detect --shore builtin "$T/off.csv" > "$T/o" 2> "$T/e"
d=$(grep '"event":"gap"' "$T/o" | head -n 1 > "$T/g"; num shore_km "$T/g")
check "--shore builtin: 0.65 degrees further out is 60-70 km (got $d)" 'between "$d" 60 70'

# a coastline of the operator's own, gzip'd: the meridian 151 E
printf '{"type":"LineString","coordinates":[[151,-35],[151,-33]]}' | gzip > "$T/coast.geojson.gz"
"$BIN" ais detect --shore "$T/coast.geojson.gz" "$T/sydney.csv" > "$T/o" 2> "$T/e"
d=$(grep '"event":"gap"' "$T/o" | head -n 1 > "$T/g"; num shore_km "$T/g")
check "--shore FILE.gz (own coastline): 0.35 degrees east of 151 E at 33.83 S is 32.3 km" \
      '[ "$d" = "32.3" ]'

# Two vessels side by side for 3 h, slow, 100 km off the coast: an
# encounter, unless an anchorage lies within 10 km.
awk 'BEGIN { print "mmsi,time,lat,lon,sog,cog,heading,nav_status,type";
             for (i = 0; i <= 20; i++) {
               t = 1709251200 + i * 540;
               printf "503000001,%d,-34.5000,152.5000,0.5,,,0,1\n", t;
               printf "503000002,%d,-34.5005,152.5005,0.5,,,0,1\n", t } }' > "$T/meet.csv"
"$BIN" ais detect "$T/meet.csv" > "$T/o" 2> "$T/e"
check "two slow vessels together 3 h: one encounter (anchorage distance unknown)" \
      '[ "$(grep -c "\"event\":\"encounter\"" "$T/o")" -eq 1 ] && grep -q "anchorage distance unknown" "$T/o"'
cat > "$T/anch.csv" <<'EOF'
s2id,lat,lon,label,sublabel,label_source,iso3
6b1,-34.5200,152.5000,"OFFSHORE, TEST",,manual,AUS
6b2,-32.0569,115.7439,FREMANTLE,,manual,AUS
EOF
"$BIN" ais detect --anchorages "$T/anch.csv" "$T/meet.csv" > "$T/o" 2> "$T/e"; rc=$?
check "--anchorages CSV: the same encounter 2.2 km from an anchorage is not reported" \
      '[ $rc -eq 0 ] && ! grep -q "\"event\":\"encounter\"" "$T/o"'
sed 's/-34.5200,152.5000/-34.7000,152.5000/' "$T/anch.csv" > "$T/anch2.csv"
"$BIN" ais detect --anchorages "$T/anch2.csv" "$T/meet.csv" > "$T/o" 2> "$T/e"
check "--anchorages CSV: 22 km away it is reported, without the unknown note" \
      '[ "$(grep -c "\"event\":\"encounter\"" "$T/o")" -eq 1 ] && ! grep -q "anchorage distance unknown" "$T/o"'

# land: a position inland (Canberra area) is "on land" with the builtin land
printf 'mmsi,time,lat,lon\n503123457,2024-03-01T00:00:00Z,-35.3,149.1\n503123457,2024-03-01T00:09:00Z,-35.3,149.1\n' > "$T/land.csv"
"$BIN" ais detect --shore builtin "$T/land.csv" > "$T/o" 2> "$T/e"
check "--shore builtin alone is no land mask (river ports): no on-land event" \
      '! grep -q "position on land" "$T/o"'
"$BIN" ais detect --shore builtin --land builtin "$T/land.csv" > "$T/o" 2> "$T/e"
check "--land builtin: a fix 120 km inland is reported on land" \
      'grep -q "position on land" "$T/o"'
"$BIN" ais detect --shore builtin --land builtin "$T/sydney.csv" > "$T/o" 2> "$T/e"
check "... and a fix at sea off Sydney is not" '! grep -q "position on land" "$T/o"'
printf '{"type":"Polygon","coordinates":[[[149,-36],[150,-36],[150,-35],[149,-35],[149,-36]]]}' > "$T/box.geojson"
"$BIN" ais detect --land "$T/box.geojson" --land-margin 0 "$T/land.csv" > "$T/o" 2> "$T/e"
check "--land FILE: the operator's polygon is the land mask" 'grep -q "position on land" "$T/o"'

# CSV input: the same events as the NMEA it was written from
"$BIN" ais detect --shore builtin "$DATA/exactearth-2012.txt.zst" > "$T/n.json" 2> /dev/null
"$BIN" ais decode -f csv "$DATA/exactearth-2012.txt.zst" > "$T/p.csv"
"$BIN" ais detect --shore builtin "$T/p.csv" > "$T/c.json" 2> "$T/e"; rc=$?
check "decode's CSV in, same events as from the NMEA (exit 0)" \
      '[ $rc -eq 0 ] && [ -s "$T/n.json" ] && cmp -s "$T/n.json" "$T/c.json"'
check "CSV summary counts rows and skips base stations and positionless rows" \
      'grep -q "^csv rows 2979, bad rows 0, skipped (no position or not a vessel report) 56$" "$T/e"'

# bad rows: reported with their line numbers, counted, never fatal
{ head -n 3 "$T/sydney.csv"; echo "50312345x,2024-03-01T01:00:00Z,-33.8,151.35,,,,,1";
  echo "503123456,yesterday,-33.8,151.35,,,,,1"; echo "503123456,2024-03-01T02:00:00Z,-95,151.35,,,,,1";
  tail -n 1 "$T/sydney.csv"; } > "$T/bad.csv"
"$BIN" ais detect "$T/bad.csv" > "$T/o" 2> "$T/e"; rc=$?
check "bad CSV rows: file:line: why, counted, exit 0, events still found" \
      '[ $rc -eq 0 ] && grep -q "bad.csv:4: bad mmsi" "$T/e" && grep -q "bad.csv:5: bad or missing time" "$T/e" && grep -q "bad.csv:6: bad lat/lon" "$T/e" && grep -q "csv rows 6, bad rows 3" "$T/e" && grep -q "\"event\":\"gap\"" "$T/o"'

# a spreadsheet's CSV on stdin: byte order mark, CRLF, MarineCadastre names
printf '\357\273\277MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading\r\n503123456,2024-03-01T00:00:00,-33.83,151.35,0.1,,\r\n503123456,2024-03-01T08:00:00,-33.83,151.35,0.1,,\r\n' |
    "$BIN" ais detect > "$T/o" 2> "$T/e"
check "CSV on stdin with a BOM, CRLF and MarineCadastre column names" \
      'grep -q "csv rows 2, bad rows 0" "$T/e" && grep -q "\"event\":\"gap\"" "$T/o"'

# AMSA's headerless drift candidates (mmsi,lat,lon,epoch ms,class,...)
if [ -f "$SHARED/ais/amsa-risky/drift-candidates.txt" ]; then
    "$BIN" ais detect --shore builtin "$SHARED/ais/amsa-risky/drift-candidates.txt" > "$T/o" 2> "$T/e"; rc=$?
    check "AMSA drift candidates: 5 rows, 2 vessels, one long gap off Vietnam far from shore" \
          '[ $rc -eq 0 ] && grep -q "csv rows 5, bad rows 0" "$T/e" && grep -q "fixes 5, vessels 1" "$T/e" && grep -q "\"mmsi\":111667988" "$T/o"'
else
    echo "ok - skipped: AMSA drift candidates absent (../shared/data)"
    pass=$((pass + 1))
fi

# bad options and files
"$BIN" ais detect --shore "$T/nope.geojson" < /dev/null > /dev/null 2> "$T/e"; rc=$?
check "--shore with a missing file exits 2 and says why" '[ $rc -eq 2 ] && grep -q "nope.geojson: cannot open" "$T/e"'
"$BIN" ais detect --land "$T/anch.csv" < /dev/null > /dev/null 2> "$T/e"; rc=$?
check "--land with points only exits 2 (no polygons)" '[ $rc -eq 2 ] && grep -q "no polygons" "$T/e"'
printf '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0.5]]]}' > "$T/open.geojson"
"$BIN" ais detect --shore "$T/open.geojson" < /dev/null > /dev/null 2> "$T/e"; rc=$?
check "--shore with an unclosed ring exits 2 naming feature and ring" \
      '[ $rc -eq 2 ] && grep -q "feature 0: ring 0 is not closed" "$T/e"'
ALIDADE_DATA=$T "$BIN" ais detect --shore builtin < /dev/null > /dev/null 2> "$T/e"; rc=$?
check "--shore builtin with ALIDADE_DATA elsewhere exits 2 and names the file" \
      '[ $rc -eq 2 ] && grep -q "ne-land-50m.geojson.zst not found" "$T/e"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
