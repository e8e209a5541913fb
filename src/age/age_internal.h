/* age_internal.h: the pieces of the age v1 implementation (C2SP age), one
 * concern per file: b64.c (strict base64), header.c (header and stanzas),
 * x25519.c and scrypt.c (the two native recipient types), stream.c (keys
 * of the payload and the header MAC), armor.c (PEM armor), keys.c (text
 * forms of keys), encrypt.c / decrypt.c (streaming), buffer.c (whole
 * buffers). Private to libsandyq. */
#ifndef SQ_AGE_INTERNAL_H
#define SQ_AGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/age.h"

#define SQ_AGE_VERSION_LINE      "age-encryption.org/v1\n"
#define SQ_AGE_COLUMNS           64
#define SQ_AGE_BYTES_PER_LINE    48
#define SQ_AGE_MAC_BYTES         32
#define SQ_AGE_MAC_B64_CHARS     43
#define SQ_AGE_NONCE_BYTES       16
#define SQ_AGE_STANZA_MAX_ARGS   32          /* type included; more is a header failure (LIMIT) */
#define SQ_AGE_WRAPPED_BYTES     32          /* file key + Poly1305 tag */
#define SQ_AGE_ENC_CHUNK_BYTES   (SQ_AGE_CHUNK_BYTES + 16)
#define SQ_AGE_SCRYPT_SALT_BYTES 16
#define SQ_AGE_ARMOR_BEGIN       "-----BEGIN AGE ENCRYPTED FILE-----"
#define SQ_AGE_ARMOR_END         "-----END AGE ENCRYPTED FILE-----"
#define SQ_AGE_ARMOR_MAX_WS      1024        /* whitespace allowed around the armor, as Go's age */

/* ---- b64.c: RFC 4648 standard alphabet, canonical only ---- */

/* characters for n bytes (unpadded or padded) */
size_t sq_age_b64_len(size_t n, bool pad);
/* writes sq_age_b64_len(n, pad) characters (no NUL) */
void   sq_age_b64_encode(char *out, const uint8_t *in, size_t n, bool pad);
/* decodes exactly len characters; false unless canonical (zero spare bits,
 * no '=' when !pad, exact '=' padding when pad) and fitting in cap */
bool   sq_age_b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *in, size_t len,
                         bool pad);
/* decodes to exactly n bytes, else false */
bool   sq_age_b64_decode_exact(uint8_t *out, size_t n, const char *in, size_t len);

/* ---- header.c ---- */

typedef struct {
    size_t      argc;                               /* >= 1: argv[0] is the type */
    const char *argv[SQ_AGE_STANZA_MAX_ARGS];       /* into the parsed text, not NUL-terminated */
    size_t      argl[SQ_AGE_STANZA_MAX_ARGS];
    uint8_t    *body;                               /* malloc'd; NULL when body_len == 0 */
    size_t      body_len;
} sq_age_stanza;

typedef struct {
    sq_age_stanza *stanzas;
    size_t         n;
    size_t         mac_input_len;                   /* bytes through "---" */
    size_t         len;                             /* whole header, MAC line included */
    uint8_t        mac[SQ_AGE_MAC_BYTES];
} sq_age_header;

/* sq_age_header_end: the length of the header at the start of buf (through
 * the MAC line's LF) once a line starting with "---" is complete; 0 while
 * more input is needed. Does not validate. */
size_t sq_age_header_end(const uint8_t *buf, size_t len);
/* sq_age_header_parse: buf[0..len) must be exactly one header (as given by
 * sq_age_header_end). Strict: the ABNF of C2SP age line by line, canonical
 * base64, 64-column body lines ending with a short (maybe empty) line.
 * SQ_ERR_FORMAT or SQ_ERR_LIMIT (stanzas or arguments over their caps);
 * h is then empty. Arguments point into buf: keep it alive. */
sq_err sq_age_header_parse(sq_age_header *h, const uint8_t *buf, size_t len);
void   sq_age_header_clear(sq_age_header *h);
/* sq_age_header_size: bytes of the serialized header (MAC line included) */
size_t sq_age_header_size(const sq_age_header *h);
/* sq_age_header_serialize: into out (cap >= sq_age_header_size); with_mac
 * false stops after "---" (the MAC's input). *len gets the bytes written. */
sq_err sq_age_header_serialize(uint8_t *out, size_t cap, size_t *len, const sq_age_header *h,
                               bool with_mac);
bool   sq_age_stanza_is(const sq_age_stanza *s, const char *type);

/* ---- stream.c: keys from the file key ---- */

/* HMAC-SHA256 under HKDF(salt empty, file key, "header") over text */
void   sq_age_header_mac(uint8_t mac[SQ_AGE_MAC_BYTES], const uint8_t *file_key,
                         const uint8_t *text, size_t len);
/* payload key = HKDF(salt = nonce, ikm = file key, info = "payload") */
void   sq_age_payload_key(uint8_t key[32], const uint8_t *file_key,
                          const uint8_t nonce[SQ_AGE_NONCE_BYTES]);

/* ---- x25519.c ---- */

/* structural check of an "X25519" stanza: 1 argument, 32-byte share, 32-byte body */
sq_err sq_age_x25519_check(const sq_age_stanza *s);
/* sq_age_x25519_wrap: a fresh stanza for pk (argv points into share_b64,
 * which must live as long as the stanza; body malloc'd). */
sq_err sq_age_x25519_wrap(sq_age_stanza *s, char share_b64[SQ_AGE_MAC_B64_CHARS + 1],
                          const uint8_t pk[SQ_AGE_KEY_BYTES], const uint8_t *file_key);
/* sq_age_x25519_unwrap: SQ_OK and the file key, SQ_ERR_NOTFOUND when this
 * identity does not open it, SQ_ERR_FORMAT for a low-order share. */
sq_err sq_age_x25519_unwrap(uint8_t *file_key, const sq_age_stanza *s,
                            const uint8_t sk[SQ_AGE_KEY_BYTES], const uint8_t pk[SQ_AGE_KEY_BYTES]);

/* ---- scrypt.c ---- */

/* structural check of an "scrypt" stanza; *log_n gets the work factor.
 * SQ_ERR_FORMAT, or SQ_ERR_LIMIT above SQ_AGE_SCRYPT_LOG_N_MAX. */
sq_err sq_age_scrypt_check(const sq_age_stanza *s, uint8_t *log_n);
/* sq_age_scrypt_fits: whether 128 * r * 2^log_n bytes fit in available RAM */
bool   sq_age_scrypt_fits(uint8_t log_n);
sq_err sq_age_scrypt_wrap(sq_age_stanza *s, char salt_b64[24], char log_n_text[4],
                          const uint8_t *pass, size_t pass_len, uint8_t log_n,
                          const uint8_t *file_key);
/* SQ_ERR_NOTFOUND for a wrong passphrase, SQ_ERR_LIMIT above max_log_n or RAM */
sq_err sq_age_scrypt_unwrap(uint8_t *file_key, const sq_age_stanza *s, const uint8_t *pass,
                            size_t pass_len, uint8_t max_log_n);

/* ---- armor.c ---- */

typedef struct {
    uint8_t  pend[SQ_AGE_BYTES_PER_LINE];  /* bytes waiting for a full line */
    size_t   pend_len;
    char    *out;                          /* encoded lines waiting to be written */
    size_t   out_len, out_cap;
    bool     started;
} sq_age_armor_writer;

sq_err sq_age_armor_writer_init(sq_age_armor_writer *w);
sq_err sq_age_armor_write(sq_age_armor_writer *w, const uint8_t *p, size_t n,
                          sq_age_write_fn write, void *ctx);
sq_err sq_age_armor_finish(sq_age_armor_writer *w, sq_age_write_fn write, void *ctx);
void   sq_age_armor_writer_free(sq_age_armor_writer *w);

/* a raw byte source: the caller's read function behind a pushback buffer */
typedef struct {
    sq_age_read_fn read;
    void          *ctx;
    uint8_t       *pb;            /* bytes read ahead (detection), served first */
    size_t         pb_off, pb_len;
    bool           eof;
} sq_age_raw;

sq_err sq_age_raw_read(sq_age_raw *r, uint8_t *buf, size_t cap, size_t *got);

typedef struct {
    uint8_t *in;                  /* raw text, one line at least */
    size_t   in_off, in_len, in_cap;
    uint8_t  line[SQ_AGE_BYTES_PER_LINE];
    size_t   line_off, line_len;
    bool     started, done;
} sq_age_armor_reader;

sq_err sq_age_armor_reader_init(sq_age_armor_reader *a);
/* decoded bytes; *got = 0 only at the end of a valid armor. SQ_ERR_FORMAT
 * for any armor violation (never partial garbage). */
sq_err sq_age_armor_read(sq_age_armor_reader *a, sq_age_raw *raw, uint8_t *buf, size_t cap,
                         size_t *got);
void   sq_age_armor_reader_free(sq_age_armor_reader *a);

#endif
