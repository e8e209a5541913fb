#!/usr/bin/env bash
# test_uniformity.sh: a vault looks like random bytes (FORMAT.md 1). Two
# vaults made from the same files and passphrase share no fixed pattern; no
# 16-byte string repeats inside a vault (every copy is encrypted on its own);
# byte frequencies pass a chi-square test; every 4 KiB block has an entropy
# estimate of at least 7.9 bits per byte. (The format-aware distinguisher of
# the next issue goes further: per-field statistics over many vaults.)
. "$(dirname "$0")/lib.sh"

mkdir -p docs
head -c 300000 /dev/urandom > docs/photo.jpg
printf 'a short note\n' > docs/note.txt
yes 'highly repetitive plaintext line' | head -c 200000 > docs/repetitive.txt
for v in a b; do
    ok sq init "$v.sq" --kdf test --growable "$P"
    ok sq add "$v.sq" docs "$P"
    ok sq passphrase add "$v.sq" "$P" --new-passphrase-file "$PW" --label second
done
cmp -s a.sq b.sq && fail "two vaults are identical" || pass

python3 - a.sq b.sq <<'PYEOF' 2>"$SQ_ERR"
import math, sys
a = open(sys.argv[1], 'rb').read()
b = open(sys.argv[2], 'rb').read()
bad = []
for name, data in (('a', a), ('b', b)):
    counts = [0] * 256
    for x in data:
        counts[x] += 1
    exp = len(data) / 256
    chi = sum((c - exp) ** 2 / exp for c in counts)
    # 255 degrees of freedom: p = 0.0001 at about 347
    if chi > 347:
        bad.append(f'{name}: byte chi-square {chi:.1f}')
    worst = 8.0
    for off in range(0, len(data) - 4095, 4096):
        blk = data[off:off + 4096]
        cnt = {}
        for x in blk:
            cnt[x] = cnt.get(x, 0) + 1
        h = -sum(c / 4096 * math.log2(c / 4096) for c in cnt.values())
        worst = min(worst, h)
    if worst < 7.9:
        bad.append(f'{name}: a 4 KiB block has entropy {worst:.3f} bits/byte')
    seen = set()
    for off in range(0, len(data) - 16, 8):
        w = data[off:off + 16]
        if w in seen:
            bad.append(f'{name}: 16-byte string repeats at offset {off}')
            break
        seen.add(w)
n = min(len(a), len(b))
same = sum(1 for off in range(0, n - 8, 8) if a[off:off + 8] == b[off:off + 8])
if same > 0:
    bad.append(f'the two vaults share {same} aligned 8-byte words')
if bad:
    print('\n'.join(bad), file=sys.stderr)
    sys.exit(1)
PYEOF
[ $? -eq 0 ] && pass || fail "uniformity"
