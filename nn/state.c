/* state.c: a module's state_dict and torch's load_state_dict (see state.h). Names are relative to
 * the module passed in, as in PyTorch (model.backbone.state_dict() has no "backbone." prefix), so
 * a checkpoint of a sub-network loads into that sub-module directly.
 *
 * Loading first matches every checkpoint key to a parameter (after skip_prefix and the renames)
 * and checks shapes and dtypes; only then, if strict found nothing wrong or the load is not
 * strict, does it copy. A strict failure therefore leaves the module untouched. */
#include "nn/state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "tensor/error.h"

typedef struct {
    char name[512]; /* relative to the module loaded into */
    ovTensor *t;
    int src;  /* index of the first checkpoint entry that names it, -1 while none */
    bool fits; /* and that entry has its shape and a convertible dtype (it is copied) */
} Slot;

typedef struct {
    size_t skip; /* length of the module's own path prefix ("backbone." -> 9) */
    Slot *slots;
    int n, cap;
    ovTensorDict *dict;
} Collect;

static void collect_visit(const char *full, ovTensor *t, bool is_buffer, void *ctx) {
    (void)is_buffer;
    Collect *c = ctx;
    if (c->dict) {
        ov_dict_set(c->dict, full + c->skip, t);
        return;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->slots = realloc(c->slots, sizeof(Slot) * (size_t)c->cap);
        if (!c->slots) ov_panic("state: out of memory");
    }
    Slot *s = &c->slots[c->n++];
    snprintf(s->name, sizeof s->name, "%s", full + c->skip);
    s->t = t;
    s->src = -1;
    s->fits = false;
}

static size_t own_prefix(ovModule *m) {
    char path[512];
    ov_module_path(m, path, sizeof path);
    return path[0] ? strlen(path) + 1 : 0;
}

ovTensorDict *ov_module_state(ovModule *root, bool with_buffers) {
    Collect c = {own_prefix(root), NULL, 0, 0, ov_dict_new()};
    ov_module_visit(root, with_buffers, collect_visit, &c);
    return c.dict;
}

static int cmp_slot_ptr(const void *a, const void *b) {
    return strcmp((*(Slot *const *)a)->name, (*(Slot *const *)b)->name);
}

static Slot *find_slot(Slot **sorted, int n, const char *name) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(sorted[mid]->name, name);
        if (!c) return sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* A checkpoint dtype that converts to the parameter's without losing its meaning. */
static bool convertible(ovDType from, ovDType to) {
    if (ov_dtype_is_float(to)) return ov_dtype_is_float(from);
    if (ov_dtype_is_int(to)) return ov_dtype_is_int(from);
    return from == to;
}

static const char *shape_dtype(const ovTensor *t, char *buf, size_t n) {
    char s[128];
    snprintf(buf, n, "%s %s", ov_shape_str(t->ndim, t->shape, s, sizeof s), ov_dtype_name(t->dtype));
    return buf;
}

/* Appends a line to one of the report's lists (the first OV_LOAD_LIST_MAX are kept, longer lines
 * cut) and counts it. */
static void __attribute__((format(printf, 4, 5))) note(char *list, size_t width, int *count, const char *fmt, ...) {
    if (*count < OV_LOAD_LIST_MAX) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(list + (size_t)*count * width, width, fmt, ap);
        va_end(ap);
    }
    (*count)++;
}
#define REPORT(r, list, count, ...) note((r)->list[0], sizeof(r)->list[0], &(r)->count, __VA_ARGS__)

static void match(const ovTensorDict *sd, const ovLoadOpts *o, Slot **sorted, int n, ovLoadReport *r) {
    for (int i = 0; i < sd->n; i++) {
        const char *key = sd->names[i];
        if (o->skip_prefix && o->skip_prefix[0] && !strncmp(key, o->skip_prefix, strlen(o->skip_prefix))) continue;
        char name[512], a[160], b[160];
        snprintf(name, sizeof name, "%s", key);
        for (int k = 0; k < o->n_renames; k++) {
            const char *from = o->renames[k].from, *to = o->renames[k].to ? o->renames[k].to : "";
            if (from && !strncmp(key, from, strlen(from))) {
                snprintf(name, sizeof name, "%s%s", to, key + strlen(from));
                break;
            }
        }
        bool renamed = strcmp(name, key) != 0;
        const ovTensor *t = sd->tensors[i];
        Slot *s = find_slot(sorted, n, name);
        if (!s) {
            if (renamed)
                REPORT(r, unexpected, n_unexpected, "%s (as %s) %s", key, name, shape_dtype(t, a, sizeof a));
            else
                REPORT(r, unexpected, n_unexpected, "%s %s", key, shape_dtype(t, a, sizeof a));
        } else if (s->src >= 0) {
            REPORT(r, unexpected, n_unexpected, "%s (as %s) %s: that parameter is already given by %s", key, name,
                   shape_dtype(t, a, sizeof a), sd->names[s->src]);
        } else {
            s->src = i;
            s->fits = ov_same_shape(t, s->t) && convertible(t->dtype, s->t->dtype);
            if (!s->fits) /* not "missing" too: the key is there, with the wrong shape */
                REPORT(r, mismatched, n_mismatched, "%s%s%s: checkpoint %s, model %s", name, renamed ? " from " : "",
                       renamed ? key : "", shape_dtype(t, a, sizeof a), shape_dtype(s->t, b, sizeof b));
        }
    }
}

/* "N missing (a [3], ...), M unexpected (...), K shape-mismatched (...)" into buf. */
static void summarise(const ovLoadReport *r, char *buf, size_t n) {
    size_t at = 0;
    const struct {
        int count;
        const char *what;
        int stride;
        const char *first;
    } lists[3] = {{r->n_missing, "missing", sizeof r->missing[0], r->missing[0]},
                  {r->n_unexpected, "unexpected", sizeof r->unexpected[0], r->unexpected[0]},
                  {r->n_mismatched, "shape-mismatched", sizeof r->mismatched[0], r->mismatched[0]}};
    buf[0] = 0;
    for (int l = 0; l < 3; l++) {
        if (!lists[l].count) continue;
        at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%d %s (", at ? "; " : "", lists[l].count, lists[l].what);
        int shown = lists[l].count < OV_LOAD_LIST_MAX ? lists[l].count : OV_LOAD_LIST_MAX;
        for (int i = 0; i < shown && at < n; i++)
            at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? ", " : "", lists[l].first + (size_t)i * (size_t)lists[l].stride);
        if (at < n) at += (size_t)snprintf(buf + at, n - at, "%s)", shown < lists[l].count ? ", ..." : "");
    }
}

int ov_module_load(ovModule *root, const ovTensorDict *sd, const ovLoadOpts *opts, const char *source,
                   ovLoadReport *report) {
    static const ovLoadOpts strict = {.strict = true};
    const ovLoadOpts *o = opts ? opts : &strict;
    ovLoadReport *r = report ? report : malloc(sizeof *r);
    if (!r) ov_panic("state: out of memory");
    memset(r, 0, sizeof *r);
    Collect c = {own_prefix(root), NULL, 0, 0, NULL};
    ov_module_visit(root, true, collect_visit, &c);
    Slot **sorted = malloc(sizeof(Slot *) * (size_t)(c.n ? c.n : 1));
    if (!sorted) ov_panic("state: out of memory");
    for (int i = 0; i < c.n; i++) sorted[i] = &c.slots[i];
    qsort(sorted, (size_t)c.n, sizeof *sorted, cmp_slot_ptr);

    match(sd, o, sorted, c.n, r);
    char a[160];
    for (int i = 0; i < c.n; i++) /* in registration order */
        if (c.slots[i].src < 0) REPORT(r, missing, n_missing, "%s %s", c.slots[i].name, shape_dtype(c.slots[i].t, a, sizeof a));

    int rc = 0;
    if (o->strict && (r->n_missing || r->n_unexpected || r->n_mismatched)) {
        char msg[OV_ERRMSG_MAX];
        summarise(r, msg, sizeof msg);
        rc = ov_error("%s: the checkpoint does not match the module (strict load, nothing copied): %s",
                      source ? source : "state dict", msg);
    } else {
        ov_no_grad_begin();
        for (int i = 0; i < c.n; i++)
            if (c.slots[i].fits) {
                ov_copy_(c.slots[i].t, sd->tensors[c.slots[i].src]);
                r->loaded++;
            }
        ov_no_grad_end();
    }
    free(sorted);
    free(c.slots);
    if (!report) free(r);
    return rc;
}

static void print_list(FILE *f, const char *what, int count, const char *first, size_t stride) {
    if (!count) return;
    fprintf(f, "%s (%d):\n", what, count);
    int shown = count < OV_LOAD_LIST_MAX ? count : OV_LOAD_LIST_MAX;
    for (int i = 0; i < shown; i++) fprintf(f, "  %s\n", first + (size_t)i * stride);
    if (shown < count) fprintf(f, "  ... and %d more\n", count - shown);
}

void ov_load_report_print(const ovLoadReport *r, FILE *f) {
    fprintf(f, "loaded %d tensors; %d missing, %d unexpected, %d shape-mismatched\n", r->loaded, r->n_missing,
            r->n_unexpected, r->n_mismatched);
    print_list(f, "missing", r->n_missing, r->missing[0], sizeof r->missing[0]);
    print_list(f, "unexpected", r->n_unexpected, r->unexpected[0], sizeof r->unexpected[0]);
    print_list(f, "shape-mismatched", r->n_mismatched, r->mismatched[0], sizeof r->mismatched[0]);
}

/* Moves t's data (and its gradient's) to dev by swapping in a new storage: the tensor struct
 * stays, so the layers' pointers to their parameters remain valid. */
static void move_tensor(ovTensor *t, ovDevice dev) {
    if (!t || ov_device(t) == dev) return;
    ov_scope_begin();
    ovTensor *d = ov_empty_on(dev, t->ndim, t->shape, t->dtype);
    ov_copy_(d, t);
    ov_storage_retain(d->storage);
    ov_storage_release(t->storage);
    t->storage = d->storage;
    t->offset = 0;
    memcpy(t->stride, d->stride, sizeof t->stride);
    ov_scope_end();
}

static void device_visit(const char *name, ovTensor *t, bool is_buffer, void *ctx) {
    (void)name, (void)is_buffer;
    ovDevice dev = *(ovDevice *)ctx;
    move_tensor(t, dev);
    move_tensor(t->grad, dev);
}

void ov_module_to_device(ovModule *root, ovDevice dev) {
    ov_no_grad_begin();
    ov_module_visit(root, true, device_visit, &dev);
    ov_no_grad_end();
}
