#!/usr/bin/env bash
# tools/demo.sh: a short end-to-end run on real files in a temporary folder:
# init, add (a folder and stdin), ls, get, check, info, identity; then a
# file for a partner: keygen, encrypt to them (opened by stock age), sign
# (checked by stock minisign). Uses the cheap test KDF profile and scrypt
# work factor so it takes seconds; real vaults and keys use the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
SANDYQ="${SANDYQ:-$PWD/build/sandyq}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SANDYQ_INSECURE_TEST_KDF=1

cd "$work"
umask 077
printf 'a demo passphrase, not a real one\n' > pass.txt
mkdir -p case-17
printf 'Statement of the witness, taken 2026-11-02.\n' > case-17/statement.txt
head -c 3000000 /dev/urandom > case-17/photo.jpg
printf 'Кыргызча: күбөнүн билдирүүсү\n' > case-17/билдирүү.txt

run() { echo "\$ sandyq $*"; "$SANDYQ" "$@"; }
run init evidence.sq --kdf test --growable --passphrase-file pass.txt
run add evidence.sq case-17 --case CASE-17 --passphrase-file pass.txt
echo "notes typed on the way" | run add evidence.sq - --as notes/trip.txt --passphrase-file pass.txt
run ls evidence.sq --passphrase-file pass.txt
run get evidence.sq case-17/photo.jpg -o photo.out --passphrase-file pass.txt
cmp case-17/photo.jpg photo.out && echo "photo.out is byte-identical to case-17/photo.jpg"
run check evidence.sq --passphrase-file pass.txt
run info evidence.sq --passphrase-file pass.txt
run identity evidence.sq --passphrase-file pass.txt

echo "# a partner's key, a sealed file for them, and our signature on it"
printf 'the identity passphrase of the demo\n' > id-pass.txt
run keygen -o me.key --passphrase-file id-pass.txt | tee me.pub
if command -v age-keygen >/dev/null && command -v minisign >/dev/null; then
    age-keygen -o partner.key 2>/dev/null
    partner="$(age-keygen -y partner.key)"
    run encrypt -r "$partner" -o statement.age case-17/statement.txt
    echo "\$ age -d -i partner.key statement.age"
    age -d -i partner.key statement.age
    run sign -k me.key --passphrase-file id-pass.txt -t "CASE-17 statement" statement.age
    grep -A1 '^untrusted comment: minisign public key' me.pub > me.minisign.pub
    echo "\$ minisign -VH -p me.minisign.pub -m statement.age"
    minisign -VH -p me.minisign.pub -m statement.age
fi
echo "# split keys: 2 of 3 colleagues open the vault without the passphrase"
echo "\$ sandyq shares create evidence.sq --threshold 2 --shares 3 --passphrase-file pass.txt > shares.txt"
"$SANDYQ" shares create evidence.sq --threshold 2 --shares 3 --passphrase-file pass.txt > shares.txt
head -n 16 shares.txt
grep -v '^#' shares.txt | awk '/^-----BEGIN/{c=1} !c {print} /^-----END/{c=0}' | sed -n '1p;3p' > two-colleagues.txt
run ls evidence.sq --shares two-colleagues.txt
"$SANDYQ" identity evidence.sq --purpose shares --passphrase-file pass.txt > level-shares.pub
awk '/^# group 1 of 1 .*, member 3$/{p=1; next} p && /^# /{p=0} p' shares.txt > colleague-3.txt
run shares check --vault-pub level-shares.pub colleague-3.txt
echo "demo: ok"
