#!/bin/bash
# test_tamper_sweep.sh: single-bit flips through the real binary (FORMAT.md 1,
# 2, 10). A vault holds a few small documents; a few hundred random bits are
# flipped, one per copy of the vault, over its first 256 KiB and its last
# 64 KiB, plus a few aimed inside every chunk, at both salts and at the slot
# in use in both areas. Then every document is fetched:
#   - a flip outside every document's chunks: `get --all` exits 0 and every
#     document comes out byte-exact; every fourth such flip also fetches one
#     document alone (`get NAME -o out`, on its own copy): exit 0, exact;
#   - a flip inside chunk J of document D: `get D -o out` exits 1 with
#     "document 'D' is damaged (chunk J failed authentication)" and leaves no
#     out; then `get --all` exits 1 with the same line, writes nothing for D
#     and every other document byte-exact;
#   - never another exit status, a wrong byte, or a file that is no document
#     (a temporary left behind).
# Where the chunks lie comes from tests/tools/sq-extents. Then truncation at
# every block boundary (check exits 1; a writer refuses and leaves the file
# as it was; get releases no wrong byte) and extension by 1 byte, 1 block and
# 64 blocks of random bytes (readers ignore it; a writer cuts it away).
#
# Process starts dominate the cost, so the flipped copies are made and the
# outcomes judged by one python3 run each; the loop only runs sandyq.
# SQ_SWEEP_SEED replays a run (the seed is in every failure message).
. "$(dirname "$0")/lib.sh"

SQX="${SQ_EXTENTS:-${SQ_BUILD:-}/tests/sq-extents}"
if [ ! -x "$SQX" ]; then
    : > "$SQ_ERR"
    fail "sq-extents is not built (looked for '$SQX'; build the target sq-extents)"
    exit 1
fi
SEED="${SQ_SWEEP_SEED:-$(od -An -tu4 -N4 /dev/urandom | tr -d ' ')}"

mkvault v
printf 'statement of witness A\n' > small.txt
randfile mid.bin 70000           # two chunks
randfile one.bin 1
: > empty.txt                    # one empty final chunk
randfile gone.bin 9000
ok sq add v small.txt mid.bin one.bin empty.txt gone.bin "$P"
ok sq rm v gone.bin "$P"         # leaves a free list and scrubbed blocks
ok "$SQX" v "$P" > extents.tsv
is "sq-extents lists the chunks of every document" test "$(cut -f1,2 extents.tsv | grep '^chunk' | sort -u | wc -l)" -eq 4
size=$(stat -c %s v)
mkdir flips

# the plan and the flipped copies: flips/N (and flips/N.one when a document
# is also fetched alone); plan.txt: "N offset bit kind doc chunk region"
python3 - "$SEED" "$size" <<'EOF' > plan.txt
import random, sys
seed, size = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
data = open("v", "rb").read()
assert len(data) == size
ranges = []
for line in open("extents.tsv"):
    kind, what, j, start, end = line.rstrip("\n").split("\t")
    ranges.append((int(start), int(end), kind, what, j))

def region(off):
    for start, end, kind, what, j in ranges:
        if start <= off < end and kind != "header":
            if kind in ("salt", "slot"):
                return ("header", "%s-%s" % (kind, what), "-")
            return (kind, what, j) if kind in ("chunk", "tail") else (kind, what, "-")
    if off < 20480:
        name = "unused-slots-A" if off < 8736 else "unused-slots-B" if off < 17472 else "filler"
        return ("header", name, "-")
    return ("free", "-", "-")

offs = [rng.randrange(min(size, 256 << 10)) for _ in range(200)]
offs += [rng.randrange(max(0, size - (64 << 10)), size) for _ in range(80)]
chunks = [r for r in ranges if r[2] == "chunk"]
offs += [rng.randrange(chunks[i % len(chunks)][0], chunks[i % len(chunks)][1]) for i in range(24)]
# aimed: the salts and the slot in use in both areas (rare targets for the
# random draws above, and the ones unlock depends on)
keys = [r for r in ranges if r[2] in ("salt", "slot")]
offs += [rng.randrange(keys[i % len(keys)][0], keys[i % len(keys)][1]) for i in range(16)]
n_other = 0
for n, off in enumerate(offs, 1):
    bit = rng.randrange(8)
    kind, what, j = region(off)
    flipped = bytearray(data)
    flipped[off] ^= 1 << bit
    open("flips/%d" % n, "wb").write(flipped)
    if kind == "chunk":
        print(n, off, bit, "chunk", what, j, "chunk")
    else:
        n_other += 1
        if n_other % 4 == 0:
            open("flips/%d.one" % n, "wb").write(flipped)
        reg = what if kind in ("header", "meta") else kind
        print(n, off, bit, "other", "-", "-", reg)
EOF

docs=(small.txt mid.bin one.bin empty.txt)
while read -r n off bit kind doc chunk region; do
    if [ "$kind" = chunk ]; then
        rc=0
        "$SANDYQ" get "flips/$n" "$doc" -o "alone.$n" "$P" 2> "err1.$n" || rc=$?
        echo "$rc" > "rc1.$n"
    elif [ -e "flips/$n.one" ]; then
        d=${docs[$(( n % ${#docs[@]} ))]}
        rc=0
        "$SANDYQ" get "flips/$n.one" "$d" -o "alone.$n" "$P" 2> "err1.$n" || rc=$?
        echo "$rc $d" > "rc1.$n"
    fi
    rc=0
    "$SANDYQ" get "flips/$n" --all -o "out.$n" "$P" 2> "err.$n" || rc=$?
    echo "$rc" > "rc.$n"
done < plan.txt

# judge every flip; one line per failure, then a summary line
python3 - "$SEED" "${docs[@]}" <<'EOF' > verdicts.txt
import collections, os, sys
seed, docs = sys.argv[1], sys.argv[2:]
want = {d: open(d, "rb").read() for d in docs}
count = collections.Counter()
n_chunk = n_other = n_alone = 0

def read(p):
    return open(p).read() if os.path.exists(p) else ""

def line(doc, chunk):
    return "sandyq: error: document '%s' is damaged (chunk %s failed authentication)" % (doc, chunk)

for row in open("plan.txt"):
    n, off, bit, kind, doc, chunk, region = row.split()
    count[region] += 1
    what = "seed %s flip %s: offset %s bit %s (%s)" % (seed, n, off, bit,
            "%s chunk %s" % (doc, chunk) if kind == "chunk" else region)
    rc = int(read("rc.%s" % n))
    err = read("err.%s" % n).splitlines()
    out = "out.%s" % n
    files = sorted(os.path.relpath(os.path.join(r, f), out) for r, _, fs in os.walk(out) for f in fs)
    extra = [f for f in files if f not in want]
    wrong = [f for f in files if f in want and open(os.path.join(out, f), "rb").read() != want[f]]
    absent = [d for d in docs if d not in files]
    if extra:
        print("FAIL %s: get --all left files that are no document: %s" % (what, extra))
    if wrong:
        print("FAIL %s: get --all wrote WRONG BYTES for %s" % (what, wrong))
    if kind == "chunk":
        n_chunk += 1
        if rc != 1 or absent != [doc] or line(doc, chunk) not in err:
            print("FAIL %s: get --all exited %d, wrote no %s, stderr %s; want exit 1, no %s only, "
                  "and the line naming it and its chunk" % (what, rc, absent, err, doc))
        rc1 = int(read("rc1.%s" % n))
        if rc1 != 1 or os.path.exists("alone.%s" % n) or line(doc, chunk) not in read("err1.%s" % n).splitlines():
            print("FAIL %s: get %s exited %d, %s, stderr %s" % (what, doc, rc1,
                  "left its output" if os.path.exists("alone.%s" % n) else "no output",
                  read("err1.%s" % n).splitlines()))
    else:
        n_other += 1
        if rc != 0 or absent:
            print("FAIL %s: get --all exited %d; documents LOST: %s; stderr %s" % (what, rc, absent, err))
        if os.path.exists("rc1.%s" % n):
            n_alone += 1
            rc1, d = read("rc1.%s" % n).split()
            got = open("alone.%s" % n, "rb").read() if os.path.exists("alone.%s" % n) else None
            if rc1 != "0" or got != want[d]:
                print("FAIL %s: get %s alone exited %s with %s" % (what, d, rc1,
                      "no output" if got is None else "WRONG BYTES" if got != want[d] else "its bytes"))
print("SUMMARY %d flips (seed %s): %d inside document chunks, %d outside (%d also fetched alone); "
      "by region: %s" % (n_chunk + n_other, seed, n_chunk, n_other, n_alone,
      " ".join("%s=%d" % kv for kv in sorted(count.items()))))
EOF
while read -r verdict rest; do
    case "$verdict" in
    FAIL) : > "$SQ_ERR"; fail "$rest" ;;
    SUMMARY) echo "test_tamper_sweep: $rest" ;;
    esac
done < verdicts.txt
is "the judge ran to its end" grep -q '^SUMMARY' verdicts.txt
n_flips=$(wc -l < plan.txt)
n_failed=$(grep -c '^FAIL' verdicts.txt)
is "every flip judged" test "$n_flips" -ge 320
is "some flips inside chunks" test "$(grep -c ' chunk$' plan.txt)" -ge 24
is "no flip failed" test "$n_failed" -eq 0
rm -rf flips out.* alone.* rc.* rc1.* err.* err1.*

# --- truncation at every block boundary (FORMAT.md 2: damaged, check exits 1) ----
i=0
for len in $(seq 20480 4096 $((size - 1))) 20479 17472 8736 1 $((size - 1)) $((size - 2048)); do
    i=$((i + 1))
    cp v t
    truncate -s "$len" t
    fails 1 sq check t "$P"
    if [ $((i % 4)) -eq 0 ]; then
        # a writer (get commits a custody record) refuses a truncated vault
        # and leaves it alone; nothing wrong comes out
        rm -rf out.d
        fails 1 sq get t --all -o out.d "$P"
        is "cut to $len: the refused writer left the file as it was" test "$(stat -c %s t)" -eq "$len"
        for d in "${docs[@]}"; do
            if [ -e "out.d/$d" ]; then same "$d" "out.d/$d"; fi
        done
    fi
done

# --- extension with random bytes (FORMAT.md 2: ignored by readers; a writer
# cuts it away before its commit) ------------------------------------------------
committed() {
    sq info "$1" --json "$P" | python3 -c 'import json, sys; print(json.load(sys.stdin)["committed_bytes"])'
}
for extra in 1 4096 262144; do
    cp v t
    head -c "$extra" /dev/urandom >> t
    ok sq check t "$P" > /dev/null
    is "extended by $extra: info reads the committed length" test "$(committed t)" -eq "$size"
    rm -rf out.d
    ok sq get t --all -o out.d "$P"          # a writer: it commits a custody record
    for d in "${docs[@]}"; do same "$d" "out.d/$d"; done
    is "extended by $extra: the writer cut the extension away" test "$(stat -c %s t)" -eq "$(committed t)"
    ok sq check t "$P" > /dev/null
done
