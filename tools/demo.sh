#!/usr/bin/env bash
# tools/demo.sh: a short end-to-end run on real files in a temporary folder:
# init, add (a folder and stdin), ls, get, check, info. Uses the cheap test
# KDF profile so it takes seconds; real vaults use 'standard' or 'strong'.
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
echo "demo: ok"
