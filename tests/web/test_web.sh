#!/bin/sh
# test_web.sh - runs the dashboard's browser test (test_web.mjs) when node
# and Debian's chromium are there; exit 77 (skipped) with the reason if not.
here=$(dirname "$0")
node=$(command -v node || command -v nodejs)
if [ -z "$node" ]; then
    echo "SKIP: node not found (scripts/install-deps.sh installs nodejs)"
    exit 77
fi
exec "$node" "$here/test_web.mjs" "$@"
