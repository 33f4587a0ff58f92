# harness.sh - what the node test scripts share, sourced first by each
# (`NEED="TOOL..."; . "$(dirname "$0")/harness.sh"`): $BIN (the alidade binary), a
# temporary directory $T removed at exit, the background processes listed in
# $PIDS killed at exit (and on INT/TERM), the tools the script needs (exit 77,
# skipped, when one is missing), ok/ko/check counting, free_port, and
# finish (the "N passed, N failed" line and the exit status).
set -u
BIN=${ALD_BIN:?ALD_BIN must point at the alidade binary}
for tool in ${NEED:-}; do
    command -v "$tool" > /dev/null || { echo "skipped: $tool not installed"; exit 77; }
done
T=$(mktemp -d)
PIDS=""
cleanup() {
    for p in $PIDS; do kill -9 "$p" 2> /dev/null; done
    for p in $PIDS; do wait "$p" 2> /dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

# free_port [tcp|udp]: a port free on 127.0.0.1 now (tcp by default)
free_port() {
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "${1:-tcp}"
}

finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
