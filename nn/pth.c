/* pth.c: the torch.save containers (see pth.h). The zip: find <folder>/data.pkl whatever the
 * folder is called (PyTorch itself takes the prefix of the archive's first record), check the
 * byte order, unpickle, and hand storages <folder>/data/<key> to pth_rebuild.c. The legacy
 * format of PyTorch < 1.6: five pickles and the raw storages after them. Also: telling these
 * from a safetensors file, and naming the formats that are not read (tar, bare pickles). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/zip.h"
#include "nn/pth.h"
#include "tensor/error.h"

typedef struct {
    ovZip *z;
    char folder[256];
} ZipStorages;

static int zip_storage(void *ctx, const char *key, uint64_t *nbytes, void *dst) {
    ZipStorages *zs = ctx;
    char name[400];
    snprintf(name, sizeof name, "%s/data/%s", zs->folder, key);
    int i = ov_zip_find(zs->z, name);
    if (i < 0) return ov_error("%s: storage '%s' has no record '%s' in the archive", ov_zip_name(zs->z), key, name);
    if (!dst) { /* the size decides an allocation: only a size we can fill counts */
        *nbytes = ov_zip_entry_size(zs->z, i);
        return ov_zip_check(zs->z, i);
    }
    return ov_zip_read_into(zs->z, i, dst);
}

/* <folder>/data.pkl with a folder of one level (torch writes "archive/" or the file's stem). */
static int find_pickle(ovZip *z, char *folder, size_t cap) {
    for (int i = 0; i < ov_zip_count(z); i++) {
        const char *n = ov_zip_entry_name(z, i), *slash = strchr(n, '/');
        if (slash && slash > n && !strcmp(slash + 1, "data.pkl") && (size_t)(slash - n) < cap) {
            memcpy(folder, n, (size_t)(slash - n));
            folder[slash - n] = 0;
            return i;
        }
    }
    return -1;
}

static bool starts_with(const unsigned char *b, size_t n, const char *magic, size_t m) {
    return n >= m && !memcmp(b, magic, m);
}

/* The first bytes of a file, to tell formats apart. */
static int peek(const char *path, unsigned char *b, size_t cap, size_t *n) {
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return ov_error("%s: cannot open: %s", path, strerror(errno));
    *n = fread(b, 1, cap, f);
    fclose(f);
    return 0;
}

/* Formats that are torch checkpoints but not the zip one: say so instead of "not a zip". */
static int explain_not_zip(const char *path) {
    unsigned char b[512];
    size_t n = 0;
    if (peek(path, b, sizeof b, &n)) return -1;
    if (n >= 9 && b[8] == '{') return ov_error("%s: a safetensors file, not a torch.save zip archive", path);
    if (n >= 262 && !memcmp(b + 257, "ustar", 5))
        return ov_error("%s: a tar archive (the oldest torch.save format), which ovad does not read", path);
    if (n > 0 && b[0] == 0x80)
        return ov_error("%s: a bare pickle, not a torch.save zip archive", path);
    return 0;
}

/* ---- the legacy format (PyTorch < 1.6, or _use_new_zipfile_serialization=False) ----
 * Five pickles back to back: the magic number 0x1950a86a20f9469cfc6c, the protocol version 1001,
 * sys_info ({'little_endian': True, ...}), the object, and the sorted list of storage keys; then,
 * for each key in that order, an int64 element count and the raw bytes (torch/serialization.py's
 * _legacy_load). The element size of each block comes from the storage type in the object's
 * persistent ids, which the pickle hook collects as they are read. */

static const unsigned char legacy_magic[14] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c,
                                               0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};

typedef struct {
    char key[64];
    size_t itemsize;
    uint64_t off, nbytes;
    bool placed;
} LegacyStorage;

typedef struct {
    const char *path;
    const unsigned char *p;
    size_t n;
    LegacyStorage *s;
    int ns, cap;
} Legacy;

static LegacyStorage *legacy_find(Legacy *L, const char *key) {
    for (int i = 0; i < L->ns; i++)
        if (!strcmp(L->s[i].key, key)) return &L->s[i];
    return NULL;
}

/* Records (key, element size) of every ('storage', type, key, ...) persistent id. */
static int legacy_persid(ovPickle *pk, void *ctx, const ovPkValue *pid, const char **why) {
    (void)pk, (void)why;
    Legacy *L = ctx;
    if (pid->kind != OV_PK_TUPLE || pid->n < 5 || !ov_pk_is_str(pid->items[2]) || pid->items[2]->len >= 64) return 0;
    size_t isz = ov_pth_storage_itemsize(pid->items[1]);
    if (!isz || legacy_find(L, pid->items[2]->s)) return 0; /* unknown types fail later, by name */
    if (L->ns == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 16;
        L->s = realloc(L->s, sizeof(LegacyStorage) * (size_t)L->cap);
        if (!L->s) ov_panic("pth: out of memory");
    }
    LegacyStorage *s = &L->s[L->ns++];
    memset(s, 0, sizeof *s);
    snprintf(s->key, sizeof s->key, "%s", pid->items[2]->s);
    s->itemsize = isz;
    return 0;
}

static int legacy_storage(void *ctx, const char *key, uint64_t *nbytes, void *dst) {
    Legacy *L = ctx;
    LegacyStorage *s = legacy_find(L, key);
    if (!s || !s->placed) return ov_error("%s: storage '%s' is not in the file's list of storages", L->path, key);
    if (!dst) *nbytes = s->nbytes;
    else if (s->nbytes) memcpy(dst, L->p + s->off, s->nbytes);
    return 0;
}

/* Where each storage's bytes are: after the last pickle, in the order of the key list. */
static int legacy_place(Legacy *L, const ovPkValue *keys, size_t off) {
    if (keys->kind != OV_PK_LIST) return ov_error("%s: the legacy storage list is a %s", L->path, ov_pk_kind_name(keys->kind));
    for (int i = 0; i < keys->n; i++) {
        LegacyStorage *s = ov_pk_is_str(keys->items[i]) ? legacy_find(L, keys->items[i]->s) : NULL;
        if (!s) return ov_error("%s: storage %d of the legacy list is not one the pickle uses", L->path, i);
        if (L->n - off < 8) return ov_error("%s: storage '%s' is cut off (truncated file?)", L->path, s->key);
        uint64_t numel = 0;
        for (int b = 7; b >= 0; b--) numel = numel << 8 | L->p[off + (size_t)b];
        if (numel > (L->n - off - 8) / s->itemsize)
            return ov_error("%s: storage '%s' of %" PRIu64 " elements runs past the end of the file (truncated?)", L->path,
                            s->key, numel);
        s->off = off + 8;
        s->nbytes = numel * s->itemsize;
        s->placed = true;
        off = s->off + s->nbytes;
    }
    return 0;
}

static ovTensorDict *load_legacy(const char *path, const unsigned char *p, size_t n, const char *entry,
                                 ovPthInfo *info) {
    static const char *what[5] = {"magic number", "protocol version", "system info", "object", "storage list"};
    Legacy L = {.path = path, .p = p, .n = n};
    ovPkHooks hooks = {.ctx = &L, .persid = legacy_persid};
    ovPickle *pk[5] = {0};
    ovTensorDict *d = NULL;
    size_t off = 0;
    for (int k = 0; k < 5; k++) {
        char name[1200];
        snprintf(name, sizeof name, "%s (legacy format, %s pickle at byte %zu)", path, what[k], off);
        pk[k] = ov_pickle_parse(p + off, n - off, name, k == 3 ? &hooks : NULL);
        if (!pk[k]) goto done;
        off += ov_pickle_end(pk[k]);
    }
    const ovPkValue *v = ov_pickle_root(pk[1]), *sys = ov_pickle_root(pk[2]), *le = ov_pk_get(sys, "little_endian");
    if (v->kind != OV_PK_INT || v->i != 1001) {
        ov_error("%s: legacy protocol version %s, ovad reads 1001", path, v->kind == OV_PK_INT ? "other than 1001" : "missing");
        goto done;
    }
    if (le && le->kind == OV_PK_BOOL && !le->i) {
        ov_error("%s: storages are big-endian, which ovad does not read", path);
        goto done;
    }
    if (legacy_place(&L, ov_pickle_root(pk[4]), off)) goto done;
    d = ov_pth_from_pickle(ov_pickle_root(pk[3]), entry, path, legacy_storage, &L, info);
    info->protocol = ov_pickle_protocol(pk[3]);
done:
    for (int k = 0; k < 5; k++) ov_pickle_free(pk[k]);
    free(L.s);
    return d;
}

static ovTensorDict *load_legacy_file(const char *path, const char *entry, ovPthInfo *info) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        ov_error("%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        ov_error("%s: not a regular file", path);
        return NULL;
    }
    size_t n = (size_t)sb.st_size;
    void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) {
        ov_error("%s: cannot map the file: %s", path, strerror(errno));
        return NULL;
    }
    ovTensorDict *d = load_legacy(path, m, n, entry, info);
    munmap(m, n);
    return d;
}

ovTensorDict *ov_pth_load_ex(const char *path, const char *entry, ovPthInfo *info) {
    ovPthInfo local;
    if (!info) info = &local;
    memset(info, 0, sizeof *info);
    unsigned char head[16];
    size_t hn = 0;
    if (peek(path, head, sizeof head, &hn)) return NULL;
    if (starts_with(head, hn, (const char *)legacy_magic, sizeof legacy_magic)) return load_legacy_file(path, entry, info);
    ovZip *z = ov_zip_open(path);
    if (!z) {
        char why[OV_ERRMSG_MAX];
        snprintf(why, sizeof why, "%s", ov_last_error());
        if (explain_not_zip(path) == 0) ov_error("%s", why);
        return NULL;
    }
    ZipStorages zs = {.z = z};
    ovTensorDict *d = NULL;
    ovPickle *pk = NULL;
    int i = find_pickle(z, zs.folder, sizeof zs.folder);
    if (i < 0) {
        ov_error("%s: no <folder>/data.pkl in the zip archive, so not a torch.save file", path);
        goto done;
    }
    char name[400];
    snprintf(name, sizeof name, "%s/byteorder", zs.folder);
    int bo = ov_zip_find(z, name);
    if (bo >= 0) { /* absent in old files, which are little-endian */
        char *order = ov_zip_read(z, bo, NULL);
        if (!order) goto done;
        bool little = !strcmp(order, "little");
        free(order);
        if (!little) {
            ov_error("%s: storages are big-endian (%s), which ovad does not read", path, name);
            goto done;
        }
    }
    size_t n = 0;
    char *bytes = ov_zip_read(z, i, &n);
    if (!bytes) goto done;
    char pname[1200];
    snprintf(pname, sizeof pname, "%s:%s", path, ov_zip_entry_name(z, i));
    pk = ov_pickle_parse(bytes, n, pname, NULL);
    free(bytes);
    if (!pk) goto done;
    d = ov_pth_from_pickle(ov_pickle_root(pk), entry, path, zip_storage, &zs, info);
    info->protocol = ov_pickle_protocol(pk);
    snprintf(info->folder, sizeof info->folder, "%s", zs.folder);
    if (!d) {
        snprintf(name, sizeof name, "%s/constants.pkl", zs.folder);
        if (ov_zip_find(z, name) >= 0 && strstr(ov_last_error(), "no tensors")) {
            char msg[OV_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "%s (this is a TorchScript archive written by torch.jit.save: load it in Python "
                     "and torch.save its state_dict())", ov_last_error());
            ov_error("%s", msg);
        }
    }
done:
    ov_pickle_free(pk);
    ov_zip_close(z);
    return d;
}

ovTensorDict *ov_pth_load(const char *path, const char *entry) { return ov_pth_load_ex(path, entry, NULL); }

int ov_ckpt_is_torch(const char *path) {
    unsigned char b[16];
    size_t n = 0;
    if (peek(path, b, sizeof b, &n)) return -1;
    return starts_with(b, n, "PK\x03\x04", 4) || starts_with(b, n, "PK\x05\x06", 4) ||
           starts_with(b, n, (const char *)legacy_magic, sizeof legacy_magic);
}

/* A safetensors file starts with a little-endian header length and '{'. */
int ov_ckpt_check_format(const char *path) {
    unsigned char b[16];
    size_t n = 0;
    if (peek(path, b, sizeof b, &n)) return -1;
    if (starts_with(b, n, "PK\x03\x04", 4) || starts_with(b, n, "PK\x05\x06", 4)) return 0;
    if (starts_with(b, n, (const char *)legacy_magic, sizeof legacy_magic)) return 0;
    if (n >= 9 && b[8] == '{') return 0; /* a safetensors header */
    if (explain_not_zip(path)) return -1;
    return ov_error("%s: not a checkpoint: neither a torch.save zip archive nor a safetensors file", path);
}

ovTensorDict *ov_weights_load(const char *path, const char *entry, ovPthInfo *info) {
    if (info) memset(info, 0, sizeof *info);
    if (ov_ckpt_check_format(path)) return NULL;
    if (ov_ckpt_is_torch(path) == 1) return ov_pth_load_ex(path, entry, info);
    if (entry && *entry) {
        ov_error("%s: --entry applies to torch.save files; this is not one (safetensors files are flat)", path);
        return NULL;
    }
    ovTensorDict *d = ov_dict_load_safetensors(path);
    if (d && info) info->n_tensors = d->n;
    return d;
}
