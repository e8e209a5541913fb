/* error.c: text for sq_err. Lowercase, no period: the CLI prints them inside
 * "sandyq: error: ... (text)". */
#include "sandyq/error.h"

const char *
sq_err_str(sq_err err)
{
    switch (err) {
    case SQ_OK:               return "success";
    case SQ_ERR_NOMEM:        return "out of memory";
    case SQ_ERR_IO:           return "input/output error";
    case SQ_ERR_NOSPACE:      return "no space left on device";
    case SQ_ERR_AUTH:         return "authentication failed";
    case SQ_ERR_FORMAT:       return "invalid format";
    case SQ_ERR_LIMIT:        return "size or cost above its limit";
    case SQ_ERR_INVALID:      return "invalid argument";
    case SQ_ERR_EXISTS:       return "already exists";
    case SQ_ERR_NOTFOUND:     return "not found";
    case SQ_ERR_LOCKED:       return "in use by another process";
    case SQ_ERR_DAMAGED:      return "damaged";
    case SQ_ERR_CHANGED:      return "changed while being read";
    case SQ_ERR_TRUNCATED:    return "truncated";
    case SQ_ERR_UNSUPPORTED:  return "not supported";
    case SQ_ERR_READONLY:     return "read-only file system";
    case SQ_ERR_LAST_WAY_IN:  return "refusing to remove the last way in";
    }
    return "unknown error";   /* never NULL, even for a value outside the enum */
}
