#!/bin/bash
# test_roundtrip.sh: add and get are byte-identical at the chunk boundaries,
# by path and through stdin, to a file and to stdout; folders; names.
. "$(dirname "$0")/lib.sh"

mkvault v

# --- chunk boundaries (64 KiB chunks), by path and via stdin -------------
for size in 0 1 65535 65536 65537 131072 1000000; do
    randfile "f$size" "$size"
    ok sq add v "f$size" "$P"
    ok sq add v - --as "stdin$size" "$P" < "f$size"
done
for size in 0 1 65535 65536 65537 131072 1000000; do
    ok sq get v "f$size" -o "out$size" "$P"
    same "f$size" "out$size"
    ok sq get v "stdin$size" "$P" > "so$size"
    same "f$size" "so$size"
    ok sq get v "stdin$size" -o - "$P" > "sd$size"
    same "f$size" "sd$size"
    is "size $size listed" test "$(json_field v "f$size" size)" = "$size"
done

# options before arguments, "--" ends options
ok sq add "$P" --as opts-first -- v f1
ok sq get "$P" v opts-first -o opts.out
same f1 opts.out

# --- several paths in one add, a folder ----------------------------------
mkdir -p dir/sub/deeper
printf 'a\n' > dir/a.txt
randfile dir/sub/b.bin 70000
randfile dir/sub/deeper/c.bin 3
ok sq add v dir/ "$P"
is "folder names keep the folder's own name" has_doc v dir/a.txt
is "nested folder" has_doc v dir/sub/b.bin
is "deeper folder" has_doc v dir/sub/deeper/c.bin
ok sq get v dir/sub/b.bin -o b.out "$P"
same dir/sub/b.bin b.out
fails 2 sq add v dir --as x "$P"
fails 2 sq add v f1 f0 --as x "$P"

printf 'one\n' > one.txt
printf 'two\n' > two.txt
ok sq add v one.txt two.txt "$P"
is "first of two" has_doc v one.txt
is "second of two" has_doc v two.txt

# --- names -----------------------------------------------------------------
printf 'spaces\n' > "with space.txt"
ok sq add v "with space.txt" "$P"
ok sq get v "with space.txt" -o "space out.txt" "$P"
same "with space.txt" "space out.txt"

printf 'кыргызча\n' > "Кыргызча.txt"
ok sq add v "Кыргызча.txt" "$P"
is "cyrillic name listed" has_doc v "Кыргызча.txt"
ok sq get v "Кыргызча.txt" -o cyr.out "$P"
same "Кыргызча.txt" cyr.out
# case folding applies to Cyrillic too
fails 1 sq add v - --as "КЫРГЫЗЧА.txt" "$P" < one.txt
says "already exists"

nfc=$(printf 'caf\xc3\xa9.txt')      # é precomposed (NFC)
nfd=$(printf 'cafe\xcc\x81.txt')     # e + combining acute (NFD)
ok sq add v - --as "$nfc" "$P" < one.txt
fails 1 sq add v - --as "$nfd" "$P" < two.txt
says "already exists"
# the NFD spelling finds the NFC document
ok sq get v "$nfd" -o nfd.out "$P"
same one.txt nfd.out

ok sq add v - --as report.txt "$P" < one.txt
fails 1 sq add v - --as REPORT.TXT "$P" < two.txt
says "already exists"
fails 1 sq add v - --as Report.txt "$P" < two.txt

# an NFD name given at add is stored NFC
ok sq add v - --as "$(printf 'nai\xcc\x88ve')" "$P" < one.txt
is "NFD name stored as NFC" has_doc v "$(printf 'na\xc3\xafve')"

# --- --replace ---------------------------------------------------------------
ok sq add v - --as report.txt --replace "$P" < two.txt
ok sq get v report.txt -o rep.out "$P"
same two.txt rep.out
is "replace keeps one document" test "$(sq ls v "$P" --json | python3 -c '
import json,sys; print(sum(1 for d in json.load(sys.stdin) if d["name"].lower()=="report.txt"))')" = 1

# a failure anywhere aborts the whole add: nothing committed
ln -s one.txt link.txt
fails 1 sq add v one.txt link.txt --replace "$P"
is "aborted add commits nothing" test "$(sq get v one.txt "$P" | cat)" = one

# --- ls --json -----------------------------------------------------------------
ok sq ls v --json "$P" > ls.json
is "ls --json parses" python3 -c 'import json,sys; json.load(sys.stdin)' < ls.json
is "ls --json has the fields" python3 -c '
import json, sys
for d in json.load(sys.stdin):
    assert set(["name", "size", "added", "case", "sha256"]) <= set(d), d
    assert d["added"].endswith("Z") and "T" in d["added"], d
' < ls.json
for size in 0 65537 1000000; do
    is "sha256 of f$size" test "$(json_field v "f$size" sha256)" = "$(sha "f$size")"
done
is "sha256 of a stdin document" test "$(json_field v stdin65536 sha256)" = "$(sha f65536)"
ok sq ls v "$P" > ls.txt
is "plain ls names a document" grep -q 'with space.txt' ls.txt

# --- cases and notes --------------------------------------------------------------
printf 'c1a\n' > c1a.txt
printf 'c1b\n' > c1b.txt
printf 'c2\n' > c2.txt
printf 'CASE-1\n' > case1.id
printf 'seized at the border\nsecond line\n' > note.txt
ok sq add v c1a.txt --case CASE-1 --note 'intake by A.' "$P"
ok sq add v c1b.txt --case-file case1.id --note-file note.txt "$P"
ok sq add v c2.txt --case CASE-2 "$P"
is "case from a file" test "$(json_field v c1b.txt case)" = CASE-1
is "note listed" test "$(json_field v c1a.txt note)" = 'intake by A.'
fails 2 sq add v c2.txt --case A --case-file case1.id "$P"
fails 2 sq add v c2.txt --note A --note-file note.txt "$P"

ok sq get v --case CASE-1 -o case1out "$P"
same c1a.txt case1out/c1a.txt
same c1b.txt case1out/c1b.txt
absent case1out/c2.txt
fails 1 sq get v --case NO-SUCH-CASE -o nocase "$P"
fails 2 sq get v --case CASE-1 "$P"

# --- get --all ------------------------------------------------------------------------
ok sq get v --all -o all "$P"
for size in 0 1 65535 65536 65537 131072 1000000; do
    same "f$size" "all/f$size"
    same "f$size" "all/stdin$size"
done
same dir/a.txt all/dir/a.txt
same dir/sub/deeper/c.bin all/dir/sub/deeper/c.bin
same "Кыргызча.txt" "all/Кыргызча.txt"
is "extracted folders are 0700" test "$(stat -c %a all/dir/sub)" = 700
is "extracted files are 0600" test "$(stat -c %a all/dir/a.txt)" = 600
# existing outputs refused as a whole, then replaced with --force
fails 1 sq get v --all -o all "$P"
says "--force"
ok sq get v --all -o all --force "$P"
same f65537 all/f65537

ok sq check v "$P"
