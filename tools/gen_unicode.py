#!/usr/bin/env python3
"""gen_unicode.py: generate src/util/unicode_data.{c,h} from the Unicode 15.0
Character Database as shipped by Debian's unicode-data package.

    python3 tools/gen_unicode.py /usr/share/unicode src/util

Run by hand; the output is committed. The version is pinned on purpose: a
passphrase is NFC-normalized before the KDF, and unassigned code points are
refused, so a newer Unicode must never change what a stored passphrase
normalizes to. Any file that is not 15.0.0 makes this script refuse.

Tables (all looked up by code point through one three-stage table):
  props     ccc, flags (assigned, NFC_QC, composition roles, terminal escape),
            full canonical decomposition and full case folding (C+F) as
            offsets into one pool of code points.
  pairs     primary composites sorted by (first, second), binary searched.
Hangul syllables are decomposed and composed algorithmically (UAX #15, 3.12
of the standard), so they have no entries.
"""
import os
import re
import sys
from fractions import Fraction

VERSION = "15.0.0"
MAX_CP = 0x110000

S_BASE, L_BASE, V_BASE, T_BASE = 0xAC00, 0x1100, 0x1161, 0x11A7
L_COUNT, V_COUNT, T_COUNT = 19, 21, 28
N_COUNT = V_COUNT * T_COUNT
S_COUNT = L_COUNT * N_COUNT

# flag bits, mirrored in the generated header
F_ASSIGNED = 0x01
F_QC_NO = 0x02
F_QC_MAYBE = 0x04
F_COMP_FIRST = 0x08
F_COMP_SECOND = 0x10
F_ESCAPE = 0x20
F_KEY_SIMPLE = 0x40
F_KEY_BOUNDARY = 0x80

# Cf characters that stay visible in terminal output: joiners that Persian,
# Indic scripts and emoji need, and the visible Arabic/Syriac/Kaithi marks.
CF_KEEP = {0x200C, 0x200D, 0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605,
           0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD, 0x110CD}
# Must be escaped whatever the data says (the brief's list).
MUST_ESCAPE = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
               0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF, 0x2028, 0x2029]


def die(msg):
    sys.stderr.write("gen_unicode: " + msg + "\n")
    sys.exit(1)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def check_header(text, name):
    first = text.split("\n", 1)[0].strip()
    if first != "# %s-%s.txt" % (name, VERSION):
        die("%s is not Unicode %s (first line: %r)" % (name, VERSION, first))


def data_lines(text):
    for line in text.split("\n"):
        line = line.split("#", 1)[0].strip()
        if line:
            yield [f.strip() for f in line.split(";")]


def cp_range(field):
    if ".." in field:
        a, b = field.split("..")
        return range(int(a, 16), int(b, 16) + 1)
    return range(int(field, 16), int(field, 16) + 1)


def utf8len(cp):
    return 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4


def is_hangul(cp):
    return S_BASE <= cp < S_BASE + S_COUNT


def main():
    if len(sys.argv) != 3:
        die("usage: gen_unicode.py UCD_DIR OUT_DIR")
    ucd, outdir = sys.argv[1], sys.argv[2]

    readme = read(os.path.join(ucd, "ReadMe.txt"))
    if not re.search(r"for Version %s of the Unicode Standard" % re.escape(VERSION), readme):
        die("ReadMe.txt does not say Unicode %s" % VERSION)
    age_txt = read(os.path.join(ucd, "DerivedAge.txt"))
    check_header(age_txt, "DerivedAge")
    dnp_txt = read(os.path.join(ucd, "DerivedNormalizationProps.txt"))
    check_header(dnp_txt, "DerivedNormalizationProps")
    ce_txt = read(os.path.join(ucd, "CompositionExclusions.txt"))
    check_header(ce_txt, "CompositionExclusions")
    cf_txt = read(os.path.join(ucd, "CaseFolding.txt"))
    check_header(cf_txt, "CaseFolding")
    ud_txt = read(os.path.join(ucd, "UnicodeData.txt"))

    # UnicodeData.txt: category, combining class, canonical decomposition
    gc = {}
    ccc = {}
    dm = {}
    first = None
    for f in data_lines(ud_txt):
        cp = int(f[0], 16)
        name = f[1]
        if name.endswith(", First>"):
            first = cp
            continue
        rng = range(first, cp + 1) if name.endswith(", Last>") else range(cp, cp + 1)
        first = None
        for c in rng:
            gc[c] = f[2]
            if int(f[3]):
                ccc[c] = int(f[3])
        if f[5] and not f[5].startswith("<"):
            dm[cp] = [int(x, 16) for x in f[5].split()]

    # Cross-check "assigned": DerivedAge covers every assigned code point plus
    # the noncharacters (which are Cn); the two sources must agree.
    aged = set()
    for f in data_lines(age_txt):
        aged.update(cp_range(f[0]))
        if f[1] not in ("1.1", "2.0", "2.1", "3.0", "3.1", "3.2", "4.0", "4.1",
                        "5.0", "5.1", "5.2", "6.0", "6.1", "6.2", "6.3", "7.0",
                        "8.0", "9.0", "10.0", "11.0", "12.0", "12.1", "13.0",
                        "14.0", "15.0"):
            die("DerivedAge has an age past 15.0: " + f[1])
    nonchars = set(range(0xFDD0, 0xFDF0)) | {p * 0x10000 + 0xFFFE for p in range(17)} \
        | {p * 0x10000 + 0xFFFF for p in range(17)}
    if aged - nonchars != set(gc):
        die("UnicodeData.txt and DerivedAge.txt disagree on assigned code points")

    def reorder(seq):
        out = list(seq)
        i = 0
        while i < len(out):
            if ccc.get(out[i], 0) == 0:
                i += 1
                continue
            j = i
            while j < len(out) and ccc.get(out[j], 0) != 0:
                j += 1
            out[i:j] = sorted(out[i:j], key=lambda x: ccc.get(x, 0))   # stable
            i = j
        return out

    # Full composition exclusion and NFC quick check
    fce = set()
    qc_no, qc_maybe = set(), set()
    for f in data_lines(dnp_txt):
        if f[1] == "Full_Composition_Exclusion":
            fce.update(cp_range(f[0]))
        elif f[1] == "NFC_QC":
            (qc_no if f[2] == "N" else qc_maybe).update(cp_range(f[0]))
    # FCE = CompositionExclusions.txt + singletons + non-starter decompositions
    ce = set()
    for f in data_lines(ce_txt):
        ce.update(cp_range(f[0]))
    derived = set(ce)
    for c, d in dm.items():
        if len(d) == 1 or ccc.get(c, 0) or ccc.get(d[0], 0):
            derived.add(c)
    if derived != fce:
        die("Full_Composition_Exclusion does not match CompositionExclusions.txt")

    def full_decomp(c):
        if is_hangul(c):
            s = c - S_BASE
            out = [L_BASE + s // N_COUNT, V_BASE + (s % N_COUNT) // T_COUNT]
            if s % T_COUNT:
                out.append(T_BASE + s % T_COUNT)
            return out
        if c not in dm:
            return [c]
        out = []
        for x in dm[c]:
            out.extend(full_decomp(x))
        return out

    # Case folding, full: statuses C and F (not S, not the Turkic T)
    fold = {}
    for f in data_lines(cf_txt):
        if f[1] in ("C", "F"):
            fold[int(f[0], 16)] = [int(x, 16) for x in f[2].split()]

    def lone_key(c):
        """NFD(toCasefold(NFD(c))) (D145) of the one character c."""
        out = []
        for y in reorder(full_decomp(c)):
            for x in fold.get(y, [y]):
                out.extend(full_decomp(x))
        return reorder(out)

    # Primary composites
    pairs = []
    for c, d in dm.items():
        if len(d) == 2 and c not in fce:
            pairs.append((d[0], d[1], c))
            if utf8len(c) > utf8len(d[0]) + utf8len(d[1]):
                die("composition grows UTF-8 (NFC byte bound broken): U+%04X" % c)
    pairs.sort()
    comp_first = {p[0] for p in pairs}
    comp_second = {p[1] for p in pairs}
    for c in comp_second:
        if c not in qc_maybe:
            die("U+%04X composes with a preceding character but is not NFC_QC=M" % c)
    # sq_utf8_is_nfc splits text before every starter with NFC_QC=Yes: that is
    # sound only if such a character's decomposition starts with a starter that
    # never composes with what precedes it.
    for c in dm:
        if ccc.get(c, 0) == 0 and c not in qc_no and c not in qc_maybe:
            d0 = dm[c][0]
            while d0 in dm:
                d0 = dm[d0][0]
            if ccc.get(d0, 0) or d0 in comp_second:
                die("U+%04X: NFC_QC=Yes starter whose decomposition composes backwards" % c)

    # Escaped in terminal output
    escape = set()
    for c in range(MAX_CP):
        g = gc.get(c, "Cn")
        if g in ("Cc", "Zl", "Zp", "Cs", "Cn") or (g == "Cf" and c not in CF_KEEP):
            escape.add(c)
    for c in MUST_ESCAPE:
        if c not in escape:
            die("U+%04X must be escaped" % c)

    # Pool of code points, deduplicated by sequence
    pool = []
    pool_at = {}

    def intern(seq):
        key = tuple(seq)
        if key not in pool_at:
            # reuse a suffix/substring already in the pool when possible
            n = len(key)
            for i in range(len(pool) - n + 1):
                if tuple(pool[i:i + n]) == key:
                    pool_at[key] = i
                    break
            else:
                pool_at[key] = len(pool)
                pool.extend(key)
        return pool_at[key]

    # Bounds the C code relies on (scratch sizes and output caps)
    nfd_ratio = Fraction(1)
    key_ratio = Fraction(1)
    nfd_bytes = Fraction(1)
    key_bytes = Fraction(1)
    max_decomp = 1
    max_fold = 1

    records = [(0, 0, 0, 0, 0, 0)]   # record 0: unassigned, nothing else
    rec_at = {records[0]: 0}
    per_cp = [0] * MAX_CP
    for c in range(MAX_CP):
        if 0xD800 <= c <= 0xDFFF:
            continue
        flags = 0
        if c in gc:
            flags |= F_ASSIGNED
        if c in qc_no:
            flags |= F_QC_NO
        if c in qc_maybe:
            flags |= F_QC_MAYBE
        if c in comp_first:
            flags |= F_COMP_FIRST
        if c in comp_second:
            flags |= F_COMP_SECOND
        if c in escape:
            flags |= F_ESCAPE
        d_off = d_len = f_off = f_len = 0
        if c in dm and not is_hangul(c):
            d = full_decomp(c)
            d_off, d_len = intern(d), len(d)
        if c in dm and not is_hangul(c):
            # A decomposed character never reaches folding itself (its NFD
            # does), so its fold field holds its whole caseless key instead.
            fk = lone_key(c)
            f_off, f_len = intern(fk), len(fk)
            max_fold = max(max_fold, f_len)
        elif c in fold:
            fk = []
            for x in fold[c]:
                fk.extend(full_decomp(x))
            if not ccc.get(c, 0) and fk != lone_key(c):
                die("U+%04X: decomposed folding is not in canonical order" % c)
            f_off, f_len = intern(fk), len(fk)
            max_fold = max(max_fold, f_len)
        if c in gc:
            nfd = full_decomp(c)
            max_decomp = max(max_decomp, len(nfd))
            key = []
            for y in nfd:
                for x in fold.get(y, [y]):
                    key.extend(full_decomp(x))
            if not is_hangul(c) and reorder(key) != lone_key(c):
                die("U+%04X: key computations disagree" % c)
            n = utf8len(c)
            nfd_ratio = max(nfd_ratio, Fraction(len(nfd), n))
            key_ratio = max(key_ratio, Fraction(len(key), n))
            nfd_bytes = max(nfd_bytes, Fraction(sum(map(utf8len, nfd)), n))
            key_bytes = max(key_bytes, Fraction(sum(map(utf8len, key)), n))
        # Key-simple: a starter without decomposition whose folding is one such
        # starter; the caseless key splits around it and maps it on its own.
        if (c in gc and not ccc.get(c, 0) and not d_len and not is_hangul(c)
                and (f_len == 0 or (f_len == 1 and not ccc.get(pool[f_off], 0)))):
            flags |= F_KEY_SIMPLE
        # Key boundary: NFD(c) starts with a starter, so the caseless key can be
        # cut before c (checked below: folding a starter yields a starter first).
        if c in gc and not ccc.get(c, 0) and not ccc.get(full_decomp(c)[0], 0):
            flags |= F_KEY_BOUNDARY
        rec = (ccc.get(c, 0), flags, d_len, f_len, d_off, f_off)
        if rec not in rec_at:
            rec_at[rec] = len(records)
            records.append(rec)
        per_cp[c] = rec_at[rec]
    # surrogates: record 0 would say "unassigned"; the UTF-8 decoder refuses them first
    for c, f in fold.items():
        if not ccc.get(c, 0) and ccc.get(full_decomp(f[0])[0], 0):
            die("U+%04X: a starter whose folding starts with a non-starter" % c)
    # NFC quick check fast path for two-byte characters: a bit set when the
    # character is assigned, a starter and NFC_QC=Yes.
    nfc2 = [0] * (0x780 // 8)
    for c in range(0x80, 0x800):
        if c in gc and not ccc.get(c, 0) and c not in qc_no and c not in qc_maybe:
            nfc2[(c - 0x80) >> 3] |= 1 << ((c - 0x80) & 7)
    # Fast path of the caseless key for two-byte characters (Latin, Greek,
    # Cyrillic...): the folded code point when key-simple and itself two-byte.
    key2 = []
    for c in range(0x80, 0x800):
        r = records[per_cp[c]]
        k = 0
        if r[1] & F_KEY_SIMPLE:
            k = pool[r[5]] if r[3] else c
            if not 0x80 <= k < 0x800:
                k = 0
        key2.append(k)
    if nfd_bytes > 3 or key_bytes > 3:
        die("a code point expands more than 3x in UTF-8: the API's out_cap bound breaks")
    if len(records) > 0xFFFF or len(pool) > 0xFFFF or max_decomp > 255:
        die("tables outgrew their index types")

    # Three-stage table (cp >> (LO+MID), then MID bits, then LO bits), identical
    # blocks shared; the split that minimizes bytes is chosen.
    best = None
    for lo in range(3, 7):
        bl = 1 << lo
        b3, i3 = {}, []
        for b in range(0, MAX_CP, bl):
            i3.append(b3.setdefault(tuple(per_cp[b:b + bl]), len(b3)))
        for mid in range(3, 8):
            bm = 1 << mid
            b2, i1 = {}, []
            for b in range(0, len(i3), bm):
                i1.append(b2.setdefault(tuple(i3[b:b + bm]), len(b2)))
            w2 = 1 if len(b3) <= 256 else 2
            w1 = 1 if len(b2) <= 256 else 2
            size = len(b3) * bl * 2 + len(b2) * bm * w2 + len(i1) * w1
            if best is None or size < best[0]:
                best = (size, lo, mid, b3, b2, i1, w2, w1)
    _, lo, mid, b3, b2, index, w2, w1 = best
    stage3 = []
    for blk in b3:          # dicts keep insertion order: block i at i * 2^lo
        stage3.extend(blk)
    stage2 = []
    for blk in b2:
        stage2.extend(blk)

    s1type = "uint8_t" if w1 == 1 else "uint16_t"
    s2type = "uint8_t" if w2 == 1 else "uint16_t"
    sizes = {
        "stage1": len(index) * w1,
        "stage2": len(stage2) * w2,
        "stage3": len(stage3) * 2,
        "props": len(records) * 8,
        "pool": len(pool) * 4,
        "pairs": len(pairs) * 12,
        "key2": len(key2) * 2,
        "nfc2": len(nfc2),
    }
    total = sum(sizes.values())

    banner = ("/* GENERATED by tools/gen_unicode.py from Debian's unicode-data (Unicode %s): DO NOT EDIT.\n"
              " * Regenerate by hand with:\n"
              " *     python3 tools/gen_unicode.py /usr/share/unicode src/util\n"
              " * The version is pinned: passphrases are NFC-normalized before the KDF, so a\n"
              " * newer Unicode must not change them; the generator refuses other versions. */\n"
              % VERSION)

    h = [banner,
         "#ifndef SQ_UTIL_UNICODE_DATA_H\n#define SQ_UTIL_UNICODE_DATA_H\n\n",
         "#include <stddef.h>\n#include <stdint.h>\n\n",
         '#define SQ_UNI_VERSION "%s"\n\n' % VERSION,
         "/* flags of sq_uni_props */\n",
         "#define SQ_UNI_ASSIGNED    0x%02x /* general category is not Cn */\n" % F_ASSIGNED,
         "#define SQ_UNI_QC_NO       0x%02x /* NFC_Quick_Check=No */\n" % F_QC_NO,
         "#define SQ_UNI_QC_MAYBE    0x%02x /* NFC_Quick_Check=Maybe */\n" % F_QC_MAYBE,
         "#define SQ_UNI_COMP_FIRST  0x%02x /* first of some primary composite pair */\n" % F_COMP_FIRST,
         "#define SQ_UNI_COMP_SECOND 0x%02x /* second of some primary composite pair */\n" % F_COMP_SECOND,
         "#define SQ_UNI_ESCAPE      0x%02x /* Cc, Cf (but joiners, visible marks), Zl, Zp, Cn */\n"
         % F_ESCAPE,
         "#define SQ_UNI_KEY_SIMPLE  0x%02x /* starter, no decomposition, folds to one such starter */\n"
         % F_KEY_SIMPLE,
         "#define SQ_UNI_KEY_BOUNDARY 0x%02x /* starter whose NFD starts with a starter */\n\n"
         % F_KEY_BOUNDARY,
         "/* Bounds checked by the generator, relied on for scratch sizes: per UTF-8 byte of\n"
         " * input, NFD yields at most NUM/DEN code points, the caseless key at most KEY_NUM/KEY_DEN;\n"
         " * in UTF-8 bytes neither grows more than SQ_UNI_MAX_BYTE_GROWTH times. */\n",
         "#define SQ_UNI_NFD_CP_PER_BYTE_NUM %d\n" % nfd_ratio.numerator,
         "#define SQ_UNI_NFD_CP_PER_BYTE_DEN %d\n" % nfd_ratio.denominator,
         "#define SQ_UNI_KEY_CP_PER_BYTE_NUM %d\n" % key_ratio.numerator,
         "#define SQ_UNI_KEY_CP_PER_BYTE_DEN %d\n" % key_ratio.denominator,
         "#define SQ_UNI_MAX_BYTE_GROWTH 3\n",
         "#define SQ_UNI_DECOMP_MAX %d /* longest full canonical decomposition */\n" % max_decomp,
         "#define SQ_UNI_FOLD_MAX %d /* longest fold field */\n\n" % max_fold,
         "typedef struct {\n"
         "    uint8_t  ccc;        /* canonical combining class */\n"
         "    uint8_t  flags;      /* SQ_UNI_* */\n"
         "    uint8_t  decomp_len; /* full canonical decomposition (0: none; Hangul is algorithmic) */\n"
         "    uint8_t  fold_len;   /* no decomposition: full case folding (C+F), decomposed;\n"
         "                            with one: the whole key NFD(toCasefold(NFD(c))) */\n"
         "    uint16_t decomp_off; /* into sq_uni_pool */\n"
         "    uint16_t fold_off;\n"
         "} sq_uni_props;\n\n",
         "typedef struct {\n    uint32_t first, second, composite;\n} sq_uni_pair;\n\n",
         "#define SQ_UNI_LO_BITS %d\n" % lo,
         "#define SQ_UNI_MID_BITS %d\n" % mid,
         "extern const %s sq_uni_stage1[%d];\n" % (s1type, len(index)),
         "extern const %s sq_uni_stage2[%d];\n" % (s2type, len(stage2)),
         "extern const uint16_t sq_uni_stage3[%d];\n" % len(stage3),
         "extern const sq_uni_props sq_uni_props_table[%d];\n" % len(records),
         "extern const uint32_t sq_uni_pool[%d];\n" % len(pool),
         "#define SQ_UNI_NPAIRS %d\n" % len(pairs),
         "extern const sq_uni_pair sq_uni_pairs[SQ_UNI_NPAIRS]; /* sorted by (first, second) */\n",
         "/* sq_uni_key2[cp - 0x80] for U+0080..07FF: the caseless key of cp when it is\n"
         " * key-simple and folds to a two-byte character, else 0. */\n",
         "extern const uint16_t sq_uni_key2[0x780];\n",
         "/* sq_uni_nfc2: bit (cp - 0x80) set for U+0080..07FF assigned, starter, NFC_QC=Yes. */\n",
         "extern const uint8_t sq_uni_nfc2[0x780 / 8];\n\n",
         "/* sq_uni_get: the properties of cp, which must be below 0x110000. */\n"
         "static inline const sq_uni_props *\n"
         "sq_uni_get(uint32_t cp)\n"
         "{\n"
         "    size_t b2 = sq_uni_stage1[cp >> (SQ_UNI_LO_BITS + SQ_UNI_MID_BITS)];\n"
         "    size_t b3 = sq_uni_stage2[(b2 << SQ_UNI_MID_BITS) |\n"
         "                              ((cp >> SQ_UNI_LO_BITS) & ((1u << SQ_UNI_MID_BITS) - 1))];\n\n"
         "    return &sq_uni_props_table[sq_uni_stage3[(b3 << SQ_UNI_LO_BITS) |\n"
         "                                             (cp & ((1u << SQ_UNI_LO_BITS) - 1))]];\n"
         "}\n\n",
         "#endif\n"]

    def rows(vals, per, fmt):
        out = []
        for i in range(0, len(vals), per):
            out.append("    " + ", ".join(fmt % v for v in vals[i:i + per]) + ",\n")
        return "".join(out)

    c = [banner,
         "/* sizes: stage1 %(stage1)d, stage2 %(stage2)d, stage3 %(stage3)d, props %(props)d, pool %(pool)d, pairs %(pairs)d, "
         "key2 %(key2)d, nfc2 %(nfc2)d bytes; "
         % sizes, "total %d */\n" % total,
         '#include "util/unicode_data.h"\n\n',
         "const %s sq_uni_stage1[%d] = {\n" % (s1type, len(index)), rows(index, 16, "%d"), "};\n\n",
         "const %s sq_uni_stage2[%d] = {\n" % (s2type, len(stage2)), rows(stage2, 16, "%d"), "};\n\n",
         "const uint16_t sq_uni_stage3[%d] = {\n" % len(stage3), rows(stage3, 16, "%d"), "};\n\n",
         "const sq_uni_props sq_uni_props_table[%d] = {\n" % len(records),
         "".join("    {%d, 0x%02x, %d, %d, %d, %d},\n" % r for r in records), "};\n\n",
         "const uint32_t sq_uni_pool[%d] = {\n" % len(pool), rows(pool, 10, "0x%04x"), "};\n\n",
         "const sq_uni_pair sq_uni_pairs[SQ_UNI_NPAIRS] = {\n",
         "".join("    {0x%04x, 0x%04x, 0x%04x},\n" % p for p in pairs), "};\n\n",
         "const uint16_t sq_uni_key2[0x780] = {\n", rows(key2, 12, "0x%04x"), "};\n\n",
         "const uint8_t sq_uni_nfc2[0x780 / 8] = {\n", rows(nfc2, 16, "0x%02x"), "};\n"]

    with open(os.path.join(outdir, "unicode_data.h"), "w") as f:
        f.write("".join(h))
    with open(os.path.join(outdir, "unicode_data.c"), "w") as f:
        f.write("".join(c))
    sys.stderr.write("gen_unicode: lo %d mid %d, %d+%d blocks, %d records, pool %d, %d pairs, %d bytes "
                     "(nfd %s cp/byte, key %s cp/byte)\n"
                     % (lo, mid, len(b2), len(b3), len(records), len(pool), len(pairs), total,
                        nfd_ratio, key_ratio))


if __name__ == "__main__":
    main()
