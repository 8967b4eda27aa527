/* dict.c: ordered named-tensor lists (see dict.h). */
#include "tensor/dict.h"

#include <stdlib.h>
#include <string.h>

#include "tensor/alloc.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"

static void dict_destroy(ovObj *o) {
    ovTensorDict *d = (ovTensorDict *)o;
    for (int i = 0; i < d->n; i++) free(d->names[i]);
    free(d->names);
    free(d->tensors);
    ov_obj_free(d);
}

static void dict_visit(ovObj *o, void (*fn)(ovObj *, void *), void *ctx) {
    ovTensorDict *d = (ovTensorDict *)o;
    for (int i = 0; i < d->n; i++) fn(&d->tensors[i]->obj, ctx);
}

ovTensorDict *ov_dict_new(void) {
    ovTensorDict *d = ov_obj_alloc(sizeof *d);
    d->obj.destroy = dict_destroy;
    d->obj.visit = dict_visit;
    ov_scope_add(&d->obj);
    return d;
}

int ov_dict_find(const ovTensorDict *d, const char *name) {
    for (int i = 0; i < d->n; i++)
        if (!strcmp(d->names[i], name)) return i;
    return -1;
}

ovTensor *ov_dict_get(const ovTensorDict *d, const char *name) {
    int i = ov_dict_find(d, name);
    return i < 0 ? NULL : d->tensors[i];
}

void ov_dict_set(ovTensorDict *d, const char *name, ovTensor *t) {
    int i = ov_dict_find(d, name);
    if (i >= 0) {
        d->tensors[i] = t;
        return;
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        char **nn = realloc(d->names, sizeof(char *) * (size_t)d->cap);
        ovTensor **tt = realloc(d->tensors, sizeof(ovTensor *) * (size_t)d->cap);
        if (!nn || !tt) ov_panic("dict: out of memory");
        d->names = nn;
        d->tensors = tt;
    }
    size_t len = strlen(name) + 1;
    d->names[d->n] = malloc(len);
    memcpy(d->names[d->n], name, len);
    d->tensors[d->n++] = t;
}

ovTensorDict *ov_dict_load_safetensors(const char *path) {
    ovSafetensors *st = ov_st_open(path);
    if (!st) return NULL;
    ovTensorDict *d = ov_dict_new();
    for (int i = 0; i < ov_st_count(st); i++) ov_dict_set(d, ov_st_name(st, i), ov_st_tensor(st, i));
    ov_st_close(st); /* the tensors keep the mapping */
    return d;
}

int ov_dict_save_safetensors(const ovTensorDict *d, const char *path, int n_meta, const char *const *keys,
                             const char *const *values) {
    return ov_st_save(path, d->n, (const char *const *)d->names, d->tensors, n_meta, keys, values);
}
