/* sandyq/error.h: the one error type of libsandyq. */
#ifndef SANDYQ_ERROR_H
#define SANDYQ_ERROR_H

typedef enum {
    SQ_OK = 0,
    SQ_ERR_NOMEM,       /* allocation or secret arena exhausted */
    SQ_ERR_IO,          /* read/write/fsync failed (errno kept by the caller) */
    SQ_ERR_NOSPACE,     /* ENOSPC/EDQUOT: the vault stays at its last commit */
    SQ_ERR_AUTH,        /* authentication failed: wrong key, tampered or not ours */
    SQ_ERR_FORMAT,      /* well-authenticated or clear bytes that break the format */
    SQ_ERR_LIMIT,       /* an attacker-chosen cost or size above its cap */
    SQ_ERR_INVALID,     /* bad argument from the caller (name, passphrase, option) */
    SQ_ERR_EXISTS,      /* name or output already exists */
    SQ_ERR_NOTFOUND,    /* no such document / file */
    SQ_ERR_LOCKED,      /* another process holds the vault */
    SQ_ERR_DAMAGED,     /* a committed structure failed authentication after unlock */
    SQ_ERR_CHANGED,     /* an input changed while it was read */
    SQ_ERR_TRUNCATED,   /* vault shorter than committed */
    SQ_ERR_UNSUPPORTED, /* file type or operation not supported */
    SQ_ERR_READONLY,    /* medium cannot be written */
    SQ_ERR_LAST_WAY_IN  /* refusing to remove the last way in */
} sq_err;

/* sq_err_str: a short lowercase description, never NULL. */
const char *sq_err_str(sq_err err);

#endif
