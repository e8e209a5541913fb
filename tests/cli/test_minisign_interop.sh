#!/bin/bash
# test_minisign_interop.sh: sandyq sign / verify-sig against stock minisign.
#   - stock `minisign -V` and `-VH` accept sandyq's signatures of files of
#     many sizes, and refuse them after a one-byte change of the file or of
#     the trusted comment;
#   - `sandyq verify-sig` accepts stock minisign's prehashed and legacy
#     signatures, and refuses altered files, altered comments, another
#     key, and a malformed signature file;
#   - identities: protected (passphrase file), unprotected, and one made by
#     age-keygen (no signing key: a clear error).
. "$(dirname "$0")/lib.sh"

if ! command -v minisign >/dev/null 2>&1; then
    echo "minisign is not installed" >&2
    exit 1
fi

# set_byte FILE OFFSET CHAR: overwrite one byte in place
set_byte() {
    printf '%s' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# pub_lines OUT FILE: the two minisign lines of keygen's output
pub_lines() {
    grep -A1 '^untrusted comment: minisign public key ' "$1" > "$2"
}

# --- identities ----------------------------------------------------------------
ok sq keygen --unprotected -o id.txt > keygen.out
pub_lines keygen.out id.pub
is "keygen printed a minisign public key" test "$(wc -l < id.pub)" -eq 2
ok sq keygen --public id.txt > public.out
same keygen.out public.out

# the public key file sandyq prints has minisign's exact framing
is "public key framing" python3 -c '
import base64, re, struct, sys
lines = open("id.pub", "rb").read().split(b"\n")
assert len(lines) == 3 and lines[2] == b"", lines
m = re.fullmatch(rb"untrusted comment: minisign public key ([0-9A-F]{16})", lines[0])
assert m, lines[0]
blob = base64.b64decode(lines[1], validate=True)
assert len(blob) == 42 and blob[:2] == b"Ed"
assert m.group(1).decode() == "%016X" % struct.unpack("<Q", blob[2:10])[0]
'

# --- sandyq signs, stock minisign verifies --------------------------------------
: > empty
printf 'x' > one
randfile mib 1048576
randfile r1 65536
randfile r2 65537
randfile r3 $(( (RANDOM % 300000) + 1 ))
randfile r4 $(( (RANDOM * 32 + RANDOM) % 3000000 + 1 ))
for f in empty one mib r1 r2 r3 r4; do
    ok sq sign -k id.txt "$f"
    is "$f.minisig written" test -s "$f.minisig"
    ok minisign -V -p id.pub -m "$f" > /dev/null
    ok minisign -VH -p id.pub -m "$f" > /dev/null
    ok minisign -Vq -P "$(tail -n1 id.pub)" -m "$f" > /dev/null
    ok sq verify-sig -p id.pub "$f" > /dev/null
done
# what verify-sig prints: the trusted comment, escaped (tabs as \x09)
ok sq verify-sig -p id.pub one > v.out
is "verify-sig says verified" grep -qx 'signature verified' v.out
is "default trusted comment, minisign's form" \
    grep -qE '^trusted comment: timestamp:[0-9]+\\x09file:one\\x09hashed$' v.out
ok sq verify-sig -p id.pub one --json > v.json
is "verify-sig --json" python3 -c '
import json
r = json.load(open("v.json"))
assert r["verified"] is True and r["prehashed"] is True, r
assert r["trusted_comment"].startswith("timestamp:") and r["trusted_comment"].endswith("\tfile:one\thashed"), r
assert len(r["key_id"]) == 16
'
# keygen's whole output works as the public key file too
ok sq verify-sig -p keygen.out one > /dev/null

# one-byte change of the file: refused by both
for f in one mib r3; do
    cp "$f" "$f.bak"
    size=$(stat -c %s "$f")
    off=$(( size > 1 ? RANDOM % size : 0 ))
    b=$(od -An -tx1 -j "$off" -N1 "$f" | tr -d ' ')
    if [ "$b" = "41" ]; then c=B; else c=A; fi
    set_byte "$f" "$off" "$c"
    fails 1 minisign -V -p id.pub -m "$f"
    fails 1 sq verify-sig -p id.pub "$f"
    says "bad signature"
    cp "$f.bak" "$f"
    ok minisign -V -p id.pub -m "$f" > /dev/null
done
# one more byte at the end
cp r1 r1.long && printf '\0' >> r1.long
fails 1 minisign -V -p id.pub -m r1.long -x r1.minisig
fails 1 sq verify-sig -p id.pub -x r1.minisig r1.long
says "bad signature"

# an edited trusted comment: refused by both
ok sq sign -k id.txt -t 'case 7: statement of witness A' --force one
ok minisign -V -p id.pub -m one > /dev/null
sed 's/witness A$/witness B/' one.minisig > one.edited
is "the comment was edited" test "$(sha one.minisig)" != "$(sha one.edited)"
fails 1 minisign -V -p id.pub -m one -x one.edited
fails 1 sq verify-sig -p id.pub -x one.edited one
says "bad trusted comment"
fails 1 sq verify-sig -p id.pub -x one.edited one --json > edited.json
is "--json names the failure" grep -q '"reason":"bad_trusted_comment"' edited.json

# the longest trusted comment sandyq accepts is read whole by minisign
long=$(head -c 8173 /dev/zero | tr '\0' 'L')
ok sq sign -k id.txt -t "$long" --force one
ok minisign -V -p id.pub -m one > /dev/null
ok sq verify-sig -p id.pub one > /dev/null
fails 2 sq sign -k id.txt -t "${long}L" --force one
fails 2 sq sign -k id.txt -t "$(printf 'two\nlines')" --force one

# .minisig exists: refused without --force, nothing changed
cp one.minisig one.minisig.keep
fails 1 sq sign -k id.txt one
says "file exists"
same one.minisig one.minisig.keep

# --- stock minisign signs, sandyq verifies --------------------------------------
ok minisign -G -W -p stock.pub -s stock.key > /dev/null
ok minisign -G -W -p other.pub -s other.key > /dev/null
randfile s1 123457
cp s1 s1.orig
ok minisign -S -s stock.key -m s1 > /dev/null
is "stock signature is prehashed" grep -q 'hashed$' s1.minisig
ok sq verify-sig -p stock.pub s1 > /dev/null
ok sq verify-sig -p stock.pub s1 --json > s1.json
is "prehashed in --json" grep -q '"prehashed":true' s1.json
# legacy (-l) signatures
ok minisign -S -l -s stock.key -m s1 -x s1.legacy -t 'legacy comment' > /dev/null
ok sq verify-sig -p stock.pub -x s1.legacy s1 --json > s1l.json
is "legacy in --json" python3 -c '
import json
r = json.load(open("s1l.json"))
assert r["prehashed"] is False and r["trusted_comment"] == "legacy comment", r
'
# a bare base64 public key file (minisign -P's form)
tail -n1 stock.pub > stock.bare
ok sq verify-sig -p stock.bare s1 > /dev/null
# CRLF line ends (a file that went through a Windows mail client)
sed 's/$/\r/' s1.minisig > s1.crlf
ok sq verify-sig -p stock.pub -x s1.crlf s1 > /dev/null
sed 's/$/\r/' stock.pub > stock.crlf
ok sq verify-sig -p stock.crlf s1 > /dev/null

# altered file
set_byte s1 100 Z
cmp -s s1 s1.orig || {
    fails 1 sq verify-sig -p stock.pub s1
    says "bad signature"
    fails 1 sq verify-sig -p stock.pub -x s1.legacy s1
    says "bad signature"
}
cp s1.orig s1
ok sq verify-sig -p stock.pub s1 > /dev/null
# altered trusted comment
sed 's/^trusted comment: .*/trusted comment: timestamp:0/' s1.minisig > s1.tc
fails 1 sq verify-sig -p stock.pub -x s1.tc s1
says "bad trusted comment"
sed 's/^trusted comment: legacy comment$/trusted comment: legacy Comment/' s1.legacy > s1.legacy.tc
fails 1 sq verify-sig -p stock.pub -x s1.legacy.tc s1
says "bad trusted comment"
# the wrong public key: another key id
fails 1 sq verify-sig -p other.pub s1
says "signature was made with another key (key id "
fails 1 sq verify-sig -p id.pub s1
says "signature was made with another key"
fails 1 sq verify-sig -p other.pub -x s1.minisig s1 --json > wrong.json
is "--json wrong_key" grep -q '"reason":"wrong_key"' wrong.json
# the wrong public key with the right key id: the signature fails
python3 - <<'EOF'
import base64
a = open("stock.pub").read().split("\n")
b = open("other.pub").read().split("\n")
ba, bb = base64.b64decode(a[1]), base64.b64decode(b[1])
mixed = ba[:10] + bb[10:]
open("mixed.pub", "w").write(a[0] + "\n" + base64.b64encode(mixed).decode() + "\n")
EOF
fails 1 sq verify-sig -p mixed.pub s1
fails 1 minisign -V -p mixed.pub -m s1
# malformed signature files
head -n3 s1.minisig > s1.short
fails 1 sq verify-sig -p stock.pub -x s1.short s1
says "not a minisign signature file"
{ cat s1.minisig; echo 'trailing'; } > s1.trailing
fails 1 sq verify-sig -p stock.pub -x s1.trailing s1
fails 1 sq verify-sig -p stock.pub -x missing.minisig s1
says "cannot open signature"
fails 1 sq verify-sig -p stock.key s1
says "is not a minisign public key"

# --- identities without a signing key, protected identities ----------------------
if command -v age-keygen >/dev/null 2>&1; then
    age-keygen -o agekey.txt 2>/dev/null
    fails 1 sq sign -k agekey.txt one --force
    says "has no signing key"
fi
printf 'a passphrase for the identity\n' > idpw
ok sq keygen -o idp.txt --passphrase-file idpw > keygenp.out
pub_lines keygenp.out idp.pub
randfile p1 5000
ok sq sign -k idp.txt --passphrase-file idpw p1
ok minisign -VH -p idp.pub -m p1 > /dev/null
ok sq verify-sig -p idp.pub p1 > /dev/null
printf 'not the passphrase\n' > badpw
fails 1 sq sign -k idp.txt --passphrase-file badpw --force p1
says "wrong passphrase"
# without a terminal, a needed prompt fails at once (setsid: no controlling
# terminal even when the suite runs from one)
fails 2 setsid -w "$SANDYQ" sign -k idp.txt --force p1 < /dev/null

# --- usage ------------------------------------------------------------------------
fails 2 sq sign one
fails 2 sq sign -k id.txt
fails 2 sq sign -k id.txt -
fails 2 sq verify-sig one
fails 2 sq verify-sig -p id.pub
fails 2 sq verify-sig -p id.pub --bogus one

# --- a prehashed signature relabelled as legacy ------------------------------------
# The global signature does not cover the algorithm bytes: "ED" -> "Ed" turns a
# signature of F into a legacy one of the 64 bytes BLAKE2b-512(F), with F's
# trusted comment. sandyq refuses a legacy signature over exactly 64 bytes.
printf 'the real evidence\n' > real.txt
ok sq sign -k id.txt -t "file:real.txt" real.txt
python3 - <<'PY'
import base64, hashlib
lines = open("real.txt.minisig", "rb").read().split(b"\n")
raw = bytearray(base64.b64decode(lines[1]))
assert raw[:2] == b"ED"
raw[1:2] = b"d"
lines[1] = base64.b64encode(bytes(raw))
open("digest.bin.minisig", "wb").write(b"\n".join(lines))
open("digest.bin", "wb").write(hashlib.blake2b(open("real.txt", "rb").read(), digest_size=64).digest())
PY
fails 1 sq verify-sig -p id.pub digest.bin
says "refusing a legacy signature over a 64-byte file"
fails 1 minisign -VH -p id.pub -m digest.bin
