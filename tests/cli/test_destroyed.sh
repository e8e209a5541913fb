#!/bin/bash
# test_destroyed.sh: rm and rekey really destroy (FORMAT.md 9, 13). An
# attacker who knew a passphrase before the command keeps the level key, every
# document's key inputs and layout, and the keyring's slot KEKs
# (tests/tools/sq-destroyed capture); once the command returned, no block of
# the file authenticates under them (sq-destroyed check, no passphrase). Every
# check has a negative control on a state where the keys still work, so a
# harness that cannot find anything would fail here.
. "$(dirname "$0")/lib.sh"

SQD="${SQ_DESTROYED:-${SQ_BUILD:-}/tests/sq-destroyed}"
if [ ! -x "$SQD" ]; then
    : > "$SQ_ERR"
    fail "sq-destroyed is not built (looked for '$SQD'; build the target sq-destroyed)"
    exit 1
fi
sqd() { "$SQD" "$@"; }

# authed KIND FILE: the "authenticated" count that sq-destroyed printed for KIND
authed() {
    sed -n "s/^$1 *[0-9]* trial decryptions, \([0-9]*\) authenticated\$/\1/p" "$2"
}
# tried KIND FILE: its trial count
tried() {
    sed -n "s/^$1 *\([0-9]*\) trial decryptions, [0-9]* authenticated\$/\1/p" "$2"
}

# --- rm ---------------------------------------------------------------------------
mkvault v
printf 'alpha\n' > a.txt
printf 'beta\n' > b.txt
: > empty.txt                    # one empty final chunk
randfile one.bin 65536           # exactly one full chunk
randfile big.bin 1572877         # 25 chunks, the last one 13 bytes
ok sq add v a.txt b.txt empty.txt one.bin big.bin "$P"

ok sqd capture v st1 "$P" > /dev/null
is "the state file is mode 0600" test "$(stat -c %a st1)" = 600
fails 2 sqd capture v st1 "$P"  # an existing state file is never overwritten
fails 2 sqd check v st1          # nothing to check
fails 2 sqd check v st1 --removed no-such-name

# negative control: big.bin is still there, every chunk is found
fails 1 sqd check v st1 --removed big.bin > neg-rm.out
is "negative control: all 25 chunks of big.bin authenticate" test "$(authed 'document chunks' neg-rm.out)" = 25
is "negative control: hits name their block" grep -q "^HIT  block [0-9]* +[0-9]* (its old place" neg-rm.out

ok sq rm v big.bin "$P"
ok sqd check v st1 --removed big.bin > rm.out
is "after rm: nothing of big.bin authenticates" test "$(authed 'document chunks' rm.out)" = 0
# 25 chunks at every block where a chunk fits (a full one needs 17 blocks)
is "after rm: 25 trials per block" python3 -c '
import sys
trials, blocks = int(sys.argv[1]), int(sys.argv[2])
assert trials >= 25 * (blocks - 16), (trials, blocks)' "$(tried 'document chunks' rm.out)" \
    "$(( ($(stat -c %s v) - 20480) / 4096 ))"
# negative control: documents still present are found, even next to removed ones
fails 1 sqd check v st1 --removed big.bin --removed a.txt > neg-rm2.out
is "negative control: a.txt still authenticates" test "$(authed 'document chunks' neg-rm2.out)" = 1
ok sq get v a.txt -o a.out "$P"
same a.txt a.out

# small documents, two removals, each its own command
ok sqd capture v st2 "$P" > /dev/null
ok sq rm v b.txt "$P"
ok sq rm v empty.txt "$P"
ok sqd check v st2 --removed b.txt --removed empty.txt > rm2.out
fails 1 sqd check v st2 --removed b.txt --removed one.bin > neg-rm3.out
is "negative control: one.bin still authenticates" test "$(authed 'document chunks' neg-rm3.out)" = 1
# rm does not rekey: the old level key still opens the metadata (why rekey exists)
fails 1 sqd check v st2 --rekeyed > neg-rm4.out
is "rm keeps the level key" test "$(authed 'metadata objects' neg-rm4.out)" -gt 0

# --- rekey --------------------------------------------------------------------------
mkvault r
randfile big2.bin 1200000
ok sq add r a.txt b.txt big2.bin "$P"
printf 'colleague passphrase\n' > pw2
ok sq passphrase add r --label colleague --new-passphrase-file pw2 "$P" > /dev/null
# the colleague keeps everything their passphrase gives; the kept person too
ok sqd capture r st3 --passphrase-file "$SQ_TMP/pw2" > /dev/null
ok sqd capture r st4 "$P" > /dev/null

# negative controls: before rekey every kind of trial finds something
fails 1 sqd check r st3 --rekeyed --passphrase-removed > neg-rk.out
is "negative control: old chunks authenticate" test "$(authed 'document chunks' neg-rk.out)" -gt 0
is "negative control: old objects authenticate" test "$(authed 'metadata objects' neg-rk.out)" -gt 0
is "negative control: old KEKs open slots" test "$(authed 'slots under old KEKs' neg-rk.out)" -gt 0
is "negative control: the colleague's passphrase opens its slot" \
    test "$(authed 'slots under the removed passphrase' neg-rk.out)" = 2

ok sq passphrase remove r --passphrase-file pw2 > /dev/null
fails 1 sq ls r --passphrase-file pw2
# the wiped slot opens under nothing the colleague kept...
ok sqd check r st3 --passphrase-removed > rm-pass.out
# ...but the old level key is still the level's: the kept slot and every block
fails 1 sqd check r st3 --rekeyed > neg-rk2.out
is "before rekey: the old level key still works" test "$(authed 'document chunks' neg-rk2.out)" -gt 0
is "before rekey: the kept slot opens under its old KEK" test "$(authed 'slots under old KEKs' neg-rk2.out)" = 2

ok sq rekey r "$P" > /dev/null
ok sqd check r st3 --rekeyed --passphrase-removed > rk.out
for kind in 'document chunks' 'metadata objects' 'slots under old KEKs'; do
    is "after rekey: no $kind authenticate" test "$(authed "$kind" rk.out)" = 0
    is "after rekey: $kind were tried" test "$(tried "$kind" rk.out)" -gt 0
done
# rekey draws two fresh salts (FORMAT.md 13), so the Argon2 outputs the
# colleague kept for the old salts apply to neither area any more
is "after rekey: no slot under the removed passphrase is even tried" \
    test -z "$(tried 'slots under the removed passphrase' rk.out)"
is "after rekey: both salts are new" test "$(grep -c 'changed since the capture' rk.out)" = 2
ok sqd check r st4 --rekeyed > rk2.out
# the removed passphrase does not open the vault through the CLI either
fails 1 sq ls r --passphrase-file pw2
says "cannot unlock"
# and the kept one opens everything, intact
ok sq get r big2.bin -o big2.out "$P"
same big2.bin big2.out
ok sq check r "$P" > /dev/null

# a rekey also destroys what was removed before it, under the key of then
ok sq rekey v "$P" > /dev/null
ok sqd check v st1 --rekeyed > rk3.out
ok sqd check v st2 --rekeyed > rk4.out
ok sq get v one.bin -o one.out "$P"
same one.bin one.out
