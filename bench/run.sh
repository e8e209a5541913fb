#!/usr/bin/env bash
# bench/run.sh: measure sandyq against peer tools in ONE run on ONE medium and print ratios.
#
#   bench/run.sh [--size 1G] [--dir DIR] [--docs 100000] [--batch 10000] [--repeat 1]
#                [--with-strong] [--skip LIST] [--keep]
#
#   --size N[K|M|G]  size of the random input file (binary units; default 1G)
#   --dir DIR        where every file of the run lives (default: a tmpfs folder under /dev/shm when
#                    it has room for 3x size, else /tmp); the medium is printed
#   --docs N         documents in the many-documents vault (default 100000; 0 skips that part)
#   --batch N        documents per folder handed to one `sandyq add` (default 10000)
#   --repeat N       run each throughput step N times and keep the fastest (default 2)
#   --with-strong    also time unlock of a `--kdf strong` vault (1 GiB, slow)
#   --skip LIST      comma list of parts to leave out: cat,sandyq,age,gpg,7zz,sodium,unlock,docs
#   --keep           keep the work folder (printed) instead of deleting it
#
# Environment: SANDYQ=path/to/sandyq (else the script builds one with cmake into
# ${BUILD_DIR:-<repo>/build}); CC (default cc) for the two helpers in bench/.
#
# A benchmark reports, it does not gate: ratios below target print "no" but do not change the
# exit status. The exit status is non-zero only when a tool errored (or sandyq could not be built).
# See bench/README.md for what each number means.
set -u -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZE_ARG=1G
DIR=
DOCS=100000
BATCH=10000
REPEAT=2
WITH_STRONG=0
SKIP=,
KEEP=0
CC=${CC:-cc}
PASS='bench passphrase: correct horse battery staple'
# KDF memory of each profile (docs/FORMAT.md section "KDF profiles"), MiB
declare -A KDF_MIB=([test]=8 [standard]=256 [strong]=1024)

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

while [ $# -gt 0 ]; do
    case $1 in
    --size) SIZE_ARG=${2:?}; shift 2 ;;
    --size=*) SIZE_ARG=${1#*=}; shift ;;
    --dir) DIR=${2:?}; shift 2 ;;
    --dir=*) DIR=${1#*=}; shift ;;
    --docs) DOCS=${2:?}; shift 2 ;;
    --docs=*) DOCS=${1#*=}; shift ;;
    --batch) BATCH=${2:?}; shift 2 ;;
    --batch=*) BATCH=${1#*=}; shift ;;
    --repeat) REPEAT=${2:?}; shift 2 ;;
    --repeat=*) REPEAT=${1#*=}; shift ;;
    --with-strong) WITH_STRONG=1; shift ;;
    --skip) SKIP=,${2:?},; shift 2 ;;
    --skip=*) SKIP=,${1#*=},; shift ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage ;;
    esac
done

to_bytes() {
    local s=$1 n mult=1
    case $s in
    *[kK]) n=${s%?}; mult=1024 ;;
    *[mM]) n=${s%?}; mult=$((1024 * 1024)) ;;
    *[gG]) n=${s%?}; mult=$((1024 * 1024 * 1024)) ;;
    *) n=$s ;;
    esac
    [[ $n =~ ^[0-9]+$ ]] || { echo "run.sh: bad size: $s" >&2; exit 2; }
    echo $((n * mult))
}
SIZE=$(to_bytes "$SIZE_ARG")
for v in DOCS BATCH REPEAT; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "run.sh: --${v,,} needs a number" >&2; exit 2; }
done
[ "$SIZE" -gt 0 ] && [ "$REPEAT" -ge 1 ] && [ "$BATCH" -ge 1 ] || { echo "run.sh: bad arguments" >&2; exit 2; }

skipped() { [[ $SKIP == *",$1,"* ]]; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
have() { command -v "$1" >/dev/null 2>&1; }
say() { printf '%s\n' "$*"; }

RC=0
declare -A SEC RSS MBS STATE
declare -a NOTE_BLOCKS=() NOTE_BYTES=() NOTE_GROW=()

# --- the medium --------------------------------------------------------------------------
avail_bytes() { df -P -B1 "$1" 2>/dev/null | awk 'NR == 2 { print $4 }'; }
NEED=$((3 * SIZE + 256 * 1024 * 1024))
if [ -z "$DIR" ]; then
    if [ -d /dev/shm ] && [ "$(avail_bytes /dev/shm || echo 0)" -ge "$NEED" ] 2>/dev/null; then
        DIR=/dev/shm
    else
        DIR=${TMPDIR:-/tmp}
    fi
fi
mkdir -p "$DIR" || exit 1
W=$(mktemp -d "$DIR/sandyq-bench.XXXXXX") || exit 1
if [ "$(avail_bytes "$W" || echo 0)" -lt "$NEED" ] 2>/dev/null; then
    say "warning: $W has less free space than 3x size + 256 MiB; steps may fail"
fi

cleanup() {
    if [ -n "${GNUPGHOME:-}" ] && [ -d "$GNUPGHOME" ] && have gpgconf; then
        gpgconf --kill gpg-agent >/dev/null 2>&1 || true
    fi
    if [ "$KEEP" = 1 ]; then say "work folder kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

IN=$W/input.bin
OUT=$W/out.bin
PF=$W/passphrase
printf '%s\n' "$PASS" >"$PF"
chmod 600 "$PF"

# --- helpers -----------------------------------------------------------------------------
"$CC" -O2 -o "$W/raw_sodium" "$REPO/bench/raw_sodium.c" -lsodium -lpthread || { say "error: cannot build bench/raw_sodium.c (libsodium-dev?)"; exit 1; }
"$CC" -O2 -o "$W/benchtool" "$REPO/bench/benchtool.c" || { say "error: cannot build bench/benchtool.c"; exit 1; }
BT=$W/benchtool

# run_step KEY BYTES PRE CMD: run PRE (untimed), sync, then CMD under the timer REPEAT times.
# CMD is a bash string (redirections and "&& sync" allowed). Keeps the fastest run and the
# largest peak RSS. A failing CMD marks KEY as an error and sets RC.
run_step() {
    local key=$1 bytes=$2 pre=$3 cmd=$4 i s r c best='' rss=0
    for ((i = 0; i < REPEAT; i++)); do
        if [ -n "$pre" ] && ! bash -c "$pre" >"$W/err.$key" 2>&1; then
            say "  $key: setup failed: $(tail -n 3 "$W/err.$key")"
            STATE[$key]=error; RC=1; return 1
        fi
        sync
        "$BT" time "$W/res.$key" bash -c "$cmd" 2>"$W/err.$key"
        read -r s r c <"$W/res.$key"
        if [ "$c" != 0 ]; then
            say "  $key: FAILED (exit $c): $(tail -n 5 "$W/err.$key")"
            STATE[$key]=error; RC=1; return 1
        fi
        if [ -z "$best" ] || awk "BEGIN { exit !($s < $best) }"; then best=$s; fi
        [ "$r" -gt "$rss" ] && rss=$r
    done
    SEC[$key]=$best; RSS[$key]=$rss; STATE[$key]=ok
    if [ "$bytes" -gt 0 ]; then
        MBS[$key]=$(calc "$bytes / 1e6 / $best")
        printf '  %-34s %8.3f s  %8s MB/s  peak RSS %6d KiB\n' "$key" "$best" "${MBS[$key]}" "$rss"
    else
        printf '  %-34s %8.3f s  peak RSS %6d KiB\n' "$key" "$best" "$rss"
    fi
}

# time_best KEY N CMD: shortest wall time of N runs of CMD (short operations such as unlock: other
# load on the machine only ever adds time, so the minimum is the least noisy estimate).
time_best() {
    local key=$1 n=$2 cmd=$3 i s r c ts=()
    for ((i = 0; i < n; i++)); do
        "$BT" time "$W/res.$key" bash -c "$cmd" 2>"$W/err.$key"
        read -r s r c <"$W/res.$key"
        if [ "$c" != 0 ]; then
            say "  $key: FAILED (exit $c): $(tail -n 5 "$W/err.$key")"
            STATE[$key]=error; RC=1; return 1
        fi
        ts+=("$s")
    done
    SEC[$key]=$(printf '%s\n' "${ts[@]}" | sort -g | head -n 1)
    RSS[$key]=$r; STATE[$key]=ok
    printf '  %-34s %8.1f ms (best of %d)\n' "$key" "$(calc "${SEC[$key]} * 1000")" "$n"
}

# verify KEY FILE: the output of a decrypt step must equal the input
verify() {
    if [ "${STATE[$1]:-}" = ok ] && ! cmp -s "$IN" "$2"; then
        say "  $1: FAILED: output differs from the input"
        STATE[$1]=error; RC=1
    fi
}

q() { printf '%q' "$1"; }

# --- header ------------------------------------------------------------------------------
say "sandyq benchmark  $(date -u '+%Y-%m-%d %H:%M:%SZ')"
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
say "cpu flags: sha_ni=$(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no) avx2=$(grep -qw avx2 /proc/cpuinfo && echo yes || echo no) avx512f=$(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
say "medium: $(df -PT "$W" | awk 'NR == 2 { print $2 " (" $1 " mounted on " $7 ")" }'), work folder $W"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every number)"
say "input: $SIZE bytes ($SIZE_ARG) of /dev/urandom; 1 MB = 10^6 bytes; steps writing a file include sync"
say ""

# --- sandyq ------------------------------------------------------------------------------
SQ=${SANDYQ:-}
SQ_OK=0
if ! skipped sandyq || ! skipped unlock || { ! skipped docs && [ "$DOCS" -gt 0 ]; }; then
    if [ -z "$SQ" ]; then
        BUILD_DIR=${BUILD_DIR:-$REPO/build}
        say "building sandyq (Release) in $BUILD_DIR ..."
        if cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >"$W/build.log" 2>&1 &&
            { cmake --build "$BUILD_DIR" -j2 --target sandyq_cli >>"$W/build.log" 2>&1 ||
                cmake --build "$BUILD_DIR" -j2 >>"$W/build.log" 2>&1; }; then
            SQ=$BUILD_DIR/sandyq
        else
            say "error: building sandyq failed:"; tail -n 15 "$W/build.log"
            RC=1
        fi
    fi
    if [ -n "$SQ" ] && [ -x "$SQ" ]; then
        SQ=$(cd "$(dirname "$SQ")" && pwd)/$(basename "$SQ")
        SQ_OK=1
        say "sandyq: $SQ"
    else
        say "error: no sandyq binary${SQ:+ at $SQ}; sandyq parts are reported as errors"
        RC=1
    fi
fi
export SANDYQ_INSECURE_TEST_KDF=1 # only the test profile opens with this set; unset per call below
sqc() { printf '%q ' "$SQ" "$@"; printf -- '--passphrase-file %q' "$PF"; }

# --- input and warm-up -------------------------------------------------------------------
say "creating the input file ..."
head -c "$SIZE" /dev/urandom >"$IN" || { say "error: cannot create $IN"; exit 1; }
sync
cat "$IN" >/dev/null # warm-up
# Fresh memory is slow on first touch (0.5-3 s per GiB on the reference VM), and a tmpfs or the
# page cache takes fresh pages for every new file: without this, whichever step first grows the
# footprint to 2x or 3x the size pays for it. Touch 3x the size twice, untimed, then free it.
say "pre-touching 3x the size on the medium ..."
for _ in 1 2; do
    cat "$IN" "$IN" "$IN" >"$W/pretouch" && sync
    rm -f "$W/pretouch"
done
say ""

# --- 1. cat floor ------------------------------------------------------------------------
if ! skipped cat; then
    say "[cat: the I/O floor]"
    run_step cat_null "$SIZE" "" "cat $(q "$IN") >/dev/null"
    run_step cat_file "$SIZE" "rm -f $(q "$OUT")" "cat $(q "$IN") >$(q "$OUT") && sync"
    rm -f "$OUT"
fi

# --- 6. raw libsodium --------------------------------------------------------------------
if ! skipped sodium; then
    say "[libsodium XChaCha20-Poly1305, 64 KiB chunks]"
    for t in 1 2; do
        best=
        for ((i = 0; i < REPEAT; i++)); do
            if ! out=$("$W/raw_sodium" mem "$SIZE" "$t" 2>&1); then
                say "  sodium_mem_$t: FAILED: $out"; STATE[sodium_mem_$t]=error; RC=1; best=; break
            fi
            read -r s _ <<<"$out"
            if [ -z "$best" ] || awk "BEGIN { exit !($s < $best) }"; then best=$s; fi
        done
        if [ -n "$best" ]; then
            SEC[sodium_mem_$t]=$best; STATE[sodium_mem_$t]=ok; MBS[sodium_mem_$t]=$(calc "$SIZE / 1e6 / $best")
            printf '  %-34s %8.3f s  %8s MB/s\n' "sodium_mem_${t}thread" "$best" "${MBS[sodium_mem_$t]}"
        fi
    done
    run_step sodium_pipe_null "$SIZE" "" "$(q "$W/raw_sodium") pipe $(q "$IN") /dev/null >/dev/null"
    run_step sodium_pipe_file "$SIZE" "rm -f $(q "$OUT")" "$(q "$W/raw_sodium") pipe $(q "$IN") $(q "$OUT") >/dev/null && sync"
    rm -f "$OUT"
fi

# --- 2. sandyq add / get -----------------------------------------------------------------
V=$W/big.sqv
if ! skipped sandyq; then
    say "[sandyq, growable vault, --kdf test]"
    if [ "$SQ_OK" = 1 ]; then
        run_step sq_add "$SIZE" "rm -f $(q "$V"); $(sqc init "$V" --kdf test --growable)" \
            "$(sqc add "$V" "$IN") && sync"
        NAME=$(basename "$IN")
        if [ "${STATE[sq_add]}" = ok ]; then
            if ! eval "$(sqc ls "$V" --json)" 2>&1 | grep -qF "\"name\":\"$NAME\""; then
                say "  note: ls --json does not list '$NAME':"
                eval "$(sqc ls "$V" --json)" 2>&1 | head -n 5
            fi
            run_step sq_get_file "$SIZE" "rm -f $(q "$OUT")" "$(sqc get "$V" "$NAME" -o "$OUT") && sync"
            verify sq_get_file "$OUT"
            rm -f "$OUT"
            run_step sq_get_null "$SIZE" "" "$(sqc get "$V" "$NAME") >/dev/null"
            say "  vault size $(stat -c %s "$V") bytes for $SIZE bytes of plaintext"
        fi
        rm -f "$V"
    else
        STATE[sq_add]=error; STATE[sq_get_file]=error; STATE[sq_get_null]=error
    fi
fi

# --- 3. age ------------------------------------------------------------------------------
if ! skipped age; then
    say "[age]"
    if have age && have age-keygen; then
        age-keygen -o "$W/age.key" 2>/dev/null
        R=$(age-keygen -y "$W/age.key")
        E=$W/out.age
        run_step age_enc_null "$SIZE" "" "age -e -r $(q "$R") $(q "$IN") >/dev/null"
        run_step age_enc_file "$SIZE" "rm -f $(q "$E")" "age -e -r $(q "$R") -o $(q "$E") $(q "$IN") && sync"
        if [ "${STATE[age_enc_file]}" = ok ]; then
            run_step age_dec_null "$SIZE" "" "age -d -i $(q "$W/age.key") $(q "$E") >/dev/null"
            run_step age_dec_file "$SIZE" "rm -f $(q "$OUT")" "age -d -i $(q "$W/age.key") -o $(q "$OUT") $(q "$E") && sync"
            verify age_dec_file "$OUT"
        fi
        rm -f "$E" "$OUT"
    else
        say "  skipped (not installed)"; STATE[age]=skipped
    fi
fi

# --- 4. gpg ------------------------------------------------------------------------------
if ! skipped gpg; then
    say "[gpg -c AES256, no compression]"
    if have gpg; then
        export GNUPGHOME=$W/gnupg
        mkdir -m 700 "$GNUPGHOME"
        G="gpg --batch --quiet --yes --pinentry-mode loopback --passphrase-file $(q "$PF")"
        GE="$G --symmetric --cipher-algo AES256 --compress-algo none"
        E=$W/out.gpg
        # warm-up outside the clock: the first call creates the keybox and starts gpg-agent
        head -c 4096 /dev/urandom | $GE -o - >/dev/null 2>&1
        run_step gpg_enc_null "$SIZE" "" "$GE -o - $(q "$IN") >/dev/null"
        run_step gpg_enc_file "$SIZE" "rm -f $(q "$E")" "$GE -o $(q "$E") $(q "$IN") && sync"
        if [ "${STATE[gpg_enc_file]}" = ok ]; then
            run_step gpg_dec_null "$SIZE" "" "$G --no-symkey-cache -d -o - $(q "$E") >/dev/null"
            run_step gpg_dec_file "$SIZE" "rm -f $(q "$OUT")" "$G --no-symkey-cache -d -o $(q "$OUT") $(q "$E") && sync"
            verify gpg_dec_file "$OUT"
        fi
        rm -f "$E" "$OUT"
    else
        say "  skipped (not installed)"; STATE[gpg]=skipped
    fi
fi

# --- 5. 7zz ------------------------------------------------------------------------------
if ! skipped 7zz; then
    say "[7zz -mx=0 -mhe=on]"
    if have 7zz; then
        E=$W/out.7z
        X=$W/7x
        Z="7zz -bso0 -bse2 -bsp0 -y -p$(q "$PASS")"
        run_step 7zz_enc_file "$SIZE" "rm -f $(q "$E")" "$Z a -mx=0 -mhe=on $(q "$E") $(q "$IN") && sync"
        if [ "${STATE[7zz_enc_file]}" = ok ]; then
            run_step 7zz_dec_null "$SIZE" "" "7zz e -so -p$(q "$PASS") $(q "$E") 2>/dev/null >/dev/null"
            run_step 7zz_dec_file "$SIZE" "rm -rf $(q "$X")" "$Z x -o$(q "$X") $(q "$E") && sync"
            verify 7zz_dec_file "$X/$(basename "$IN")"
        fi
        rm -rf "$E" "$X"
    else
        say "  skipped (not installed)"; STATE[7zz]=skipped
    fi
fi

# --- unlock time per KDF profile ---------------------------------------------------------
if ! skipped unlock && [ "$SQ_OK" = 1 ]; then
    say "[unlock: sandyq ls on an empty vault]"
    U=$W/empty-test.sqv
    if eval "$(sqc init "$U" --kdf test --growable)" >"$W/err.init" 2>&1; then
        time_best unlock_test 9 "$(sqc ls "$U") >/dev/null"
    else
        say "  init --kdf test FAILED: $(tail -n 3 "$W/err.init")"; STATE[unlock_test]=error; RC=1
    fi
    profiles=(standard)
    [ "$WITH_STRONG" = 1 ] && profiles+=(strong)
    for p in "${profiles[@]}"; do
        U=$W/empty-$p.sqv
        if env -u SANDYQ_INSECURE_TEST_KDF bash -c "$(sqc init "$U" --kdf "$p" --growable)" >"$W/err.init" 2>&1; then
            time_best "unlock_$p" 3 "unset SANDYQ_INSECURE_TEST_KDF; $(sqc ls "$U") >/dev/null"
            RSS[unlock_$p]=${RSS[unlock_$p]:-0}
            say "    peak RSS ${RSS[unlock_$p]} KiB"
        else
            say "  init --kdf $p FAILED: $(tail -n 3 "$W/err.init")"; STATE[unlock_$p]=error; RC=1
        fi
        rm -f "$U"
    done
fi

# --- 7. many documents -------------------------------------------------------------------
if ! skipped docs && [ "$DOCS" -gt 0 ] && [ "$SQ_OK" = 1 ]; then
    say "[many documents: $DOCS documents of ~100 bytes, $BATCH per folder]"
    M=$W/many.sqv
    D=$W/docs
    pad=$(printf '%080d' 0)
    if ! eval "$(sqc init "$M" --kdf test --growable)" >"$W/err.init" 2>&1; then
        say "  init FAILED: $(tail -n 3 "$W/err.init")"; STATE[docs_add]=error; RC=1
    else
        added=0 b=0 add_s=0
        while [ "$added" -lt "$DOCS" ]; do
            n=$((DOCS - added < BATCH ? DOCS - added : BATCH))
            bd=$(printf '%s/b%05d' "$D" "$b")
            mkdir -p "$bd"
            for ((i = added; i < added + n; i++)); do
                printf 'document %07d %s\n' "$i" "$pad" >"$bd/d$i.txt"
            done
            "$BT" time "$W/res.docs" bash -c "$(sqc add "$M" "$bd")" >/dev/null 2>"$W/err.docs"
            read -r s r c <"$W/res.docs"
            if [ "$c" != 0 ]; then
                say "  add of batch $b FAILED (exit $c): $(tail -n 5 "$W/err.docs")"
                STATE[docs_add]=error; RC=1; break
            fi
            add_s=$(calc "$add_s + $s" 3)
            added=$((added + n)); b=$((b + 1))
            rm -rf "$bd"
            printf '  batch %3d: %6d documents in %7.2f s (total %d, vault %d bytes)\n' "$b" "$n" "$s" "$added" "$(stat -c %s "$M")"
        done
        rm -rf "$D"
        if [ "${STATE[docs_add]:-ok}" = ok ]; then
            STATE[docs_add]=ok
            say "  added $added documents in $add_s s of sandyq time ($(calc "$added / $add_s" 0) documents/s)"
            count=$(eval "$(sqc info "$M" --json)" 2>/dev/null | sed -n 's/.*"documents":\([0-9]*\).*/\1/p')
            say "  info --json counts ${count:-?} documents; vault $(stat -c %s "$M") bytes"
            [ "$count" = "$added" ] || { say "  FAILED: expected $added entries"; STATE[docs_add]=error; RC=1; }
            DOCS_DONE=$added
            time_best docs_ls 9 "$(sqc ls "$M") >/dev/null"
            if [ -z "${SEC[unlock_test]:-}" ]; then
                U=$W/empty-test.sqv
                [ -f "$U" ] || eval "$(sqc init "$U" --kdf test --growable)" >/dev/null 2>&1
                time_best unlock_test 9 "$(sqc ls "$U") >/dev/null"
            fi
            # one 1 KiB note, twice: the first also finishes the deferred scrub of the bulk add,
            # the second is the steady state. Changed 4 KiB blocks are counted by comparing copies.
            for k in 1 2; do
                head -c 1024 /dev/urandom >"$W/note$k.bin"
                cp "$M" "$W/before.sqv"
                sync
                "$BT" time "$W/res.note" bash -c "$(sqc add "$M" "$W/note$k.bin")" >/dev/null 2>"$W/err.note"
                read -r s r c <"$W/res.note"
                if [ "$c" != 0 ]; then
                    say "  add of a 1 KiB note FAILED (exit $c): $(tail -n 5 "$W/err.note")"
                    STATE[note$k]=error; RC=1; break
                fi
                read -r nb nbytes osz nsz <<<"$("$BT" blockdiff "$W/before.sqv" "$M" 4096)"
                STATE[note$k]=ok; NOTE_BLOCKS[$k]=$nb; NOTE_BYTES[$k]=$nbytes; NOTE_GROW[$k]=$((nsz - osz))
                printf '  1 KiB note #%d: %.1f ms, %d changed 4 KiB blocks = %d bytes (vault %d -> %d bytes)\n' \
                    "$k" "$(calc "$s * 1000")" "$nb" "$nbytes" "$osz" "$nsz"
                rm -f "$W/before.sqv"
            done
        fi
        rm -f "$M"
    fi
fi
say ""

# --- the table ---------------------------------------------------------------------------
ROWS=()
row() { ROWS+=("$1|$2|$3|$4|$5"); }
val() { # MB/s of KEY, or its state
    case ${STATE[$1]:-} in
    ok) echo "${MBS[$1]}" ;;
    error) echo "ERROR" ;;
    *) echo "skipped" ;;
    esac
}
peer_state() { # why a peer row has no number
    local tool=$1 key=$2
    if [ "${STATE[$tool]:-}" = skipped ]; then echo "skipped (not installed)"
    elif [ "${STATE[$key]:-}" = error ]; then echo "ERROR"
    else echo "skipped"; fi
}
# ratio row: WHAT MINE_KEY PEER_KEY PEER_TOOL PEER_LABEL TARGET
ratio_row() {
    local what=$1 a=$2 b=$3 tool=$4 label=$5 target=$6 r ok
    if [ "${STATE[$a]:-}" != ok ]; then
        row "$what" "$(val "$a")" "-" ">= ${target}x" "-"; return
    fi
    if [ "${STATE[$b]:-}" != ok ]; then
        row "$what" "${MBS[$a]}" "$(peer_state "$tool" "$b")" ">= ${target}x" "-"; return
    fi
    r=$(calc "${MBS[$a]} / ${MBS[$b]}" 2)
    ok=$(awk "BEGIN { print ($r >= $target) ? \"yes\" : \"no\" }")
    row "$what" "${MBS[$a]}" "${r}x $label" ">= ${target}x" "$ok"
}
plain_row() { # WHAT KEY TOOL
    if [ "${STATE[$2]:-}" = ok ]; then row "$1" "${MBS[$2]}" "-" "-" "-"
    else row "$1" "$(peer_state "$3" "$2")" "-" "-" "-"; fi
}

skipped cat || { plain_row "cat > /dev/null" cat_null cat; plain_row "cat > new file + sync" cat_file cat; }
if ! skipped age; then
    plain_row "age -e > /dev/null" age_enc_null age; plain_row "age -e > new file + sync" age_enc_file age
    plain_row "age -d > /dev/null" age_dec_null age; plain_row "age -d > new file + sync" age_dec_file age
fi
if ! skipped gpg; then
    plain_row "gpg -c > /dev/null" gpg_enc_null gpg; plain_row "gpg -c > new file + sync" gpg_enc_file gpg
    plain_row "gpg -d > /dev/null" gpg_dec_null gpg; plain_row "gpg -d > new file + sync" gpg_dec_file gpg
fi
if ! skipped 7zz; then
    plain_row "7zz a > new archive + sync" 7zz_enc_file 7zz
    plain_row "7zz e -so > /dev/null" 7zz_dec_null 7zz; plain_row "7zz x > new file + sync" 7zz_dec_file 7zz
fi
if ! skipped sodium; then
    plain_row "sodium XChaCha20-Poly1305, 1 thread" sodium_mem_1 sodium
    plain_row "sodium XChaCha20-Poly1305, 2 threads" sodium_mem_2 sodium
    plain_row "sodium pipeline > /dev/null" sodium_pipe_null sodium
    plain_row "sodium pipeline > new file + fsync" sodium_pipe_file sodium
fi
if ! skipped sandyq; then
    ratio_row "sandyq add vs age -e (file)" sq_add age_enc_file age "age -e" 1.0
    ratio_row "sandyq add vs cat floor (file)" sq_add cat_file cat "cat" 0.5
    ratio_row "sandyq add vs gpg -c (file)" sq_add gpg_enc_file gpg "gpg -c" 3
    ratio_row "sandyq add vs 7zz a" sq_add 7zz_enc_file 7zz "7zz a" 2
    ratio_row "sandyq get -o file vs age -d (file)" sq_get_file age_dec_file age "age -d" 1.5
    ratio_row "sandyq get > /dev/null vs age -d" sq_get_null age_dec_null age "age -d" 1.5
    ratio_row "sandyq get -o file vs gpg -d (file)" sq_get_file gpg_dec_file gpg "gpg -d" 3
    ratio_row "sandyq get > /dev/null vs gpg -d" sq_get_null gpg_dec_null gpg "gpg -d" 3
    ratio_row "sandyq get -o file vs 7zz x (file)" sq_get_file 7zz_dec_file 7zz "7zz x" 2
    ratio_row "sandyq get > /dev/null vs 7zz e -so" sq_get_null 7zz_dec_null 7zz "7zz e" 2
    lim=$(((KDF_MIB[test] + 64) * 1024))
    for k in sq_add sq_get_file sq_get_null; do
        if [ "${STATE[$k]:-}" = ok ]; then
            row "peak RSS $k" "$(calc "${RSS[$k]} / 1024") MiB" "-" "<= $((lim / 1024)) MiB (KDF test 8 + 64)" \
                "$([ "${RSS[$k]}" -le "$lim" ] && echo yes || echo no)"
        else
            row "peak RSS $k" "$(val "$k")" "-" "<= $((lim / 1024)) MiB" "-"
        fi
    done
fi
if ! skipped unlock; then
    for p in test standard strong; do
        [ "$p" = strong ] && [ "$WITH_STRONG" = 0 ] && continue
        k=unlock_$p
        if [ "${STATE[$k]:-}" = ok ]; then
            row "unlock, --kdf $p (ls of empty vault)" "$(calc "${SEC[$k]} * 1000") ms" "-" "(KDF ${KDF_MIB[$p]} MiB)" "-"
        else
            row "unlock, --kdf $p (ls of empty vault)" "$(val "$k")" "-" "-" "-"
        fi
    done
fi
if ! skipped docs && [ "$DOCS" -gt 0 ]; then
    if [ "${STATE[docs_ls]:-}" = ok ] && [ "${STATE[unlock_test]:-}" = ok ]; then
        d=$(calc "(${SEC[docs_ls]} - ${SEC[unlock_test]}) * 1000")
        row "add of $DOCS_DONE docs in batches of $BATCH" "$(calc "$DOCS_DONE / $add_s" 0) docs/s" "-" "-" "-"
        row "ls of $DOCS_DONE docs (test KDF)" "$(calc "${SEC[docs_ls]} * 1000") ms" "-" "-" "-"
        row "peak RSS ls of $DOCS_DONE docs" "$(calc "${RSS[docs_ls]} / 1024") MiB" "-" "-" "-"
        row "ls of $DOCS_DONE docs minus unlock" "$d ms" "-" "<= 50 ms" \
            "$(awk "BEGIN { print ($d <= 50) ? \"yes\" : \"no\" }")"
    else
        row "ls of many docs minus unlock" "$(val docs_ls)" "-" "<= 50 ms" "-"
    fi
    for k in 1 2; do
        label="1 KiB note #$k into ${DOCS_DONE:-$DOCS} docs"
        [ "$k" = 1 ] && label="$label (+ scrub of bulk add)"
        if [ "${STATE[note$k]:-}" = ok ]; then
            if [ "$k" = 2 ]; then
                row "$label" "${NOTE_BYTES[$k]} B" "${NOTE_BLOCKS[$k]} blocks, +${NOTE_GROW[$k]} B file" "<= 256 KiB (O(note))" \
                    "$([ "${NOTE_BYTES[$k]}" -le 262144 ] && echo yes || echo no)"
            else
                row "$label" "${NOTE_BYTES[$k]} B" "${NOTE_BLOCKS[$k]} blocks, +${NOTE_GROW[$k]} B file" "-" "-"
            fi
        else
            row "$label" "$(val "note$k")" "-" "-" "-"
        fi
    done
fi

say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
say "=== results: $SIZE_ARG on $(df -PT "$W" | awk 'NR == 2 { print $2 }') ($DIR), $(nproc) cores ==="
{
    echo "what|MB/s|ratio|target|ok?"
    printf '%s\n' "${ROWS[@]}"
} | awk -F'|' '
    { for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
    END {
        for (r = 1; r <= n; r++) {
            line = ""
            for (i = 1; i <= 5; i++) line = line sprintf(i == 1 ? "%-" w[i] "s" : " | %-" w[i] "s", c[r, i])
            print line
            if (r == 1) { sep = ""; for (i = 1; i <= 5; i++) sep = sep (i == 1 ? "" : "-+-") sprintf("%" w[i] "s", "") ; gsub(/ /, "-", sep); print sep }
        }
    }'
say ""
say "(targets are reported, not enforced; exit status is non-zero only if a tool errored)"
exit "$RC"
