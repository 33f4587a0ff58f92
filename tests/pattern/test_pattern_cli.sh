#!/bin/sh
# test_pattern_cli.sh - `alidade pattern check|match` as a user (or a tool)
# runs it: help, exit status 0/1/2 for every outcome, the caret under the
# column of a syntax error, the printed observed-data (with the bundle id,
# or -<TAB>#N without an id), --json, every input shape (bundle, array of
# bundles, observed-data with embedded objects, JSON lines, stdin), data the
# reference refuses, unreadable and malformed files.
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

# help and usage
"$BIN" pattern --help > "$T/h" 2>&1; rc=$?
check "pattern --help: exit 0, documents the exit status" '[ $rc -eq 0 ] && grep -q "Exit status" "$T/h"'
"$BIN" pattern > /dev/null 2>&1; rc=$?
check "pattern without subcommand: exit 2" '[ $rc -eq 2 ]'
"$BIN" pattern frob > /dev/null 2> "$T/e"; rc=$?
check "unknown subcommand: exit 2, named" '[ $rc -eq 2 ] && grep -q "frob" "$T/e"'

# check
"$BIN" pattern check "[ipv4-addr:value = '198.51.100.1']"; rc=$?
check "check: valid pattern, exit 0" '[ $rc -eq 0 ]'
"$BIN" pattern check "[ipv4-addr:value = ]" 2> "$T/e"; rc=$?
check "check: invalid pattern, exit 2" '[ $rc -eq 2 ]'
check "check: the message gives the column" 'grep -q "column 20" "$T/e"'
check "check: the pattern is shown with a caret under the column" \
    '[ "$(sed -n 3p "$T/e")" = "                     ^" ]'
"$BIN" pattern check "[file:name MATCHES '(']" 2> "$T/e"; rc=$?
check "check: valid but unevaluable regex: exit 0 with a note" \
    '[ $rc -eq 0 ] && grep -q "note: valid, but cannot be evaluated" "$T/e"'
"$BIN" pattern check > /dev/null 2>&1; rc=$?
check "check without PATTERN: exit 2" '[ $rc -eq 2 ]'

# observations: two bundles, one observed-data each
cat > "$T/b.json" <<'EOF'
[{"type":"bundle","id":"bundle--a","objects":[
  {"type":"observed-data","id":"observed-data--a","first_observed":"2020-01-01T00:00:00Z",
   "last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["ipv4-addr--a"]},
  {"type":"ipv4-addr","id":"ipv4-addr--a","value":"198.51.100.1"}]},
 {"type":"bundle","id":"bundle--b","objects":[
  {"type":"observed-data","id":"observed-data--b","first_observed":"2020-01-01T00:01:00Z",
   "last_observed":"2020-01-01T00:01:00Z","number_observed":1,"object_refs":["domain-name--b"]},
  {"type":"domain-name","id":"domain-name--b","value":"evil.example"}]}]
EOF
"$BIN" pattern match "[ipv4-addr:value = '198.51.100.1']" "$T/b.json" > "$T/o"; rc=$?
check "match: exit 0" '[ $rc -eq 0 ]'
check "match: prints observed-data<TAB>bundle" \
    '[ "$(cat "$T/o")" = "$(printf "observed-data--a\tbundle--a")" ]'
"$BIN" pattern match "[ipv4-addr:value = '198.51.100.2']" "$T/b.json" > "$T/o"; rc=$?
check "no match: exit 1, prints nothing" '[ $rc -eq 1 ] && [ ! -s "$T/o" ]'
"$BIN" pattern match "[ipv4-addr:value = '198.51.100.1'] FOLLOWEDBY [domain-name:value = 'evil.example']" \
    "$T/b.json" > "$T/o"; rc=$?
check "FOLLOWEDBY across bundles: both observed-data, in input order" \
    '[ $rc -eq 0 ] && [ "$(cut -f1 "$T/o" | tr "\n" " ")" = "observed-data--a observed-data--b " ]'
"$BIN" pattern match "([ipv4-addr:value = '198.51.100.1'] AND [domain-name:value = 'evil.example']) WITHIN 30 SECONDS" \
    "$T/b.json" > /dev/null; rc=$?
check "WITHIN 30 SECONDS of observations a minute apart: exit 1" '[ $rc -eq 1 ]'
"$BIN" pattern match --json "[domain-name:value LIKE '%.example']" "$T/b.json" > "$T/o"; rc=$?
check "--json: one object with the binding" \
    '[ $rc -eq 0 ] && [ "$(cat "$T/o")" = "{\"matched\":true,\"bindings\":[[{\"observed_data\":\"observed-data--b\",\"bundle\":\"bundle--b\",\"position\":2,\"instance\":0}]]}" ]'
"$BIN" pattern match --json "[domain-name:value = 'x']" "$T/b.json" > "$T/o"; rc=$?
check "--json, no match: exit 1, matched false" \
    '[ $rc -eq 1 ] && [ "$(cat "$T/o")" = "{\"matched\":false,\"bindings\":[]}" ]'

"$BIN" pattern match --json --bindings 5 "[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = 'evil.example']" \
    "$T/b.json" > "$T/o"; rc=$?
check "--bindings 5: both one-sided OR bindings, left first" \
    '[ $rc -eq 0 ] && [ "$(grep -o "\"observed_data\":\"[^\"]*\"" "$T/o" | tr "\n" " ")" = "\"observed_data\":\"observed-data--a\" \"observed_data\":\"observed-data--b\" " ]'
"$BIN" pattern match --bindings 5 "[ipv4-addr:value = '198.51.100.1'] OR [domain-name:value = 'evil.example']" \
    "$T/b.json" > "$T/o"; rc=$?
check "--bindings in text: one block per binding" '[ $rc -eq 0 ] && [ "$(wc -l < "$T/o")" -eq 3 ] && [ -z "$(sed -n 2p "$T/o")" ]'
"$BIN" pattern match --bindings 0 "[a:b = 1]" "$T/b.json" > /dev/null 2>&1; rc=$?
check "--bindings 0: exit 2" '[ $rc -eq 2 ]'

# what the reference matcher evaluates although the grammar refuses it
"$BIN" pattern check "[file:name = 'a.exe'] REPEATS 2 TIMES REPEATS 2 TIMES" 2> /dev/null; rc=$?
check "check: REPEATS twice on one observation is invalid (exit 2)" '[ $rc -eq 2 ]'

# stdin, JSON lines, observed-data without id and with embedded objects
cat > "$T/lines.jsonl" <<'EOF'
{"type":"observed-data","id":"observed-data--c","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":1,"object_refs":["domain-name--c"]}
{"type":"domain-name","id":"domain-name--c","value":"evil.example"}
EOF
"$BIN" pattern match "[domain-name:value = 'evil.example']" - < "$T/lines.jsonl" > "$T/o"; rc=$?
check "JSON lines on stdin, SCO on its own line, no bundle" '[ $rc -eq 0 ] && [ "$(cat "$T/o")" = "observed-data--c" ]'
cat > "$T/v20.json" <<'EOF'
[{"type":"observed-data","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z",
  "number_observed":3,"objects":{"0":{"type":"file","name":"a.exe"}}}]
EOF
"$BIN" pattern match "[file:name = 'a.exe'] REPEATS 3 TIMES" "$T/v20.json" > "$T/o"; rc=$?
check "embedded objects, number_observed 3 satisfies REPEATS 3; no id prints -<TAB>#1" \
    '[ $rc -eq 0 ] && [ "$(cat "$T/o")" = "$(printf -- "-\t#1")" ]'
"$BIN" pattern match "[file:name = 'a.exe'] REPEATS 1 TIMES REPEATS 3 TIMES" "$T/v20.json" > /dev/null; rc=$?
check "match takes REPEATS twice, as the reference matcher does" '[ $rc -eq 0 ]'
"$BIN" pattern match "[file:name = 'a.exe'] START '2019-01-01T00:00:00Z' STOP '2021-01-01T00:00:00Z'" \
    "$T/v20.json" > /dev/null; rc=$?
check "match takes STIX 2.0 START/STOP strings" '[ $rc -eq 0 ]'
"$BIN" pattern match "[file:name = 'a.exe'] REPEATS 4 TIMES" "$T/v20.json" > /dev/null; rc=$?
check "REPEATS 4 on number_observed 3: exit 1" '[ $rc -eq 1 ]'

# errors: exit 2
"$BIN" pattern match "[file:name = 'a.exe'" "$T/v20.json" > /dev/null 2> "$T/e"; rc=$?
check "invalid pattern: exit 2 with the caret" '[ $rc -eq 2 ] && grep -q "\^" "$T/e"'
"$BIN" pattern match "[file:name = t'2020-01-01T00:00:00Z']" "$T/v20.json" > /dev/null 2> "$T/e"; rc=$?
check "string compared with a timestamp is not one: exit 2, said why" \
    '[ $rc -eq 2 ] && grep -q "invalid timestamp" "$T/e"'
"$BIN" pattern match "[file:name IN ('a', 1)]" "$T/v20.json" > /dev/null 2> "$T/e"; rc=$?
check "mixed set literal: exit 2" '[ $rc -eq 2 ] && grep -q "mixes types" "$T/e"'
"$BIN" pattern match "[file:name MATCHES '(']" "$T/v20.json" > /dev/null 2> "$T/e"; rc=$?
check "regex PCRE2 refuses: exit 2" '[ $rc -eq 2 ] && grep -q "regular expression" "$T/e"'
echo '{"type":"observed-data","first_observed":"2020-01-01T00:00:00Z","last_observed":"2020-01-01T00:00:00Z","number_observed":0}' > "$T/n0.json"
"$BIN" pattern match "[file:name = 'x']" "$T/n0.json" > /dev/null 2> "$T/e"; rc=$?
check "number_observed 0: exit 2" '[ $rc -eq 2 ] && grep -q "number_observed" "$T/e"'
printf '{"type":"bundle",\n  "objects": [,]}\n' > "$T/bad.json"
"$BIN" pattern match "[file:name = 'x']" "$T/bad.json" > /dev/null 2> "$T/e"; rc=$?
check "malformed JSON: exit 2 with FILE:LINE:COL" '[ $rc -eq 2 ] && grep -q "bad.json:2:" "$T/e"'
"$BIN" pattern match "[file:name = 'x']" "$T/missing.json" > /dev/null 2> "$T/e"; rc=$?
check "unreadable file: exit 2" '[ $rc -eq 2 ] && grep -q "missing.json" "$T/e"'

# the reference's own observation sets: a case of each outcome
M="$DATA/pattern/matcher/matcher_observations_v21.json"
if command -v python3 > /dev/null; then
    python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['obs-03']))" "$M" > "$T/obs03.json"
    "$BIN" pattern match "([person:age < 30] AND [person:name > 'aaron']) WITHIN 2 SECONDS REPEATS 3 TIMES" \
        "$T/obs03.json" > "$T/o"; rc=$?
    check "reference case m242: matches, three observed-data" '[ $rc -eq 0 ] && [ "$(wc -l < "$T/o")" -eq 3 ]'
    "$BIN" pattern match "[person:age < 20] REPEATS 10 TIMES" "$T/obs03.json" > /dev/null; rc=$?
    check "reference: REPEATS 10 on 5 instances: exit 1" '[ $rc -eq 1 ]'
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
