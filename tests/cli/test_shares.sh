#!/bin/bash
# test_shares.sh: split keys bound to a vault level (sandyq shares, --shares).
# A vault opens with every K-subset of its shares (random subsets of larger
# sets too) and is refused with K-1; K+1 with one share altered (checksum
# still valid) names that share; a changed word is pointed out by position;
# rotate makes the old shares useless and shares verify/check say so;
# reissue gives the same words, a new member combines with the old ones;
# --to writes age files stock age opens; sheets are 0600; a share typed
# word by word on the terminal opens the vault; rekey ends the set.
. "$(dirname "$0")/lib.sh"

PTY="$SQ_BUILD/tests/sq-pty"
WORDS="$SQ_SRC/tests/vectors/slip39/wordlist.txt"
says() { grep -qF -- "$1" "$SQ_ERR" && pass || fail "stderr lacks: $1"; }
# mnemonics FILE: the share lines of a shares output (no headings, no certificates)
mnemonics() { awk '/^-----BEGIN/{c=1} !c && !/^#/ && NF {print} /^-----END/{c=0}' "$1"; }
# member_block OUT G M: the lines of group G member M (mnemonic and certificate)
member_block() {
    awk -v h="# group $2 of " -v m=", member $3" '
        index($0, h) == 1 && substr($0, length($0) - length(m) + 1) == m {p=1; next}
        p && /^# /{p=0} p' "$1"
}
# reseal FILE N K WORD: mnemonic N with word K replaced by WORD and the RS1024
# checksum recomputed (SLIP-0039 "Checksum"): a share that decodes but is not
# the one issued
reseal() {
    python3 - "$WORDS" "$@" <<'PY'
import sys
words = open(sys.argv[1]).read().split()
lines = [l for l in open(sys.argv[2]).read().split("\n") if l.strip()]
n, k, w = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
GEN = [0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009, 0x1C0C2412, 0x38086C24,
       0x3090FC48, 0x21B1F890, 0x3F3F120]
def polymod(vals):
    chk = 1
    for v in vals:
        b = chk >> 20
        chk = (chk & 0xFFFFF) << 10 ^ v
        for i in range(10):
            chk ^= GEN[i] if (b >> i) & 1 else 0
    return chk
idx = [words.index(x) for x in lines[n - 1].split()]
idx[k - 1] = words.index(w)
ext = (idx[1] >> 4) & 1
cs = [ord(c) for c in ("shamir_extendable" if ext else "shamir")]
data = idx[:-3]
chk = polymod(cs + data + [0, 0, 0]) ^ 1
data += [(chk >> 20) & 1023, (chk >> 10) & 1023, chk & 1023]
lines[n - 1] = " ".join(words[i] for i in data)
print("\n".join(lines))
PY
}

echo "evidence" > doc.txt
ok sq init v.sq "$P" --kdf test
ok sq add v.sq doc.txt "$P"

# ---- create: 3 of 5, 33 words; every share printed once, each certificate beside it
ok sq shares create v.sq --threshold 3 --shares 5 "$P" > set1
mnemonics set1 > m1
is "5 shares" [ "$(wc -l < m1)" -eq 5 ]
is "33 words each" [ -z "$(awk 'NF != 33' m1)" ]
is "5 certificates" [ "$(grep -c '^-----BEGIN SANDYQ SHARE CERTIFICATE-----$' set1)" -eq 5 ]
is "each share once" [ "$(sort -u m1 | wc -l)" -eq 5 ]
# certificates and headings are never written in the word list: no other
# line has more than three words of the list (English headings may have some)
is "no list words outside the mnemonics" [ -z "$(grep -v -xF -f m1 set1 | while read -r l; do
    n=$(printf '%s\n' $l | tr 'A-Z' 'a-z' | grep -cxF -f "$WORDS"); [ "$n" -gt 3 ] && echo "$l"; done)" ]
fails 1 sq shares create v.sq --threshold 2 --shares 3 "$P"; says "already has a share set"

# every 3-subset opens (read-only and writable); every 2-subset is refused
n_ok=0
for a in 1 2 3 4 5; do for b in 1 2 3 4 5; do for c in 1 2 3 4 5; do
    [ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] || continue
    sed -n "${a}p;${b}p;${c}p" m1 > pick
    sq ls v.sq --shares pick > o 2>"$SQ_ERR" && grep -q doc.txt o && n_ok=$((n_ok + 1))
done; done; done
is "all 10 subsets of 3 open" [ "$n_ok" -eq 10 ]
for a in 1 2 3 4; do
    b=$((a + 1))
    sed -n "${a}p;${b}p" m1 > pick2
    fails 1 sq ls v.sq --shares pick2; says "too few shares: 2 of 3 from group 1"
done
# shares in any order, and more than the threshold
tac m1 > all_rev
ok sq get v.sq doc.txt -o got.txt --shares all_rev && is "get with shares" cmp -s got.txt doc.txt
# the whole printed output works as a share file
ok sq info v.sq --shares set1
# K+1 with one altered share (valid checksum): that share is named
sed -n '1,4p' m1 > four
reseal four 4 10 academic > four_bad
fails 1 sq ls v.sq --shares four_bad; says "share 4 disagrees with the other shares of group 1"
# exactly K with one altered: no share can be named
sed -n '2,4p' four_bad > three_bad
fails 1 sq ls v.sq --shares three_bad; says "digest mismatch"
# one word changed: its position is pointed at, nothing is corrected
awk 'NR == 2 { $12 = ($12 == "academic" ? "acid" : "academic") } { print }' m1 | sed -n '1,3p' > typo
fails 1 sq ls v.sq --shares typo; says "share 2: checksum fails: check words near 11-13"
awk 'NR == 3 { $7 = "acadmic" } { print }' m1 | sed -n '1,3p' > typo2
fails 1 sq ls v.sq --shares typo2; says "word 7 of share 3 is not in the SLIP-0039 word list"
# duplicates and mixed sets
(sed -n '1,2p' m1; sed -n 1p m1) > dup
fails 1 sq ls v.sq --shares dup; says "duplicate member"
fails 2 sq ls v.sq --shares m1 "$P"; says "give the passphrase once"

# ---- verify (owner) and check (holder)
ok sq shares verify v.sq m1 "$P" > ver
is "5 current" [ "$(grep -c ': genuine and current' ver)" -eq 5 ]
fails 1 sq shares verify v.sq four_bad "$P" > ver2
grep -q "share 4: NOT the share this level issued" ver2 && pass || fail "altered share not reported"
ok sq identity v.sq --purpose shares "$P" > pub1
is "statement line" grep -q '^sandyq share set: [0-9]* generation 1 issued ' pub1
member_block set1 1 2 > card2
ok sq shares check --vault-pub pub1 card2 > chk
is "genuine" grep -q '^genuine: set [0-9]*, generation 1, group 1 of 1' chk
is "current" grep -q '^current: yes' chk
# the certificate does not carry over to another share
(sed -n 1p m1; sed -n '/BEGIN/,/END/p' card2) > swapped
fails 1 sq shares check --vault-pub pub1 swapped; says "NOT GENUINE: the share is not the one its certificate describes"
# a certificate edited by one character
sed 's/^generation: 1$/generation: 2/' card2 > forged
fails 1 sq shares check --vault-pub pub1 forged; says "NOT GENUINE"
# a share of another vault, checked against this vault's key
ok sq init w.sq "$P" --kdf test
ok sq shares create w.sq --threshold 2 --shares 2 "$P" > wset
member_block wset 1 1 > wcard
fails 1 sq shares check --vault-pub pub1 wcard; says "NOT GENUINE"
mnemonics wset > wm
fails 1 sq ls v.sq --shares wm; says "open no level of this file"
fails 1 sq shares verify v.sq wm "$P"
(sed -n 1p m1; sed -n 1p wm) > mixed
fails 1 sq ls v.sq --shares mixed; says "shares from different sets"

# ---- reissue: the same words; a new member combines with the old ones
ok sq shares reissue v.sq --member 1/2 "$P" > re
is "re-printed share 2 is the same" [ "$(mnemonics re)" = "$(sed -n 2p m1)" ]
ok sq shares reissue v.sq --member 1/new "$P" > re6
mnemonics re6 > m6
is "a sixth member" grep -q '^# group 1 of 1 (3 of 6 members needed), member 6$' re6
(sed -n '1p;5p' m1; cat m6) > with_new
ok sq ls v.sq --shares with_new
fails 1 sq shares reissue v.sq --member 1/9 "$P"; says "group 1 has 6 members"
fails 1 sq shares reissue v.sq --member 2/1 "$P"; says "the set has 1 groups"

# ---- rotate: two groups, 20 words, a share sealed to a colleague, sheets
age-keygen -o alice.key 2>/dev/null
alice=$(age-keygen -y alice.key)
mkdir sheets
ok sq shares rotate v.sq --group-threshold 2 --group 2/3 --group 1/1 --words 20 \
    --to "alice=$alice" --sheets sheets "$P" > set2
says "is not on tmpfs"
says "an old copy of the vault file still opens with them"
mnemonics set2 > m2
is "3 printed (alice's is sealed)" [ "$(wc -l < m2)" -eq 3 ]
is "20 words" [ -z "$(awk 'NF != 20' m2)" ]
is "sealed, not printed" grep -q '^# group 1, member 1: sealed to alice in sheets/alice.share.age (not printed)$' set2
is "sheets 0600" [ -z "$(find sheets -type f ! -perm 600)" ]
is "2 sheets per printed share" [ "$(ls sheets/share-g*-m*.txt | wc -l)" -eq 3 ] && [ "$(ls sheets/share-g*-m*.html | wc -l)" -eq 3 ]
age -d -i alice.key -o alice.txt sheets/alice.share.age 2>"$SQ_ERR" && pass || fail "stock age cannot open alice's share"
ok sq identity v.sq --purpose shares "$P" > pub2
ok sq shares check --vault-pub pub2 alice.txt
ok sq shares check --vault-pub pub2 sheets/share-g1-m2.txt
# the old set: refused everywhere, each with its own message
fails 1 sq ls v.sq --shares m1; says "open no level of this file"
fails 1 sq shares verify v.sq m1 "$P" > ver3
is "superseded named" grep -q "share 1: superseded: set [0-9]*, generation 1" ver3
fails 1 sq shares check --vault-pub pub2 card2; says "SUPERSEDED: this share is from set"
# the holder with the old public file still sees a genuine share (it was)
ok sq shares check --vault-pub pub1 card2
# old and new statements kept in one file: the latest counts
cat pub1 pub2 > pub_acc
fails 1 sq shares check --vault-pub pub_acc card2; says "SUPERSEDED"
# a damaged statement line is refused, not skipped
sed 's/^sandyq share set: \([0-9]*\) /sandyq share set:  \1 /' pub2 > pub_bad
fails 1 sq shares check --vault-pub pub_bad alice.txt; says "is damaged or not signed"
# verify ties a certificate to a share of the file, and to the current set
(sed -n 2p m2; sed -n '/BEGIN/,/END/p' sheets/share-g1-m2.txt) > vmix
fails 1 sq shares verify v.sq vmix "$P" > vmix.out
is "certificate for another share" grep -q "for none of the shares in this file" vmix.out
ok sq shares verify v.sq sheets/share-g1-m2.txt "$P" > vgood
is "certificate bound" grep -q "certificate of share 1: signed by this level" vgood
fails 1 sq shares verify v.sq card2 "$P" > vold
is "old certificate" grep -q "for a set it no longer uses" vold
# reissue: each --to goes with the --member of its rank; files checked first
age-keygen -o bob.key 2>/dev/null
bob=$(age-keygen -y bob.key)
mkdir re_sheets
ok sq shares reissue v.sq --member 1/3 --to "bob=$bob" --member 1/2 --to "alice=$alice" --sheets re_sheets "$P"
age -d -i bob.key re_sheets/bob.share.age > bob.txt 2>/dev/null
is "bob got 1/3" grep -q '^# set [0-9]*, generation 2: group 1 of 2 (groups needed: 2), member 3 ' bob.txt
fails 1 sq shares reissue v.sq --member 1/3 --to "bob=$bob" --sheets re_sheets "$P"; says "exists: move it away first"
fails 1 sq shares reissue v.sq --member 1/2 --member 1/2 "$P"; says "is given twice"
# the new set: group 1 (2 of 3, alice's and one printed) + group 2
(mnemonics alice.txt; sed -n 1p m2; sed -n 3p m2) > q
ok sq ls v.sq --shares q
(sed -n '1,2p' m2) > q_group1_only
fails 1 sq ls v.sq --shares q_group1_only; says "too few groups"

# ---- typed on the terminal, word by word (with one typo corrected)
if [ -x "$PTY" ]; then
    args=()
    first=1
    for line in "$(mnemonics alice.txt)" "$(sed -n 1p m2)" "$(sed -n 3p m2)"; do
        for w in $line; do
            if [ "$first" = 1 ]; then
                args+=(--expect ", word " --answer "notaword" --expect "not a SLIP-0039 word" --answer "$w")
                first=0
            else
                args+=(--expect ", word " --answer "$w")
            fi
        done
        args+=(--expect ", word " --answer "")
    done
    "$PTY" --timeout 60 --stdout tty.out "${args[@]}" -- "$SANDYQ" ls v.sq --shares - > tty.log 2>&1
    rc=$?
    is "typed shares open the vault (rc $rc)" [ "$rc" -eq 0 ]
    is "listing" grep -q doc.txt tty.out
    is "progress shown" grep -q "1 of 2 from group 1" tty.log
    is "groups progress" grep -q "groups complete: 1 of the 2 needed" tty.log
else
    fail "sq-pty not built"
fi

# ---- the last passphrase stays (a level opened only by shares could not rekey)
fails 1 sq passphrase remove v.sq --slot "$(sq passphrase list v.sq "$P" 2>/dev/null | awk '/ passphrase / && /used now/ {print $2; exit}')" "$P"
says "cannot remove the last passphrase"
# ---- a share session: documents yes, rekey no; passphrase add works
echo "new" > pw2
ok sq passphrase add v.sq --shares q --new-passphrase-file pw2
fails 1 sq rekey v.sq --shares q; says "opened with shares"
# rekey ends the set
ok sq rekey v.sq "$P"
fails 1 sq ls v.sq --shares q; says "open no level of this file"
ok sq identity v.sq --purpose shares "$P" > pub3
is "statement: none" grep -q '^sandyq share set: none after generation 2 ' pub3
fails 1 sq shares check --vault-pub pub3 alice.txt; says "SUPERSEDED"
fails 1 sq shares rotate v.sq --threshold 2 --shares 2 "$P"; says "has no share set to rotate"
ok sq shares create v.sq --threshold 2 --shares 2 "$P" > set3
is "generation 3" grep -q '^# sandyq share set [0-9]*, generation 3 of vault level' set3

# usage errors
fails 2 sq shares create v.sq --threshold 2 "$P"; says "--threshold and --shares go together"
fails 2 sq shares create v.sq --threshold 1 --shares 2 "$P"; says "a threshold of 1 needs exactly 1 share"
fails 2 sq shares create v.sq --threshold 2 --shares 3 --words 24 "$P"
fails 2 sq shares create v.sq --threshold 2 --shares 3 --to "../x=$alice" "$P"
fails 2 sq shares create v.sq --threshold 2 --shares 3 --to "x=notarecipient" "$P"
fails 2 sq shares bogus v.sq
