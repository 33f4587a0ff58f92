#!/bin/sh
# test_cli.sh - the `alidade` command as a user runs it: help and version,
# every input form (file, stdin, gzip, zstd, several files), output formats,
# statistics, exit statuses, --strict, an oversize line and unreadable input.
# Uses the bundled real captures in data/ (always present in the repo).
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA=$ROOT/data/ais
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

# help, version, usage errors
"$BIN" --version > "$T/v" 2>&1; check "--version prints the version" 'grep -q "^alidade [0-9]" "$T/v"'
"$BIN" help > "$T/h" 2>&1; check "help lists the ais command" 'grep -q "ais" "$T/h"'
"$BIN" ais decode --help > "$T/h" 2>&1; rc=$?
check "ais decode --help exits 0 and documents --strict" '[ $rc -eq 0 ] && grep -q -- "--strict" "$T/h"'
"$BIN" frobnicate > /dev/null 2>&1; rc=$?
check "unknown command exits 2" '[ $rc -eq 2 ]'
"$BIN" ais decode --format xml < /dev/null > /dev/null 2>&1; rc=$?
check "unknown format exits 2" '[ $rc -eq 2 ]'

# gzip and zstd are read by content; stdin works the same as a file
"$BIN" ais decode --stats "$DATA/amsa-feed.txt.gz" > "$T/gz.json" 2> "$T/err"; rc=$?
n=$(wc -l < "$T/gz.json")
# 32501 decoded, of which 220 type 24 parts A or B without their other half
# (printed only merged, as gpsdecode does)
check "gzip capture decodes (32281 messages printed, exit 0 despite bad lines)" '[ $rc -eq 0 ] && [ "$n" -eq 32281 ] && grep -q "messages 32501," "$T/err"'
zcat "$DATA/amsa-feed.txt.gz" | "$BIN" ais decode > "$T/stdin.json"
check "stdin gives the same output as the file" 'cmp -s "$T/gz.json" "$T/stdin.json"'
"$BIN" ais decode "$DATA/exactearth-2012.txt.zst" > "$T/zst.json"; rc=$?
n=$(wc -l < "$T/zst.json")
check "zstd capture decodes (3940 messages: 3942 less two unpaired type 24 parts)" '[ $rc -eq 0 ] && [ "$n" -eq 3940 ]'
check "every output line is a gpsd AIS object" '! grep -v "^{\"class\":\"AIS\",\"device\":\"stdin\",\"type\":" "$T/zst.json" | grep -q .'

# two files: counts add up, no multipart message spans them
"$BIN" ais decode -f none --stats "$DATA/exactearth-2012.txt.zst" "$DATA/exactearth-2012.txt.zst" 2> "$T/st"
check "--stats over two files counts both" 'grep -q "messages 7884" "$T/st"'
check "--stats prints counts per type and per source" 'grep -q "messages by type" "$T/st" && grep -q "type 5 " "$T/st" && grep -q "messages by source" "$T/st"'

# --meta: receive time from $PGHP, channel, input line
"$BIN" ais decode --meta "$DATA/exactearth-2012.txt.zst" | head -n 1 > "$T/m"
check "--meta adds rxtime, line and channel" 'grep -q "\"rxtime\":\"2012-01-31T05:07:15.972Z\",\"line\":4,\"channel\":\"B\"}$" "$T/m"'

# CSV
"$BIN" ais decode -f csv "$DATA/exactearth-2012.txt.zst" > "$T/p.csv"
check "CSV has the header and one row per position report" '[ "$(head -n 1 "$T/p.csv")" = "mmsi,time,lat,lon,sog,cog,heading,nav_status,type" ] && [ "$(wc -l < "$T/p.csv")" -gt 2900 ]'

# unscaled, device
printf '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n' | "$BIN" ais decode -u --device '' > "$T/u"
check "-u prints raw integers, --device '' drops the member" 'grep -q "^{\"class\":\"AIS\",\"type\":1,\"repeat\":0,\"mmsi\":371798000,\"scaled\":false,\"status\":0,\"status_text\":\"Under way using engine\",\"turn\":-127,\"speed\":123," "$T/u"'

# bad input: counted, reported with -v, fatal with --strict
printf '!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B\n!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n' > "$T/bad.nmea"
"$BIN" ais decode -v "$T/bad.nmea" > "$T/o" 2> "$T/e"; rc=$?
check "a bad checksum is reported as file:line:col and the run goes on" '[ $rc -eq 0 ] && [ "$(wc -l < "$T/o")" -eq 1 ] && grep -q "bad.nmea:1:45: NMEA_CHECKSUM: checksum mismatch" "$T/e"'
"$BIN" ais decode --strict "$T/bad.nmea" > "$T/o" 2> "$T/e"; rc=$?
check "--strict stops at the first bad line with exit 3" '[ $rc -eq 3 ] && [ ! -s "$T/o" ] && grep -q "NMEA_CHECKSUM" "$T/e"'

# an oversize line is counted and skipped, the next line still decodes
{ head -c 70000 /dev/zero | tr '\0' 'A'; printf '\n!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\n'; } > "$T/long.nmea"
"$BIN" ais decode --stats "$T/long.nmea" > "$T/o" 2> "$T/e"; rc=$?
check "a 70 kB line is NMEA_TOO_LONG and the next line decodes" '[ $rc -eq 0 ] && [ "$(wc -l < "$T/o")" -eq 1 ] && grep -q "NMEA_TOO_LONG *1" "$T/e"'

# unreadable and corrupt input
"$BIN" ais decode "$T/does-not-exist" > /dev/null 2> "$T/e"; rc=$?
check "a missing file exits 2 and says why" '[ $rc -eq 2 ] && grep -q "does-not-exist: cannot open: No such file" "$T/e"'
head -c 2000 "$DATA/amsa-feed.txt.gz" > "$T/cut.gz"
"$BIN" ais decode "$T/cut.gz" > "$T/o" 2> "$T/e"; rc=$?
check "a truncated gzip file decodes what it has, then says it is truncated (exit 2)" '[ $rc -eq 2 ] && [ -s "$T/o" ] && grep -q "cut.gz: truncated gzip data" "$T/e"'
zstd -q -c "$DATA/../../README.md" | head -c 300 > "$T/cut.zst"
"$BIN" ais decode "$T/cut.zst" > "$T/o" 2> "$T/e"; rc=$?
check "a truncated zstd file exits 2 and says so" '[ $rc -eq 2 ] && grep -q "cut.zst: truncated zstd data" "$T/e"'
printf '\037\213garbage-not-deflate\n' > "$T/junk.gz"
"$BIN" ais decode "$T/junk.gz" > "$T/o" 2> "$T/e"; rc=$?
check "corrupt gzip data exits 2 with a message" '[ $rc -eq 2 ] && grep -q "corrupt gzip data" "$T/e"'

# ais detect: every threshold is an option, checked
"$BIN" ais detect --help > "$T/h"; rc=$?
check "ais detect --help lists every threshold (25 options with defaults)" \
      '[ $rc -eq 0 ] && [ "$(grep -cE "^      --[a-z-]+ (H|KM|NM|KN|N|S|MIN) +.*\([0-9.]+\)$" "$T/h")" -eq 25 ]'
"$BIN" ais detect --gap-hours abc "$DATA/exactearth-2012.txt.zst" > "$T/o" 2> "$T/e"; rc=$?
check "ais detect --gap-hours abc exits 2 naming the option" '[ $rc -eq 2 ] && grep -q -- "--gap-hours wants a positive number" "$T/e"'
"$BIN" ais detect --loiter-kn -1 "$DATA/exactearth-2012.txt.zst" > "$T/o" 2> "$T/e"; rc=$?
check "ais detect --loiter-kn -1 exits 2" '[ $rc -eq 2 ]'
"$BIN" ais detect "$DATA/exactearth-2012.txt.zst" > "$T/o" 2> "$T/e"
n0=$(grep -c '"event":"gap"' "$T/o")
"$BIN" ais detect --gap-hours 0.5 "$DATA/exactearth-2012.txt.zst" > "$T/o" 2> "$T/e"
n1=$(grep -c '"event":"gap"' "$T/o")
check "ais detect --gap-hours 0.5 finds satellite revisit gaps the 6 h default does not ($n0 -> $n1)" \
      '[ "$n0" -eq 0 ] && [ "$n1" -gt 0 ]'
"$BIN" ais detect --max-vessels 10 "$DATA/exactearth-2012.txt.zst" > "$T/o" 2> "$T/e"; rc=$?
check "ais detect --max-vessels 10 runs (tracker cap honoured)" '[ $rc -eq 0 ] && grep -q "vessels 10," "$T/e"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
