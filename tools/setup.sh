#!/usr/bin/env bash
# tools/setup.sh: install what sandyq needs from Debian's packages, then build.
# As root it runs apt-get; otherwise it prints the exact apt-get line to run.
#   SANDYQ_SETUP_NO_BUILD=1   only install
set -euo pipefail
cd "$(dirname "$0")/.."

# build: compiler, cmake, pkg-config and the libraries linked by libsandyq
# (libarchive/libzip serve the export issue; installed now so the set is stable)
PKGS_BUILD="build-essential cmake pkg-config libsodium-dev libargon2-dev libssl-dev libarchive-dev libzip-dev"
# tests: Unicode 15.0 data for the NFC known answers, bzip2 to read them,
# python3 for JSON checks, clang + compiler-rt for sanitizers and libFuzzer,
# valgrind, the peer tools for interop and benchmarks, argon2 for KDF vectors
# nodejs/npm run the slip39 npm package, the independent SLIP-0039
# implementation the split-key tests compare against
PKGS_TEST="unicode-data bzip2 python3 clang libclang-rt-dev valgrind age minisign gnupg 7zip argon2 time util-linux nodejs npm"

missing=()
for p in $PKGS_BUILD $PKGS_TEST; do
    # a machine may carry its own Node.js and npm (e.g. NodeSource's nodejs,
    # which bundles npm and conflicts with Debian's npm): use those
    case "$p" in
        nodejs) command -v node >/dev/null && continue ;;
        npm)    command -v npm >/dev/null && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
    else
        echo "sandyq setup: missing packages; run as root:" >&2
        echo "  apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi
# the slip39 npm package for the differential test, pinned by its lockfile
# (tests/interop/slip39-npm), never running install scripts
if command -v npm >/dev/null; then
    (cd tests/interop/slip39-npm && npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1) ||
        echo "sandyq setup: warning: npm ci failed in tests/interop/slip39-npm (no registry?); the SLIP-0039 differential test will fail" >&2
fi
[ "${SANDYQ_SETUP_NO_BUILD:-0}" = 1 ] && exit 0

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "sandyq setup: built build/sandyq"
