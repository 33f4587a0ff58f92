#!/bin/sh
# gen_gpsd_expected.sh - regenerates tests/data/ais/gpsd327/*.json.zst: what
# gpsd's own decoder prints (gpsdecode -j, gpsd 3.27.5) for every real AIS
# capture in ../shared/data/ais that we may redistribute (aisdb is AGPL: left
# out). tests/ais/test_gpsd_corpus.c checks that alidade prints every one of
# those messages, in order, byte for byte.
#
# usage: tests/ais/gen_gpsd_expected.sh [GPSDECODE]   (default: gpsdecode)
# gpsd 3.27.5 is Debian sid's gpsd-clients; on bookworm run it with sid's
# libc through its own loader. Two normalisations: CRLF -> LF, and gpsd
# 3.27.5's missing comma after "status_text" in scaled type 27 (a bug fixed
# in gpsd's tree) is restored.
set -eu
gd=${1:-gpsdecode}
here=$(cd "$(dirname "$0")/../.." && pwd)
shared=${ALD_SHARED_DATA:-$here/../shared/data}
out=$here/tests/data/ais/gpsd327
mkdir -p "$out"
"$gd" -V 2>&1 | grep -q '3\.27' || { echo "need gpsdecode 3.27, got: $("$gd" -V 2>&1)" >&2; exit 1; }
for f in "$shared"/ais/gpsd/*.log "$shared"/ais/gpsd/sample.aivdm \
         "$shared"/ais/libais/test.aivdm "$shared"/ais/pyais/* \
         "$shared"/ais/gfw-ais-tools/*.nmea "$shared"/ais/amsa-risky/*.txt \
         "$shared"/ais/amsa-risky/ais.txt.gz; do
    case $f in *drift-candidates*|*.chk) continue ;; esac
    rel=${f#"$shared"/ais/}
    name=$(echo "$rel" | tr '/' '_')
    case $f in
        *.gz) zcat "$f" ;;
        *) cat "$f" ;;
    esac | "$gd" -j 2>/dev/null | tr -d '\r' | grep '^{"class":"AIS"' |
        sed 's/"status_text":"\([^"]*\)""accuracy"/"status_text":"\1","accuracy"/' |
        zstd -q -19 -f -o "$out/$name.json.zst"
    echo "$rel: $(zstd -dc "$out/$name.json.zst" | wc -l) messages"
done
