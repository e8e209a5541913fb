/* sandyq/age.h: the age v1 file format (C2SP age specification), on
 * libsodium and OpenSSL, interoperable with stock `age`.
 *
 * What is supported: X25519 recipients (any number), one scrypt recipient
 * (only as the sole stanza; work factor capped), unknown stanza types
 * skipped as the specification says, the 64 KiB ChaCha20-Poly1305 STREAM
 * payload, and the ASCII armor. Post-quantum and plugin recipients are
 * refused with SQ_ERR_UNSUPPORTED.
 *
 * Parsing is strict and canonical (the specification's MUSTs, line by
 * line): unpadded canonical base64 in the header, 64-column stanza body
 * lines, no trailing data after the final chunk, no empty final chunk
 * unless the whole payload is empty. Costs read from a file are capped
 * before any work (SQ_ERR_LIMIT).
 *
 * Streaming in constant memory both ways. Decryption hands out only
 * authenticated plaintext: a chunk's bytes are returned after its tag
 * verified; the caller decides what to do with earlier chunks when a later
 * one fails (the CLI keeps files unnamed until the end, see outfile.h). */
#ifndef SANDYQ_AGE_H
#define SANDYQ_AGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_AGE_KEY_BYTES            32   /* X25519 public or secret key */
#define SQ_AGE_FILE_KEY_BYTES       16
#define SQ_AGE_CHUNK_BYTES          65536
/* "age1" + 58 Bech32 characters */
#define SQ_AGE_RECIPIENT_CHARS      62
/* "AGE-SECRET-KEY-1" + 58 Bech32 characters */
#define SQ_AGE_IDENTITY_CHARS       74
#define SQ_AGE_SCRYPT_LOG_N_MAX     22   /* never more, whatever RAM allows */
#define SQ_AGE_SCRYPT_LOG_N_DEFAULT 18   /* what stock age writes */
#define SQ_AGE_MAX_RECIPIENTS       1024 /* X25519 recipients written or stanzas read */
#define SQ_AGE_HEADER_MAX_BYTES     ((size_t)1 << 20)

/* ---- keys in text form ---- */

/* sq_age_recipient_parse: "age1..." (lowercase Bech32, HRP "age") into the
 * X25519 public key. SQ_ERR_UNSUPPORTED for recipients of other kinds
 * ("age1pq1...", plugin recipients "age1<name>1..."), SQ_ERR_FORMAT for
 * anything else that is not a valid recipient. */
sq_err sq_age_recipient_parse(uint8_t pk[SQ_AGE_KEY_BYTES], const char *text, size_t len);

/* sq_age_recipient_format: "age1..." NUL-terminated into out (cap >=
 * SQ_AGE_RECIPIENT_CHARS + 1, else SQ_ERR_INVALID). */
sq_err sq_age_recipient_format(char *out, size_t cap, const uint8_t pk[SQ_AGE_KEY_BYTES]);

/* sq_age_identity_parse: "AGE-SECRET-KEY-1..." (uppercase Bech32) into the
 * X25519 secret key, in time independent of the key's characters.
 * SQ_ERR_FORMAT when it is not one (the message must not echo it). */
sq_err sq_age_identity_parse(uint8_t sk[SQ_AGE_KEY_BYTES], const char *text, size_t len);

/* sq_age_identity_format: "AGE-SECRET-KEY-1..." NUL-terminated into out
 * (cap >= SQ_AGE_IDENTITY_CHARS + 1); out should be secret memory. */
sq_err sq_age_identity_format(char *out, size_t cap, const uint8_t sk[SQ_AGE_KEY_BYTES]);

/* sq_age_x25519_public: the public key of a secret key. SQ_ERR_INVALID for
 * a secret that gives the all-zero point (cannot happen for clamped keys). */
sq_err sq_age_x25519_public(uint8_t pk[SQ_AGE_KEY_BYTES], const uint8_t sk[SQ_AGE_KEY_BYTES]);

/* ---- encryption ---- */

/* Where encrypted bytes go. Returns SQ_OK or the error to stop with. */
typedef sq_err (*sq_age_write_fn)(void *ctx, const uint8_t *buf, size_t len);

typedef struct {
    const uint8_t (*x25519)[SQ_AGE_KEY_BYTES]; /* recipients' public keys */
    size_t          n_x25519;                  /* 0..SQ_AGE_MAX_RECIPIENTS */
    const uint8_t  *passphrase;                /* scrypt recipient, or NULL */
    size_t          passphrase_len;
    uint8_t         scrypt_log_n;              /* 0: SQ_AGE_SCRYPT_LOG_N_DEFAULT */
    bool            armor;                     /* PEM-style ASCII armor */
} sq_age_recipients;

typedef struct sq_age_encryptor sq_age_encryptor;

/* sq_age_encrypt_start: draws the file key, writes the header through write.
 * Exactly one of x25519 (n >= 1) or passphrase must be given, else
 * SQ_ERR_INVALID. */
sq_err sq_age_encrypt_start(sq_age_encryptor **out, const sq_age_recipients *to,
                            sq_age_write_fn write, void *ctx);
/* sq_age_encrypt_update: any amount of plaintext; full chunks are sealed and
 * written as they fill (the last full chunk is held back until more data
 * or finish, because only then is it known whether it is final). */
sq_err sq_age_encrypt_update(sq_age_encryptor *e, const uint8_t *in, size_t len);
/* sq_age_encrypt_finish: seals the final chunk (empty only for an empty
 * plaintext), closes the armor. Nothing more may be added. */
sq_err sq_age_encrypt_finish(sq_age_encryptor *e);
/* sq_age_encryptor_free: wipes keys and buffers; NULL is ignored. */
void   sq_age_encryptor_free(sq_age_encryptor *e);

/* ---- decryption ---- */

/* Where encrypted bytes come from: up to cap bytes into buf, *got = 0 only
 * at end of input. Returns SQ_OK or the error to stop with. */
typedef sq_err (*sq_age_read_fn)(void *ctx, uint8_t *buf, size_t cap, size_t *got);

typedef struct {
    const uint8_t (*x25519)[SQ_AGE_KEY_BYTES]; /* identities' secret keys */
    size_t          n_x25519;
    const uint8_t  *passphrase;                /* for an scrypt stanza, or NULL */
    size_t          passphrase_len;
    uint8_t         max_log_n;                 /* 0: SQ_AGE_SCRYPT_LOG_N_MAX; never above it */
} sq_age_identities;

typedef struct sq_age_decryptor sq_age_decryptor;

/* Why a decryption failed, finer than sq_err, for messages and for the
 * test-vector classes ("no match", "HMAC failure", "header failure",
 * "payload failure", "armor failure"). */
typedef enum {
    SQ_AGE_OK = 0,
    SQ_AGE_NO_MATCH,        /* no identity (or passphrase) opened a stanza */
    SQ_AGE_HMAC_FAILURE,    /* a stanza opened but the header MAC is wrong */
    SQ_AGE_HEADER_FAILURE,  /* the header breaks the format */
    SQ_AGE_PAYLOAD_FAILURE, /* a chunk failed, truncated, trailing data, bad final chunk */
    SQ_AGE_ARMOR_FAILURE,   /* the armor breaks its format */
    SQ_AGE_LIMIT            /* scrypt work factor above the cap, header too large */
} sq_age_failure;

/* sq_age_decrypt_start: reads and parses the header (armor detected by its
 * first line). SQ_ERR_FORMAT for a malformed header or armor, SQ_ERR_LIMIT
 * for one over SQ_AGE_HEADER_MAX_BYTES; the failure class is then in
 * sq_age_decryptor_failure (on *out, which is set even on failure so the
 * class can be read; free it in all cases). The recognized stanzas are
 * checked here too: a malformed X25519 or scrypt stanza, or an scrypt
 * stanza not alone, is SQ_ERR_FORMAT, and an scrypt work factor above
 * SQ_AGE_SCRYPT_LOG_N_MAX is SQ_ERR_LIMIT before any passphrase is asked. */
sq_err sq_age_decrypt_start(sq_age_decryptor **out, sq_age_read_fn read, void *ctx);
/* sq_age_decryptor_wants_passphrase: true when the header holds an scrypt
 * stanza (the caller then asks for a passphrase). Also true after a failure
 * of class SQ_AGE_LIMIT caused by the scrypt work factor, so a message can
 * name that cap rather than the header's size caps. */
bool   sq_age_decryptor_wants_passphrase(const sq_age_decryptor *d);
/* sq_age_decrypt_unwrap: finds the file key and checks the header MAC.
 * SQ_ERR_NOTFOUND: no identity matched (or wrong passphrase); SQ_ERR_AUTH:
 * header MAC failure; SQ_ERR_LIMIT: scrypt work factor above the cap (or
 * above what memory allows); SQ_ERR_FORMAT: a recognized stanza is malformed. */
sq_err sq_age_decrypt_unwrap(sq_age_decryptor *d, const sq_age_identities *ids);
/* sq_age_decrypt_read: up to cap bytes of authenticated plaintext into out;
 * *got = 0 (and SQ_OK) only after the final chunk authenticated and the
 * input ended there. SQ_ERR_AUTH for a chunk that fails, SQ_ERR_TRUNCATED
 * when the input ends before a final chunk, SQ_ERR_FORMAT for trailing data
 * after a full final chunk or an empty final chunk after others (trailing
 * bytes after a short final chunk cannot be told from a damaged chunk:
 * SQ_ERR_AUTH). cap must be > 0. */
sq_err sq_age_decrypt_read(sq_age_decryptor *d, uint8_t *out, size_t cap, size_t *got);
/* sq_age_decryptor_failure: the class of the last failure (SQ_AGE_OK if none). */
sq_age_failure sq_age_decryptor_failure(const sq_age_decryptor *d);
/* sq_age_decryptor_free: wipes keys and buffers; NULL is ignored. */
void   sq_age_decryptor_free(sq_age_decryptor *d);

/* ---- whole buffers (identity files, tests) ---- */

/* sq_age_encrypt_buffer: the age file of in[0..len) into a malloc'd *out. */
sq_err sq_age_encrypt_buffer(uint8_t **out, size_t *out_len, const sq_age_recipients *to,
                             const uint8_t *in, size_t len);
/* sq_age_decrypt_buffer: the plaintext of an age file into *out, allocated
 * with sq_secret_alloc(*out_cap) (free it with sq_secret_free(*out, *out_cap));
 * plaintexts above max_plain bytes give SQ_ERR_LIMIT. *failure (may be NULL)
 * gets the class. */
sq_err sq_age_decrypt_buffer(uint8_t **out, size_t *out_len, size_t *out_cap,
                             const sq_age_identities *ids, const uint8_t *in, size_t len,
                             size_t max_plain, sq_age_failure *failure);

#endif
