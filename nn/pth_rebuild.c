/* pth_rebuild.c: torch tensors out of a parsed torch.save pickle (see pth.h), after what
 * torch/_utils.py does on load: _rebuild_tensor_v2(storage, storage_offset, size, stride,
 * requires_grad, backward_hooks[, metadata]) is `storage[offset:]` viewed with size and stride;
 * _rebuild_parameter(data, ...) wraps such a tensor; _rebuild_from_type_v2(func, type, args,
 * state) calls func(*args); _rebuild_tensor_v3 adds a dtype for untyped storages. Storages are
 * persistent ids ('storage', torch.<Type>Storage, key, location, numel) read once per key into
 * one flat CPU tensor that every view shares. The selected value is flattened to dotted names;
 * anything that is not a tensor is counted and skipped. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/pth.h"
#include "tensor/error.h"
#include "tensor/scope.h"

#define MAX_DEPTH 64
#define VISIT_BUDGET 4000000 /* values visited while flattening: a shared DAG cannot explode */
#define MAX_NAME 4096

/* Element types of storages in the file. */
typedef enum { FT_F32, FT_F16, FT_BF16, FT_F64, FT_I64, FT_I32, FT_U8, FT_BOOL, FT_UNTYPED } FileType;

static const struct {
    const char *storage; /* torch.<storage> */
    const char *dtype;   /* torch.<dtype> as _rebuild_tensor_v3 names it */
    const char *alias;   /* its other name */
    size_t size;
    ovDType ov;
} ftypes[] = {
    [FT_F32] = {"FloatStorage", "float32", "float", 4, OV_F32},   [FT_F16] = {"HalfStorage", "float16", "half", 2, OV_F16},
    [FT_BF16] = {"BFloat16Storage", "bfloat16", "bfloat16", 2, OV_BF16},
    [FT_F64] = {"DoubleStorage", "float64", "double", 8, OV_F32}, [FT_I64] = {"LongStorage", "int64", "long", 8, OV_I64},
    [FT_I32] = {"IntStorage", "int32", "int", 4, OV_I32},         [FT_U8] = {"ByteStorage", "uint8", "uint8", 1, OV_U8},
    [FT_BOOL] = {"BoolStorage", "bool", "bool", 1, OV_BOOL},      [FT_UNTYPED] = {"UntypedStorage", "", "", 1, OV_U8},
};

typedef struct {
    char *key;
    FileType type;
    int64_t numel;  /* in elements of `type` (bytes when untyped) */
    ovTensor *flat; /* made on first use */
    FileType flat_type;
} Stor;

typedef struct {
    const char *src;
    ovPthStorageFn fn;
    void *ctx;
    ovPthInfo *info;
    Stor *st;
    int nst, stcap;
    const ovPkValue **seen; /* tensor objects already rebuilt (memo GETs share them) */
    ovTensor **seen_t;
    int nseen, seencap;
    ovTensorDict *out;
    char name[MAX_NAME];
    size_t name_len;
    long budget;
} R;

static const char *tname(const R *r) { return r->name_len ? r->name : "(the top level)"; }

/* ---- storages ---- */

static int storage_type(R *r, const ovPkValue *g, FileType *out) {
    if (g && g->kind == OV_PK_GLOBAL && (!strcmp(g->s, "torch") || !strcmp(g->s, "torch.storage")))
        for (int t = 0; t <= FT_UNTYPED; t++)
            if (!strcmp(g->name, ftypes[t].storage)) {
                *out = (FileType)t;
                return 0;
            }
    if (g && g->kind == OV_PK_GLOBAL)
        return ov_error("%s: tensor '%s': storage type %s.%s is not supported (ovad reads float32, float16, "
                        "bfloat16, float64, int64, int32, uint8 and bool)",
                        r->src, tname(r), g->s, g->name);
    return ov_error("%s: tensor '%s': the storage type is not a torch storage class", r->src, tname(r));
}

size_t ov_pth_storage_itemsize(const ovPkValue *type) {
    if (!type || type->kind != OV_PK_GLOBAL || (strcmp(type->s, "torch") && strcmp(type->s, "torch.storage"))) return 0;
    for (int t = 0; t <= FT_UNTYPED; t++)
        if (!strcmp(type->name, ftypes[t].storage)) return ftypes[t].size;
    return 0;
}

/* The persistent id ('storage', type, key, location, numel) -> the storage record. */
static int find_storage(R *r, const ovPkValue *pid, Stor **out) {
    if (!pid || pid->kind != OV_PK_PERSID || !pid->args || pid->args->kind != OV_PK_TUPLE || pid->args->n < 5 ||
        !ov_pk_is_str(pid->args->items[0]) || strcmp(pid->args->items[0]->s, "storage"))
        return ov_error("%s: tensor '%s': its storage is not a persistent id ('storage', type, key, device, numel)",
                        r->src, tname(r));
    ovPkValue *const *a = pid->args->items;
    FileType type = FT_F32;
    if (storage_type(r, a[1], &type)) return -1;
    char key[64];
    if (ov_pk_is_str(a[2]) && a[2]->len < sizeof key && !memchr(a[2]->s, '/', a[2]->len))
        snprintf(key, sizeof key, "%s", a[2]->s);
    else if (a[2]->kind == OV_PK_INT)
        snprintf(key, sizeof key, "%" PRId64, a[2]->i);
    else
        return ov_error("%s: tensor '%s': a storage key that is not a short name", r->src, tname(r));
    if (a[4]->kind != OV_PK_INT || a[4]->i < 0)
        return ov_error("%s: tensor '%s': storage '%s' has no valid element count", r->src, tname(r), key);
    if (pid->args->n > 5 && a[5]->kind != OV_PK_NONE) /* legacy files: (view_key, offset, size) */
        return ov_error("%s: tensor '%s': storage '%s' is a view of another storage (an old legacy file), which ovad "
                        "does not read",
                        r->src, tname(r), key);
    for (int i = 0; i < r->nst; i++)
        if (!strcmp(r->st[i].key, key)) {
            if (r->st[i].type != type || r->st[i].numel != a[4]->i)
                return ov_error("%s: tensor '%s': storage '%s' is described twice, differently", r->src, tname(r), key);
            *out = &r->st[i];
            return 0;
        }
    if (r->nst == r->stcap) {
        r->stcap = r->stcap ? 2 * r->stcap : 16;
        r->st = realloc(r->st, sizeof(Stor) * (size_t)r->stcap);
        if (!r->st) ov_panic("pth: out of memory");
    }
    Stor *s = &r->st[r->nst++];
    memset(s, 0, sizeof *s);
    s->key = strdup(key);
    if (!s->key) ov_panic("pth: out of memory");
    s->type = type;
    s->numel = a[4]->i;
    *out = s;
    return 0;
}

/* Reads storage s as elements of type t (its own type, or any type for an untyped storage). */
static int materialize(R *r, Stor *s, FileType t) {
    if (s->flat) {
        if (s->flat_type != t)
            return ov_error("%s: tensor '%s': storage '%s' is viewed as two different dtypes", r->src, tname(r), s->key);
        return 0;
    }
    uint64_t want = s->type == FT_UNTYPED ? (uint64_t)s->numel : (uint64_t)s->numel * ftypes[s->type].size, have = 0;
    if (s->type != FT_UNTYPED && (uint64_t)s->numel > UINT64_MAX / 8)
        return ov_error("%s: storage '%s' is too large", r->src, s->key);
    if (r->fn(r->ctx, s->key, &have, NULL)) return -1;
    if (have != want)
        return ov_error("%s: storage '%s' holds %" PRIu64 " bytes but the pickle says %" PRId64 " elements of %s (%" PRIu64
                        " bytes)",
                        r->src, s->key, have, s->numel, ftypes[s->type].storage, want);
    if (want % ftypes[t].size)
        return ov_error("%s: storage '%s' of %" PRIu64 " bytes is not a whole number of %s elements", r->src, s->key,
                        want, ftypes[t].dtype);
    int64_t n = (int64_t)(want / ftypes[t].size);
    ovTensor *flat = ov_empty_on(OV_DEV_CPU, 1, (int64_t[]){n}, ftypes[t].ov);
    if (t == FT_F64) { /* no f64 in ovad: read the doubles aside, keep them as floats */
        double *tmp = malloc(want ? want : 1);
        if (!tmp) return ov_error("%s: storage '%s': out of memory for %" PRIu64 " bytes", r->src, s->key, want);
        if (r->fn(r->ctx, s->key, &want, tmp)) {
            free(tmp);
            return -1;
        }
        float *f = ov_data_ptr(flat);
        for (int64_t i = 0; i < n; i++) /* beyond float's range is inf, as torch's .float() gives */
            f[i] = tmp[i] > FLT_MAX ? INFINITY : tmp[i] < -FLT_MAX ? -INFINITY : (float)tmp[i];
        free(tmp);
    } else if (r->fn(r->ctx, s->key, &want, ov_data_ptr(flat))) {
        return -1;
    }
    s->flat = flat;
    s->flat_type = t;
    return 0;
}

/* ---- tensors ---- */

static int int_tuple(R *r, const ovPkValue *v, const char *what, int64_t *out, int *n) {
    if (!v || (v->kind != OV_PK_TUPLE && v->kind != OV_PK_LIST))
        return ov_error("%s: tensor '%s': its %s is not a tuple", r->src, tname(r), what);
    if (v->n > OV_MAX_DIMS)
        return ov_error("%s: tensor '%s' has %d dims (ovad tensors have at most %d)", r->src, tname(r), v->n, OV_MAX_DIMS);
    for (int i = 0; i < v->n; i++) {
        if (!ov_pk_is_int(v->items[i]) || v->items[i]->i < 0)
            return ov_error("%s: tensor '%s': its %s holds something other than a non-negative int", r->src, tname(r),
                            what);
        out[i] = v->items[i]->i;
    }
    *n = v->n;
    return 0;
}

static bool is_torch_dtype(const ovPkValue *g, FileType *t) {
    if (!g || g->kind != OV_PK_GLOBAL || strcmp(g->s, "torch")) return false;
    for (int k = 0; k < FT_UNTYPED; k++)
        if (!strcmp(g->name, ftypes[k].dtype) || !strcmp(g->name, ftypes[k].alias)) {
            *t = (FileType)k;
            return true;
        }
    return false;
}

/* _rebuild_tensor(_v2/_v3)(storage, offset, size, stride, ...). */
static int view_of_storage(R *r, const ovPkValue *args, bool v3, ovTensor **out) {
    if (args->n < 4 || (v3 && args->n < 7))
        return ov_error("%s: tensor '%s': the rebuild call has %d arguments, too few", r->src, tname(r), args->n);
    Stor *s = NULL;
    if (find_storage(r, args->items[0], &s)) return -1;
    FileType t = s->type;
    if (v3) {
        FileType d;
        if (!is_torch_dtype(args->items[6], &d))
            return ov_error("%s: tensor '%s': an unsupported dtype in _rebuild_tensor_v3", r->src, tname(r));
        if (s->type != FT_UNTYPED && s->type != d)
            return ov_error("%s: tensor '%s': dtype %s over a %s", r->src, tname(r), ftypes[d].dtype, ftypes[s->type].storage);
        t = d;
    } else if (t == FT_UNTYPED) {
        return ov_error("%s: tensor '%s': an untyped storage without a dtype", r->src, tname(r));
    }
    if (materialize(r, s, t)) return -1;
    int64_t shape[OV_MAX_DIMS], stride[OV_MAX_DIMS];
    int nd, ns;
    if (!ov_pk_is_int(args->items[1]) || args->items[1]->i < 0)
        return ov_error("%s: tensor '%s': its storage offset is not a non-negative int", r->src, tname(r));
    int64_t offset = args->items[1]->i;
    if (int_tuple(r, args->items[2], "size", shape, &nd) || int_tuple(r, args->items[3], "stride", stride, &ns)) return -1;
    if (nd != ns)
        return ov_error("%s: tensor '%s' has %d sizes but %d strides", r->src, tname(r), nd, ns);
    /* every element the view can reach must lie in the storage */
    int64_t avail = s->flat->shape[0], last = offset, numel = 1;
    bool overflow = false;
    for (int d = 0; d < nd; d++) {
        int64_t step;
        overflow |= __builtin_mul_overflow(numel, shape[d], &numel);
        if (shape[d] == 0) continue;
        overflow |= __builtin_mul_overflow(shape[d] - 1, stride[d], &step);
        overflow |= __builtin_add_overflow(last, step, &last);
    }
    if (overflow || (numel > 0 && last >= avail) || (numel == 0 && offset > avail))
        return ov_error("%s: tensor '%s' (offset %" PRId64 ", %d dims) reaches past the end of storage '%s' (%" PRId64
                        " elements)",
                        r->src, tname(r), offset, nd, s->key, avail);
    *out = ov_view_of(s->flat, nd, shape, stride, offset);
    if (s->flat_type == FT_F64) r->info->n_f64++;
    return 0;
}

static bool is_tensor_call(const ovPkValue *v) {
    if (!v || v->kind != OV_PK_OBJECT || !v->callable || v->callable->kind != OV_PK_GLOBAL) return false;
    const ovPkValue *g = v->callable;
    return (!strcmp(g->s, "torch._utils") && !strncmp(g->name, "_rebuild_", 9)) ||
           (!strcmp(g->s, "torch._tensor") && !strncmp(g->name, "_rebuild_from_type", 18));
}

/* func(*args) for one of torch's rebuild functions. */
static int rebuild_call(R *r, const ovPkValue *func, const ovPkValue *args, int depth, ovTensor **out);

static int rebuild(R *r, const ovPkValue *v, int depth, ovTensor **out) {
    for (int i = 0; i < r->nseen; i++)
        if (r->seen[i] == v) {
            *out = r->seen_t[i];
            return 0;
        }
    if (rebuild_call(r, v->callable, v->args, depth, out)) return -1;
    if (r->nseen == r->seencap) {
        r->seencap = r->seencap ? 2 * r->seencap : 64;
        r->seen = realloc(r->seen, sizeof(*r->seen) * (size_t)r->seencap);
        r->seen_t = realloc(r->seen_t, sizeof(*r->seen_t) * (size_t)r->seencap);
        if (!r->seen || !r->seen_t) ov_panic("pth: out of memory");
    }
    r->seen[r->nseen] = v;
    r->seen_t[r->nseen++] = *out;
    return 0;
}

static int rebuild_call(R *r, const ovPkValue *func, const ovPkValue *args, int depth, ovTensor **out) {
    if (depth > 8) return ov_error("%s: tensor '%s': rebuild calls nested too deeply", r->src, tname(r));
    if (!func || func->kind != OV_PK_GLOBAL || !args || args->kind != OV_PK_TUPLE)
        return ov_error("%s: tensor '%s': a malformed rebuild call", r->src, tname(r));
    const char *f = func->name;
    if (!strcmp(func->s, "torch._utils")) {
        if (!strcmp(f, "_rebuild_tensor_v2") || !strcmp(f, "_rebuild_tensor")) return view_of_storage(r, args, false, out);
        if (!strcmp(f, "_rebuild_tensor_v3")) return view_of_storage(r, args, true, out);
        if (!strcmp(f, "_rebuild_parameter") || !strcmp(f, "_rebuild_parameter_with_state")) {
            if (args->n < 1 || !is_tensor_call(args->items[0]))
                return ov_error("%s: tensor '%s': a parameter without tensor data", r->src, tname(r));
            return rebuild(r, args->items[0], depth + 1, out);
        }
    } else if (!strcmp(f, "_rebuild_from_type_v2") || !strcmp(f, "_rebuild_from_type")) {
        /* (func, type, args[, state]): a tensor subclass; the data is func(*args) */
        if (args->n < 3) return ov_error("%s: tensor '%s': a malformed %s call", r->src, tname(r), f);
        return rebuild_call(r, args->items[0], args->items[2], depth + 1, out);
    }
    return ov_error("%s: tensor '%s' is rebuilt by %s.%s (a quantized, sparse, nested or device-only tensor), which "
                    "ovad does not read",
                    r->src, tname(r), func->s, f);
}

/* ---- walking the value ---- */

static int push_name(R *r, const char *part, size_t n) {
    size_t need = r->name_len + (r->name_len ? 1 : 0) + n;
    if (need >= MAX_NAME) return ov_error("%s: a tensor name longer than %d bytes under '%.60s'", r->src, MAX_NAME, r->name);
    if (r->name_len) r->name[r->name_len++] = '.';
    memcpy(r->name + r->name_len, part, n);
    r->name_len += n;
    r->name[r->name_len] = 0;
    return 0;
}

static void pop_name(R *r, size_t len) {
    r->name_len = len;
    r->name[len] = 0;
}

/* The name part for a dict key (str or int); false for other keys. */
static bool key_text(const ovPkValue *k, char *buf, size_t cap, const char **s, size_t *n) {
    if (ov_pk_is_str(k)) {
        *s = k->s, *n = k->len;
        return !memchr(k->s, 0, k->len);
    }
    if (k->kind == OV_PK_INT) {
        *n = (size_t)snprintf(buf, cap, "%" PRId64, k->i);
        *s = buf;
        return true;
    }
    return false;
}

/* A whole nn.Module pickled (torch.save(model)): an object whose state (its __dict__) holds
 * _parameters, _buffers and _modules. Returns that state, or NULL. */
static const ovPkValue *module_state(const ovPkValue *v) {
    if (v->kind != OV_PK_OBJECT || !v->state || v->state->kind != OV_PK_DICT) return NULL;
    const ovPkValue *p = ov_pk_get(v->state, "_parameters"), *m = ov_pk_get(v->state, "_modules");
    return p && p->kind == OV_PK_DICT && m && m->kind == OV_PK_DICT ? v->state : NULL;
}

static bool in_set(const ovPkValue *set, const ovPkValue *key) {
    if (!set || (set->kind != OV_PK_SET && set->kind != OV_PK_FROZENSET)) return false;
    for (int i = 0; i < set->n; i++)
        if (ov_pk_equal(set->items[i], key)) return true;
    return false;
}

static int flatten(R *r, const ovPkValue *v, int depth);

/* A pickled module's state_dict, in torch's order: parameters, persistent buffers, children;
 * None entries (a Linear without bias) are absent, as in state_dict(). */
static int flatten_module(R *r, const ovPkValue *state, int depth) {
    static const char *parts[] = {"_parameters", "_buffers", "_modules"};
    const ovPkValue *skip = ov_pk_get(state, "_non_persistent_buffers_set");
    size_t len = r->name_len;
    char buf[32];
    for (int k = 0; k < 3; k++) {
        const ovPkValue *d = ov_pk_get(state, parts[k]);
        if (!d || d->kind != OV_PK_DICT) continue;
        for (int i = 0; i < d->n; i++) {
            const char *s;
            size_t n;
            if (d->values[i]->kind == OV_PK_NONE || (k == 1 && in_set(skip, d->items[i]))) continue;
            if (!key_text(d->items[i], buf, sizeof buf, &s, &n)) continue;
            if (push_name(r, s, n) || flatten(r, d->values[i], depth + 1)) return -1;
            pop_name(r, len);
        }
    }
    return 0;
}

static int flatten(R *r, const ovPkValue *v, int depth) {
    if (--r->budget < 0) return ov_error("%s: the checkpoint's structure is too large or cyclic", r->src);
    if (depth > MAX_DEPTH) return ov_error("%s: values nested more than %d deep under '%.80s' (a cycle?)", r->src, MAX_DEPTH, r->name);
    if (is_tensor_call(v)) {
        ovTensor *t;
        if (rebuild(r, v, 0, &t)) return -1;
        ov_dict_set(r->out, r->name_len ? r->name : "tensor", t);
        r->info->n_tensors++;
        return 0;
    }
    size_t len = r->name_len;
    char buf[32];
    if (v->kind == OV_PK_DICT) {
        for (int i = 0; i < v->n; i++) {
            const char *s;
            size_t n;
            if (!key_text(v->items[i], buf, sizeof buf, &s, &n)) {
                r->info->n_skipped++;
                continue;
            }
            if (push_name(r, s, n) || flatten(r, v->values[i], depth + 1)) return -1;
            pop_name(r, len);
        }
        return 0;
    }
    if (v->kind == OV_PK_LIST || v->kind == OV_PK_TUPLE) {
        for (int i = 0; i < v->n; i++) {
            size_t n = (size_t)snprintf(buf, sizeof buf, "%d", i);
            if (push_name(r, buf, n) || flatten(r, v->items[i], depth + 1)) return -1;
            pop_name(r, len);
        }
        return 0;
    }
    const ovPkValue *mod = module_state(v);
    if (mod) return flatten_module(r, mod, depth);
    r->info->n_skipped++; /* numbers, strings, configs, any other object */
    return 0;
}

/* Does v hold a tensor (directly when `direct`, else anywhere below)? */
static bool holds_tensor(const ovPkValue *v, bool direct, int depth, long *budget) {
    if (--*budget < 0 || depth > MAX_DEPTH) return false;
    if (is_tensor_call(v)) return true;
    const ovPkValue *mod = module_state(v);
    if (mod) { /* direct: its own parameters; else anything below */
        static const char *parts[] = {"_parameters", "_buffers", "_modules"};
        for (int k = 0; k < 3; k++) {
            const ovPkValue *d = ov_pk_get(mod, parts[k]);
            if (d && (k == 2 ? !direct && holds_tensor(d, false, depth + 1, budget) : holds_tensor(d, true, depth + 1, budget)))
                return true;
        }
        return false;
    }
    if (v->kind != OV_PK_DICT && v->kind != OV_PK_LIST && v->kind != OV_PK_TUPLE) return false;
    ovPkValue **vals = v->kind == OV_PK_DICT ? v->values : v->items;
    for (int i = 0; i < v->n; i++)
        if (direct ? is_tensor_call(vals[i]) : holds_tensor(vals[i], false, depth + 1, budget)) return true;
    return false;
}

/* A child by key: a dict key (str, or int written in decimal) or a list/tuple index. */
static const ovPkValue *child(const ovPkValue *v, const char *key, size_t n) {
    char buf[32];
    if (v->kind == OV_PK_DICT) {
        for (int i = 0; i < v->n; i++) {
            const char *s;
            size_t len;
            if (key_text(v->items[i], buf, sizeof buf, &s, &len) && len == n && !memcmp(s, key, n)) return v->values[i];
        }
    } else if ((v->kind == OV_PK_LIST || v->kind == OV_PK_TUPLE) && n > 0 && n < 10 && strspn(key, "0123456789") >= n) {
        long i = strtol(key, NULL, 10);
        if (i < v->n) return v->items[i];
    }
    return NULL;
}

static void list_keys(const ovPkValue *v, char *buf, size_t cap) {
    size_t k = 0;
    buf[0] = 0;
    if (v->kind != OV_PK_DICT) {
        snprintf(buf, cap, "it is a %s, not a dict", ov_pk_kind_name(v->kind));
        return;
    }
    k += (size_t)snprintf(buf, cap, "its keys: ");
    for (int i = 0; i < v->n && k + 8 < cap; i++) {
        char ib[32];
        const char *s;
        size_t n;
        if (!key_text(v->items[i], ib, sizeof ib, &s, &n)) continue;
        k += (size_t)snprintf(buf + k, cap - k, "%s'%.*s'", i ? ", " : "", (int)(n < 60 ? n : 60), s);
    }
    if (k + 8 >= cap) snprintf(buf + cap - 8, 8, ", ...");
}

/* Follows a dotted entry path; a key that itself holds dots is matched whole first. */
static const ovPkValue *select_entry(R *r, const ovPkValue *v, const char *entry) {
    const char *rest = entry;
    while (*rest) {
        size_t n = strlen(rest);
        const ovPkValue *c = child(v, rest, n);
        if (!c) {
            const char *dot = strchr(rest, '.');
            n = dot ? (size_t)(dot - rest) : n;
            c = child(v, rest, n);
        }
        if (!c) {
            char keys[400];
            list_keys(v, keys, sizeof keys);
            if (rest == entry)
                ov_error("%s: no entry '%.*s' in the checkpoint (%s)", r->src, (int)n, rest, keys);
            else
                ov_error("%s: no entry '%.*s' under '%.*s' (%s)", r->src, (int)n, rest, (int)(rest - entry - 1), entry,
                         keys);
            return NULL;
        }
        v = c;
        rest += n;
        if (*rest == '.') rest++;
    }
    return v;
}

ovTensorDict *ov_pth_from_pickle(const ovPkValue *root, const char *entry, const char *source,
                                 ovPthStorageFn storage, void *ctx, ovPthInfo *info) {
    ovPthInfo local;
    if (!info) info = &local;
    memset(info, 0, sizeof *info);
    R r = {.src = source, .fn = storage, .ctx = ctx, .info = info, .budget = VISIT_BUDGET};
    const ovPkValue *v = root;
    if (entry && *entry) {
        v = select_entry(&r, root, entry);
        if (!v) return NULL;
        snprintf(info->entry, sizeof info->entry, "%s", entry);
    } else if (root->kind == OV_PK_DICT) { /* automatic: the top, or one state dict under it */
        long budget = VISIT_BUDGET;
        if (!holds_tensor(root, true, 0, &budget)) {
            static const char *names[] = {"model", "state_dict", "module"};
            for (int i = 0; i < 3; i++) {
                const ovPkValue *c = ov_pk_get(root, names[i]);
                budget = VISIT_BUDGET;
                if (c && holds_tensor(c, false, 0, &budget)) {
                    v = c;
                    snprintf(info->entry, sizeof info->entry, "%s", names[i]);
                    break;
                }
            }
        }
    }
    ovScope *outer = ov_scope_current();
    ov_scope_begin(); /* storages and views; only the dict's tensors leave it */
    r.out = ov_dict_new();
    int rc = flatten(&r, v, 0);
    if (rc == 0 && r.out->n == 0)
        rc = ov_error("%s: no tensors in %s%s%s", source, info->entry[0] ? "entry '" : "the checkpoint",
                      info->entry, info->entry[0] ? "'" : "");
    ovTensorDict *out = r.out;
    if (rc == 0) ov_scope_move_graph(&out->obj, outer);
    ov_scope_end();
    for (int i = 0; i < r.nst; i++) free(r.st[i].key);
    free(r.st);
    free(r.seen);
    free(r.seen_t);
    return rc == 0 ? out : NULL;
}
