/* sq-replay: rebuilds every on-disk state a power cut during one traced
 * command could leave, and checks each one.
 *
 *   sq-replay --pre DIR --post DIR --trace FILE --vault NAME --pass FILE...
 *             [--rawkey FILE]...
 *             [--exit N] [--random N] [--seed N] [--no-continue] [--work DIR]
 *             [--sample N]
 *
 * --pre is a copy of the command's folder taken before it ran, --post the
 * folder after it, --trace what sandyq-traced recorded (trace.h). Model, as
 * the ALICE study and SQLite's crash tests assume of a journaling file system:
 *   - a write, fallocate or ftruncate is durable once its file was fsynced or
 *     fdatasynced after it; before that it may be lost, in whole or in part;
 *   - a link, rename, unlink or file creation is durable once its folder was
 *     fsynced; before that it may be undone (in order: a later one is never
 *     durable without the earlier ones).
 * A cut is placed before every barrier (each fsync/fdatasync/folder fsync)
 * and after the last operation. At each cut, of the writes pending since
 * their file's last barrier: every subset when there are at most 12, else
 * every prefix, every single omission and --random (1000) random subsets;
 * the last pending write torn at 512-byte steps (at most 64 cut points per
 * write, first and last ones included); the pending folder operations undone
 * at each point of their order. Identical states are checked once.
 *
 * Each state must be the old committed state (--pre) or the new one (the
 * model with everything applied, which must also equal --post byte for
 * byte: a trace that missed a write fails here). A state's fingerprint is,
 * for every --pass, whether it opens the vault and then each document's name
 * and the SHA-256 of what extraction returns; `check` must report no error.
 * With exit 0, the state after the last operation with everything pending
 * lost must be the new one: what the command reported done was durable.
 * Unless --no-continue, every state must also take a new commit: open
 * writable, add a small document, reopen and find it with all the others.
 *
 * --sample N checks one distinct state in N (and always the exit-0 one):
 * for sanitizer builds, where a state costs a hundred times more.
 *
 * --rawkey FILE is a way in like --pass: a split-key master secret in hex
 * (what `slip39 combine` prints), opened with sq_vault_open_rawkey.
 *
 * Exit 0: every state old or new; 1: a broken state (described on stderr,
 * and its files kept under --work); 2: usage or I/O error. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/kdf.h"
#include "sandyq/shares.h"
#include "sandyq/vault.h"
#include "trace.h"
#include "util/io.h"

#define MAX_PASS        8
#define MAX_FILES       16
#define MAX_NAMES       32
#define SUBSET_ALL_MAX  12
#define TEAR_STEP       512
#define TEAR_MAX_POINTS 64

/* ---- the trace ----------------------------------------------------------- */

typedef struct {
    uint32_t       kind;
    uint64_t       ino;
    uint64_t       off;
    uint64_t       len;
    char          *path;   /* basename, or "" */
    char          *path2;
    const uint8_t *data;   /* into the trace buffer */
} op;

static uint8_t *trace_buf;
static op      *ops;
static size_t   n_ops;

static const char *
base_of(const char *p)
{
    const char *s = strrchr(p, '/');

    return s != NULL ? s + 1 : p;
}

static char *
dup_base(const uint8_t *p, uint32_t n)
{
    char *s = malloc((size_t)n + 1), *b;

    if (s == NULL)
        abort();
    memcpy(s, p, n);
    s[n] = '\0';
    b = strdup(base_of(s));
    free(s);
    if (b == NULL)
        abort();
    return b;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
    struct stat st;
    uint8_t    *b;
    int         fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0)
        return NULL;
    if ((b = malloc((size_t)st.st_size + 1)) == NULL)
        abort();
    if (sq_io_pread_all(fd, b, (size_t)st.st_size, 0) != SQ_OK) {
        free(b);
        close(fd);
        return NULL;
    }
    close(fd);
    *len = (size_t)st.st_size;
    return b;
}

static bool
load_trace(const char *path)
{
    size_t len, pos = 8, cap = 0;

    if ((trace_buf = slurp(path, &len)) == NULL || len < 8 || memcmp(trace_buf, SQ_TRACE_MAGIC, 8) != 0)
        return false;
    while (pos < len) {
        sq_trace_head h;
        op            o = {0};

        if (len - pos < sizeof h)
            return false;
        memcpy(&h, trace_buf + pos, sizeof h);
        pos += sizeof h;
        if (len - pos < (uint64_t)h.path_len + h.path2_len)
            return false;
        o.kind = h.kind;
        o.ino = h.ino;
        o.off = h.off;
        o.len = h.len;
        o.path = dup_base(trace_buf + pos, h.path_len);
        pos += h.path_len;
        o.path2 = dup_base(trace_buf + pos, h.path2_len);
        pos += h.path2_len;
        if (h.kind == SQ_IO_PWRITE || h.kind == SQ_IO_WRITE) {
            if (len - pos < h.len)
                return false;
            o.data = trace_buf + pos;
            pos += h.len;
        }
        if (n_ops == cap) {
            cap = cap ? 2 * cap : 256;
            if ((ops = realloc(ops, cap * sizeof *ops)) == NULL)
                abort();
        }
        ops[n_ops++] = o;
    }
    return true;
}

/* ---- the model ----------------------------------------------------------- */

typedef struct {
    uint8_t *data;
    size_t   len;
    size_t   cap;
} blob;

typedef struct {
    char *name;
    int   file;   /* index into the file table */
} dirent_m;

typedef struct {
    dirent_m e[MAX_NAMES];
    size_t   n;
} names_m;

typedef struct {
    uint64_t ino;     /* 0 until the trace names it */
    blob     durable;
} file_m;

static file_m  files[MAX_FILES];
static size_t  n_files;
static names_m durable_names;

static void
blob_reserve(blob *b, size_t len)
{
    if (len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < len)
            cap *= 2;
        if ((b->data = realloc(b->data, cap)) == NULL)
            abort();
        b->cap = cap;
    }
}

static void
blob_set_len(blob *b, size_t len)
{
    blob_reserve(b, len);
    if (len > b->len)
        memset(b->data + b->len, 0, len - b->len);   /* a hole reads as zeroes */
    b->len = len;
}

static void
blob_copy(blob *dst, const blob *src)
{
    blob_reserve(dst, src->len);
    if (src->len)
        memcpy(dst->data, src->data, src->len);
    dst->len = src->len;
}

/* applies data operation o (PWRITE, FALLOCATE, FTRUNCATE) to b; keep bytes
 * of a write only (a torn write), or all when keep >= o->len */
static void
apply_data(blob *b, const op *o, uint64_t keep)
{
    switch (o->kind) {
    case SQ_IO_PWRITE:
    case SQ_IO_WRITE: {
        uint64_t n = keep < o->len ? keep : o->len;
        if (o->off + n > b->len)
            blob_set_len(b, (size_t)(o->off + n));
        memcpy(b->data + o->off, o->data, (size_t)n);
        break;
    }
    case SQ_IO_FALLOCATE:
        if (o->off + o->len > b->len)
            blob_set_len(b, (size_t)(o->off + o->len));
        break;
    case SQ_IO_FTRUNCATE:
        blob_set_len(b, (size_t)o->off);
        break;
    }
}

static int
names_find(const names_m *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->e[i].name, name) == 0)
            return (int)i;
    return -1;
}

static void
names_set(names_m *t, const char *name, int file)
{
    int i = names_find(t, name);

    if (i >= 0) {
        t->e[i].file = file;
        return;
    }
    if (t->n == MAX_NAMES)
        abort();
    t->e[t->n].name = strdup(name);
    t->e[t->n].file = file;
    t->n++;
}

static void
names_del(names_m *t, const char *name)
{
    int i = names_find(t, name);

    if (i < 0)
        return;
    free(t->e[i].name);
    t->e[i] = t->e[--t->n];
}

static void
names_copy(names_m *dst, const names_m *src)
{
    for (size_t i = 0; i < dst->n; i++)
        free(dst->e[i].name);
    dst->n = 0;
    for (size_t i = 0; i < src->n; i++)
        names_set(dst, src->e[i].name, src->e[i].file);
}

/* a folder operation, with the file it concerns resolved when it was issued */
typedef struct {
    uint32_t kind;     /* SQ_IO_LINKAT, SQ_IO_RENAME, SQ_IO_UNLINK, or SQ_TRACE_FILE = create */
    char    *name;
    char    *name2;
    int      file;     /* LINKAT of an inode, or create */
} dirop;

static void
apply_dirop(names_m *t, const dirop *d)
{
    int i;

    switch (d->kind) {
    case SQ_TRACE_FILE:
        names_set(t, d->name, d->file);
        break;
    case SQ_IO_LINKAT:
        if (d->file >= 0)
            names_set(t, d->name2, d->file);
        else if ((i = names_find(t, d->name)) >= 0)
            names_set(t, d->name2, t->e[i].file);
        break;
    case SQ_IO_RENAME:
        if ((i = names_find(t, d->name)) >= 0) {
            int f = t->e[i].file;
            names_del(t, d->name);
            names_set(t, d->name2, f);
        }
        break;
    case SQ_IO_UNLINK:
        names_del(t, d->name);
        break;
    }
}

/* pending work at a cut */
typedef struct {
    const op *o;
    int       file;
} pending_w;

static pending_w *pend;
static size_t     n_pend, cap_pend;
static dirop     *pdir;
static size_t     n_pdir, cap_pdir;
static names_m    live_names;   /* the names as the running command saw them */

static int
file_of_ino(uint64_t ino)
{
    for (size_t i = 0; i < n_files; i++)
        if (files[i].ino == ino)
            return (int)i;
    return -1;
}

/* ---- states -------------------------------------------------------------- */

typedef struct {
    const char    *pre;
    const char    *post;
    const char    *vault;
    const char    *work;
    sq_secret_view pass[MAX_PASS];
    bool           raw[MAX_PASS];  /* --rawkey: a share set's master secret */
    size_t         n_pass;
    int            exit_code;
    unsigned       n_random;
    unsigned       sample;     /* check 1 distinct state in this many (1: all) */
    uint64_t       seed;
    bool           cont;
} config;

static config cfg;

/* open_way: way in p (a passphrase, or a raw key) */
static sq_err
open_way(sq_vault **v, const char *path, bool writable, size_t p)
{
    if (cfg.raw[p])
        return sq_vault_open_rawkey(v, path, writable, cfg.pass[p].bytes, cfg.pass[p].len);
    return sq_vault_open(v, path, writable, cfg.pass[p]);
}

typedef struct {
    char          *fp;       /* fingerprint */
    bool           opened;
} fingerprint;

static char *old_fp, *new_fp;
static uint64_t states_total, states_distinct, states_checked, states_old, states_new, states_broken, probes;
static uint8_t (*seen_hashes)[16];
static size_t  n_seen, cap_seen;

/* a state: one blob per durable name */
static blob    st_files[MAX_FILES];
static names_m st_names;

static bool
seen_before(void)
{
    crypto_generichash_state h;
    uint8_t                  d[16];
    names_m                  sorted;

    /* order names so equal states hash alike */
    sorted = st_names;
    for (size_t i = 1; i < sorted.n; i++)
        for (size_t j = i; j > 0 && strcmp(sorted.e[j - 1].name, sorted.e[j].name) > 0; j--) {
            dirent_m t = sorted.e[j];
            sorted.e[j] = sorted.e[j - 1];
            sorted.e[j - 1] = t;
        }
    crypto_generichash_init(&h, NULL, 0, sizeof d);
    for (size_t i = 0; i < sorted.n; i++) {
        const blob *b = &st_files[sorted.e[i].file];
        uint64_t    l = b->len;
        crypto_generichash_update(&h, (const uint8_t *)sorted.e[i].name, strlen(sorted.e[i].name) + 1);
        crypto_generichash_update(&h, (const uint8_t *)&l, sizeof l);
        crypto_generichash_update(&h, b->data, b->len);
    }
    crypto_generichash_final(&h, d, sizeof d);
    for (size_t i = 0; i < n_seen; i++)
        if (memcmp(seen_hashes[i], d, sizeof d) == 0)
            return true;
    if (n_seen == cap_seen) {
        cap_seen = cap_seen ? 2 * cap_seen : 1024;
        if ((seen_hashes = realloc(seen_hashes, cap_seen * sizeof *seen_hashes)) == NULL)
            abort();
    }
    memcpy(seen_hashes[n_seen++], d, sizeof d);
    return false;
}

static bool
write_file(const char *path, const blob *b)
{
    int  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok;

    if (fd < 0)
        return false;
    ok = sq_io_write_all(fd, b->data, b->len) == SQ_OK;
    return close(fd) == 0 && ok;
}

/* writes the state's files into dir (emptied first) */
static bool
materialize(const char *dir)
{
    DIR           *d;
    struct dirent *e;
    char           p[4096];

    if ((d = opendir(dir)) != NULL) {
        while ((e = readdir(d)) != NULL)
            if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)) {
                snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    } else if (mkdir(dir, 0700) != 0) {
        return false;
    }
    for (size_t i = 0; i < st_names.n; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, st_names.e[i].name);
        if (!write_file(p, &st_files[st_names.e[i].file]))
            return false;
    }
    return true;
}

static void
check_report(void *ctx, sq_check_kind kind, const char *name, size_t name_len, uint64_t chunk, const char *what)
{
    char **why = ctx;

    (void)chunk;
    if (kind == SQ_CHECK_STALE_COPY || kind == SQ_CHECK_SLOTS_CHANGED)
        return;                                   /* warnings: expected after a cut */
    if (*why == NULL && asprintf(why, "check: %.*s %s", (int)name_len, name != NULL ? name : "", what) < 0)
        abort();
}

/* appends to *fp the documents of an open vault; false (with *why) if one
 * does not extract to bytes matching its recorded SHA-256 */
static bool
docs_fingerprint(sq_vault *v, char **fp, char **why)
{
    size_t n = sq_vault_count(v);
    char  *s = NULL;
    size_t sl = 0;
    FILE  *m = open_memstream(&s, &sl);

    for (size_t i = 0; i < n; i++) {
        sq_doc_info info;
        sq_damage   dmg = {0};
        uint8_t     h[32];
        int         out = memfd_create("out", MFD_CLOEXEC);
        blob        b = {0};
        struct stat st;
        sq_err      e;

        sq_vault_doc_at(v, i, &info);
        e = sq_vault_extract(v, i, out, &dmg, NULL, NULL);
        if (e != SQ_OK || fstat(out, &st) != 0) {
            if (asprintf(why, "document %.*s does not extract: %s (chunk %llu)", (int)info.name_len,
                         info.name, sq_err_str(e), (unsigned long long)dmg.chunk) < 0)
                abort();
            close(out);
            fclose(m);
            free(s);
            return false;
        }
        blob_set_len(&b, (size_t)st.st_size);
        if (st.st_size > 0 && sq_io_pread_all(out, b.data, b.len, 0) != SQ_OK)
            abort();
        close(out);
        crypto_hash_sha256(h, b.data, b.len);
        free(b.data);
        if (memcmp(h, info.sha256, 32) != 0 || (uint64_t)st.st_size != info.size) {
            if (asprintf(why, "document %.*s extracts to other bytes than recorded", (int)info.name_len,
                         info.name) < 0)
                abort();
            fclose(m);
            free(s);
            return false;
        }
        fprintf(m, " %.*s=", (int)info.name_len, info.name);
        for (int k = 0; k < 8; k++)
            fprintf(m, "%02x", h[k]);
    }
    fclose(m);
    *fp = s;
    return true;
}

/* sorts the space-separated words of s in place (document order is the
 * index's, which a commit may change without changing the state) */
static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
sorted_words(char *s)
{
    char  *words[4096], *save = NULL, *w, *r = NULL;
    size_t n = 0, rl = 0;
    FILE  *m;

    for (w = strtok_r(s, " ", &save); w != NULL && n < 4096; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    qsort(words, n, sizeof *words, cmp_str);
    m = open_memstream(&r, &rl);
    for (size_t i = 0; i < n; i++)
        fprintf(m, " %s", words[i]);
    fclose(m);
    return r;
}

/* the fingerprint of the vault in dir; NULL with *why when broken */
static char *
fingerprint_of(const char *dir, char **why)
{
    char   path[4096];
    char  *fp = NULL;
    size_t fl = 0;
    FILE  *m = open_memstream(&fp, &fl);
    struct stat st;

    snprintf(path, sizeof path, "%s/%s", dir, cfg.vault);
    if (stat(path, &st) != 0) {
        fprintf(m, "absent");
        fclose(m);
        return fp;
    }
    for (size_t p = 0; p < cfg.n_pass; p++) {
        sq_vault *v = NULL;
        sq_err    e = open_way(&v, path, false, p);
        char     *docs = NULL, *sorted;

        if (e == SQ_ERR_AUTH) {
            fprintf(m, "[%zu:no]", p);
            continue;
        }
        if (e != SQ_OK) {
            if (asprintf(why, "passphrase %zu: open fails: %s (%s)", p, sq_err_str(e),
                         sq_vault_last_detail(NULL)) < 0)
                abort();
            goto broken;
        }
        if (!docs_fingerprint(v, &docs, why)) {
            sq_vault_close(v);
            goto broken;
        }
        if (sq_vault_check(v, check_report, why, NULL, NULL) != SQ_OK || *why != NULL) {
            if (*why == NULL && asprintf(why, "check fails") < 0)
                abort();
            free(docs);
            sq_vault_close(v);
            goto broken;
        }
        sq_vault_close(v);
        sorted = sorted_words(docs);
        fprintf(m, "[%zu:%s]", p, sorted);
        free(sorted);
        free(docs);
    }
    fclose(m);
    return fp;
broken:
    fclose(m);
    free(fp);
    return NULL;
}

/* the state takes a commit: open writable with the first passphrase that
 * opens, add a small document, reopen: it is there with all the others */
static bool
probe_commit(const char *dir, char **why)
{
    char      path[4096];
    sq_vault *v = NULL;
    size_t    p, before, idx;
    int       in;
    sq_err    e = SQ_ERR_AUTH;
    static const char probe[] = "written after the power came back\n";
    sq_add_opts opts = {0};

    snprintf(path, sizeof path, "%s/%s", dir, cfg.vault);
    if (access(path, F_OK) != 0)
        return true;
    for (p = 0; p < cfg.n_pass && e == SQ_ERR_AUTH; p++)
        e = open_way(&v, path, true, p);
    if (e == SQ_ERR_AUTH)
        return true;               /* opened by none: the fingerprint said so already */
    p--;
    if (e != SQ_OK) {
        if (asprintf(why, "writable open fails: %s (%s)", sq_err_str(e), sq_vault_last_detail(NULL)) < 0)
            abort();
        return false;
    }
    before = sq_vault_count(v);
    in = memfd_create("in", MFD_CLOEXEC);
    if (in < 0 || write(in, probe, sizeof probe - 1) != (ssize_t)(sizeof probe - 1) || lseek(in, 0, SEEK_SET) != 0)
        abort();
    opts.name = "replay-probe.txt";
    opts.name_len = strlen(opts.name);
    opts.replace = true;
    if ((e = sq_vault_add_fd(v, in, &opts)) == SQ_OK)
        e = sq_vault_commit(v);
    close(in);
    if (e == SQ_OK && sq_vault_find(v, opts.name, opts.name_len, &idx) != SQ_OK)
        e = SQ_ERR_INVALID;
    sq_vault_close(v);
    if (e != SQ_OK) {
        if (asprintf(why, "a new commit fails: %s", sq_err_str(e)) < 0)
            abort();
        return false;
    }
    v = NULL;
    if ((e = open_way(&v, path, false, p)) != SQ_OK ||
        sq_vault_count(v) < before ||
        sq_vault_find(v, opts.name, opts.name_len, &idx) != SQ_OK) {
        if (asprintf(why, "after a new commit the vault reopens wrong: %s", sq_err_str(e)) < 0)
            abort();
        sq_vault_close(v);
        return false;
    }
    char *docs = NULL;
    bool  ok = docs_fingerprint(v, &docs, why);
    free(docs);
    sq_vault_close(v);
    probes++;
    return ok;
}

static char state_dir[2048];

static void
describe_failure(const char *what, const char *why, const char *label)
{
    char keep[4096];

    snprintf(keep, sizeof keep, "%s/broken-%llu", cfg.work, (unsigned long long)states_broken);
    materialize(keep);
    fprintf(stderr, "sq-replay: BROKEN state (%s): %s: %s; files kept in %s\n", label, what, why, keep);
}

/* checks the state now in st_files/st_names */
static void
check_state(const char *label, bool must_be_new)
{
    char *why = NULL, *fp;

    states_total++;
    if (seen_before() && !must_be_new)
        return;
    states_distinct++;
    /* a sampled run (sanitizer builds: each state costs 100x there) checks
     * every sample-th distinct state, and always the one exit 0 promised */
    if (!must_be_new && cfg.sample > 1 && states_distinct % cfg.sample != 0)
        return;
    states_checked++;
    if (!materialize(state_dir)) {
        fprintf(stderr, "sq-replay: cannot write %s\n", state_dir);
        exit(2);
    }
    fp = fingerprint_of(state_dir, &why);
    if (fp == NULL) {
        states_broken++;
        describe_failure("not a committed state", why, label);
    } else if (must_be_new && strcmp(fp, new_fp) != 0) {
        states_broken++;
        describe_failure("the command exited 0 but its result was not durable", fp, label);
    } else if (strcmp(fp, old_fp) == 0) {
        states_old++;
    } else if (strcmp(fp, new_fp) == 0) {
        states_new++;
    } else {
        states_broken++;
        char *msg = NULL;
        if (asprintf(&msg, "%s\n  old: %s\n  new: %s", fp, old_fp, new_fp) < 0)
            abort();
        describe_failure("neither the old nor the new state", msg, label);
        free(msg);
    }
    free(why);
    why = NULL;
    if (fp != NULL && cfg.cont) {
        if (!materialize(state_dir))
            exit(2);
        if (!probe_commit(state_dir, &why)) {
            states_broken++;
            describe_failure("the state does not take a new commit", why, label);
        }
    }
    free(fp);
    free(why);
}

/* builds the state: durable files + pending writes chosen by take[] (keep
 * bytes of each; 0 = not applied) + the first n_dir pending folder ops */
static void
build_state(const uint64_t *take, size_t n_dir)
{
    for (size_t f = 0; f < n_files; f++)
        blob_copy(&st_files[f], &files[f].durable);
    for (size_t i = 0; i < n_pend; i++)
        if (take[i] > 0)
            apply_data(&st_files[pend[i].file], pend[i].o, take[i]);
    names_copy(&st_names, &durable_names);
    for (size_t i = 0; i < n_dir; i++)
        apply_dirop(&st_names, &pdir[i]);
}

static uint64_t rng_state;

static uint64_t
rng(void)
{
    /* splitmix64: reproducible from --seed */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t
full_of(const pending_w *p)
{
    /* a non-write op is all or nothing; 0 means "not applied" so use 1+ */
    return p->o->kind == SQ_IO_PWRITE || p->o->kind == SQ_IO_WRITE ? (p->o->len ? p->o->len : 1) : 1;
}

/* every state a cut just before ops[at] (or after the last, at == n_ops) could leave */
static void
cut_at(size_t at)
{
    uint64_t *take = calloc(n_pend + 1, sizeof *take);
    char      label[128];

    if (take == NULL)
        abort();
    snprintf(label, sizeof label, "cut before op %zu, %zu writes and %zu folder ops pending", at, n_pend, n_pdir);
    /* subsets of the pending writes, every folder op applied */
    if (n_pend <= SUBSET_ALL_MAX) {
        for (uint64_t mask = 0; mask < ((uint64_t)1 << n_pend); mask++) {
            for (size_t i = 0; i < n_pend; i++)
                take[i] = (mask >> i) & 1 ? full_of(&pend[i]) : 0;
            build_state(take, n_pdir);
            check_state(label, false);
        }
    } else {
        for (size_t k = 0; k <= n_pend; k++) {            /* prefixes */
            for (size_t i = 0; i < n_pend; i++)
                take[i] = i < k ? full_of(&pend[i]) : 0;
            build_state(take, n_pdir);
            check_state(label, false);
        }
        for (size_t k = 0; k < n_pend; k++) {             /* single omissions */
            for (size_t i = 0; i < n_pend; i++)
                take[i] = i != k ? full_of(&pend[i]) : 0;
            build_state(take, n_pdir);
            check_state(label, false);
        }
        for (unsigned r = 0; r < cfg.n_random; r++) {     /* random subsets */
            for (size_t i = 0; i < n_pend; i++)
                take[i] = rng() & 1 ? full_of(&pend[i]) : 0;
            build_state(take, n_pdir);
            check_state(label, false);
        }
    }
    /* the last pending write torn, the others applied */
    for (size_t last = n_pend; last-- > 0;) {
        if (pend[last].o->kind != SQ_IO_PWRITE && pend[last].o->kind != SQ_IO_WRITE)
            continue;
        uint64_t len = pend[last].o->len, steps = (len + TEAR_STEP - 1) / TEAR_STEP;
        for (size_t i = 0; i < n_pend; i++)
            take[i] = full_of(&pend[i]);
        for (uint64_t s = 1; s < steps; s++) {
            /* every step when few; else the first and last 8 and evenly spaced ones */
            if (steps > TEAR_MAX_POINTS && s > 8 && s + 8 < steps &&
                s % (steps / (TEAR_MAX_POINTS - 16)) != 0)
                continue;
            take[last] = s * TEAR_STEP;
            build_state(take, n_pdir);
            check_state(label, false);
        }
        break;
    }
    /* folder operations not yet durable: undone from each point of their order */
    for (size_t d = 0; d < n_pdir; d++) {
        for (size_t i = 0; i < n_pend; i++)
            take[i] = 0;
        build_state(take, d);
        check_state(label, false);
        for (size_t i = 0; i < n_pend; i++)
            take[i] = full_of(&pend[i]);
        build_state(take, d);
        check_state(label, false);
    }
    free(take);
}

static void
flush_file(int f)
{
    size_t j = 0;

    for (size_t i = 0; i < n_pend; i++) {
        if (pend[i].file == f)
            apply_data(&files[f].durable, pend[i].o, UINT64_MAX);
        else
            pend[j++] = pend[i];
    }
    n_pend = j;
}

static void
push_dirop(uint32_t kind, const char *name, const char *name2, int file)
{
    if (n_pdir == cap_pdir) {
        cap_pdir = cap_pdir ? 2 * cap_pdir : 16;
        if ((pdir = realloc(pdir, cap_pdir * sizeof *pdir)) == NULL)
            abort();
    }
    pdir[n_pdir].kind = kind;
    pdir[n_pdir].name = strdup(name);
    pdir[n_pdir].name2 = strdup(name2);
    pdir[n_pdir].file = file;
    apply_dirop(&live_names, &pdir[n_pdir]);
    n_pdir++;
}

static bool
load_dir(const char *dir)
{
    DIR           *d = opendir(dir);
    struct dirent *e;
    char           p[4096];

    if (d == NULL)
        return false;
    while ((e = readdir(d)) != NULL) {
        size_t len;
        if (e->d_type != DT_REG)
            continue;
        if (n_files == MAX_FILES)
            abort();
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if ((files[n_files].durable.data = slurp(p, &len)) == NULL)
            return false;
        files[n_files].durable.len = files[n_files].durable.cap = len;
        names_set(&durable_names, e->d_name, (int)n_files);
        n_files++;
    }
    closedir(d);
    names_copy(&live_names, &durable_names);
    return true;
}

/* the model with everything applied equals --post byte for byte */
static bool
matches_post(void)
{
    uint64_t *take = calloc(n_pend + 1, sizeof *take);
    bool      ok = true;
    DIR      *d;
    struct dirent *e;
    size_t    n_post = 0;

    for (size_t i = 0; i < n_pend; i++)
        take[i] = full_of(&pend[i]);
    build_state(take, n_pdir);
    free(take);
    for (size_t i = 0; i < st_names.n; i++) {
        char   p[4096];
        size_t len;
        uint8_t *b;
        snprintf(p, sizeof p, "%s/%s", cfg.post, st_names.e[i].name);
        b = slurp(p, &len);
        if (b == NULL || len != st_files[st_names.e[i].file].len ||
            memcmp(b, st_files[st_names.e[i].file].data, len) != 0) {
            fprintf(stderr, "sq-replay: the trace does not explain %s: a write went around the I/O layer\n", p);
            ok = false;
        }
        free(b);
    }
    if ((d = opendir(cfg.post)) == NULL)
        return false;
    while ((e = readdir(d)) != NULL)
        if (e->d_type == DT_REG)
            n_post++;
    closedir(d);
    if (n_post != st_names.n) {
        fprintf(stderr, "sq-replay: --post holds %zu files, the trace explains %zu\n", n_post, st_names.n);
        ok = false;
    }
    return ok;
}

static void
replay(void)
{
    for (size_t i = 0; i < n_ops; i++) {
        const op *o = &ops[i];
        int       f;

        switch (o->kind) {
        case SQ_TRACE_FILE:
            if (file_of_ino(o->ino) >= 0)
                break;
            if (o->path[0] != '\0' && strstr(o->path, " (deleted)") == NULL &&
                (f = names_find(&live_names, o->path)) >= 0 && files[live_names.e[f].file].ino == 0) {
                files[live_names.e[f].file].ino = o->ino;   /* a file that was there */
                break;
            }
            /* created by the command (open O_CREAT is not hooked: the name
             * is a folder change, pending until the folder is synced) */
            if (n_files == MAX_FILES)
                abort();
            files[n_files].ino = o->ino;
            if (strstr(o->path, " (deleted)") == NULL && o->path[0] != '\0')
                push_dirop(SQ_TRACE_FILE, o->path, "", (int)n_files);
            n_files++;
            break;
        case SQ_IO_PWRITE:
        case SQ_IO_WRITE:
        case SQ_IO_FALLOCATE:
        case SQ_IO_FTRUNCATE:
            if ((f = file_of_ino(o->ino)) < 0)
                abort();
            if (n_pend == cap_pend) {
                cap_pend = cap_pend ? 2 * cap_pend : 256;
                if ((pend = realloc(pend, cap_pend * sizeof *pend)) == NULL)
                    abort();
            }
            pend[n_pend].o = o;
            pend[n_pend].file = f;
            n_pend++;
            break;
        case SQ_IO_FSYNC:
        case SQ_IO_FDATASYNC:
            cut_at(i);
            if ((f = file_of_ino(o->ino)) < 0)
                abort();
            flush_file(f);
            break;
        case SQ_IO_FSYNC_DIR:
            cut_at(i);
            for (size_t d = 0; d < n_pdir; d++)
                apply_dirop(&durable_names, &pdir[d]);
            n_pdir = 0;
            break;
        case SQ_IO_LINKAT:
            push_dirop(o->kind, o->path, o->path2, o->path[0] == '\0' ? file_of_ino(o->ino) : -1);
            break;
        case SQ_IO_RENAME:
        case SQ_IO_UNLINK:
            push_dirop(o->kind, o->path, o->path2, -1);
            break;
        default:
            fprintf(stderr, "sq-replay: unknown operation %u in the trace\n", o->kind);
            exit(2);
        }
    }
    cut_at(n_ops);
    if (cfg.exit_code == 0) {
        /* everything still pending lost: what exit 0 promised must be there */
        uint64_t *none = calloc(n_pend + 1, sizeof *none);
        build_state(none, 0);
        free(none);
        check_state("after exit 0, everything not yet durable lost", true);
    }
}

static sq_secret_view
read_rawkey(const char *path)
{
    size_t   len, out_len = 0;
    uint8_t *raw = slurp(path, &len);
    uint8_t *out = malloc(64);

    while (raw != NULL && len > 0 && (raw[len - 1] == '\n' || raw[len - 1] == ' '))
        len--;
    if (raw == NULL || out == NULL ||
        sodium_hex2bin(out, 64, (const char *)raw, len, NULL, &out_len, NULL) != 0 ||
        (out_len != 16 && out_len != 32)) {
        fprintf(stderr, "sq-replay: cannot read the raw key %s\n", path);
        exit(2);
    }
    free(raw);
    return (sq_secret_view){out, out_len};
}

static sq_secret_view
read_pass(const char *path)
{
    size_t   len, out_len;
    uint8_t *raw = slurp(path, &len);
    uint8_t *out = malloc(4096);

    if (raw == NULL || out == NULL || sq_passphrase_prepare(out, 4096, &out_len, raw, len) != SQ_OK) {
        fprintf(stderr, "sq-replay: cannot read passphrase %s\n", path);
        exit(2);
    }
    free(raw);
    return (sq_secret_view){out, out_len};
}

int
main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"pre", 1, 0, 'p'},   {"post", 1, 0, 'P'},  {"trace", 1, 0, 't'}, {"vault", 1, 0, 'v'},
        {"pass", 1, 0, 'k'},  {"exit", 1, 0, 'e'},  {"random", 1, 0, 'r'}, {"seed", 1, 0, 's'},
        {"work", 1, 0, 'w'},  {"no-continue", 0, 0, 'n'}, {"sample", 1, 0, 'S'},
        {"rawkey", 1, 0, 'R'}, {0, 0, 0, 0}};
    const char *trace = NULL;
    int         c;
    char       *why = NULL;
    char        tmpl[] = "/tmp/sq-replay.XXXXXX";

    cfg.n_random = 1000;
    cfg.cont = true;
    cfg.seed = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'p': cfg.pre = optarg; break;
        case 'P': cfg.post = optarg; break;
        case 't': trace = optarg; break;
        case 'v': cfg.vault = optarg; break;
        case 'k':
            if (cfg.n_pass == MAX_PASS)
                return 2;
            cfg.pass[cfg.n_pass++] = read_pass(optarg);
            break;
        case 'R':
            if (cfg.n_pass == MAX_PASS)
                return 2;
            cfg.raw[cfg.n_pass] = true;
            cfg.pass[cfg.n_pass++] = read_rawkey(optarg);
            break;
        case 'e': cfg.exit_code = atoi(optarg); break;
        case 'r': cfg.n_random = (unsigned)strtoul(optarg, NULL, 10); break;
        case 's': cfg.seed = strtoull(optarg, NULL, 10); break;
        case 'w': cfg.work = optarg; break;
        case 'n': cfg.cont = false; break;
        case 'S': cfg.sample = (unsigned)strtoul(optarg, NULL, 10); break;
        default: return 2;
        }
    }
    if (cfg.pre == NULL || cfg.post == NULL || trace == NULL || cfg.vault == NULL || cfg.n_pass == 0) {
        fprintf(stderr, "usage: sq-replay --pre DIR --post DIR --trace FILE --vault NAME --pass FILE... "
                        "[--exit N] [--random N] [--seed N] [--work DIR] [--no-continue]\n");
        return 2;
    }
    if (sq_lib_init() != SQ_OK)
        return 2;
    sq_kdf_test_memo(true);   /* every state is opened with the same few salts */
    rng_state = cfg.seed;
    if (cfg.work == NULL && (cfg.work = mkdtemp(tmpl)) == NULL)
        return 2;
    if (mkdir(cfg.work, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "sq-replay: cannot make %s\n", cfg.work);
        return 2;
    }
    snprintf(state_dir, sizeof state_dir, "%s/state", cfg.work);
    if (!load_trace(trace) || !load_dir(cfg.pre)) {
        fprintf(stderr, "sq-replay: cannot read the trace or --pre\n");
        return 2;
    }
    /* old: the folder before; new: computed after the replay from the model */
    for (size_t f = 0; f < n_files; f++)
        blob_copy(&st_files[f], &files[f].durable);
    names_copy(&st_names, &durable_names);
    if (!materialize(state_dir) || (old_fp = fingerprint_of(state_dir, &why)) == NULL) {
        fprintf(stderr, "sq-replay: the state before the command is not sound: %s\n", why ? why : "?");
        return 2;
    }
    if ((new_fp = fingerprint_of(cfg.post, &why)) == NULL) {
        fprintf(stderr, "sq-replay: the state after the command is not sound: %s\n", why ? why : "?");
        return 1;
    }
    if (cfg.exit_code == 0 && strcmp(old_fp, new_fp) == 0)
        fprintf(stderr, "sq-replay: note: the command left the vault's fingerprint unchanged\n");
    replay();
    if (!matches_post())
        return 1;
    printf("sq-replay: %zu operations, %llu states (%llu distinct, %llu checked): %llu old, %llu new, "
           "%llu broken; %llu probe commits\n",
           n_ops, (unsigned long long)states_total, (unsigned long long)states_distinct,
           (unsigned long long)states_checked,
           (unsigned long long)states_old, (unsigned long long)states_new,
           (unsigned long long)states_broken, (unsigned long long)probes);
    return states_broken == 0 ? 0 : 1;
}
