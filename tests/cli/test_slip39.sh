#!/bin/bash
# test_slip39.sh: sandyq slip39 split | combine. All 45 official SLIP-0039
# vectors through combine (passphrase "TREZOR"), split -> combine round
# trips with a tamper case beside each, messages naming the share and word
# at fault, and secrets never accepted from argv.
. "$(dirname "$0")/lib.sh"

V="$SQ_SRC/tests/vectors/slip39/vectors.json"
# lacks TEXT FILE: FILE does not hold TEXT
lacks() { ! grep -qF -- "$1" "$2"; }

printf 'TREZOR\n' > trezor
printf '\n' > emptypw

# the vectors as files: NN.txt (mnemonics) and NN.want (secret, or empty)
python3 - "$V" <<'PY'
import json, sys
for i, (name, mns, secret, _x) in enumerate(json.load(open(sys.argv[1])), 1):
    open("%02d.txt" % i, "w").write("\n".join(mns) + "\n")
    open("%02d.want" % i, "w").write(secret)
PY
n=0
for f in [0-9][0-9].txt; do
    b=${f%.txt}
    want=$(cat "$b.want")
    n=$((n + 1))
    if [ -n "$want" ]; then
        if ok sq slip39 combine --passphrase-file trezor "$f" > "$b.out"; then
            is "vector $b gives its secret" [ "$(cat "$b.out")" = "$want" ]
        fi
    else
        fails 1 sq slip39 combine --passphrase-file trezor "$f" > "$b.out"
        is "vector $b prints nothing" [ ! -s "$b.out" ]
    fi
done
is "45 vectors" [ "$n" -eq 45 ]
# stdin, '-' and the message of a few refusals
ok sq slip39 combine --passphrase-file trezor < 04.txt > o && is "stdin" [ "$(cat o)" = "$(cat 04.want)" ]
ok sq slip39 combine --passphrase-file trezor - < 04.txt > o && is "dash" [ "$(cat o)" = "$(cat 04.want)" ]
fails 1 sq slip39 combine --passphrase-file trezor 02.txt; says "share 1: checksum fails"
fails 1 sq slip39 combine --passphrase-file trezor 11.txt; says "share 2: duplicate member"
fails 1 sq slip39 combine --passphrase-file trezor 05.txt; says "too few shares: 1 of 2 from group 1"
fails 1 sq slip39 combine --passphrase-file trezor 13.txt; says "digest mismatch"
fails 1 sq slip39 combine --passphrase-file trezor 06.txt; says "share 1 and share 2: shares from different sets"
# blank lines and surrounding blanks are ignored
{ echo; echo "  $(sed -n 1p 04.txt)  "; echo; sed -n 2p 04.txt; echo; } > spaced
ok sq slip39 combine --passphrase-file trezor spaced > o && is "blank lines" [ "$(cat o)" = "$(cat 04.want)" ]
# the wrong passphrase gives another secret (SLIP-0039 cannot tell)
ok sq slip39 combine --passphrase-file emptypw 04.txt > o && is "other secret" [ "$(cat o)" != "$(cat 04.want)" ]
# a passphrase that is not printable ASCII is refused
printf 'caf\xc3\xa9\n' > utf8pw
fails 2 sq slip39 combine --passphrase-file utf8pw 04.txt; says "printable ASCII"

# round trips
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '\n  %s\n\n' "$secret" > sec
ok sq slip39 split --secret-file sec --threshold 3 --shares 5 > shares
is "5 mnemonics" [ "$(grep -vc '^#' shares | tr -d ' ')" -ge 5 ]
is "33 words each" [ -z "$(grep -v '^#' shares | grep -v '^$' | awk 'NF != 33')" ]
grep -v '^#' shares | grep -v '^$' > m
sed -n '1p;3p;5p' m > pick3
ok sq slip39 combine pick3 > o && is "3 of 5" [ "$(cat o)" = "$secret" ]
ok sq slip39 combine shares > o && is "all 5, headings skipped" [ "$(cat o)" = "$secret" ]
sed -n '1p;3p' m > pick2
fails 1 sq slip39 combine pick2; says "too few shares: 2 of 3 from group 1"
# a changed word is named by its share and position
awk 'NR == 2 { $7 = ($7 == "academic" ? "acid" : "academic") } { print }' pick3 > changed
fails 1 sq slip39 combine changed; says "share 2: checksum fails: check words near 6-8"
awk 'NR == 3 { $9 = "notaword" } { print }' pick3 > unknown
fails 1 sq slip39 combine unknown; says "word 9 of share 3 is not in the SLIP-0039 word list"
# groups and a passphrase, read from stdin
printf 'a passphrase ~\n' > spw
ok sq slip39 split --secret-file - --group-threshold 2 --group 2/3 --group 1/1 --group 3/5 \
    --passphrase-file spw --iteration-exponent 1 < sec > gshares
is "group headings" grep -qx '# group 3 of 3 (3 of 5 shares needed; 2 groups needed)' gshares
ok sq slip39 combine --passphrase-file spw gshares > o && is "groups" [ "$(cat o)" = "$secret" ]
awk '/^# group 2/ { g = 1; next } /^# group 3/ { g = 0 } g && !/^#/ && NF' gshares > g2
fails 1 sq slip39 combine --passphrase-file spw g2; says "too few groups (have 1 of 2)"
# 16-byte secret gives 20-word shares; a 1-of-1 split
head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > sec16
ok sq slip39 split --secret-file sec16 --threshold 1 --shares 1 > one
is "20 words" [ "$(grep -v '^#' one | awk 'NF { print NF }')" = 20 ]
ok sq slip39 combine one > o && is "1 of 1" [ "$(cat o)" = "$(cat sec16)" ]

# usage refusals
fails 2 sq slip39 split --secret-file sec --threshold 1 --shares 3; says "threshold of 1"
fails 2 sq slip39 split --secret-file sec --threshold 4 --shares 3
fails 2 sq slip39 split --secret-file sec --threshold 2 --shares 3 --group-threshold 1 --group 2/3
fails 2 sq slip39 split --secret-file sec --group-threshold 3 --group 2/3 --group 2/3
fails 2 sq slip39 split --secret-file sec --threshold 2 --shares 3 --iteration-exponent 16
printf 'abc' > oddsec
fails 2 sq slip39 split --secret-file oddsec --threshold 2 --shares 3
printf '%030x\n' 1 > shortsec
fails 2 sq slip39 split --secret-file shortsec --threshold 2 --shares 3
printf 'zz%030x\n' 1 > nothex
fails 2 sq slip39 split --secret-file nothex --threshold 2 --shares 3
is "secret not echoed" lacks "zz0000" "$SQ_ERR"
# secrets never come from argv
fails 2 sq slip39 split "$secret" --threshold 2 --shares 3; says "never from the command line"
fails 2 sq slip39 split --secret-file sec --threshold 2 --shares 3 "$secret"
fails 2 sq slip39 combine "$(sed -n 1p m)" "$(sed -n 2p m)"
is "mnemonic not echoed" lacks "$(sed -n 1p m)" "$SQ_ERR"
fails 2 sq slip39 split --threshold 2 --shares 3
fails 2 sq slip39
fails 2 sq slip39 frobnicate
