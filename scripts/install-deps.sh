#!/bin/sh
# install-deps.sh - installs the Debian packages alidade needs, only when missing.
#
#   scripts/install-deps.sh            build and test (make run, make test)
#   scripts/install-deps.sh bench      + the peers and load tools of make bench (wrk)
#   scripts/install-deps.sh fuzz       + clang's libFuzzer runtime for make fuzz
#
# Non-interactive and idempotent: when everything is present it does nothing;
# otherwise it runs `apt-get update` once and installs what is missing.
set -eu

pkgs="gcc make meson ninja-build pkg-config zlib1g-dev libzstd-dev zstd libcmocka-dev libgeos-dev libjansson-dev libsqlite3-dev nettle-dev libmicrohttpd-dev python3-jsonschema curl libinih-dev libvectorscan-dev libpcre2-dev libcurl4-gnutls-dev"
for group in "$@"; do
    case "$group" in
        bench) pkgs="$pkgs gpsd-clients hyperfine time bc wrk" ;;
        fuzz)  pkgs="$pkgs clang libclang-rt-14-dev" ;;
        *) echo "install-deps.sh: unknown group '$group' (bench, fuzz)" >&2; exit 2 ;;
    esac
done

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# the dashboard (web/): node and npm build it, Debian's chromium runs its
# browser test; checked by command, since node may come from elsewhere
# (NodeSource's nodejs carries npm and conflicts with Debian's npm)
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
# then `npm ci` in web/ fills the npm cache the build installs from offline
# (only when web/node_modules is older than the lock file); a failure (no
# network) is reported, the build then goes on without the page
web_deps() {
    web="$(dirname "$0")/../web"
    command -v npm >/dev/null 2>&1 || return 0
    [ "$web/node_modules/.package-lock.json" -nt "$web/package-lock.json" ] && return 0
    echo "install-deps.sh: npm ci in web/ (fills the npm cache)" >&2
    (cd "$web" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null) ||
        echo "install-deps.sh: npm ci in web/ failed: the dashboard page will not be built" >&2
}
[ -z "$missing" ] && { web_deps; exit 0; }

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "install-deps.sh: need root to install:$missing" >&2
        exit 1
    fi
else
    SUDO=""
fi
echo "install-deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# gpsd-clients recommends a desktop stack we do not need
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
web_deps
