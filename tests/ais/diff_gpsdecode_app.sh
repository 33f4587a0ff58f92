#!/bin/sh
# diff_gpsdecode_app.sh - differential check of AIS types 6 and 8 (DAC/FI
# application payloads) against gpsd's gpsdecode 3.27.5.
#
# For every capture (default: all of ../shared/data/ais, .gz included), the
# !xxVDM/!xxVDO sentences are extracted (gpsdecode does not understand tag
# blocks or trailing fields), both decoders read the same sentences, and
# every type 6 and 8 JSON line must be equal, scaled (-j) and unscaled
# (-u -j). gpsd ends lines with CRLF; the CR is dropped.
#
# Lines that differ only by our deliberate fixes of gpsd's invalid JSON are
# counted apart (see lib/ais/app_json.c):
#   - DAC 1 FI 19: gpsd's missing comma before "nextsignal_text" and its
#     unescaped quotes in signal legends;
#   - DAC 200 FI 21/22/24: six-bit text printed by gpsd without escaping.
#
# usage: tests/ais/diff_gpsdecode_app.sh [--synthetic N] [FILE...]
#   --synthetic N  also check N rounds of random payloads for every DAC/FI
#                  gpsd decodes, at the lengths that matter (needs python3)
# env: GPSDECODE (default /tmp/gpsdecode327), ALD_BIN (default
#      build/src/alidade), ALD_SHARED_DATA (default ../shared/data)
# Exit status: 0 all equal, 1 differences, 77 skipped (no gpsdecode).
set -u

here=$(cd "$(dirname "$0")/../.." && pwd)
gpsdecode=${GPSDECODE:-/tmp/gpsdecode327}
alidade=${ALD_BIN:-$here/build/src/alidade}
data=${ALD_SHARED_DATA:-$here/../shared/data}/ais
synthetic=0
if [ "${1:-}" = "--synthetic" ]; then
    synthetic=$2
    shift 2
fi

if [ ! -x "$gpsdecode" ]; then
    echo "skipped: $gpsdecode not found" >&2
    exit 77
fi
if [ ! -x "$alidade" ]; then
    echo "error: $alidade not built" >&2
    exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# fixes applied to gpsd's lines / ours before the second comparison
fix_gpsd='s/("nextsignal":[0-9]+)"/\1,"/
s/"(I|O)" in due time/\\"\1\\" in due time/g
s/"(in-bound|out-bound)" only/\\"\1\\" only/g
s/both "in- and out-bound"/both \\"in- and out-bound\\"/g'
unescape_inland='/"dac":200,"fid":(21|22|24),/{
s/\\\\/\x01/g
s/\\"/"/g
s/\x01/\\/g
}'

total=0 same=0 deliberate=0 bad=0

# compare FILE LABEL: one capture, both modes
compare() {
    for mode in scaled unscaled; do
        if [ $mode = scaled ]; then gopt="-j"; aopt=""; else gopt="-u -j"; aopt="-u"; fi
        # shellcheck disable=SC2086
        "$gpsdecode" $gopt < "$1" 2>/dev/null | tr -d '\r' |
            grep -E '^\{"class":"AIS",[^}]*"type":(6|8),' > "$tmp/g" || true
        # shellcheck disable=SC2086
        "$alidade" ais decode $aopt "$1" 2>/dev/null |
            grep -E '^\{"class":"AIS",[^}]*"type":(6|8),' > "$tmp/a" || true
        ng=$(wc -l < "$tmp/g")
        na=$(wc -l < "$tmp/a")
        if [ "$ng" -ne "$na" ]; then
            echo "$2 ($mode): gpsdecode printed $ng type 6/8 messages, alidade $na"
            diff "$tmp/g" "$tmp/a" | head -6
            bad=$((bad + 1))
            continue
        fi
        sed -E "$fix_gpsd" "$tmp/g" > "$tmp/g2"
        sed -E "$unescape_inland" "$tmp/a" > "$tmp/a2"
        paste -d '\n' "$tmp/g" "$tmp/a" "$tmp/g2" "$tmp/a2" > "$tmp/p"
        # shellcheck disable=SC2046
        set -- "$1" "$2" $(awk -v label="$2 ($mode)" '
            NR % 4 == 1 { g = $0 } NR % 4 == 2 { a = $0 } NR % 4 == 3 { g2 = $0 }
            NR % 4 == 0 {
                n++
                if (g == a) s++
                else if (g2 == $0) d++
                else {
                    b++
                    if (b <= 3) printf "%s: differs\n gpsdecode: %s\n alidade:   %s\n", label, g, a > "/dev/stderr"
                }
            }
            END { print n + 0, s + 0, d + 0, b + 0 }' "$tmp/p")
        total=$((total + $3)); same=$((same + $4))
        deliberate=$((deliberate + $5)); bad=$((bad + $6))
        set -- "$1" "$2"
    done
}

# sentences FILE: the AIS sentences of a capture, one per line
sentences() {
    case $1 in
    *.gz) gzip -dc "$1" ;;
    *) cat "$1" ;;
    esac | grep -aoE '![A-Z]{2}VD[MO],[^*]*\*[0-9A-Fa-f]{2}' || true
}

if [ $# -eq 0 ]; then
    if [ ! -d "$data" ]; then
        echo "skipped: $data not found" >&2
        exit 77
    fi
    set -- $(find "$data" -type f ! -name '*.md' ! -name '*.chk' ! -name '*.csv' \
             ! -name '*.json' | sort)
fi

n=0
for f in "$@"; do
    n=$((n + 1))
    sentences "$f" > "$tmp/in.$n"
    compare "$tmp/in.$n" "${f#"$data"/}"
done

if [ "$synthetic" -gt 0 ]; then
    python3 - "$synthetic" > "$tmp/syn" <<'EOF'
import random, sys
random.seed(1)
SIX = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"
def u(v, w): return format(v & ((1 << w) - 1), '0%db' % w)
def rbits(n): p = random.choice((0.1, 0.5, 0.9)); return ''.join('1' if random.random() < p else '0' for _ in range(n))
def cks(s):
    c = 0
    for ch in s: c ^= ord(ch)
    return '%02X' % c
def emit(bits, seq):
    pad = -len(bits) % 6
    bits += '0' * pad
    text = ''.join(chr(v + 48 if v < 40 else v + 56) for v in (int(bits[i:i + 6], 2) for i in range(0, len(bits), 6)))
    parts = [text[i:i + 60] for i in range(0, len(text), 60)]
    for i, part in enumerate(parts):
        body = 'AIVDM,%d,%d,%s,A,%s,%d' % (len(parts), i + 1, seq if len(parts) > 1 else '', part, pad if i == len(parts) - 1 else 0)
        print('!%s*%s' % (body, cks(body)))
# (dac, fid, lengths that select a layout); plus random lengths for each
T6 = [(200, 21, [248]), (200, 22, [232]), (200, 55, [168]), (235, 10, [136]), (250, 10, [136]),
      (1, 12, []), (1, 14, []), (1, 15, []), (1, 16, [224]), (1, 18, []), (1, 20, []), (1, 25, []),
      (1, 28, []), (1, 30, []), (1, 32, [])]
T8 = [(1, 11, []), (1, 13, []), (1, 15, []), (1, 16, [192, 128]), (1, 17, []), (1, 19, []), (1, 27, []),
      (1, 29, []), (1, 31, []), (200, 10, [168]), (200, 23, [256]), (200, 24, [168]), (200, 40, [168])]
for r in range(int(sys.argv[1])):
    seq = str(r % 10)
    for dac, fid, lens in T6:
        for n in lens + [random.randint(88, 1008), random.choice((88, 98, 100, 185, 1008))]:
            emit(u(6, 6) + rbits(66) + u(dac, 10) + u(fid, 6) + rbits(n - 88), seq)
    for dac, fid, lens in T8:
        for n in lens + [random.randint(56, 1008), random.choice((56, 66, 178, 300, 1008))]:
            emit(u(8, 6) + rbits(34) + u(dac, 10) + u(fid, 6) + rbits(n - 56), seq)
EOF
    compare "$tmp/syn" "synthetic"
fi

echo "type 6/8 messages compared (scaled + unscaled): $total; identical: $same;" \
     "deliberate JSON fixes: $deliberate; other differences: $bad"
[ "$bad" -eq 0 ]
