#!/bin/bash
# test_keygen.sh: sandyq keygen and keygen --public against the real binary
# and the stock tools: age and age-keygen read sandyq's identity files,
# sandyq reads age-keygen's, and minisign verifies a signature made with
# the seed of the file (by OpenSSL, not by sandyq) against the public key
# keygen printed.
. "$(dirname "$0")/lib.sh"

WARN_CLEAR="sandyq: warning: the identity file is not protected by a passphrase; anyone who reads it can decrypt and sign as you"

# check_public FILE: the public text format (identity.h)
check_public() {
    python3 - "$1" <<'EOF'
import base64, re, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", lines
lines = lines[:-1]
assert len(lines) == 4, lines
assert re.fullmatch(r"age recipient: age1[02-9ac-hj-np-z]{58}", lines[0]), lines[0]
m = re.fullmatch(r"untrusted comment: minisign public key ([0-9A-F]{16})", lines[1])
assert m, lines[1]
raw = base64.b64decode(lines[2], validate=True)
assert len(raw) == 42 and raw[:2] == b"Ed", raw
# the key id in the comment is the little-endian reading of bytes 2..10
assert "%016X" % int.from_bytes(raw[2:10], "little") == m.group(1)
assert re.fullmatch(r"fingerprint: \d{5} \d{5} \d{5} \d{5} \d{5} \d{5}", lines[3]), lines[3]
EOF
}

# pty_age PASSPHRASE ARGS...: runs stock age with its passphrase prompt
# answered through a pseudo-terminal (age reads passphrases only from one)
pty_age() {
    python3 - "$@" <<'EOF'
import os, pty, sys, time
pw = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp("age", ["age"] + sys.argv[2:])
buf, sent = b"", 0
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    buf += data
    while buf.lower().count(b"passphrase") > sent:
        time.sleep(0.05)
        os.write(fd, pw + b"\n")
        sent += 1
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
EOF
}

printf 'wrong passphrase\n' > wrong
printf 'a message for the identity\n' > msg.txt

# --- protected (the default) ---------------------------------------------------
ok sq keygen -o id.age "$P" > pub.txt
is "protected file is mode 0600" test "$(stat -c %a id.age)" = 600
is "protected file is binary age" test "$(head -c 22 id.age)" = "age-encryption.org/v1"
is "protected file uses scrypt" grep -qa '^-> scrypt ' id.age
is "no secret key in the clear" sh -c '! grep -qa AGE-SECRET-KEY id.age'
is "stdout: the public text" check_public pub.txt
says "insecure test work factor"
ok sq keygen --public id.age --identity-passphrase-file "$PW" > pub2.txt
same pub.txt pub2.txt
ok sq keygen --public id.age --identity-passphrase-fd 3 3<"$PW" > pub3.txt
same pub.txt pub3.txt
fails 1 sq keygen --public id.age --identity-passphrase-file wrong
says "wrong passphrase"
is "no public text after a wrong passphrase" test -z "$(sq keygen --public id.age --identity-passphrase-file wrong 2>/dev/null)"

# an existing output is refused unless --force, and left as it was
cp id.age id.keep
fails 1 sq keygen -o id.age "$P"
says "file exists"
same id.age id.keep
ok sq keygen -o id.age --force --passphrase-fd 3 3<"$PW" > pub4.txt
is "--force replaced it" sh -c '! cmp -s id.age id.keep'
is "new keys, new public text" sh -c '! cmp -s pub.txt pub4.txt'
is "replaced file is mode 0600" test "$(stat -c %a id.age)" = 600
ok sq keygen --public id.age --identity-passphrase-file "$PW" > pub5.txt
same pub4.txt pub5.txt

# stock age decrypts the protected file with the passphrase, and then
# uses the clear identity inside
if pty_age 'correct horse battery staple' -d -o inner.txt id.age 2>/dev/null; then
    pass
    is "inner file is the clear form" grep -q '^# sandyq-ed25519-secret: ' inner.txt
    is "age-keygen -y agrees" test "age recipient: $(age-keygen -y inner.txt)" = "$(head -n 1 pub4.txt)"
    rec=$(sed -n 's/^age recipient: //p' pub4.txt)
    ok age -r "$rec" -o m1.age msg.txt
    # the protected identity itself with stock age -d -i (passphrase on the pty)
    if pty_age 'correct horse battery staple' -d -i id.age -o m1.out m1.age 2>/dev/null; then
        pass
        same msg.txt m1.out
    else
        fail "stock age -d -i with the protected identity"
    fi
else
    fail "stock age -p could not open the protected identity"
fi

# --- unprotected -----------------------------------------------------------------
ok sq keygen -o clear.txt --unprotected > cpub.txt
says_line "$WARN_CLEAR"
is "clear file is mode 0600" test "$(stat -c %a clear.txt)" = 600
is "clear stdout: the public text" check_public cpub.txt
is "four lines" test "$(wc -l < clear.txt)" = 4
is "created line" grep -qE '^# created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' clear.txt
is "public key comment" test "$(sed -n 2p clear.txt)" = "# public key: $(sed -n 's/^age recipient: //p' cpub.txt)"
is "seed line" grep -qE '^# sandyq-ed25519-secret: [A-Za-z0-9+/]{43}=$' clear.txt
is "age key line last" grep -qE '^AGE-SECRET-KEY-1[0-9A-Z]{58}$' clear.txt
ok sq keygen --public clear.txt > cpub2.txt
same cpub.txt cpub2.txt
# a passphrase option is ignored for a clear file
ok sq keygen --public clear.txt --identity-passphrase-file wrong > cpub3.txt
same cpub.txt cpub3.txt

# stock age and age-keygen use the X25519 key
rec=$(sed -n 's/^age recipient: //p' cpub.txt)
is "age-keygen -y gives the printed recipient" test "$(age-keygen -y clear.txt)" = "$rec"
ok age -r "$rec" -o msg.age msg.txt
ok age -d -i clear.txt -o msg.out msg.age
same msg.txt msg.out
# and a file for another key is not opened
age-keygen -o other.txt 2>/dev/null
ok age -r "$(age-keygen -y other.txt)" -o other.age msg.txt
fails 1 age -d -i clear.txt -o other.out other.age

# minisign verifies a signature made with the file's seed (by OpenSSL, in
# minisign's prehashed format) against the public key keygen printed
sed -n 2,3p cpub.txt > minisign.pub
seed=$(sed -n 's/^# sandyq-ed25519-secret: //p' clear.txt)
if python3 - "$seed" minisign.pub msg.txt msg.txt.minisig <<'EOF'
import base64, hashlib, subprocess, sys
seed = base64.b64decode(sys.argv[1])
der = bytes.fromhex("302e020100300506032b657004220420") + seed
open("ed.der", "wb").write(der)
def sign(data):
    open("tosign", "wb").write(data)
    return subprocess.run(["openssl", "pkeyutl", "-sign", "-keyform", "DER", "-inkey", "ed.der",
                           "-rawin", "-in", "tosign"], check=True, capture_output=True).stdout
pub = open(sys.argv[2]).read().split("\n")[1]
keyid = base64.b64decode(pub)[2:10]
digest = hashlib.blake2b(open(sys.argv[3], "rb").read(), digest_size=64).digest()
sig = sign(digest)
trusted = b"timestamp:0\tfile:msg.txt"
gsig = sign(sig + trusted)
open(sys.argv[4], "w").write("untrusted comment: signature made in the test\n"
                            + base64.b64encode(b"ED" + keyid + sig).decode() + "\n"
                            + "trusted comment: " + trusted.decode() + "\n"
                            + base64.b64encode(gsig).decode() + "\n")
EOF
then
    ok minisign -V -q -p minisign.pub -m msg.txt
    printf 'x' >> msg.txt
    fails 1 minisign -V -q -p minisign.pub -m msg.txt
else
    fail "could not sign with openssl"
fi
rm -f ed.der tosign

# --- standard output ------------------------------------------------------------------
# the identity to stdout, the public text to stderr
ok sq keygen --unprotected > so.txt
cp "$SQ_ERR" so.err
is "stdout holds the identity" grep -qE '^AGE-SECRET-KEY-1' so.txt
is "stdout identity works with age-keygen" test "age recipient: $(age-keygen -y so.txt)" = "$(grep '^age recipient: ' so.err)"
is "stderr has the public text" grep -q '^fingerprint: ' so.err
is "stderr has the warning" grep -qxF "$WARN_CLEAR" so.err
umask 022
ok sq keygen --unprotected > so2.txt
says "others may read"
umask 077
ok sq keygen --unprotected > so3.txt
if grep -qF "others may read" "$SQ_ERR"; then fail "no warning expected for a 0600 stdout"; else pass; fi
umask 022
ok sq keygen -o - "$P" > so.age
is "protected to stdout" test "$(head -c 22 so.age)" = "age-encryption.org/v1"
ok sq keygen --public so.age --identity-passphrase-file "$PW" > so.pub
is "public text of the stdout identity" check_public so.pub
# --public reads standard input too
ok sq keygen --public - < clear.txt > cpub4.txt
same cpub.txt cpub4.txt

# --- files from age-keygen ------------------------------------------------------------
age-keygen -o ak.txt 2>/dev/null
ok sq keygen --public ak.txt > akpub.txt
says "no signing key"
is "two lines without a signing key" test "$(wc -l < akpub.txt)" = 2
is "recipient of age-keygen's file" test "$(head -n 1 akpub.txt)" = "age recipient: $(age-keygen -y ak.txt)"
is "fingerprint line" grep -qE '^fingerprint: [0-9]{5}( [0-9]{5}){5}$' akpub.txt
# age-keygen's file protected by stock age -p (work factor 18)
if pty_age 'stock age passphrase' -p -o ak.age ak.txt 2>/dev/null; then
    printf 'stock age passphrase\n' > akpw
    ok sq keygen --public ak.age --identity-passphrase-file akpw > akpub2.txt
    same akpub.txt akpub2.txt
    fails 1 sq keygen --public ak.age --identity-passphrase-file wrong
    says "wrong passphrase"
else
    fail "stock age -p failed"
fi
# several keys in one file: one recipient line each
cat ak.txt clear.txt > two.txt
ok sq keygen --public two.txt > twopub.txt
is "two recipient lines" test "$(grep -c '^age recipient: ' twopub.txt)" = 2

# --- refused files ---------------------------------------------------------------------------
printf 'not an identity\n' > bad.txt
fails 1 sq keygen --public bad.txt
says "not a valid identity file"
printf 'AGE-PLUGIN-YUBIKEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGP\n' > plugin.txt
fails 1 sq keygen --public plugin.txt
says "not supported"
printf '# only a comment\n' > empty.txt
fails 1 sq keygen --public empty.txt
says "no secret key"
head -c 70000 /dev/zero | tr '\0' '#' > big.txt
fails 1 sq keygen --public big.txt
says "over 65536 bytes"
fails 1 sq keygen --public no-such-file
says "cannot read identity file 'no-such-file'"
# the secret line is never echoed
# (the last character changed to another one: a key ending in Q stayed
# valid one run in 32 when it was always replaced by Q)
python3 - clear.txt > damaged.txt <<'PY'
import sys
for line in open(sys.argv[1]):
    if line.startswith("AGE-SECRET-KEY-1"):
        line = line.rstrip("\n")
        line = line[:-1] + ("P" if line[-1] == "Q" else "Q") + "\n"
    sys.stdout.write(line)
PY
fails 1 sq keygen --public damaged.txt
if grep -q "AGE-SECRET" "$SQ_ERR"; then fail "a secret key line reached the message"; else pass; fi

mkdir adir
fails 1 sq keygen -o adir --unprotected
says "is a folder"

# --- usage ---------------------------------------------------------------------------------------
fails 2 sq keygen extra "$P"
fails 2 sq keygen --public id.age -o x
fails 2 sq keygen --public id.age --force
fails 2 sq keygen --unprotected "$P" -o x
absent x
fails 2 sq keygen --identity-passphrase-file "$PW" -o x
absent x
fails 2 sq keygen --bogus
fails 2 sq keygen -o
ok sq keygen --help > help.txt
is "help shows --public" grep -q -- '--public' help.txt
# no terminal and no passphrase source: fails at once with a hint
fails 2 setsid -w "$SANDYQ" keygen -o notty.age < /dev/null
says "no terminal"
absent notty.age
