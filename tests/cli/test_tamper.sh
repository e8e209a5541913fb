#!/bin/bash
# test_tamper.sh: a byte flipped anywhere never yields wrong plaintext: get
# gives identical bytes with exit 0, or exit 1 and no output file. A vault
# shorter than its last commit fails check.
. "$(dirname "$0")/lib.sh"

mkvault v
printf 'statement of witness A\n' > small.txt
randfile mid.bin 70000          # two chunks
randfile one.bin 1
ok sq add v small.txt mid.bin one.bin "$P"
docs=(small.txt mid.bin one.bin)
size=$(stat -c %s v)

# offsets: 150 over the whole file, plus 50 in the header and slot areas
# (the first 20 KiB)
offsets=$(python3 -c '
import random, sys
size = int(sys.argv[1])
print(" ".join(str(random.randrange(size)) for _ in range(150)))
print(" ".join(str(random.randrange(min(size, 20480))) for _ in range(50)))
' "$size")

n=0
bad=0
for off in $offsets; do
    doc=${docs[$((n % 3))]}
    n=$((n + 1))
    cp v t
    flip_bit t "$off"
    rm -f out
    rc=0
    "$SANDYQ" get t "$doc" -o out "$P" 2> "$SQ_ERR" || rc=$?
    if [ "$rc" -eq 0 ]; then
        if cmp -s "$doc" out; then pass; else bad=$((bad + 1)); fail "offset $off: exit 0 with different bytes of $doc"; fi
    elif [ "$rc" -eq 1 ]; then
        if [ -e out ]; then bad=$((bad + 1)); fail "offset $off: exit 1 but an output file exists"; else pass; fi
    else
        bad=$((bad + 1))
        fail "offset $off: exit $rc (neither 0 nor 1)"
    fi
    # to stdout as well: exit 0 only with identical bytes
    rc=0
    "$SANDYQ" get t "$doc" "$P" > so 2> "$SQ_ERR" || rc=$?
    if [ "$rc" -eq 0 ]; then
        if cmp -s "$doc" so; then pass; else fail "offset $off: stdout exit 0 with different bytes"; fi
    elif [ "$rc" -eq 1 ]; then
        # what reached stdout before the failure must be a prefix of the document
        if cmp -s so <(head -c "$(stat -c %s so)" "$doc"); then pass; else fail "offset $off: unauthenticated bytes reached stdout"; fi
    else
        fail "offset $off: stdout exit $rc"
    fi
done

# a flip inside a document's own chunk names it: find one by flipping until
# get reports damage, then check the message and check's verdict
found=0
for off in $(python3 -c 'import random; print(" ".join(str(random.randrange(20480, '"$size"')) for _ in range(400)))'); do
    cp v t
    flip_bit t "$off"
    rm -f dmg.out
    rc=0
    "$SANDYQ" get t mid.bin -o dmg.out "$P" 2> "$SQ_ERR" || rc=$?
    if [ "$rc" -eq 1 ] && grep -qE "^sandyq: error: document 'mid.bin' is damaged \(chunk [0-9]+ failed authentication\)$" "$SQ_ERR"; then
        found=1
        break
    fi
done
if [ "$found" -eq 1 ]; then
    pass
    absent dmg.out
    fails 1 sq check t "$P"
    says "mid.bin"
    rc=0
    "$SANDYQ" check t --json "$P" > check.json 2> "$SQ_ERR" || rc=$?
    is "check --json exits 1 on damage" test "$rc" = 1
    is "check --json names the document" python3 -c '
import json, sys
r = json.load(open("check.json"))
assert r["ok"] is False
assert any(e["name"] == "mid.bin" and e["kind"] == "document_damaged" for e in r["errors"]), r
'
    # the other documents still come out
    ok sq get t small.txt -o small.out "$P"
    same small.txt small.out
else
    fail "no flip among 400 hit mid.bin's chunks"
fi

# --- truncation by one block is damage ------------------------------------------
cp v tr
truncate -s -4096 tr
fails 1 sq check tr "$P"
rc=0
"$SANDYQ" check tr --json "$P" > tr.json 2> "$SQ_ERR" || rc=$?
is "check --json on truncation exits 1" test "$rc" = 1
is "check --json on truncation says not ok" python3 -c 'import json; assert json.load(open("tr.json"))["ok"] is False'
ok sq check v "$P"
