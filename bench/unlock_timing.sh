#!/usr/bin/env bash
# bench/unlock_timing.sh [RUNS]: build and run bench/unlock_timing.c against a
# Release libsandyq (build dir ${BUILD_DIR:-build}); prints medians per case.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target sandyq >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cc -O2 -std=c17 -Iinclude -Isrc bench/unlock_timing.c "$BUILD_DIR/libsandyq.a" \
    $(pkg-config --libs libsodium libargon2 libcrypto) -lpthread -o "$out/unlock_timing"
"$out/unlock_timing" "${1:-3000}"
