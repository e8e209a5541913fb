/* vault_identity.c: the level's identity (FORMAT.md 13): an age X25519 key
 * and one Ed25519 signing key per purpose, kept in the encrypted keyring.
 *
 * Why the keyring and not the custody records: the records are a log meant
 * to be exported and shown (later issues); key material must never be able
 * to ride along. The keyring is already the level's store of secrets, read
 * at every open, and has a fixed size whatever it holds. */
#include <sodium.h>
#include <string.h>

#include "sandyq/vault.h"
#include "util/random.h"
#include "util/secret.h"
#include "vault/vault_internal.h"

_Static_assert(SQ_KEY_PURPOSES == SQ_KEY_PURPOSE_COUNT, "one Ed25519 seed per public purpose");

/* identity_generate: four independent random keys; the Ed25519 seeds and
 * the X25519 secret share nothing */
static void
identity_generate(sq_level_identity *id)
{
    sq_random_buf(id->x25519, sizeof id->x25519);
    for (unsigned i = 0; i < SQ_KEY_PURPOSE_COUNT; i++)
        sq_random_buf(id->ed25519_seed[i], sizeof id->ed25519_seed[i]);
}

sq_err
sq_vault_identity_ensure(sq_vault *v)
{
    sq_err ret;

    if (v->k->keyring.has_identity)
        return SQ_OK;
    if ((ret = sq_write_gate(v)) != SQ_OK)
        return ret;
    identity_generate(&v->k->keyring.identity);
    v->k->keyring.has_identity = true;
    v->keyring_dirty = true;
    return SQ_OK;
}

sq_err
sq_vault_identity_public(const sq_vault *v, sq_level_public *out)
{
    const sq_level_identity *id = &v->k->keyring.identity;
    uint8_t                  pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t                 *sk;                     /* secret */
    sq_err                   ret = SQ_ERR_NOTFOUND;

    memset(out, 0, sizeof *out);
    if (!v->k->keyring.has_identity)
        return ret;
    if ((sk = sq_secret_alloc(crypto_sign_SECRETKEYBYTES)) == NULL)
        return SQ_ERR_NOMEM;
    ret = SQ_ERR_INVALID;
    if (crypto_scalarmult_base(out->x25519, id->x25519) != 0)
        goto out;                                    /* cannot happen for 32 random bytes */
    for (unsigned i = 0; i < SQ_KEY_PURPOSE_COUNT; i++) {
        if (crypto_sign_seed_keypair(pk, sk, id->ed25519_seed[i]) != 0)
            goto out;
        memcpy(out->ed25519[i], pk, sizeof pk);
    }
    ret = SQ_OK;
out:
    sq_secret_free(sk, crypto_sign_SECRETKEYBYTES);
    if (ret != SQ_OK)
        memset(out, 0, sizeof *out);
    return ret;
}
