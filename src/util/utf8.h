/* utf8.h: Unicode text handling for passphrases and document names (private).
 *
 * Everything here follows Unicode 15.0 exactly (tables generated from
 * Debian's unicode-data by tools/gen_unicode.py and committed). Code points
 * unassigned in 15.0 are refused, so a later Unicode can never change what a
 * stored passphrase normalizes to, nor make two stored names collide.
 * No function here allocates; callers own every buffer. */
#ifndef SQ_UTIL_UTF8_H
#define SQ_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_NAME_MAX_BYTES           1024 /* a whole name, after NFC */
#define SQ_NAME_COMPONENT_MAX_BYTES 255
#define SQ_TEXT_MAX_BYTES           4096 /* passphrases, case ids, labels: input cap */

/* sq_utf8_valid: true iff s is well-formed UTF-8 (Unicode 15.0 table 3-7): no
 * overlong forms, no surrogates, nothing above U+10FFFF, no truncation. */
bool sq_utf8_valid(const uint8_t *s, size_t len);

/* sq_utf8_decode: decodes the well-formed sequence at s[*pos] into *cp and
 * advances *pos. Returns false, leaving *pos unchanged, if the bytes there are
 * not a well-formed sequence (or *pos == len). */
bool sq_utf8_decode(uint32_t *cp, const uint8_t *s, size_t len, size_t *pos);

/* sq_utf8_nfc: NFC of in into out (out_cap bytes; NFC grows UTF-8 at most 3x).
 * SQ_ERR_INVALID: invalid UTF-8 or a code point unassigned in Unicode 15.0
 * (Cn, noncharacters included). SQ_ERR_LIMIT: in_len > SQ_TEXT_MAX_BYTES, or
 * out too small. Passphrases pass through here: the scratch code points are
 * wiped on every path; on error *out_len is 0 and out holds nothing of in. */
sq_err sq_utf8_nfc(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len);

/* sq_utf8_is_nfc: true iff s is valid UTF-8, every code point is assigned in
 * Unicode 15.0, and s is already in NFC. A stretch that needs the full check
 * (after an NFC_QC=Maybe character) longer than SQ_TEXT_MAX_BYTES is reported
 * false, as sq_utf8_nfc would refuse it. */
bool sq_utf8_is_nfc(const uint8_t *s, size_t len);

/* sq_utf8_fold_key: the canonical caseless matching key of in (Unicode 15.0,
 * D145): NFD(toCasefold(NFD(X))), full case folding (statuses C and F of
 * CaseFolding.txt, not the Turkic T). Two names collide iff their keys are
 * equal. Same errors as sq_utf8_nfc; out_cap >= 3 * in_len always suffices. */
sq_err sq_utf8_fold_key(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len);

/* sq_name_normalize: validates a document name and writes its NFC form to out.
 * Rules: valid UTF-8, assigned, non-empty after NFC, at most SQ_NAME_MAX_BYTES
 * after NFC; '/'-separated components, none empty (so no leading, trailing or
 * doubled '/'), none "." or "..", each at most SQ_NAME_COMPONENT_MAX_BYTES; no
 * C0 (U+0000-001F), DEL or C1 (U+0080-009F). SQ_ERR_INVALID when a rule is
 * broken, SQ_ERR_LIMIT when too long (in_len > SQ_TEXT_MAX_BYTES included).
 * out_cap >= 3 * in_len suffices. On error *out_len is 0. */
sq_err sq_name_normalize(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len);

/* sq_name_valid: true iff s is already normalized (NFC) and passes every rule
 * of sq_name_normalize; what an index parser calls on each stored name. */
bool sq_name_valid(const uint8_t *s, size_t len);

#endif
