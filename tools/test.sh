#!/usr/bin/env bash
# tools/test.sh: the whole test suite, as CI runs it.
#  1. a Release build with -Werror; ctest: unit tests, CLI end-to-end tests
#     (power-loss replay, tamper sweeps, fault injection, destruction,
#     format-aware distinguisher), fuzz-corpus replay
#  2. the same suite under ASan+UBSan, built with the nonce log: every
#     (key, nonce) pair used to encrypt, seal or wrap during the suite is
#     logged and tests/tools/sq-nonce-check fails on a repeat
#  3. valgrind memcheck on the unit tests that exercise the library directly
#  4. libFuzzer on every target for a short budget, when clang has libFuzzer
# The "slow" label (exhaustive sweeps, larger samples, multi-GB streaming,
# long KDF profiles) runs with
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

echo "== ASan+UBSan build, with the nonce log"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSANDYQ_SANITIZE=ON -DSANDYQ_WERROR=ON -DSANDYQ_NONCE_LOG=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
nonce_log="$(mktemp)"
rm -f "$nonce_log"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# fuzz harnesses seal with fixed keys and seeded nonces on purpose: replayed
# without the log. Everything else, crash and replay tests included, logs.
# the power-loss replay checks every state in the Release run above; here a
# sample of them (1 distinct state in 8), which costs what the others do
(cd build-asan && SANDYQ_NONCE_LOG="$nonce_log" SQ_REPLAY_RANDOM=200 SQ_REPLAY_SAMPLE=8 \
    ctest "${label_args[@]}" -E '^fuzz\.' -j"$jobs" --output-on-failure --no-tests=error)
(cd build-asan && ctest -R '^fuzz\.' -j"$jobs" --output-on-failure --no-tests=error)
echo "-- nonce uniqueness"
build-asan/tests/sq-nonce-check "$nonce_log" 10000
# the checker itself must fail on a repeat
head -c 16 "$nonce_log" > "$nonce_log.dup" && cat "$nonce_log" >> "$nonce_log.dup"
if build-asan/tests/sq-nonce-check "$nonce_log.dup" >/dev/null; then
    echo "sq-nonce-check missed a planted repeat" >&2
    exit 1
fi
rm -f "$nonce_log" "$nonce_log.dup"
unset ASAN_OPTIONS UBSAN_OPTIONS

if command -v valgrind >/dev/null; then
    echo "== valgrind memcheck (unit tests on the Release build)"
    for t in age age_vectors bech32 bytes chunk escape gf256 hkdf io kdf minisign pbkdf2 random secret sha256 share_cert structs utf8 vault vault_shares; do
        bin="build-test/tests/test_$t"
        printf -- "-- %s: " "$t"
        SQ_VECTORS="$PWD/tests/vectors" SQ_TMP="$(mktemp -d)" \
            valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
            "$bin" > "build-test/valgrind-$t.log" 2>&1 || { cat "build-test/valgrind-$t.log"; exit 1; }
        tail -1 "build-test/valgrind-$t.log"
    done
else
    echo "== valgrind not installed: memcheck skipped"
fi

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
        # on a finding, show the report (not only the last stats lines)
        if ! "$bin" "$work" "${dict[@]}" -max_total_time="${SANDYQ_FUZZ_SECONDS:-30}" -print_final_stats=1 \
                -artifact_prefix="build-fuzz/" > "build-fuzz/fuzz-$t.log" 2>&1; then
            grep -v '^#[0-9]' "build-fuzz/fuzz-$t.log" | tail -40
            echo "fuzz $t: FINDING (input kept under build-fuzz/)"
            exit 1
        fi
        tail -3 "build-fuzz/fuzz-$t.log"
        rm -rf "$work"
    done
else
    echo "== libFuzzer not available: corpus replay only (done by ctest above)"
fi
echo "== all tests passed"
