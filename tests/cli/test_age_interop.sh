#!/usr/bin/env bash
# test_age_interop.sh: sandyq encrypt/decrypt against the stock age and
# age-keygen tools, both ways, byte for byte (BRIEF "Standard-tool interop").
#
# Stock age reads passphrases from /dev/tty only, so its passphrase runs go
# through tests/tools/sq-pty (a pseudo-terminal that types the answers).
# Every round trip has a failing twin: wrong identity, truncated or flipped
# file, existing output, unsupported recipients.
. "$(dirname "$0")/lib.sh"

for tool in age age-keygen; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$tool is not installed (Debian package age): this test needs it" >&2
        exit 1
    fi
done
PTY="$SQ_BUILD/tests/sq-pty"
if [ ! -x "$PTY" ]; then
    echo "sq-pty not built ($PTY)" >&2
    exit 1
fi
# pty runs: a bound so nothing hangs, generous for ASan builds
pty() { "$PTY" --timeout 120 "$@"; }

SIZES="0 1 65535 65536 65537 131072 5242880"
for s in $SIZES; do randfile "in.$s" "$s"; done

# ---- identities made by either tool ----
ok age-keygen -o k_age.txt
R_AGE=$(age-keygen -y k_age.txt)
ok sq keygen --unprotected -o k_sq.txt >/dev/null
R_SQ=$(age-keygen -y k_sq.txt 2>/dev/null)
is "age-keygen -y reads sandyq's clear identity file" test -n "$R_SQ"
IDPW="$SQ_TMP/idpw"
printf 'identity passphrase \xd0\xb6\n' > "$IDPW"      # non-ASCII, as typed
# SANDYQ_INSECURE_TEST_KDF=1 (lib.sh): scrypt stays cheap for age too
ok sq keygen -o k_prot.txt --passphrase-file "$IDPW" >/dev/null
R_PROT=$(sq keygen --public k_prot.txt --identity-passphrase-file "$IDPW" 2>/dev/null |
         sed -n 's/^age recipient: //p')
is "keygen --public prints the protected identity's recipient" test -n "$R_PROT"
ok age-keygen -o k_other.txt
# several keys in one file, as age-keygen output concatenated
cat k_other.txt k_age.txt > k_multi.txt

# ---- sandyq encrypt -> age -d, and sandyq decrypt of its own files ----
for s in $SIZES; do
    ok sq encrypt -r "$R_AGE" -r "$R_SQ" -r "$R_PROT" -o "sq.$s.age" "in.$s"
    # (stock age creates -o lazily, at the first byte: stdout instead)
    ok age -d -i k_age.txt "sq.$s.age" > out && same out "in.$s"
    ok age -d -i k_sq.txt "sq.$s.age" > out && same out "in.$s"
    rm -f out
    ok sq decrypt -i k_sq.txt -o out "sq.$s.age" && same out "in.$s"
    # armored
    ok sq encrypt -a -r "$R_AGE" -o "sqa.$s.age" "in.$s"
    is "armored output starts with the armor line" grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----' "sqa.$s.age"
    ok age -d -i k_age.txt "sqa.$s.age" > out && same out "in.$s"
    rm -f out
    ok sq decrypt -i k_multi.txt -o out "sqa.$s.age" && same out "in.$s"
done

# ---- age -r -> sandyq decrypt ----
for s in $SIZES; do
    ok age -r "$R_AGE" -r "$R_SQ" -o "age.$s.age" "in.$s"
    rm -f out
    ok sq decrypt -i k_age.txt -o out "age.$s.age" && same out "in.$s"
    rm -f out
    ok sq decrypt -i k_sq.txt -o out "age.$s.age" && same out "in.$s"
    # stdin to stdout
    ok sq decrypt -i k_multi.txt < "age.$s.age" > out.stdout && same out.stdout "in.$s"
    ok age -a -r "$R_SQ" -o "agea.$s.age" "in.$s"
    rm -f out
    ok sq decrypt -i k_sq.txt -o out - < "agea.$s.age" && same out "in.$s"
done

# ---- decrypted outputs are 0600 whatever the umask ----
rm -f out
(umask 022; sq decrypt -i k_sq.txt -o out sq.65537.age) 2>"$SQ_ERR" && pass || fail "decrypt with umask 022"
is "decrypted output is mode 600" test "$(stat -c %a out)" = 600

# ---- protected sandyq identity, used by stock age through the terminal ----
rm -f out
pty --expect passphrase --answer "$(head -n1 "$IDPW")" --stdout out \
    -- age -d -i k_prot.txt sq.65537.age >pty.log 2>&1 && pass || { fail "age -d -i protected identity"; cat pty.log >&2; }
same out in.65537
rm -f out
ok sq decrypt -i k_prot.txt --identity-passphrase-file "$IDPW" -o out sq.131072.age && same out in.131072
# wrong identity passphrase: exit 1, nothing written
printf 'not it\n' > badpw
rm -f out
fails 1 sq decrypt -i k_prot.txt --identity-passphrase-file badpw -o out sq.65537.age
says "wrong passphrase"
absent out
# the identity passphrase asked on the terminal
rm -f out
pty --answer "$(head -n1 "$IDPW")" -- "$SANDYQ" decrypt -i k_prot.txt -o out sq.1.age >pty.log 2>&1 \
    && pass || { fail "sandyq decrypt -i protected identity on the terminal"; cat pty.log >&2; }
same out in.1
# an identity file age itself protected (age -p over age-keygen output;
# its scrypt work factor is age's default)
printf 'age-protected identity\n' > agepw
pty --answer "age-protected identity" --answer "age-protected identity" --stdout k_ageprot.txt \
    -- age -p -a k_age.txt >pty.log 2>&1 && pass || { fail "age -p of an identity"; cat pty.log >&2; }
rm -f out
ok sq decrypt -i k_ageprot.txt --identity-passphrase-file agepw -o out age.65536.age && same out in.65536

# ---- passphrase files both ways ----
PPW="$SQ_TMP/ppw"
printf 'file passphrase\n' > "$PPW"
for s in 0 65537; do
    pty --answer "file passphrase" --answer "file passphrase" --stdout "agep.$s.age" \
        -- age -p "in.$s" >pty.log 2>&1 && pass || { fail "age -p"; cat pty.log >&2; }
    rm -f out
    ok sq decrypt --passphrase-file "$PPW" -o out "agep.$s.age" && same out "in.$s"
    ok sq encrypt -p --passphrase-file "$PPW" -o "sqp.$s.age" "in.$s"
    rm -f out
    pty --answer "file passphrase" --stdout out -- age -d "sqp.$s.age" >pty.log 2>&1 \
        && pass || { fail "age -d of sandyq encrypt -p"; cat pty.log >&2; }
    same out "in.$s"
done
ok sq encrypt -p -a --passphrase-file "$PPW" -o sqpa.age in.131072
rm -f out
pty --answer "file passphrase" --stdout out -- age -d sqpa.age >pty.log 2>&1 \
    && pass || { fail "age -d of sandyq encrypt -p -a"; cat pty.log >&2; }
same out in.131072
# wrong passphrase: exit 1, nothing written
rm -f out
fails 1 sq decrypt --passphrase-file badpw -o out agep.65537.age
says "wrong passphrase"
absent out
# the passphrase typed twice on the terminal for encrypt -p, once for decrypt
pty --expect passphrase --answer "typed words" --expect repeat --answer "typed words" \
    -- "$SANDYQ" encrypt -p -o typed.age in.65536 \
    >pty.log 2>&1 && pass || { fail "sandyq encrypt -p on the terminal"; cat pty.log >&2; }
rm -f out
pty --answer "typed words" -- "$SANDYQ" decrypt -o out typed.age >pty.log 2>&1 \
    && pass || { fail "sandyq decrypt passphrase on the terminal"; cat pty.log >&2; }
same out in.65536
rm -f mismatch.age
pty --expect passphrase --answer "one" --expect repeat --answer "two" \
    -- "$SANDYQ" encrypt -p -o mismatch.age in.1 >pty.log 2>&1
is "mismatched confirmation is a usage error" test $? -eq 2
absent mismatch.age
# no terminal and no passphrase option: fails at once, never hangs (setsid:
# no controlling terminal even when the suite runs from one)
fails 2 setsid -w "$SANDYQ" encrypt -p -o nope.age in.1 < /dev/null
absent nope.age
# scrypt only as the sole recipient
fails 2 sq encrypt -p -r "$R_AGE" --passphrase-file "$PPW" -o nope.age in.1
says "-p cannot be combined"
absent nope.age

# ---- failures leave no output ----
rm -f out
fails 1 sq decrypt -i k_other.txt -o out sq.65537.age
says "no identity matched"
absent out
fails 1 sq decrypt -i k_other.txt sq.65537.age > out.stdout
is "nothing released without a matching identity" test ! -s out.stdout
# truncated: one byte short, and a whole chunk short
for cut in 1 65552; do
    head -c -"$cut" age.131072.age > trunc.age
    rm -f out
    fails 1 sq decrypt -i k_age.txt -o out trunc.age
    says "damaged or truncated"
    absent out
    fails 1 sq decrypt -i k_age.txt trunc.age > out.stdout
    says "incomplete"
done
# a flipped payload byte, and a flipped header MAC
cp sq.131072.age flip.age
sz=$(stat -c %s flip.age)
flip_bit flip.age $((sz - 100))
rm -f out
fails 1 sq decrypt -i k_sq.txt -o out flip.age
says "payload failure"
absent out
fails 1 age -d -i k_sq.txt -o out flip.age
rm -f out    # stock age may leave the chunks before the bad one
# (one base64 character of the MAC replaced by another: still canonical
# base64, so the header parses and only the MAC is wrong)
cp age.1.age mac.age
macpos=$(( $(grep -a -b -m1 '^--- ' mac.age | cut -d: -f1) + 10 ))
macc=$(dd if=mac.age bs=1 skip="$macpos" count=1 status=none)
if [ "$macc" = A ]; then macr=B; else macr=A; fi
printf '%s' "$macr" | dd of=mac.age bs=1 seek="$macpos" conv=notrunc status=none
fails 1 sq decrypt -i k_age.txt -o out mac.age
says "header MAC failed"
absent out
# an existing output is refused without --force, replaced with it
printf 'keep me' > exists
fails 1 sq decrypt -i k_sq.txt -o exists sq.65535.age
says "file exists"
is "existing output untouched" grep -qx 'keep me' exists
fails 1 sq encrypt -r "$R_AGE" -o exists in.1
is "existing output untouched by encrypt" grep -qx 'keep me' exists
ok sq decrypt -i k_sq.txt -o exists --force sq.65535.age && same exists in.65535

# ---- recipients ----
fails 2 sq encrypt -r age1pq1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq -o nope.age in.1
says "not supported"
absent nope.age
fails 2 sq encrypt -r age1notarecipient -o nope.age in.1
says "not an age recipient"
fails 2 sq encrypt -r "$(grep '^AGE-SECRET-KEY-1' k_age.txt)" -o nope.age in.1
says "secret key"
if grep -q 'AGE-SECRET-KEY-1' "$SQ_ERR"; then fail "a secret key was echoed"; else pass; fi
# -R: comments, blank lines and CRLF line ends, as age reads them
printf '# team\n\n%s\r\n# other\n%s\n' "$R_AGE" "$R_SQ" > team.txt
ok sq encrypt -R team.txt -o team.age in.65537
rm -f out
ok age -d -i k_age.txt -o out team.age && same out in.65537
rm -f out
ok sq decrypt -i k_sq.txt -o out team.age && same out in.65537
cp k_age.txt notrecips.txt
fails 2 sq encrypt -R notrecips.txt -o nope.age in.1
says "malformed recipient at line 3"
if grep -q 'AGE-SECRET-KEY-1' "$SQ_ERR"; then fail "a secret key was echoed"; else pass; fi
printf '# nothing\n\n' > empty.txt
fails 2 sq encrypt -R empty.txt -o nope.age in.1
says "no recipients"
absent nope.age

# ---- binary output to a terminal is refused; armor may go there ----
pty -- "$SANDYQ" encrypt -r "$R_AGE" in.1 >pty.log 2>&1
is "binary encrypt to a terminal is a usage error" test $? -eq 2
is "it says why" grep -q "refusing" pty.log
pty -- "$SANDYQ" decrypt -i k_age.txt age.1.age >pty.log 2>&1
is "decrypt to a terminal is a usage error" test $? -eq 2
pty -- "$SANDYQ" encrypt -a -r "$R_AGE" in.1 >pty.log 2>&1
is "armored encrypt to a terminal works" test $? -eq 0
is "the armor appeared" grep -q -- "-----END AGE ENCRYPTED FILE-----" pty.log

# ---- where keys and passphrases come from ----
# the identity from standard input, the file named
rm -f out
ok sq decrypt -i - -o out sq.65536.age < k_sq.txt && same out in.65536
# standard input cannot carry both
fails 2 sq decrypt -i - < k_sq.txt
says "more than one purpose"
# recipients from standard input
ok sq encrypt -R - -o fromstdin.age in.1 < team.txt
rm -f out
ok sq decrypt -i k_age.txt -o out fromstdin.age && same out in.1
# passphrases through descriptors
rm -f out
ok sq decrypt --passphrase-fd 3 -o out agep.65537.age 3< "$PPW" && same out in.65537
rm -f out
ok sq decrypt -i k_prot.txt --identity-passphrase-fd 3 -o out sq.1.age 3< "$IDPW" && same out in.1
# several identity files, protected and clear, the matching one last
rm -f out
ok sq decrypt -i k_prot.txt --identity-passphrase-file "$IDPW" -i k_other.txt -i k_age.txt \
    -o out age.65535.age && same out in.65535
# what the file needs and what was given do not fit: exit 1, nothing written
rm -f out
fails 1 sq decrypt --passphrase-file "$PPW" -o out age.1.age
says "no identity was given"
absent out
fails 1 sq decrypt -i k_age.txt -o out agep.0.age
says "encrypted with a passphrase"
absent out
# identity files that cannot be used: usage errors, contents never echoed
printf 'AGE-PLUGIN-YUBIKEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQ\n' > plugin.txt
fails 2 sq decrypt -i plugin.txt -o out age.1.age
says "not supported"
absent out
printf 'AGE-SECRET-KEY-1NOTAKEYATALLNOTAKEYATALL\n' > garbage.txt
fails 2 sq decrypt -i garbage.txt -o out age.1.age
says "not an age identity file"
if grep -q 'NOTAKEY' "$SQ_ERR"; then fail "identity file contents were echoed"; else pass; fi
absent out
# a missing input is reported before any prompt
fails 1 setsid -w "$SANDYQ" decrypt -i k_prot.txt -o out no-such-file.age < /dev/null
says "cannot open 'no-such-file.age'"
# "-" names standard input and output both ways
ok sq encrypt -r "$R_SQ" -o - - < in.65537 > dash.age
ok sq decrypt -i k_sq.txt -o - - < dash.age > out.stdout && same out.stdout in.65537
ok age -d -i k_sq.txt dash.age > out && same out in.65537
