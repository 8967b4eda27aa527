/* pth.c: the torch.save zip container (see pth.h): find <folder>/data.pkl whatever the folder is
 * called (PyTorch itself takes the prefix of the archive's first record), check the byte order,
 * unpickle, and hand storages <folder>/data/<key> to pth_rebuild.c. Also: telling a torch zip
 * from a safetensors file, and the legacy formats that are recognised but not read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    /* legacy torch.save: a pickled magic number 0x1950a86a20f9469cfc6c first (protocol 2, LONG1) */
    if (starts_with(b, n, "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 14))
        return ov_error("%s: a legacy torch.save file (PyTorch < 1.6, not a zip); re-save it with a newer PyTorch "
                        "(torch.save(torch.load(f), f2)) to read it here",
                        path);
    if (n >= 262 && !memcmp(b + 257, "ustar", 5))
        return ov_error("%s: a tar archive (the oldest torch.save format), which ovad does not read", path);
    if (n > 0 && b[0] == 0x80)
        return ov_error("%s: a bare pickle, not a torch.save zip archive", path);
    return 0;
}

ovTensorDict *ov_pth_load_ex(const char *path, const char *entry, ovPthInfo *info) {
    ovPthInfo local;
    if (!info) info = &local;
    memset(info, 0, sizeof *info);
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

int ov_ckpt_is_zip(const char *path) {
    unsigned char b[4];
    size_t n = 0;
    if (peek(path, b, sizeof b, &n)) return -1;
    return starts_with(b, n, "PK\x03\x04", 4) || starts_with(b, n, "PK\x05\x06", 4);
}

/* A safetensors file starts with a little-endian header length and '{'. */
int ov_ckpt_check_format(const char *path) {
    unsigned char b[16];
    size_t n = 0;
    if (peek(path, b, sizeof b, &n)) return -1;
    if (starts_with(b, n, "PK\x03\x04", 4) || starts_with(b, n, "PK\x05\x06", 4)) return 0;
    if (n >= 9 && b[8] == '{') return 0; /* a safetensors header */
    if (explain_not_zip(path)) return -1;
    return ov_error("%s: not a checkpoint: neither a torch.save zip archive nor a safetensors file", path);
}

ovTensorDict *ov_ckpt_load(const char *path, const char *entry, ovPthInfo *info) {
    if (info) memset(info, 0, sizeof *info);
    if (ov_ckpt_check_format(path)) return NULL;
    if (ov_ckpt_is_zip(path) == 1) return ov_pth_load_ex(path, entry, info);
    if (entry && *entry) {
        ov_error("%s: --entry applies to torch.save files; this is not one (safetensors files are flat)", path);
        return NULL;
    }
    ovTensorDict *d = ov_dict_load_safetensors(path);
    if (d && info) info->n_tensors = d->n;
    return d;
}
