/* escape.h: names and other untrusted text made safe to show (private).
 *
 * The library never prints; these build strings for the CLI. A crafted index
 * or archive can hold any bytes, so output must never let them drive the
 * terminal (C0/C1 controls, escape sequences) or reorder what is shown (bidi
 * controls, "Trojan Source"). Both return a malloc'd NUL-terminated string
 * that the caller frees. */
#ifndef SQ_UTIL_ESCAPE_H
#define SQ_UTIL_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

/* sq_escape_terminal: s for display. Printable valid UTF-8 is kept; '\' becomes
 * "\\"; C0, DEL and C1 become \xNN (C1 by code point: U+0085 is \x85); each byte
 * of ill-formed UTF-8 becomes \xNN; bidi controls (U+061C, U+200E, U+200F,
 * U+202A-202E, U+2066-2069), every other invisible format character (Cf) but
 * ZWNJ/ZWJ and the visible prepended marks, U+2028, U+2029 and code points
 * unassigned in Unicode 15.0 become \u{XXXX} (lowercase hex, 4 to 6 digits).
 * The result holds no control or bidi character. NULL only when out of memory. */
char *sq_escape_terminal(const uint8_t *s, size_t len);

/* sq_escape_json: s as a complete JSON string literal, quotes included, that
 * decodes (RFC 8259) to exactly s: '"' and '\' escaped; U+0000-001F as \b \t \n
 * \f \r or \u00XX; DEL, C1 and everything sq_escape_terminal writes as \u{...}
 * as \uXXXX (surrogate pairs above U+FFFF), so the literal is printable too.
 * NULL when s is not valid UTF-8 (JSON strings are Unicode text) or out of memory. */
char *sq_escape_json(const uint8_t *s, size_t len);

#endif
