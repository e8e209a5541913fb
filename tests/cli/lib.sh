# lib.sh: shared helpers for the sandyq CLI end-to-end tests.
#
# Sourced by tests/cli/test_*.sh (bash, set -u). ctest sets SANDYQ (the
# binary), SQ_SRC and SQ_BUILD. Each script runs in its own temporary folder,
# removed on exit; the summary line "N passed, N failed" ends every run, and
# the exit status is non-zero when a check failed or none ran.

set -u

if [ -z "${SANDYQ:-}" ] || [ ! -x "$SANDYQ" ]; then
    echo "SANDYQ must name the sandyq binary (got '${SANDYQ:-}')" >&2
    exit 2
fi

# under ASan/UBSan builds, a sanitizer report must not pass for the exit
# status 1 that many checks expect
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1:exitcode=87"

# tests only: vaults made here use the 8 MiB test KDF profile
export SANDYQ_INSECURE_TEST_KDF=1
export LC_ALL=C.UTF-8

SQ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sandyq-cli.XXXXXX") || exit 2
SQ_PASSED=0
SQ_FAILED=0
SQ_ERR="$SQ_TMP/.last.err"
SQ_TEST_NAME=$(basename "$0" .sh)

sq_finish() {
    local code=0
    # stop background jobs a test may have left (its own, by pid)
    local j
    for j in $(jobs -p); do kill -9 "$j" 2>/dev/null; done
    wait 2>/dev/null
    cd / || true
    # a test may have mounted something under its folder (full-disk test)
    if [ -n "${SQ_MOUNTED:-}" ]; then umount "$SQ_MOUNTED" 2>/dev/null; fi
    rm -rf "$SQ_TMP"
    echo "$SQ_TEST_NAME: $SQ_PASSED passed, $SQ_FAILED failed"
    if [ "$SQ_FAILED" -ne 0 ] || [ "$SQ_PASSED" -eq 0 ]; then
        code=1
    fi
    exit "$code"
}
trap sq_finish EXIT
trap 'exit 1' INT TERM

cd "$SQ_TMP" || exit 2

# python3 for JSON checks: the system one (a version manager's shim can
# cost most of a second per call)
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
python3() { "$PY" "$@"; }

# the common passphrase file of the tests
PW="$SQ_TMP/pw"
printf 'correct horse battery staple\n' > "$PW"
P="--passphrase-file=$PW"

pass() { SQ_PASSED=$((SQ_PASSED + 1)); }
fail() {
    SQ_FAILED=$((SQ_FAILED + 1))
    echo "FAIL (line ${BASH_LINENO[1]:-?}): $*" >&2
    if [ -s "$SQ_ERR" ]; then
        sed 's/^/    stderr: /' "$SQ_ERR" | head -n 10 >&2
    fi
}

# sq ARGS...: the binary under test
sq() { "$SANDYQ" "$@"; }

# ok CMD...: expect exit 0 (stderr kept in $SQ_ERR)
ok() {
    local rc=0
    "$@" 2>"$SQ_ERR" || rc=$?
    if [ "$rc" -eq 0 ]; then pass; else fail "expected exit 0, got $rc: $*"; fi
    return "$rc"
}

# fails N CMD...: expect exit code N
fails() {
    local want=$1 rc=0
    shift
    "$@" 2>"$SQ_ERR" || rc=$?
    if [ "$rc" -eq "$want" ]; then pass; else fail "expected exit $want, got $rc: $*"; return 1; fi
    return 0
}

# same FILE1 FILE2: byte-identical
same() {
    if cmp -s "$1" "$2"; then pass; else : > "$SQ_ERR"; fail "files differ: $1 $2"; fi
}

# is DESC CMD...: a condition that must hold
is() {
    local desc=$1
    shift
    if "$@" >/dev/null 2>&1; then pass; else : > "$SQ_ERR"; fail "$desc"; fi
}

# says TEXT: the last command's stderr holds TEXT (a fixed string)
says() {
    if grep -qF -- "$1" "$SQ_ERR"; then pass; else fail "stderr lacks: $1"; fi
}

# says_line TEXT: one line of the last command's stderr is exactly TEXT
says_line() {
    if grep -qxF -- "$1" "$SQ_ERR"; then pass; else fail "stderr lacks the line: $1"; fi
}

# absent PATH: nothing exists at PATH (not even a dangling symlink)
absent() {
    if [ ! -e "$1" ] && [ ! -L "$1" ]; then pass; else : > "$SQ_ERR"; fail "$1 exists"; fi
}

# mkvault V [PASSFILE]: a growable vault with the test profile
mkvault() {
    ok sq init "$1" --kdf test --growable --passphrase-file "${2:-$PW}"
}

# randfile PATH SIZE: SIZE random bytes
randfile() {
    head -c "$2" /dev/urandom > "$1"
}

# sha FILE: the hex SHA-256 of FILE
sha() { sha256sum "$1" | cut -d' ' -f1; }

# json_field VAULT NAME FIELD: FIELD of the document NAME from ls --json
json_field() {
    sq ls "$1" "$P" --json | python3 -c '
import json, sys
docs = json.load(sys.stdin)
for d in docs:
    if d["name"] == sys.argv[1]:
        print(d[sys.argv[2]])
        break
else:
    sys.exit(1)
' "$2" "$3"
}

# has_doc VAULT NAME: NAME is listed
has_doc() { json_field "$1" "$2" name >/dev/null 2>&1; }

# flip_bit FILE OFFSET: flips one bit of the byte at OFFSET (which bit
# depends on the offset), in place
flip_bit() {
    local b nb
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    nb=$(( b ^ (1 << ($2 % 8)) ))
    printf "$(printf '\\%03o' "$nb")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# rand_ms N: a random number of seconds in [0, N) ms, for sleep
rand_ms() { printf '0.%03d' $(( (RANDOM * 32768 + RANDOM) % $1 )); }
