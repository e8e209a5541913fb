#!/bin/bash
# test_powerloss.sh: power-loss state replay of real commands. Each command
# runs once under sandyq-traced (the CLI with an I/O tracer, SQ_IO_TRACE),
# then sq-replay rebuilds every on-disk state a power cut could have left
# (tests/powerloss/sq-replay.c: every barrier, subsets of pending writes,
# torn writes, folder operations undone) and checks each: the old or the new
# committed state, every document intact, check clean, a new commit taken;
# after exit 0 the new state durable. It prints the states per command.
#   SQ_REPLAY_RANDOM   random subsets per cut with > 12 pending writes (1000)
#   SQ_REPLAY_SAMPLE   check one distinct state in N (default 1: all; the
#                      ASan run of tools/test.sh samples)
#   SQ_REPLAY_BIG      size of the large document (default 1.5 MiB; the slow
#                      variant uses more)
. "$(dirname "$0")/lib.sh"

TRACED="$SQ_BUILD/tests/sandyq-traced"
REPLAY="$SQ_BUILD/tests/sq-replay"
RANDOM_SUBSETS=${SQ_REPLAY_RANDOM:-1000}
BIG=${SQ_REPLAY_BIG:-1572864}
[ -x "$TRACED" ] && [ -x "$REPLAY" ] || { echo "missing $TRACED or $REPLAY" >&2; exit 2; }

# states on tmpfs when there is one: thousands of vault images are written
WORK_ROOT="$SQ_TMP"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    WORK_ROOT=$(mktemp -d /dev/shm/sq-powerloss.XXXXXX) || exit 2
    trap 'rm -rf "$WORK_ROOT"; sq_finish' EXIT
fi

printf 'second passphrase\n' > pw2
printf 'changed passphrase\n' > pwc
printf 'third passphrase\n' > pw3
mkdir -p d in
printf 'the first statement\n' > in/a.txt
randfile in/b.bin 20000
randfile in/big.bin "$BIG"
printf '' > in/empty

# traced NAME CMD ARGS...: runs "sandyq-traced CMD ARGS" on the vault d/v,
# then replays it; the passphrase files to try are pw, pw2, pwc, pw3
n_run=0
traced() {
    local label=$1 rc=0 out
    shift
    n_run=$((n_run + 1))
    rm -rf pre && cp -a d pre
    SQ_IO_TRACE="$SQ_TMP/trace" "$TRACED" "$@" > traced.out 2> "$SQ_ERR" || rc=$?
    if [ "$rc" -ne 0 ]; then fail "$label: the command itself failed ($rc)"; return; fi
    # split keys: the master secrets of the sets made so far are ways in too
    # (AFTER turns a command's printed shares into one, with slip39 combine)
    if [ -n "${AFTER:-}" ]; then eval "$AFTER"; AFTER=; fi
    local raw=()
    for k in ${RAWKEYS:-}; do raw+=(--rawkey "$k"); done
    mkdir -p "$WORK_ROOT/w$n_run"
    if out=$("$REPLAY" --pre pre --post d --trace "$SQ_TMP/trace" --vault v --exit "$rc" \
                 --pass "$PW" --pass pw2 --pass pwc --pass pw3 "${raw[@]}" --random "$RANDOM_SUBSETS" \
                 --seed "$n_run" --sample "${SQ_REPLAY_SAMPLE:-1}" --work "$WORK_ROOT/w$n_run" 2> "$SQ_ERR"); then
        pass
        echo "$label: ${out#sq-replay: }"
    else
        fail "$label: $out"
    fi
    rm -rf "$WORK_ROOT/w$n_run"
}

# creation: the vault appears whole under its name or not at all
traced "init" init d/v --kdf test --growable --passphrase-file "$PW"
traced "add (small documents)" add d/v in/a.txt in/b.bin in/empty "$P"
traced "add (large document, the file grows)" add d/v in/big.bin "$P"
traced "mv" mv d/v a.txt renamed.txt "$P"
traced "rm" rm d/v b.bin "$P"
traced "passphrase add" passphrase add d/v --new-passphrase-file pw2 "$P"
traced "passphrase change" passphrase change d/v --passphrase-file pw2 --new-passphrase-file pwc
traced "passphrase add (third)" passphrase add d/v --new-passphrase-file pw3 "$P"
traced "passphrase remove" passphrase remove d/v --passphrase-file pw3
# split keys: each new set's slot is durable before the root that lists it;
# rotate removes the old set from the root before wiping its slot, so every
# cut leaves exactly one of the two sets opening the vault
AFTER='$SANDYQ slip39 combine traced.out > ms1' RAWKEYS="ms1" \
    traced "shares create" shares create d/v --threshold 2 --shares 3 "$P"
AFTER='$SANDYQ slip39 combine traced.out > ms2' RAWKEYS="ms1 ms2" \
    traced "shares rotate" shares rotate d/v --group-threshold 1 --group 2/2 --group 1/1 --words 20 "$P"
RAWKEYS="ms2" traced "shares reissue (new member)" shares reissue d/v --member 1/new "$P"
# rekey keeps pw and pwc and drops pw3: old and new states differ in which
# passphrases open, so a cut that lets a dropped one reach either level shows
traced "passphrase add (before rekey)" passphrase add d/v --new-passphrase-file pw3 "$P"
# (rekey wipes the share set's slot with every other dropped way in; with two
# dropped ways in a torn header write can leave one opening the old level and
# not the other, each on its own "old", which this model cannot express: the
# share set's end is checked by test_shares.sh and test_vault_shares)
RAWKEYS="" traced "rekey (ends the share set)" rekey d/v --keep-passphrase-file pwc "$P"
traced "add after rekey (replace)" add d/v in/b.bin --as renamed.txt --replace "$P"

# negative control: the same kind of trace with its fsyncs taken out claims
# durability the writes never had; sq-replay must call that broken
rm -rf pre && cp -a d pre
SQ_IO_TRACE="$SQ_TMP/trace" "$TRACED" mv d/v renamed.txt again.txt "$P" 2> "$SQ_ERR" || fail "mv (control) failed"
python3 - "$SQ_TMP/trace" "$SQ_TMP/trace.nosync" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read(); out = bytearray(b[:8]); pos = 8
while pos < len(b):
    kind, pl, p2l = struct.unpack_from('<III', b, pos); ln = struct.unpack_from('<Q', b, pos + 32)[0]
    size = 48 + pl + p2l + (ln if kind in (0, 1) else 0)
    if kind not in (2, 3, 4):          # SQ_IO_FSYNC, SQ_IO_FDATASYNC, SQ_IO_FSYNC_DIR
        out += b[pos:pos + size]
    pos += size
open(sys.argv[2], 'wb').write(out)
PY
mkdir -p "$WORK_ROOT/control"
if "$REPLAY" --pre pre --post d --trace "$SQ_TMP/trace.nosync" --vault v --exit 0 --pass "$PW" \
       --pass pw2 --pass pwc --pass pw3 --random 20 --sample 50 --no-continue \
       --work "$WORK_ROOT/control" > /dev/null 2> "$SQ_ERR"; then
    fail "sq-replay passed a trace without fsyncs"
else
    says "was not durable"
fi
