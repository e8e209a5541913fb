#!/usr/bin/env bash
# bench/age.sh: `sandyq encrypt/decrypt` against stock `age -r`/`age -d`, in ONE run on ONE
# medium, printing MB/s and the ratios sandyq/age.
#
#   [SQ_BENCH_MB=1024] [SQ_BENCH_REPEAT=3] [SQ_BENCH_DIR=DIR] [SANDYQ=path] bench/age.sh
#
#   SQ_BENCH_MB      size of the random input in MiB (default 1024)
#   SQ_BENCH_REPEAT  runs of each step; the fastest is kept (default 3)
#   SQ_BENCH_DIR     where the files live (default /dev/shm when it has room for 4x the size,
#                    else $TMPDIR or /tmp); the medium is printed
#   SANDYQ           the binary (else built Release with cmake into ${BUILD_DIR:-<repo>/build})
#
# Targets (BRIEF "Performance"): encrypt >= 1.0x age, decrypt >= 1.5x age. A benchmark reports,
# it does not gate: a ratio below target prints "no" and changes nothing else. The exit status is
# non-zero only when a tool failed or a round trip differed. Steps that write a file end with
# `sync` inside the timed region for both tools (sandyq fsyncs its outputs itself; age does not).
# The `cat` floor is measured in the same run. The machine may be shared: the load average is
# printed, and only ratios measured in one run mean anything.
set -u -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MB=${SQ_BENCH_MB:-1024}
REPEAT=${SQ_BENCH_REPEAT:-3}
CC=${CC:-cc}
[[ $MB =~ ^[0-9]+$ ]] && [ "$MB" -ge 1 ] || { echo "age.sh: SQ_BENCH_MB must be a positive number" >&2; exit 2; }
[[ $REPEAT =~ ^[0-9]+$ ]] && [ "$REPEAT" -ge 1 ] || { echo "age.sh: SQ_BENCH_REPEAT must be a positive number" >&2; exit 2; }
SIZE=$((MB * 1024 * 1024))

say() { printf '%s\n' "$*"; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
have() { command -v "$1" >/dev/null 2>&1; }
avail_bytes() { df -P -B1 "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'; }

for t in age age-keygen; do
    have "$t" || { say "error: $t is not installed (Debian package age)"; exit 1; }
done

# ---- the binary ----
if [ -z "${SANDYQ:-}" ]; then
    BUILD_DIR=${BUILD_DIR:-$REPO/build}
    cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
        cmake --build "$BUILD_DIR" -j2 --target sandyq_cli >/dev/null ||
        { say "error: cannot build sandyq"; exit 1; }
    SANDYQ=$(find "$BUILD_DIR" -maxdepth 2 -type f -name sandyq -perm -u+x | head -n 1)
fi
[ -x "${SANDYQ:-}" ] || { say "error: SANDYQ does not name an executable"; exit 1; }

# ---- the medium ----
NEED=$((4 * SIZE + 64 * 1024 * 1024))
DIR=${SQ_BENCH_DIR:-}
if [ -z "$DIR" ]; then
    if [ -d /dev/shm ] && [ "$(avail_bytes /dev/shm || echo 0)" -ge "$NEED" ] 2>/dev/null; then
        DIR=/dev/shm
    else
        DIR=${TMPDIR:-/tmp}
    fi
fi
W=$(mktemp -d "$DIR/sandyq-age-bench.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM
if [ "$(avail_bytes "$W" || echo 0)" -lt "$NEED" ] 2>/dev/null; then
    say "warning: $W has less free space than 4x the size; steps may fail"
fi

"$CC" -O2 -o "$W/benchtool" "$REPO/bench/benchtool.c" || { say "error: cannot build bench/benchtool.c"; exit 1; }
BT=$W/benchtool
IN=$W/input.bin
KEY=$W/key.txt
age-keygen -o "$KEY" 2>/dev/null || { say "error: age-keygen failed"; exit 1; }
R=$(age-keygen -y "$KEY")

say "sandyq vs age: ${MB} MiB on $(df -P "$W" | awk 'NR == 2 { print $1 }') ($W)"
say "sandyq: $SANDYQ"
say "age: $(age --version 2>/dev/null)"
say "load average: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
say "best of $REPEAT runs; 1 MB = 10^6 bytes"
say ""

head -c "$SIZE" /dev/urandom >"$IN" || { say "error: cannot write the input"; exit 1; }
cat "$IN" >/dev/null
# fresh memory is slow on first touch: grow the footprint once, untimed, so no step pays for it
for _ in 1 2; do
    head -c $((3 * SIZE)) /dev/zero >"$W/warm" 2>/dev/null
    rm -f "$W/warm"
done
age -r "$R" -o "$W/ref.age" "$IN" || { say "error: age -r failed"; exit 1; }

RC=0
declare -A MBS

# step KEY PRE CMD: PRE untimed, sync, then CMD timed; the fastest of REPEAT runs
step() {
    local key=$1 pre=$2 cmd=$3 i s r c best=''
    for ((i = 0; i < REPEAT; i++)); do
        if [ -n "$pre" ] && ! bash -c "$pre" >"$W/err" 2>&1; then
            say "  $key: setup failed: $(tail -n 3 "$W/err")"; RC=1; return 1
        fi
        sync
        "$BT" time "$W/res" bash -c "$cmd" 2>"$W/err"
        read -r s r c <"$W/res"
        if [ "$c" != 0 ]; then
            say "  $key: FAILED (exit $c): $(tail -n 5 "$W/err")"; RC=1; return 1
        fi
        if [ -z "$best" ] || awk "BEGIN { exit !($s < $best) }"; then best=$s; fi
    done
    MBS[$key]=$(calc "$SIZE / 1e6 / $best" 0)
    printf '  %-36s %8.3f s  %6s MB/s\n' "$key" "$best" "${MBS[$key]}"
}

export SANDYQ IN KEY R W
say "floor"
step "cat > /dev/null"             "" 'cat "$IN" > /dev/null'
step "cat > file"                  'rm -f "$W/out"' 'cat "$IN" > "$W/out" && sync'
say "encrypt"
step "age -r > /dev/null"          "" 'age -r "$R" "$IN" > /dev/null'
step "sandyq encrypt > /dev/null"  "" '"$SANDYQ" encrypt -r "$R" "$IN" > /dev/null'
step "age -r -o file"              'rm -f "$W/out"' 'age -r "$R" -o "$W/out" "$IN" && sync'
step "sandyq encrypt -o file"      'rm -f "$W/out"' '"$SANDYQ" encrypt -r "$R" -o "$W/out" "$IN" && sync'
say "decrypt (the same file, made by age)"
step "age -d > /dev/null"          "" 'age -d -i "$KEY" "$W/ref.age" > /dev/null'
step "sandyq decrypt > /dev/null"  "" '"$SANDYQ" decrypt -i "$KEY" "$W/ref.age" > /dev/null'
step "age -d -o file"              'rm -f "$W/out"' 'age -d -i "$KEY" -o "$W/out" "$W/ref.age" && sync'
step "sandyq decrypt -o file"      'rm -f "$W/out"' '"$SANDYQ" decrypt -i "$KEY" -o "$W/out" "$W/ref.age" && sync'

# ---- correctness of what was timed ----
rm -f "$W/out"
if "$SANDYQ" decrypt -i "$KEY" -o "$W/out" "$W/ref.age" && cmp -s "$W/out" "$IN"; then :; else
    say "error: sandyq decrypt of age's file differs from the input"; RC=1
fi
rm -f "$W/out" "$W/sq.age"
if "$SANDYQ" encrypt -r "$R" -o "$W/sq.age" "$IN" && age -d -i "$KEY" -o "$W/out" "$W/sq.age" &&
    cmp -s "$W/out" "$IN"; then :; else
    say "error: age -d of sandyq's file differs from the input"; RC=1
fi

ratio() {   # ratio LABEL SANDYQ_KEY AGE_KEY TARGET
    local a=${MBS[$2]:-} b=${MBS[$3]:-} r okay
    if [ -z "$a" ] || [ -z "$b" ] || [ "$b" = 0 ]; then
        printf '  %-28s %8s  target >= %sx\n' "$1" "n/a" "$4"; return
    fi
    r=$(calc "$a / $b" 2)
    okay=$(awk "BEGIN { print ($r >= $4) ? \"yes\" : \"no\" }")
    printf '  %-28s %7sx  target >= %sx  %s\n' "$1" "$r" "$4" "$okay"
}
say ""
say "ratios sandyq/age (same run)"
ratio "encrypt to /dev/null"  "sandyq encrypt > /dev/null" "age -r > /dev/null" 1.0
ratio "encrypt to a file"     "sandyq encrypt -o file"     "age -r -o file"     1.0
ratio "decrypt to /dev/null"  "sandyq decrypt > /dev/null" "age -d > /dev/null" 1.5
ratio "decrypt to a file"     "sandyq decrypt -o file"     "age -d -o file"     1.5
exit "$RC"
