#!/bin/sh
# run-tests.sh - the whole test suite: a normal build, then the same tests
# under AddressSanitizer + UndefinedBehaviorSanitizer. Ends with the line
# "N passed, N failed" (counted over both builds) and fails if any failed.
#
# Warnings are errors when CI is set (or WERROR=1).
set -u
cd "$(dirname "$0")/.."

werror=false
if [ -n "${CI:-}" ] || [ "${WERROR:-0}" = 1 ]; then werror=true; fi

passed=0
failed=0
status=0

# configure DIR OPTIONS...: set up a build dir once, reconfigure if options change
configure() {
    dir=$1; shift
    if [ -f "$dir/build.ninja" ]; then
        meson configure "$dir" "$@" >/dev/null || return 1
    else
        meson setup "$dir" "$@" >/dev/null || return 1
    fi
}

run_suite() {
    dir=$1; label=$2
    if ! ninja -C "$dir" >"$dir/ninja-output.txt" 2>&1; then
        cat "$dir/ninja-output.txt" >&2
        echo "run-tests.sh: $label build failed" >&2
        failed=$((failed + 1))
        status=1
        return
    fi
    meson test -C "$dir" --print-errorlogs --num-processes 2 > "$dir/test-output.txt" 2>&1
    rc=$?
    cat "$dir/test-output.txt"
    # count test cases, not programs: cmocka's "[  PASSED  ] N test(s)." and
    # "[  FAILED  ] N test(s)", and the shell tests' "N passed, N failed"
    log="$dir/meson-logs/testlog.txt"
    cp=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    cf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    sp=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    sf=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
    fl=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$dir/test-output.txt" | tail -n 1)
    to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$dir/test-output.txt" | tail -n 1)
    passed=$((passed + cp + sp))
    failed=$((failed + cf + sf))
    if [ $rc -ne 0 ]; then
        status=1
        # a program that crashed or timed out before its summary
        if [ $((cf + sf)) -eq 0 ]; then
            failed=$((failed + ${fl:-0} + ${to:-0}))
            [ "${fl:-0}" = 0 ] && [ "${to:-0}" = 0 ] && failed=$((failed + 1))
        fi
    fi
}

if configure build -Dwerror_strict=$werror -Dbuildtype=release; then
    run_suite build "release"
else
    echo "run-tests.sh: meson setup failed" >&2; failed=$((failed + 1)); status=1
fi

# sanitizers: same tests, debug build, halt on the first report
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
if configure build-asan -Dwerror_strict=$werror -Dbuildtype=debug -Db_sanitize=address,undefined; then
    run_suite build-asan "ASan+UBSan"
else
    echo "run-tests.sh: meson setup (sanitizers) failed" >&2; failed=$((failed + 1)); status=1
fi

echo "$passed passed, $failed failed"
exit $status
