#!/usr/bin/env bash
# tools/test.sh: the whole test suite, as CI runs it.
#  1. a Release build with -Werror; ctest (unit, CLI end-to-end, fuzz-corpus replay)
#  2. the same suite under ASan+UBSan
#  3. libFuzzer on every target for a short budget, when clang has libFuzzer
# The "slow" label (multi-GB streaming, long KDF profiles) runs with
#   SANDYQ_SLOW=1 tools/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"
label_args=(-LE slow)
[ "${SANDYQ_SLOW:-0}" = 1 ] && label_args=()

echo "== release build (-Werror)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Release -DSANDYQ_WERROR=ON >/dev/null
cmake --build build-test -j"$jobs" >/dev/null
(cd build-test && ctest "${label_args[@]}" -j"$jobs" --output-on-failure --no-tests=error)

echo "== ASan+UBSan build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSANDYQ_SANITIZE=ON -DSANDYQ_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest "${label_args[@]}" -j"$jobs" --output-on-failure --no-tests=error)

if command -v clang >/dev/null && [ -n "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null | grep -v '^libclang_rt')" ]; then
    echo "== libFuzzer (${SANDYQ_FUZZ_SECONDS:-30} s per target)"
    CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DSANDYQ_FUZZ=ON -DSANDYQ_SANITIZE=ON >/dev/null
    cmake --build build-fuzz -j"$jobs" >/dev/null
    for bin in build-fuzz/fuzz/*_lf; do
        t="$(basename "$bin" _lf)"; t="${t#fuzz_}"
        work="$(mktemp -d)"
        cp -r "fuzz/corpus/$t/." "$work/" 2>/dev/null || true
        dict=(); [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
        echo "-- fuzz $t"
        "$bin" "$work" "${dict[@]}" -max_total_time="${SANDYQ_FUZZ_SECONDS:-30}" -print_final_stats=1 2>&1 | tail -3
        rm -rf "$work"
    done
else
    echo "== libFuzzer not available: corpus replay only (done by ctest above)"
fi
echo "== all tests passed"
