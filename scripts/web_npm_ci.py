#!/usr/bin/env python3
"""web_npm_ci.py - installs the front-end's npm packages for the meson
build, offline: `npm ci --offline` from web/package-lock.json into
BUILDDIR/web/npm/node_modules, using only the npm cache that
scripts/install-deps.sh filled (no network at build time). Skipped when
the lock file is the one already installed. If the cache cannot serve the
lock file but web/node_modules is installed (install-deps runs `npm ci` in
web/), that one is used.

    web_npm_ci.py WEB_SRC_DIR OUT_DIR

Prints the node_modules directory to use on its last line; exit 1 with the
reason when there is none."""

import filecmp
import os
import shutil
import subprocess
import sys


def usable(nm):
    return os.path.isfile(os.path.join(nm, "esbuild", "package.json")) and \
        os.path.isdir(os.path.join(nm, "world-atlas")) and \
        os.path.isdir(os.path.join(nm, "topojson-client"))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: web_npm_ci.py WEB_SRC_DIR OUT_DIR\n")
        return 2
    src, out = argv[1], os.path.join(argv[2], "npm")
    os.makedirs(out, exist_ok=True)
    lock = os.path.join(src, "package-lock.json")
    stamp = os.path.join(out, "node_modules", ".alidade-lock.json")
    nm = os.path.join(out, "node_modules")
    if os.path.isfile(stamp) and filecmp.cmp(lock, stamp, shallow=False) and usable(nm):
        print(nm)
        return 0
    for f in ("package.json", "package-lock.json", ".npmrc"):
        if os.path.isfile(os.path.join(src, f)):
            shutil.copyfile(os.path.join(src, f), os.path.join(out, f))
    npm = shutil.which("npm")
    why = "npm not found"
    if npm:
        r = subprocess.run([npm, "ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=out, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode == 0 and usable(nm):
            shutil.copyfile(lock, stamp)
            print(nm)
            return 0
        why = "npm ci --offline: " + (r.stdout.strip().splitlines() or ["failed"])[-1]
    installed = os.path.join(src, "node_modules")
    if usable(installed):
        print(f"web_npm_ci.py: {why}; using {installed}", file=sys.stderr)
        print(installed)
        return 0
    print(f"web_npm_ci.py: no front-end packages: {why} (run scripts/install-deps.sh once online: it fills the npm cache)",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
