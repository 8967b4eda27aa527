/* test_synth.c: the synthetic dataset (data/synth.h) and the pickle writer (data/pickle_write.h).
 *
 * - The writer produces the exact bytes Python writes for the same object
 *   (tests/fixtures/synth/pickle_write.pkl, from tools/gen_synth_fixtures.py).
 * - A minimal pickle machine written here (the opcodes the writer uses, numpy arrays rebuilt from
 *   _reconstruct + BUILD) reads the ground-truth pickles back: the ACT schema, one split.
 * - Same seed and options give the same bytes in every file (whatever the thread count); another
 *   seed gives other bytes.
 * - Boxes are tight: on flat backgrounds the pixels that differ from the background in the PNG
 *   files read back have exactly the actor's box as their bounding box.
 * - Actions differ by motion: the head goes up in jumping, not in waving; the hands meet in
 *   clapping; one foot rises in kicking; every pair of actions has a different motion signature.
 * - Held-out actions and combinations never reach the train split, and test clips show them.
 * - Captions name every attribute; bad options are clear errors; a failed run leaves nothing.
 * - 200 clips of 16 frames at 128x128 are written in a few seconds; `ovad data synth` and
 *   `ovad data stats` work from the command line. */
#define _GNU_SOURCE /* memmem */
#include <cjson/cJSON.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "data/image.h"
#include "data/pickle_write.h"
#include "data/synth.h"
#include "data/synth_internal.h"
#include "tensor/error.h"
#include "tensor/scope.h"
#include "tensor/file.h"
#include "tests/check_util.h"

static uint8_t *slurp(const char *path, size_t *n) {
    uint8_t *b;
    ck_assert_msg(ov_read_file(path, &b, n) == 0, "%s", ov_last_error());
    return b;
}

/* ---- a minimal pickle machine ---- */

typedef struct PV PV;
struct PV {
    char kind; /* N none, B bool, I int, F float, S str, Y bytes, L list, T tuple, D dict, G global, A array, R dtype */
    int64_t i;
    double f;
    char *s; /* S, Y, G (module + ' ' + name) */
    size_t len;
    int n, cap;
    PV **items; /* L, T; D: keys and values interleaved */
    int ndim;
    int64_t shape[8];
    float *data; /* A */
    PV *next;    /* every value, for freeing */
};

typedef struct {
    PV *all;
    PV *stack[4096];
    int sp;
    int marks[256];
    int nmarks;
    PV *memo[4096];
} VM;

static PV *pv(VM *vm, char kind) {
    PV *v = calloc(1, sizeof *v);
    v->kind = kind;
    v->next = vm->all;
    vm->all = v;
    return v;
}

static void pv_add(PV *c, PV *x) {
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->items = realloc(c->items, (size_t)c->cap * sizeof *c->items);
    }
    c->items[c->n++] = x;
}

static void vm_free(VM *vm) {
    for (PV *v = vm->all, *nx; v; v = nx) {
        nx = v->next;
        free(v->s);
        free(v->items);
        free(v->data);
        free(v);
    }
    free(vm);
}

static void push(VM *vm, PV *v) {
    ck_assert_int_lt(vm->sp, 4096);
    vm->stack[vm->sp++] = v;
}

static PV *pop(VM *vm) {
    ck_assert_int_gt(vm->sp, 0);
    return vm->stack[--vm->sp];
}

static int pop_mark(VM *vm) {
    ck_assert_int_gt(vm->nmarks, 0);
    return vm->marks[--vm->nmarks];
}

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* Runs the opcodes of b[0..n) and returns the unpickled value (vm owns it). */
static PV *unpickle(VM *vm, const uint8_t *b, size_t n) {
    size_t at = 0;
#define NEED(k) ck_assert_msg(at + (k) <= n, "pickle truncated at %zu", at)
    for (;;) {
        NEED(1);
        size_t opat = at;
        uint8_t op = b[at++];
        PV *v, *x;
        switch (op) {
        case 0x80: NEED(1); ck_assert_int_eq(b[at], 2); at++; break;
        case '}': push(vm, pv(vm, 'D')); break;
        case ']': push(vm, pv(vm, 'L')); break;
        case ')': push(vm, pv(vm, 'T')); break;
        case '(': ck_assert_int_lt(vm->nmarks, 256); vm->marks[vm->nmarks++] = vm->sp; break;
        case 'N': push(vm, pv(vm, 'N')); break;
        case 0x88: case 0x89: v = pv(vm, 'B'); v->i = op == 0x88; push(vm, v); break;
        case 'K': NEED(1); v = pv(vm, 'I'); v->i = b[at++]; push(vm, v); break;
        case 'M': NEED(2); v = pv(vm, 'I'); v->i = b[at] | b[at + 1] << 8; at += 2; push(vm, v); break;
        case 'J': NEED(4); v = pv(vm, 'I'); v->i = (int32_t)rd32(b + at); at += 4; push(vm, v); break;
        case 0x8a: { /* LONG1 */
            NEED(1);
            int k = b[at++];
            NEED((size_t)k);
            ck_assert_int_le(k, 8);
            uint64_t u = 0;
            for (int i = 0; i < k; i++) u |= (uint64_t)b[at + i] << (8 * i);
            if (k && k < 8 && (b[at + k - 1] & 0x80)) u |= ~0ull << (8 * k);
            at += (size_t)k;
            v = pv(vm, 'I');
            v->i = (int64_t)u;
            push(vm, v);
            break;
        }
        case 'G': {
            NEED(8);
            uint64_t u = 0;
            for (int i = 0; i < 8; i++) u = u << 8 | b[at + i];
            at += 8;
            v = pv(vm, 'F');
            memcpy(&v->f, &u, 8);
            push(vm, v);
            break;
        }
        case 'X': {
            NEED(4);
            size_t k = rd32(b + at);
            at += 4;
            NEED(k);
            v = pv(vm, 'S');
            v->s = malloc(k + 1);
            memcpy(v->s, b + at, k);
            v->s[k] = 0;
            v->len = k;
            at += k;
            push(vm, v);
            break;
        }
        case 'c': {
            const uint8_t *e1 = memchr(b + at, '\n', n - at);
            ck_assert_ptr_nonnull(e1);
            const uint8_t *e2 = memchr(e1 + 1, '\n', n - (size_t)(e1 + 1 - b));
            ck_assert_ptr_nonnull(e2);
            v = pv(vm, 'G');
            v->len = (size_t)(e2 - (b + at));
            v->s = malloc(v->len + 1);
            memcpy(v->s, b + at, v->len);
            v->s[e1 - (b + at)] = ' ';
            v->s[v->len] = 0;
            at = (size_t)(e2 + 1 - b);
            push(vm, v);
            break;
        }
        case 0x85: case 0x86: case 0x87: {
            int k = op - 0x84;
            v = pv(vm, 'T');
            ck_assert_int_ge(vm->sp, k);
            for (int i = vm->sp - k; i < vm->sp; i++) pv_add(v, vm->stack[i]);
            vm->sp -= k;
            push(vm, v);
            break;
        }
        case 't': case 'e': case 'u': {
            int m = pop_mark(vm);
            if (op == 't') {
                v = pv(vm, 'T');
            } else {
                ck_assert_int_ge(m, 1);
                v = vm->stack[m - 1];
                ck_assert_int_eq(v->kind, op == 'e' ? 'L' : 'D');
                ck_assert_msg(op == 'e' || (vm->sp - m) % 2 == 0, "SETITEMS with an odd count at %zu", opat);
            }
            for (int i = m; i < vm->sp; i++) pv_add(v, vm->stack[i]);
            vm->sp = m;
            if (op == 't') push(vm, v);
            break;
        }
        case 'a':
            x = pop(vm);
            v = vm->stack[vm->sp - 1];
            ck_assert_int_eq(v->kind, 'L');
            pv_add(v, x);
            break;
        case 's':
            x = pop(vm);
            v = pop(vm);
            ck_assert_int_eq(vm->stack[vm->sp - 1]->kind, 'D');
            pv_add(vm->stack[vm->sp - 1], v);
            pv_add(vm->stack[vm->sp - 1], x);
            break;
        case 'q': case 'r': {
            size_t k = op == 'q' ? (NEED(1), b[at]) : (NEED(4), rd32(b + at));
            at += op == 'q' ? 1 : 4;
            ck_assert_uint_lt(k, 4096);
            ck_assert_int_gt(vm->sp, 0);
            vm->memo[k] = vm->stack[vm->sp - 1];
            break;
        }
        case 'h': case 'j': {
            size_t k = op == 'h' ? (NEED(1), b[at]) : (NEED(4), rd32(b + at));
            at += op == 'h' ? 1 : 4;
            ck_assert_msg(k < 4096 && vm->memo[k], "GET of memo %zu, never put (at %zu)", k, opat);
            push(vm, vm->memo[k]);
            break;
        }
        case 'R': {
            PV *args = pop(vm), *fn = pop(vm);
            ck_assert_int_eq(fn->kind, 'G');
            ck_assert_int_eq(args->kind, 'T');
            if (!strcmp(fn->s, "_codecs encode")) {
                ck_assert_int_eq(args->n, 2);
                ck_assert_str_eq(args->items[1]->s, "latin1");
                PV *str = args->items[0];
                v = pv(vm, 'Y');
                v->s = malloc(str->len + 1);
                for (size_t i = 0; i < str->len; i++) { /* code points < 256 back to bytes */
                    uint8_t c = (uint8_t)str->s[i];
                    if (c >= 0x80) {
                        ck_assert(c == 0xc2 || c == 0xc3);
                        c = (uint8_t)(((c & 3) << 6) | (str->s[++i] & 0x3f));
                    }
                    v->s[v->len++] = (char)c;
                }
            } else if (!strcmp(fn->s, "__builtin__ bytes")) {
                ck_assert_int_eq(args->n, 0);
                v = pv(vm, 'Y');
                v->s = calloc(1, 1);
            } else if (!strcmp(fn->s, "numpy.core.multiarray _reconstruct")) {
                ck_assert_int_eq(args->n, 3);
                ck_assert_str_eq(args->items[0]->s, "numpy ndarray");
                v = pv(vm, 'A');
                v->ndim = -1; /* until BUILD */
            } else if (!strcmp(fn->s, "numpy dtype")) {
                ck_assert_str_eq(args->items[0]->s, "f4");
                v = pv(vm, 'R');
            } else {
                ck_abort_msg("unexpected global %s", fn->s);
            }
            push(vm, v);
            break;
        }
        case 'b': {
            PV *st = pop(vm);
            v = vm->stack[vm->sp - 1];
            ck_assert_int_eq(st->kind, 'T');
            if (v->kind == 'R') {
                ck_assert_int_eq(st->n, 8);
                ck_assert_str_eq(st->items[1]->s, "<");
            } else {
                ck_assert_int_eq(v->kind, 'A');
                ck_assert_int_eq(st->n, 5);
                ck_assert_int_eq(st->items[0]->i, 1);
                PV *shape = st->items[1], *data = st->items[4];
                ck_assert_int_eq(st->items[2]->kind, 'R');
                ck_assert(st->items[3]->kind == 'B' && st->items[3]->i == 0); /* C order */
                ck_assert_int_eq(data->kind, 'Y');
                v->ndim = shape->n;
                int64_t numel = 1;
                for (int i = 0; i < shape->n; i++) numel *= v->shape[i] = shape->items[i]->i;
                ck_assert_uint_eq(data->len, (size_t)numel * 4);
                v->data = malloc(data->len + 1);
                memcpy(v->data, data->s, data->len);
            }
            break;
        }
        case '.':
            ck_assert_int_eq(vm->sp, 1);
            ck_assert_int_eq(vm->nmarks, 0);
            ck_assert_uint_eq(at, n);
            return vm->stack[0];
        default:
            ck_abort_msg("unexpected opcode 0x%02x at %zu", op, opat);
        }
    }
#undef NEED
}

static PV *dict_get(const PV *d, const char *key) {
    for (int i = 0; i + 1 < d->n; i += 2)
        if (d->items[i]->kind == 'S' && !strcmp(d->items[i]->s, key)) return d->items[i + 1];
    return NULL;
}

/* ---- the writer against Python ---- */

static void write_fixture_object(ovPickleWriter *w) {
    float a[10];
    for (int i = 0; i < 10; i++) a[i] = (float)i * 1.5f - 3;
    ov_pkw_dict_begin(w);
    ov_pkw_str(w, "labels");
    ov_pkw_list_begin(w);
    ov_pkw_str(w, "waving");
    ov_pkw_str(w, "b");
    ov_pkw_str(w, "\xc3\xa9");
    ov_pkw_str(w, "");
    ov_pkw_str(w, "b");
    ov_pkw_list_end(w);
    ov_pkw_str(w, "gttubes");
    ov_pkw_dict_begin(w);
    ov_pkw_str(w, "v/x");
    ov_pkw_dict_begin(w);
    ov_pkw_int(w, 0);
    ov_pkw_list_begin(w);
    ov_pkw_array_f32(w, a, 2, (int64_t[]){2, 5});
    ov_pkw_array_f32(w, a, 2, (int64_t[]){1, 5});
    ov_pkw_list_end(w);
    ov_pkw_int(w, 3);
    ov_pkw_list_begin(w);
    ov_pkw_array_f32(w, NULL, 2, (int64_t[]){0, 5});
    ov_pkw_array_f32(w, NULL, 2, (int64_t[]){0, 5});
    ov_pkw_list_end(w);
    ov_pkw_dict_end(w);
    ov_pkw_str(w, "v/y");
    ov_pkw_dict_begin(w);
    ov_pkw_dict_end(w);
    ov_pkw_dict_end(w);
    ov_pkw_str(w, "ints");
    ov_pkw_list_begin(w);
    const int64_t ints[] = {0, 1, 255, 256, 65535, 65536, -1, -256, INT32_MIN, INT32_MAX, 1LL << 31, -(1LL << 31) - 1,
                            1LL << 40, -(1LL << 40), INT64_MAX, INT64_MIN, 127 * 256, -129};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) ov_pkw_int(w, ints[i]);
    ov_pkw_list_end(w);
    ov_pkw_str(w, "floats");
    ov_pkw_list_begin(w);
    ov_pkw_float(w, 1.5);
    ov_pkw_float(w, -0.0);
    ov_pkw_float(w, 1e300);
    ov_pkw_float(w, INFINITY);
    ov_pkw_list_end(w);
    ov_pkw_str(w, "misc");
    ov_pkw_tuple_begin(w);
    ov_pkw_none(w);
    ov_pkw_bool(w, 1);
    ov_pkw_bool(w, 0);
    ov_pkw_tuple_end(w);
    ov_pkw_str(w, "tuples");
    ov_pkw_list_begin(w);
    for (int n = 0; n <= 4; n++) {
        ov_pkw_tuple_begin(w);
        for (int i = 1; i <= n; i++) ov_pkw_int(w, i);
        ov_pkw_tuple_end(w);
    }
    ov_pkw_list_end(w);
    ov_pkw_str(w, "one");
    ov_pkw_list_begin(w);
    ov_pkw_int(w, 7);
    ov_pkw_list_end(w);
    ov_pkw_str(w, "empty");
    ov_pkw_list_begin(w);
    ov_pkw_list_end(w);
    ov_pkw_str(w, "edict");
    ov_pkw_dict_begin(w);
    ov_pkw_dict_end(w);
    ov_pkw_str(w, "single");
    ov_pkw_dict_begin(w);
    ov_pkw_str(w, "k");
    ov_pkw_int(w, 1);
    ov_pkw_dict_end(w);
    ov_pkw_str(w, "batch");
    ov_pkw_list_begin(w);
    for (int i = 0; i < 2001; i++) ov_pkw_int(w, i);
    ov_pkw_list_end(w);
    ov_pkw_str(w, "bigdict");
    ov_pkw_dict_begin(w);
    for (int i = 0; i < 1001; i++) {
        ov_pkw_int(w, i);
        ov_pkw_int(w, -i);
    }
    ov_pkw_dict_end(w);
    ov_pkw_str(w, "arrays");
    ov_pkw_list_begin(w);
    float v25 = 2.5f, ones[2] = {1, 1}, zeros[6] = {0};
    ov_pkw_array_f32(w, &v25, 0, NULL);
    ov_pkw_array_f32(w, ones, 4, (int64_t[]){1, 1, 1, 2});
    ov_pkw_array_f32(w, zeros, 3, (int64_t[]){2, 1, 3});
    ov_pkw_list_end(w);
    ov_pkw_str(w, "unicode");
    ov_pkw_str(w, "caf\xc3\xa9 \xe2\x9c\x93");
    ov_pkw_str(w, "bytes");
    ov_pkw_list_begin(w);
    ov_pkw_bytes(w, "\x00\xff b", 4);
    ov_pkw_bytes(w, "b", 1);
    ov_pkw_bytes(w, "\xff", 1);
    ov_pkw_bytes(w, "\xff", 1);
    ov_pkw_bytes(w, "", 0);
    ov_pkw_list_end(w);
    ov_pkw_dict_end(w);
}

START_TEST(test_pickle_writer_matches_python) {
    size_t nwant;
    uint8_t *want;
    ck_assert_msg(ov_read_file("tests/fixtures/synth/pickle_write.pkl", &want, &nwant) == 0,
                  "missing fixture (run /usr/bin/python3 tools/gen_synth_fixtures.py): %s", ov_last_error());
    ovPickleWriter *w = ov_pkw_new();
    write_fixture_object(w);
    size_t n;
    const uint8_t *got = ov_pkw_bytes_out(w, &n);
    if (getenv("SYNTH_DUMP")) { /* to compare with pickletools.dis when the bytes differ */
        FILE *df = fopen(getenv("SYNTH_DUMP"), "wb");
        fwrite(got, 1, n, df);
        fclose(df);
    }
    size_t at = 0;
    while (at < n && at < nwant && got[at] == want[at]) at++;
    ck_assert_msg(n == nwant && at == n, "pickle bytes differ from Python's at offset %zu (%zu vs %zu bytes)", at, n,
                  nwant);
    /* and read back: values survive */
    VM *vm = calloc(1, sizeof *vm);
    PV *root = unpickle(vm, got, n);
    ck_assert_int_eq(root->kind, 'D');
    PV *ints = dict_get(root, "ints");
    ck_assert_int_eq(ints->n, 18);
    ck_assert(ints->items[14]->i == INT64_MAX && ints->items[15]->i == INT64_MIN && ints->items[11]->i == -(1LL << 31) - 1);
    PV *tube = dict_get(dict_get(root, "gttubes"), "v/x")->items[1]->items[0];
    ck_assert(tube->kind == 'A' && tube->ndim == 2 && tube->shape[0] == 2 && tube->shape[1] == 5);
    ck_assert(tube->data[9] == 10.5f && tube->data[0] == -3.0f);
    ck_assert_int_eq(dict_get(root, "batch")->n, 2001);
    ck_assert_int_eq(dict_get(root, "bigdict")->n, 2002);
    PV *bytes = dict_get(root, "bytes");
    ck_assert(bytes->items[0]->len == 4 && !memcmp(bytes->items[0]->s, "\x00\xff b", 4));
    ck_assert(bytes->items[2]->len == 1 && (uint8_t)bytes->items[2]->s[0] == 0xff && bytes->items[4]->len == 0);
    vm_free(vm);
    ov_pkw_free(w);
    free(want);
    /* mismatched containers are programming errors */
    ovTrap trap;
    w = ov_pkw_new();
    ov_pkw_list_begin(w);
    if (OV_TRY(&trap)) {
        ov_pkw_dict_end(w);
        ov_trap_pop(&trap);
        ck_abort_msg("dict_end closed a list");
    }
    ck_assert_msg(strstr(ov_last_error(), "dict_end"), "%s", ov_last_error());
    ov_pkw_free(w);
}
END_TEST

/* ---- the dataset ---- */

static ovSynthOptions small_options(uint64_t seed) {
    ovSynthOptions o = ov_synth_defaults();
    o.videos = 6;
    o.frames = 6;
    o.width = 48;
    o.height = 40;
    o.seed = seed;
    return o;
}

static void write_ok(const ovSynthOptions *o, const char *out, ovSynthSummary *s) {
    ovSynthSummary dummy;
    ck_assert_msg(ov_synth_write(o, out, false, s ? s : &dummy) == 0, "%s", ov_last_error());
}

static int run(const char *cmd) {
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_deterministic) {
    ov_tmpdir_make("synth");
    ovSynthOptions o = small_options(7);
    write_ok(&o, ov_tmp("a"), NULL);
    omp_set_num_threads(1);
    write_ok(&o, ov_tmp("b"), NULL);
    omp_set_num_threads(2);
    o.seed = 8;
    write_ok(&o, ov_tmp("c"), NULL);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "diff -r -q %s %s", ov_tmp("a"), ov_tmp("b"));
    ck_assert_msg(run(cmd) == 0, "the same seed gave different files");
    snprintf(cmd, sizeof cmd, "cmp -s %s/synthetic-GT.pkl %s/synthetic-GT.pkl", ov_tmp("a"), ov_tmp("c"));
    ck_assert_msg(run(cmd) != 0, "another seed gave the same ground truth");
    /* frames differ too: the first frame of each clip */
    ovSynthDataset da, dc;
    o.seed = 7;
    ck_assert_int_eq(ov_synth_plan(&o, &da), 0);
    o.seed = 8;
    ck_assert_int_eq(ov_synth_plan(&o, &dc), 0);
    size_t bytes = (size_t)o.width * o.height * 3;
    uint8_t *fa = malloc(bytes), *fc = malloc(bytes);
    int differ = 0;
    for (int v = 0; v < o.videos; v++) {
        ov_synth_render_frame(&da, v, 0, NULL, fa);
        ov_synth_render_frame(&dc, v, 0, NULL, fc);
        differ += memcmp(fa, fc, bytes) != 0;
    }
    ck_assert_int_eq(differ, o.videos);
    free(fa);
    free(fc);
    ov_synth_free(&da);
    ov_synth_free(&dc);
    ov_tmpdir_remove();
}
END_TEST

/* Loads DIR/synthetic-GT.pkl and checks the ACT schema against the plan of the same options. */
static PV *load_gt(VM *vm, const char *dir, uint8_t **raw) {
    char p[600];
    snprintf(p, sizeof p, "%s/synthetic-GT.pkl", dir);
    size_t n;
    *raw = slurp(p, &n);
    PV *gt = unpickle(vm, *raw, n);
    ck_assert_int_eq(gt->kind, 'D');
    const char *keys[] = {"labels", "gttubes", "nframes", "train_videos", "test_videos", "resolution"};
    ck_assert_int_eq(gt->n, 12);
    for (int i = 0; i < 6; i++) ck_assert_str_eq(gt->items[2 * i]->s, keys[i]);
    return gt;
}

START_TEST(test_pickle_schema) {
    ov_tmpdir_make("synth");
    ovSynthOptions o = small_options(3);
    o.videos = 12;
    o.holdout_actions = "falling";
    write_ok(&o, ov_tmp("d"), NULL);
    ovSynthDataset ds;
    ck_assert_int_eq(ov_synth_plan(&o, &ds), 0);
    VM *vm = calloc(1, sizeof *vm);
    uint8_t *raw;
    PV *gt = load_gt(vm, ov_tmp("d"), &raw);
    PV *labels = dict_get(gt, "labels"), *tubes = dict_get(gt, "gttubes"), *nframes = dict_get(gt, "nframes");
    PV *train = dict_get(gt, "train_videos"), *test = dict_get(gt, "test_videos"), *res = dict_get(gt, "resolution");
    ck_assert_int_eq(labels->n, OV_SYNTH_NACTIONS);
    for (int l = 0; l < labels->n; l++) ck_assert_str_eq(labels->items[l]->s, ov_synth_value_name(OV_SYNTH_ACTION, l));
    ck_assert(train->kind == 'L' && train->n == 1 && test->n == 1);
    ck_assert_int_eq(train->items[0]->n, ds.ntrain);
    ck_assert_int_eq(test->items[0]->n, ds.ntest);
    ck_assert_int_eq(ds.ntest, 3);
    ck_assert_int_eq(tubes->n, 2 * o.videos);
    int ti = 0, si = 0;
    for (int v = 0; v < o.videos; v++) {
        const ovSynthVideo *vid = &ds.videos[v];
        ck_assert_str_eq(tubes->items[2 * v]->s, vid->key);
        ck_assert_str_eq(nframes->items[2 * v]->s, vid->key);
        ck_assert_int_eq(nframes->items[2 * v + 1]->i, o.frames);
        PV *hw = res->items[2 * v + 1];
        ck_assert(hw->kind == 'T' && hw->n == 2 && hw->items[0]->i == o.height && hw->items[1]->i == o.width);
        PV *split = vid->test ? test->items[0] : train->items[0];
        ck_assert_str_eq(split->items[vid->test ? si++ : ti++]->s, vid->key);
        /* one tube per actor, under its own label; the video is named by its first actor's action */
        const char *main_action = ov_synth_value_name(OV_SYNTH_ACTION, ds.label_action[vid->label]);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s/%s_", main_action, main_action);
        ck_assert_msg(!strncmp(vid->key, prefix, strlen(prefix)), "%s", vid->key);
        int shown = 0;
        for (int k = 0; k < vid->nactors; k++) shown |= vid->actor[k].label == vid->label;
        ck_assert(shown);
        PV *per = tubes->items[2 * v + 1];
        int count = 0;
        for (int i = 0; i < per->n; i += 2) {
            ck_assert_int_eq(per->items[i]->kind, 'I');
            for (int k = 0; k < per->items[i + 1]->n; k++) {
                PV *a = per->items[i + 1]->items[k];
                ck_assert(a->kind == 'A' && a->ndim == 2 && a->shape[0] == o.frames && a->shape[1] == 5);
                for (int t = 0; t < o.frames; t++) {
                    const float *r = a->data + 5 * t;
                    ck_assert(r[0] == t + 1 && r[1] >= 0 && r[2] >= 0 && r[1] <= r[3] && r[2] <= r[4]);
                    ck_assert(r[3] <= o.width - 1 && r[4] <= o.height - 1);
                }
                count++;
            }
        }
        ck_assert_int_eq(count, vid->nactors);
        if (!vid->test)
            for (int k = 0; k < vid->nactors; k++)
                ck_assert_int_ne(vid->actor[k].attr[OV_SYNTH_ACTION], OV_SYNTH_FALLING);
    }
    /* the open-world files */
    char p[600];
    size_t n;
    snprintf(p, sizeof p, "%s/openworld/vocab_novel_0.txt", ov_tmp("d"));
    uint8_t *txt = slurp(p, &n);
    ck_assert(n == 8 && !memcmp(txt, "falling\n", 8));
    free(txt);
    snprintf(p, sizeof p, "%s/openworld/vocab_closed_0.txt", ov_tmp("d"));
    txt = slurp(p, &n);
    ck_assert(!memmem(txt, n, "falling", 7) && memmem(txt, n, "waving\n", 7));
    free(txt);
    snprintf(p, sizeof p, "%s/vocab.json", ov_tmp("d"));
    txt = slurp(p, &n);
    cJSON *vocab = cJSON_ParseWithLength((const char *)txt, n);
    ck_assert_int_eq(cJSON_GetArraySize(vocab), OV_SYNTH_NACTIONS);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(vocab, "clapping")));
    cJSON_Delete(vocab);
    free(txt);
    free(raw);
    vm_free(vm);
    ov_synth_free(&ds);
    ov_tmpdir_remove();
}
END_TEST

/* The bounding box of the pixels of img that differ from bg, or x1 = -1. */
static void changed_box(const uint8_t *img, const uint8_t *bg, int W, int H, float *box) {
    int x0 = W, y0 = H, x1 = -1, y1 = -1;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (memcmp(img + ((size_t)y * W + x) * 3, bg + ((size_t)y * W + x) * 3, 3)) {
                x0 = x < x0 ? x : x0;
                x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0;
                y1 = y > y1 ? y : y1;
            }
    box[0] = (float)(x1 < 0 ? -1 : x0);
    box[1] = (float)y0;
    box[2] = (float)x1;
    box[3] = (float)y1;
}

START_TEST(test_boxes_tight) {
    ov_tmpdir_make("synth");
    ov_scope_begin();
    ovSynthOptions o = small_options(11);
    o.videos = 20;
    o.frames = 8;
    o.width = 64;
    o.height = 56;
    o.actors_max = 1;
    o.backgrounds = "flat";
    write_ok(&o, ov_tmp("t"), NULL);
    ovSynthDataset ds;
    ck_assert_int_eq(ov_synth_plan(&o, &ds), 0);
    VM *vm = calloc(1, sizeof *vm);
    uint8_t *raw;
    PV *tubes = dict_get(load_gt(vm, ov_tmp("t"), &raw), "gttubes");
    size_t bytes = (size_t)o.width * o.height * 3;
    uint8_t *bg = malloc(bytes), *mem = malloc(bytes);
    int seen[OV_SYNTH_NACTIONS] = {0};
    for (int v = 0; v < o.videos; v++) {
        ovSynthVideo *vid = &ds.videos[v];
        seen[vid->actor[0].attr[0]] = 1;
        ov_synth_background(&ds, v, bg);
        const float *tube = tubes->items[2 * v + 1]->items[1]->items[0]->data;
        for (int t = 0; t < o.frames; t++) {
            char p[700];
            snprintf(p, sizeof p, "%s/Frames/%s/%05d.png", ov_tmp("t"), vid->key, t + 1);
            ovTensor *img = ov_image_read(p);
            ck_assert_msg(img, "%s", ov_last_error());
            ck_assert(img->shape[0] == o.height && img->shape[1] == o.width);
            float box[4];
            changed_box(ov_data_ptr(img), bg, o.width, o.height, box);
            ck_assert_msg(box[0] == tube[5 * t + 1] && box[1] == tube[5 * t + 2] && box[2] == tube[5 * t + 3] &&
                              box[3] == tube[5 * t + 4],
                          "%s frame %d: drawn pixels span (%g %g %g %g), the box is (%g %g %g %g)", vid->key, t + 1, box[0],
                          box[1], box[2], box[3], tube[5 * t + 1], tube[5 * t + 2], tube[5 * t + 3], tube[5 * t + 4]);
            /* rendering in memory gives the same pixels */
            ov_synth_render_frame(&ds, v, t, bg, mem);
            ck_assert(!memcmp(mem, ov_data_ptr(img), bytes));
        }
    }
    int kinds = 0;
    for (int a = 0; a < OV_SYNTH_NACTIONS; a++) kinds += seen[a];
    ck_assert_int_ge(kinds, 6);
    /* several actors: every drawn pixel lies in some actor's box */
    ov_synth_free(&ds);
    o.actors_min = 2;
    o.actors_max = 3;
    o.videos = 8;
    ck_assert_int_eq(ov_synth_plan(&o, &ds), 0);
    for (int v = 0; v < o.videos; v++) {
        ovSynthVideo *vid = &ds.videos[v];
        ov_synth_background(&ds, v, bg);
        for (int t = 0; t < o.frames; t++) {
            ov_synth_render_frame(&ds, v, t, bg, mem);
            for (int y = 0; y < o.height; y++)
                for (int x = 0; x < o.width; x++) {
                    if (!memcmp(mem + ((size_t)y * o.width + x) * 3, bg + ((size_t)y * o.width + x) * 3, 3)) continue;
                    int inside = 0;
                    for (int k = 0; k < vid->nactors; k++) {
                        const float *b = vid->actor[k].boxes + 4 * t;
                        inside |= x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
                    }
                    ck_assert_msg(inside, "%s frame %d: pixel (%d,%d) outside every box", vid->key, t + 1, x, y);
                }
        }
    }
    free(bg);
    free(mem);
    free(raw);
    vm_free(vm);
    ov_synth_free(&ds);
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

/* ---- motion ---- */

enum { MT = 24 };

static ovSynthActor actor_doing(int action, int limb, double yaw_deg) {
    ovSynthActor a = {0};
    a.attr[OV_SYNTH_ACTION] = action;
    a.height = 100;
    a.x0 = 300;
    a.ground = 400;
    a.yaw = yaw_deg * M_PI / 180;
    a.tempo = 1.0 / 12;
    a.phase = 0.3;
    a.limb = limb;
    a.fall_start = 4;
    a.fall_frames = 7;
    return a;
}

/* Joint heights above the ground and x positions over MT frames, in body heights. */
static void trace(const ovSynthActor *a, double (*h)[OV_SYNTH_NJOINTS], double (*x)[OV_SYNTH_NJOINTS]) {
    for (int t = 0; t < MT; t++) {
        ovSynthFigure f;
        ov_synth_figure(a, t, &f);
        for (int j = 0; j < OV_SYNTH_NJOINTS; j++) {
            h[t][j] = (a->ground - f.y[j]) / a->height;
            x[t][j] = (f.x[j] - a->x0 - a->vx * t) / a->height;
        }
    }
}

static double range_of(double (*v)[OV_SYNTH_NJOINTS], int j, double *lo, double *hi) {
    *lo = INFINITY, *hi = -INFINITY;
    for (int t = 0; t < MT; t++) {
        *lo = fmin(*lo, v[t][j]);
        *hi = fmax(*hi, v[t][j]);
    }
    return *hi - *lo;
}

/* Mean absolute frame-to-frame change of joint j's height. */
static double mean_motion(double (*h)[OV_SYNTH_NJOINTS], int j) {
    double s = 0;
    for (int t = 1; t < MT; t++) s += fabs(h[t][j] - h[t - 1][j]);
    return s / (MT - 1);
}

START_TEST(test_actions_differ_by_motion) {
    double h[OV_SYNTH_NACTIONS][MT][OV_SYNTH_NJOINTS], x[OV_SYNTH_NACTIONS][MT][OV_SYNTH_NJOINTS], lo, hi;
    for (int a = 0; a < OV_SYNTH_NACTIONS; a++) {
        ovSynthActor ac = actor_doing(a, 0, 45);
        trace(&ac, h[a], x[a]);
    }
    /* standing: the head sits near one body height */
    ovSynthActor still = actor_doing(OV_SYNTH_WAVING, 0, 45);
    ovSynthFigure f;
    ov_synth_figure(&still, 0, &f);
    double stand = (still.ground - f.y[OV_SYNTH_J_HEAD]) / still.height;
    ck_assert(stand > 0.85 && stand < 0.95);
    /* the head moves up and down when jumping, hardly when waving */
    double jump = mean_motion(h[OV_SYNTH_JUMPING], OV_SYNTH_J_HEAD), wave = mean_motion(h[OV_SYNTH_WAVING], OV_SYNTH_J_HEAD);
    ck_assert_msg(jump > 0.03 && wave < 0.002, "head motion: jumping %g, waving %g", jump, wave);
    /* jumping goes above standing height, crouching only below */
    range_of(h[OV_SYNTH_JUMPING], OV_SYNTH_J_HEAD, &lo, &hi);
    ck_assert_msg(hi > stand + 0.15, "jump peak %g", hi);
    range_of(h[OV_SYNTH_CROUCHING], OV_SYNTH_J_HEAD, &lo, &hi);
    ck_assert_msg(lo < stand - 0.2 && hi < stand + 0.01, "crouch %g..%g", lo, hi);
    /* the hands meet and part in clapping */
    double dmin = INFINITY, dmax = 0;
    for (int t = 0; t < MT; t++) {
        ovSynthActor c = actor_doing(OV_SYNTH_CLAPPING, 0, 30);
        ov_synth_figure(&c, t, &f);
        double d = hypot(f.x[OV_SYNTH_J_HAND_L] - f.x[OV_SYNTH_J_HAND_R], f.y[OV_SYNTH_J_HAND_L] - f.y[OV_SYNTH_J_HAND_R]) / c.height;
        dmin = fmin(dmin, d);
        dmax = fmax(dmax, d);
    }
    ck_assert_msg(dmin < 0.06 && dmax > 0.2, "clap hand distance %g..%g", dmin, dmax);
    /* waving moves one hand only */
    ck_assert(range_of(x[OV_SYNTH_WAVING], OV_SYNTH_J_HAND_L, &lo, &hi) > 0.1);
    ck_assert(range_of(x[OV_SYNTH_WAVING], OV_SYNTH_J_HAND_R, &lo, &hi) < 0.01);
    /* kicking lifts one foot high, the other stays down */
    ck_assert(range_of(h[OV_SYNTH_KICKING], OV_SYNTH_J_FOOT_L, &lo, &hi) > 0.25 && hi > 0.25);
    range_of(h[OV_SYNTH_KICKING], OV_SYNTH_J_FOOT_R, &lo, &hi);
    ck_assert_msg(hi < 0.06, "standing foot up to %g", hi);
    /* punching: each fist shoots forward in turn */
    ck_assert(range_of(x[OV_SYNTH_PUNCHING], OV_SYNTH_J_HAND_L, &lo, &hi) > 0.06);
    ck_assert(range_of(x[OV_SYNTH_PUNCHING], OV_SYNTH_J_HAND_R, &lo, &hi) > 0.06);
    /* spinning: the figure's width pulses */
    double wmin = INFINITY, wmax = 0;
    for (int t = 0; t < MT; t++) {
        double l = INFINITY, r = -INFINITY;
        for (int j = 0; j < OV_SYNTH_NJOINTS; j++) {
            l = fmin(l, x[OV_SYNTH_SPINNING][t][j]);
            r = fmax(r, x[OV_SYNTH_SPINNING][t][j]);
        }
        wmin = fmin(wmin, r - l);
        wmax = fmax(wmax, r - l);
    }
    ck_assert_msg(wmax - wmin > 0.3, "spin width %g..%g", wmin, wmax);
    /* running strides are longer than walking ones */
    double walk = range_of(x[OV_SYNTH_WALKING], OV_SYNTH_J_FOOT_L, &lo, &hi);
    double runr = range_of(x[OV_SYNTH_RUNNING], OV_SYNTH_J_FOOT_L, &lo, &hi);
    ck_assert_msg(runr > 1.3 * walk && walk > 0.1, "foot swing: walking %g, running %g", walk, runr);
    /* falling: standing at first, lying at the end */
    ck_assert(h[OV_SYNTH_FALLING][0][OV_SYNTH_J_HEAD] > 0.85 && h[OV_SYNTH_FALLING][MT - 1][OV_SYNTH_J_HEAD] < 0.25);
    /* every pair of actions has a different motion signature: the temporal spread of every joint,
     * relative to the pelvis (so translation and jumps do not dominate), plus the pelvis's own */
    double sig[OV_SYNTH_NACTIONS][2 * OV_SYNTH_NJOINTS];
    for (int a = 0; a < OV_SYNTH_NACTIONS; a++)
        for (int j = 0; j < OV_SYNTH_NJOINTS; j++)
            for (int c = 0; c < 2; c++) {
                double m = 0, s = 0;
                for (int t = 0; t < MT; t++) {
                    double v = c ? h[a][t][j] : x[a][t][j];
                    if (j != OV_SYNTH_J_PELVIS) v -= c ? h[a][t][OV_SYNTH_J_PELVIS] : x[a][t][OV_SYNTH_J_PELVIS];
                    m += v;
                    s += v * v;
                }
                m /= MT;
                sig[a][2 * j + c] = sqrt(fmax(0, s / MT - m * m));
            }
    for (int a = 0; a < OV_SYNTH_NACTIONS; a++)
        for (int b = a + 1; b < OV_SYNTH_NACTIONS; b++) {
            double d = 0;
            for (int k = 0; k < 2 * OV_SYNTH_NJOINTS; k++) d += (sig[a][k] - sig[b][k]) * (sig[a][k] - sig[b][k]);
            ck_assert_msg(sqrt(d) > 0.05, "%s and %s move alike (signature distance %g)",
                          ov_synth_value_name(OV_SYNTH_ACTION, a), ov_synth_value_name(OV_SYNTH_ACTION, b), sqrt(d));
        }
}
END_TEST

/* ---- splits, captions, options ---- */

START_TEST(test_holdout) {
    ovSynthOptions o = ov_synth_defaults();
    o.videos = 160;
    o.frames = 4;
    o.width = o.height = 64;
    o.seed = 5;
    o.holdout_actions = "kicking, punching";
    o.holdout_combos = "jumping+red,waving+in-place,small+blue";
    ovSynthDataset ds;
    ck_assert_msg(ov_synth_plan(&o, &ds) == 0, "%s", ov_last_error());
    ck_assert_int_eq(ds.nlabels, OV_SYNTH_NACTIONS);
    ck_assert(ds.label_novel[OV_SYNTH_KICKING] && ds.label_novel[OV_SYNTH_PUNCHING] && !ds.label_novel[OV_SYNTH_WAVING]);
    ck_assert_int_eq(ds.ncombos, 3);
    int novel_test = 0, combo_test = 0, per_combo[3] = {0};
    for (int v = 0; v < ds.nvideos; v++) {
        const ovSynthVideo *vid = &ds.videos[v];
        for (int k = 0; k < vid->nactors; k++) {
            const ovSynthActor *a = &vid->actor[k];
            int act = a->attr[OV_SYNTH_ACTION], col = a->attr[OV_SYNTH_COLOUR];
            int c0 = act == OV_SYNTH_JUMPING && col == 0;
            int c1 = act == OV_SYNTH_WAVING && a->attr[OV_SYNTH_DIRECTION] == OV_SYNTH_IN_PLACE;
            int c2 = a->attr[OV_SYNTH_SIZE] == 0 && col == 2;
            int novel = act == OV_SYNTH_KICKING || act == OV_SYNTH_PUNCHING;
            ck_assert_int_eq(a->novel_action, novel);
            ck_assert_int_eq(a->novel_combo, c0 || c1 || c2);
            if (!vid->test) {
                ck_assert_msg(!novel && !c0 && !c1 && !c2, "%s: held-out content in train: %s", vid->key, a->caption);
            } else {
                novel_test += novel;
                combo_test += c0 || c1 || c2;
                per_combo[0] += c0;
                per_combo[1] += c1;
                per_combo[2] += c2;
            }
        }
    }
    ck_assert_int_eq(ds.ntest, 40);
    ck_assert_msg(novel_test >= 5 && combo_test >= 5 && per_combo[0] && per_combo[1] && per_combo[2],
                  "test clips show too little held-out content: %d novel, %d combinations", novel_test, combo_test);
    ov_synth_free(&ds);
}
END_TEST

START_TEST(test_captions) {
    ovSynthOptions o = small_options(9);
    o.videos = 30;
    ovSynthDataset ds;
    ck_assert_int_eq(ov_synth_plan(&o, &ds), 0);
    const char *dir_text[] = {"to the left", "to the right", "in place"}, *speed_text[] = {"slowly", "quickly"};
    int actors[4] = {0};
    for (int v = 0; v < ds.nvideos; v++) {
        const ovSynthVideo *vid = &ds.videos[v];
        actors[vid->nactors]++;
        char clip[512] = "";
        for (int k = 0; k < vid->nactors; k++) {
            const ovSynthActor *a = &vid->actor[k];
            char want[160];
            snprintf(want, sizeof want, "a %s %s person %s %s %s", ov_synth_value_name(OV_SYNTH_SIZE, a->attr[OV_SYNTH_SIZE]),
                     ov_synth_value_name(OV_SYNTH_COLOUR, a->attr[OV_SYNTH_COLOUR]),
                     ov_synth_value_name(OV_SYNTH_ACTION, a->attr[OV_SYNTH_ACTION]), speed_text[a->attr[OV_SYNTH_SPEED]],
                     dir_text[a->attr[OV_SYNTH_DIRECTION]]);
            ck_assert_str_eq(a->caption, want);
            strcat(clip, k == 0 ? "" : k == vid->nactors - 1 ? " and " : ", ");
            strcat(clip, want);
            /* actors are listed left to right */
            if (k) ck_assert(vid->actor[k - 1].x0 - 0.5 * vid->actor[k - 1].height <= vid->actor[k].x0 + 0.5 * vid->actor[k].height);
            /* moving actors move the way their caption says */
            int d = a->attr[OV_SYNTH_DIRECTION];
            ck_assert(d == OV_SYNTH_IN_PLACE ? a->vx == 0 : d == OV_SYNTH_LEFT ? a->vx < 0 : a->vx > 0);
        }
        ck_assert_str_eq(vid->caption, clip);
    }
    ck_assert(actors[1] && actors[2] && actors[3]);
    ov_synth_free(&ds);
}
END_TEST

static void plan_fails(ovSynthOptions o, const char *needle) {
    ovSynthDataset ds;
    ck_assert_msg(ov_synth_plan(&o, &ds) == -1, "options accepted; expected an error about '%s'", needle);
    ck_assert_msg(strstr(ov_last_error(), needle), "'%s' not in: %s", needle, ov_last_error());
}

START_TEST(test_bad_options) {
    ovSynthOptions o = small_options(1);
    ovSynthOptions b = o;
    b.actions = "waving,dancing";
    plan_fails(b, "dancing");
    b = o;
    b.holdout_actions = "waving,jumping,walking,running,clapping,crouching,spinning,falling,kicking,punching";
    plan_fails(b, "every action");
    b = o;
    b.actions = "waving,jumping";
    b.holdout_actions = "falling";
    plan_fails(b, "falling");
    b = o;
    b.holdout_combos = "jumping";
    plan_fails(b, "two or more");
    b = o;
    b.holdout_combos = "red+blue";
    plan_fails(b, "two colour values");
    b = o;
    b.holdout_combos = "jumping+mauve";
    plan_fails(b, "mauve");
    b = o;
    b.colours = "red,green";
    b.holdout_combos = "jumping+blue";
    plan_fails(b, "does not draw");
    b = o;
    b.colours = "red";
    b.holdout_combos = "waving+red,jumping+red,walking+red,running+red,clapping+red,crouching+red,spinning+red,"
                       "falling+red,kicking+red,punching+red";
    plan_fails(b, "nothing to train on");
    b = o;
    b.actors_max = 4;
    plan_fails(b, "actors");
    b = o;
    b.width = 8;
    plan_fails(b, "--size");
    b = o;
    b.backgrounds = "flat,plaid";
    plan_fails(b, "plaid");
    b = o;
    b.sizes = "small,small";
    plan_fails(b, "twice");
    b = o;
    b.test_fraction = 1;
    plan_fails(b, "--test-fraction");
}
END_TEST

/* Names in dir that start with prefix. */
static int count_entries(const char *dir, const char *prefix) {
    char cmd[700];
    snprintf(cmd, sizeof cmd, "ls -a %s | grep -c '^%s' > %s/.count 2>/dev/null", dir, prefix, dir);
    if (system(cmd) < 0) return -1;
    char p[600];
    snprintf(p, sizeof p, "%s/.count", dir);
    FILE *f = fopen(p, "r");
    int n = -1;
    if (f) {
        if (fscanf(f, "%d", &n) != 1) n = -1;
        fclose(f);
    }
    remove(p);
    return n;
}

START_TEST(test_write_errors) {
    ov_tmpdir_make("synth");
    ovSynthOptions o = small_options(2);
    o.videos = 2;
    o.frames = 2;
    write_ok(&o, ov_tmp("x"), NULL);
    /* an existing output is kept unless replacing */
    ovSynthSummary s;
    ck_assert_int_eq(ov_synth_write(&o, ov_tmp("x"), false, &s), -1);
    ck_assert_msg(strstr(ov_last_error(), "already exists"), "%s", ov_last_error());
    o.videos = 3;
    ck_assert_msg(ov_synth_write(&o, ov_tmp("x"), true, &s) == 0, "%s", ov_last_error());
    ck_assert_int_eq(s.videos, 3);
    ck_assert_int_eq(count_entries(ov_tmpdir(), "x"), 1); /* nothing but x: no .tmp or .old folder left */
    /* a folder that cannot be made: an error, nothing left behind */
    ck_assert_int_eq(ov_synth_write(&o, ov_tmp("no/such/dir"), false, &s), -1);
    ck_assert_msg(strstr(ov_last_error(), "no/such/dir"), "%s", ov_last_error());
    /* a failure halfway (a full disk, simulated on the second clip) leaves nothing behind, and
     * an output that was to be replaced is kept */
    ov_synth_test_fail_clip = 1;
    ck_assert_int_eq(ov_synth_write(&o, ov_tmp("y"), false, &s), -1);
    ck_assert_msg(strstr(ov_last_error(), "simulated"), "%s", ov_last_error());
    ck_assert_int_eq(count_entries(ov_tmpdir(), "y"), 0);
    ck_assert_int_eq(ov_synth_write(&o, ov_tmp("x"), true, &s), -1);
    ov_synth_test_fail_clip = -1;
    ck_assert_int_eq(count_entries(ov_tmpdir(), "x"), 1);
    char p[600];
    snprintf(p, sizeof p, "%s/synthetic-GT.pkl", ov_tmp("x"));
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ov_tmpdir_remove();
}
END_TEST

START_TEST(test_speed_200_clips) {
    ov_tmpdir_make("synth");
    ovSynthOptions o = ov_synth_defaults(); /* 200 clips, 16 frames, 128x128, 1..3 actors */
    ovSynthSummary s;
    write_ok(&o, ov_tmp("speed"), &s);
    printf("synth: %d clips of %d frames at %dx%d (%ld boxes) in %.2f s, %.0f frames/s\n", s.videos, s.frames, s.width,
           s.height, s.boxes, s.seconds, s.videos * s.frames / s.seconds);
    ck_assert_int_eq(s.videos, 200);
    ck_assert_msg(s.seconds < 20, "200 clips took %.1f s", s.seconds);
    ov_tmpdir_remove();
}
END_TEST

static char output[16384];

static int run_ovad(const char *args) { return ov_run_ovad(args, output, sizeof output); }

START_TEST(test_cli) {
    ov_tmpdir_make("synth");
    char args[1024];
    snprintf(args, sizeof args,
             "data synth --out %s --videos 5 --frames 3 --size 40x32 --seed 4 --holdout-actions falling "
             "--holdout-combos jumping+red --threads 1",
             ov_tmp("c"));
    ck_assert_msg(run_ovad(args) == 0, "%s", output);
    ck_assert_msg(strstr(output, "videos: 5\n") && strstr(output, "frames_per_video: 3\n") &&
                      strstr(output, "resolution: 40x32\n") && strstr(output, "seconds: "),
                  "%s", output);
    ck_assert_msg(run_ovad(args) == 1 && strstr(output, "already exists"), "%s", output);
    snprintf(args, sizeof args, "data stats --dataset synthetic --gt %s/synthetic-GT.pkl --root %s", ov_tmp("c"), ov_tmp("c"));
    ck_assert_msg(run_ovad(args) == 0, "%s", output);
    ck_assert_msg(strstr(output, "videos: 5\n") && strstr(output, "labels: 10\n") && strstr(output, "novel_labels: 1\n") &&
                      strstr(output, "holdout_combos: 1\n") && strstr(output, "frames_on_disk: 15/15\n"),
                  "%s", output);
    snprintf(args, sizeof args, "data stats --dataset synthetic --gt %s", ov_tmp("c"));
    ck_assert_msg(run_ovad(args) == 0 && strstr(output, "train_videos: 4\ntest_videos: 1\n"), "%s", output);
    ck_assert_msg(run_ovad("data synth --videos 3") == 2 && strstr(output, "--out"), "%s", output);
    ck_assert_msg(run_ovad("data synth --out /tmp/x --videos lots") == 2 && strstr(output, "--videos"), "%s", output);
    ck_assert_msg(run_ovad("data synth --out /tmp/x --bogus 1") == 2 && strstr(output, "--bogus"), "%s", output);
    snprintf(args, sizeof args, "data synth --out %s --actions waving,moonwalking", ov_tmp("d"));
    ck_assert_msg(run_ovad(args) == 1 && strstr(output, "moonwalking"), "%s", output);
    ck_assert_msg(run_ovad("data stats --dataset synthetic --gt /nonexistent/captions.json") == 1 &&
                      strstr(output, "/nonexistent/captions.json"),
                  "%s", output);
    ck_assert_msg(run_ovad("data stats --dataset jhmdb --gt x.pkl") == 1 && strstr(output, "x.pkl: cannot open"), "%s", output);
    ck_assert_msg(run_ovad("data synth --help") == 0 && strstr(output, "--holdout-combos"), "%s", output);
    ov_tmpdir_remove();
}
END_TEST

int main(void) {
    Suite *s = suite_create("synth");
    TCase *tc = tcase_create("synth");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_pickle_writer_matches_python);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_pickle_schema);
    tcase_add_test(tc, test_boxes_tight);
    tcase_add_test(tc, test_actions_differ_by_motion);
    tcase_add_test(tc, test_holdout);
    tcase_add_test(tc, test_captions);
    tcase_add_test(tc, test_bad_options);
    tcase_add_test(tc, test_write_errors);
    tcase_add_test(tc, test_speed_200_clips);
    tcase_add_test(tc, test_cli);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
