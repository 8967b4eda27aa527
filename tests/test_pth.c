/* test_pth.c: PyTorch checkpoints written by torch.save (tools/gen_pth_fixtures.py: pickle
 * protocols 2 and 4, permuted and sliced views, 0-dim and expanded tensors, shared storages,
 * half/bfloat16/int/bool/float64 storages, nested dicts with a 'model' entry, Parameters, an
 * argparse.Namespace and lists, whole pickled nn.Modules, any archive folder, deflated records) against the tensors
 * PyTorch itself saw; entry selection; a strict load into the same layers built in ovad;
 * hand-made broken checkpoints rejected with the file and the fault; and mutations of the
 * pickle inside a valid archive, and of whole files, that never crash. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "data/zip.h"
#include "nn/layers.h"
#include "nn/pth.h"
#include "nn/state.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"
#include "tests/mutate.h"

#define FIXDIR "tests/fixtures/pth"

/* Parses "a,b,c" into v; returns the count. */
static int parse_list(const char *s, int64_t *v) {
    int n = 0;
    while (*s) {
        char *end;
        v[n++] = strtoll(s, &end, 10);
        s = *end ? end + 1 : end;
    }
    return n;
}

static void check_case(const char *name, const char *folder) {
    char path[256], exp[256];
    snprintf(path, sizeof path, FIXDIR "/%s.pth", name);
    snprintf(exp, sizeof exp, FIXDIR "/%s.expected.safetensors", name);
    ck_assert_msg(access(path, R_OK) == 0 && access(exp, R_OK) == 0, "missing fixture %s (run tools/gen_pth_fixtures.py)",
                  path);
    ov_scope_begin();
    ovSafetensors *st = ov_st_open(exp);
    ck_assert_msg(st, "%s", ov_last_error());
    ovPthInfo info;
    ovTensorDict *d = ov_pth_load_ex(path, ov_st_meta(st, "entry"), &info);
    ck_assert_msg(d, "%s: %s", name, ov_last_error());
    ck_assert_int_eq(d->n, ov_st_count(st));
    ck_assert_int_eq(info.n_tensors, d->n);
    ck_assert_str_eq(info.entry, ov_st_meta(st, "chosen"));
    ck_assert_int_eq(info.protocol, atoi(ov_st_meta(st, "protocol")));
    ck_assert_int_eq(info.n_f64, atoi(ov_st_meta(st, "n_f64")));
    ck_assert_int_eq(info.n_skipped, atoi(ov_st_meta(st, "n_skipped")));
    ck_assert_str_eq(info.folder, folder ? folder : name);
    for (int i = 0; i < d->n; i++) {
        const char *tn = ov_st_name(st, i);
        char key[128];
        ck_assert_msg(!strcmp(d->names[i], tn), "%s: tensor %d is '%s', expected '%s'", name, i, d->names[i], tn);
        ovTensor *t = d->tensors[i], *want = ov_st_tensor(st, i);
        int64_t where;
        ck_assert_msg(ov_rel_diff(t, want, &where) == 0, "%s: '%s' differs at %lld", name, tn, (long long)where);
        /* the geometry of the saved view */
        int64_t stride[OV_MAX_DIMS];
        snprintf(key, sizeof key, "stride.%s", tn);
        ck_assert_int_eq(parse_list(ov_st_meta(st, key), stride), t->ndim);
        for (int k = 0; k < t->ndim; k++) ck_assert_msg(t->stride[k] == stride[k], "%s: '%s' stride %d", name, tn, k);
        snprintf(key, sizeof key, "offset.%s", tn);
        ck_assert_int_eq(t->offset, atoll(ov_st_meta(st, key)));
        snprintf(key, sizeof key, "share.%s", tn);
        const char *other = ov_st_meta(st, key);
        for (int j = 0; j < i; j++) { /* storages shared exactly where the file shares them */
            bool same = t->storage == d->tensors[j]->storage;
            bool want_same = other && !strcmp(other, d->names[j]);
            snprintf(key, sizeof key, "share.%s", d->names[j]);
            const char *other_j = ov_st_meta(st, key); /* both share with a third tensor */
            if (other && other_j && !strcmp(other, other_j)) want_same = true;
            ck_assert_msg(same == want_same, "%s: '%s' and '%s' %s storage", name, tn, d->names[j],
                          same ? "share" : "do not share");
        }
        ck_assert_int_eq(ov_device(t), OV_DEV_CPU);
    }
    ov_st_close(st);
    ov_scope_end();
}

START_TEST(test_torch_save_fixtures) {
    static const char *cases[] = {"model.p2", "views.p2", "views.p4", "dtypes.p2", "dtypes.p4", "nested.p4",
                                  "nested_opt.p2", "nested_deep.p2", "flat.p2", "params.p2", "module.p2",
                                  "module_root.p4"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(cases[i], NULL);
    check_case("renamed_deflated", "some folder");
    check_case("renamed_stored", "x");
    check_case("legacy_views.p2", ""); /* PyTorch < 1.6: no zip, no folder */
    check_case("legacy_dtypes.p2", "");
    check_case("legacy_nested.p2", "");
}
END_TEST

START_TEST(test_entry_selection) {
    ov_scope_begin();
    const char *p = FIXDIR "/nested.p4.pth";
    ovPthInfo info;
    ovTensorDict *a = ov_pth_load_ex(p, "model", &info), *b = ov_pth_load(p, NULL), *c = ov_pth_load(p, "");
    ck_assert_msg(a && b && c, "%s", ov_last_error());
    ck_assert_int_eq(a->n, 8);
    ck_assert_int_eq(b->n, 8);
    for (int i = 0; i < 8; i++) ck_assert_str_eq(a->names[i], b->names[i]);
    ovTensorDict *l = ov_pth_load(p, "list");
    ck_assert_int_eq(l->n, 2);
    ck_assert_str_eq(l->names[0], "0");
    ck_assert_str_eq(l->names[1], "1");
    ovTensorDict *s = ov_pth_load(p, "optimizer.state");
    ck_assert_int_eq(s->n, 1);
    ck_assert_str_eq(s->names[0], "0.exp_avg");
    ck_assert_ptr_null(ov_pth_load(p, "nope"));
    ck_assert_msg(strstr(ov_last_error(), "nested.p4.pth: no entry 'nope' in the checkpoint (its keys: 'model', "
                                          "'optimizer', 'epoch', 'config', 'list')"),
                  "%s", ov_last_error());
    ck_assert_ptr_null(ov_pth_load(p, "optimizer.nope"));
    ck_assert_msg(strstr(ov_last_error(), "no entry 'nope' under 'optimizer' (its keys: 'state', 'param_groups')"), "%s",
                  ov_last_error());
    ck_assert_ptr_null(ov_pth_load(p, "epoch"));
    ck_assert_msg(strstr(ov_last_error(), "nested.p4.pth: no tensors in entry 'epoch'"), "%s", ov_last_error());
    ck_assert_ptr_null(ov_pth_load(p, "epoch.x"));
    ck_assert_msg(strstr(ov_last_error(), "it is a int, not a dict"), "%s", ov_last_error());
    ck_assert_ptr_null(ov_pth_load(p, "list.7"));
    ck_assert_msg(strstr(ov_last_error(), "no entry '7' under 'list' (it is a list, not a dict)"), "%s", ov_last_error());
    /* either format through ov_weights_load */
    ck_assert_ptr_nonnull(ov_weights_load(FIXDIR "/model.p2.expected.safetensors", NULL, &info));
    ck_assert_int_eq(info.n_tensors, 8);
    ck_assert_ptr_null(ov_weights_load(FIXDIR "/model.p2.expected.safetensors", "model", &info));
    ck_assert_msg(strstr(ov_last_error(), "--entry applies to torch.save files"), "%s", ov_last_error());
    ov_scope_end();
}
END_TEST

/* ---- hand-made checkpoints ---- */

/* A stored zip of (name, bytes) records, like torch.save's layout. */
static void write_zip(const char *path, int n, const char *const *names, const char *const *data, const size_t *sizes) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    long offs[16];
    uint32_t crcs[16];
    for (int i = 0; i < n; i++) {
        offs[i] = ftell(f);
        crcs[i] = (uint32_t)crc32(0, (const unsigned char *)data[i], (uInt)sizes[i]);
        unsigned char h[30] = {'P', 'K', 3, 4, 20};
        uint16_t nl = (uint16_t)strlen(names[i]);
        memcpy(h + 14, &crcs[i], 4);
        memcpy(h + 18, &sizes[i], 4);
        memcpy(h + 22, &sizes[i], 4);
        memcpy(h + 26, &nl, 2);
        fwrite(h, 1, 30, f);
        fwrite(names[i], 1, nl, f);
        fwrite(data[i], 1, sizes[i], f);
    }
    long cd = ftell(f);
    for (int i = 0; i < n; i++) {
        unsigned char h[46] = {'P', 'K', 1, 2, 20, 0, 20};
        uint16_t nl = (uint16_t)strlen(names[i]);
        uint32_t off = (uint32_t)offs[i];
        memcpy(h + 16, &crcs[i], 4);
        memcpy(h + 20, &sizes[i], 4);
        memcpy(h + 24, &sizes[i], 4);
        memcpy(h + 28, &nl, 2);
        memcpy(h + 42, &off, 4);
        fwrite(h, 1, 46, f);
        fwrite(names[i], 1, nl, f);
    }
    uint32_t cd_size = (uint32_t)(ftell(f) - cd), cd_off = (uint32_t)cd;
    unsigned char e[22] = {'P', 'K', 5, 6};
    e[8] = e[10] = (unsigned char)n;
    memcpy(e + 12, &cd_size, 4);
    memcpy(e + 16, &cd_off, 4);
    fwrite(e, 1, 22, f);
    fclose(f);
}

/* A checkpoint {archive/data.pkl: pickle, archive/data/0: storage bytes, extra records}. */
static const char *ckpt(const char *file, const char *pickle, const char *storage, size_t nbytes, const char *extra_name,
                        const char *extra) {
    const char *names[3] = {"archive/data.pkl", "archive/data/0", extra_name};
    const char *data[3] = {pickle, storage, extra};
    size_t sizes[3] = {strlen(pickle), nbytes, extra ? strlen(extra) : 0};
    const char *p = ov_tmp(file);
    write_zip(p, extra_name ? 3 : 2, names, data, sizes);
    return p;
}

/* A protocol-0 pickle of {'w': tensor} (binary opcodes where protocol 0 has none: ')' and 'Q'). */
static const char *tensor_pickle(const char *func, const char *type, int numel, int offset, const char *size,
                                 const char *stride) {
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "(dp0\nVw\nctorch._utils\n%s\n((Vstorage\nctorch\n%s\nV0\nVcpu\nI%d\ntQI%d\n(%st(%stI00\n"
             "ccollections\nOrderedDict\n)RtRs.",
             func, type, numel, offset, size, stride);
    return buf;
}

static void expect_fail(const char *path, const char *expect) {
    ov_scope_begin();
    ovTensorDict *d = ov_pth_load(path, NULL);
    ck_assert_msg(!d, "%s was accepted (expected '%s')", path, expect);
    ck_assert_msg(strstr(ov_last_error(), path), "message does not name the file: %s", ov_last_error());
    ck_assert_msg(strstr(ov_last_error(), expect), "expected '%s' in: %s", expect, ov_last_error());
    ov_scope_end();
}

START_TEST(test_broken_checkpoints) {
    ov_tmpdir_make("pth");
    ov_scope_begin();
    float f6[6] = {0, 1, 2, 3, 4, 5};
    const char *s6 = (const char *)f6;
    const char *v2 = "_rebuild_tensor_v2";
    /* the template itself loads */
    const char *ok = ckpt("ok.pth", tensor_pickle(v2, "FloatStorage", 6, 1, "I2\nI2\n", "I1\nI2\n"), s6, 24, NULL, NULL);
    ovTensorDict *d = ov_pth_load(ok, NULL);
    ck_assert_msg(d, "%s", ov_last_error());
    ck_assert_str_eq(d->names[0], "w");
    ck_assert_double_eq(ov_get_flat(d->tensors[0], 3), 4); /* element (1,1) = storage[1 + 1 + 2] */

    const char *names[1] = {"archive/data.pkl"}, *data[1] = {tensor_pickle(v2, "FloatStorage", 6, 0, "I6\n", "I1\n")};
    size_t sz[1] = {strlen(data[0])};
    write_zip(ov_tmp("nostorage.pth"), 1, names, data, sz);
    expect_fail(ov_tmp("nostorage.pth"), "storage '0' has no record 'archive/data/0' in the archive");
    expect_fail(ckpt("short.pth", tensor_pickle(v2, "FloatStorage", 6, 0, "I6\n", "I1\n"), s6, 20, NULL, NULL),
                "storage '0' holds 20 bytes but the pickle says 6 elements of FloatStorage (24 bytes)");
    expect_fail(ckpt("past.pth", tensor_pickle(v2, "FloatStorage", 6, 4, "I3\n", "I1\n"), s6, 24, NULL, NULL),
                "tensor 'w' (offset 4, 1 dims) reaches past the end of storage '0' (6 elements)");
    expect_fail(ckpt("stride.pth", tensor_pickle(v2, "FloatStorage", 6, 0, "I2\nI3\n", "I4\nI1\n"), s6, 24, NULL, NULL),
                "reaches past the end");
    expect_fail(ckpt("huge.pth", tensor_pickle(v2, "FloatStorage", 6, 0, "I4611686018427387904\nI4\n", "I4\nI1\n"), s6, 24,
                     NULL, NULL),
                "reaches past the end");
    expect_fail(ckpt("ndims.pth", tensor_pickle(v2, "FloatStorage", 6, 0, "I1\nI1\nI1\nI1\nI1\nI1\nI1\nI1\nI1\n",
                                                "I1\nI1\nI1\nI1\nI1\nI1\nI1\nI1\nI1\n"),
                     s6, 24, NULL, NULL),
                "tensor 'w' has 9 dims (ovad tensors have at most 8)");
    expect_fail(ckpt("nstride.pth", tensor_pickle(v2, "FloatStorage", 6, 0, "I2\nI3\n", "I1\n"), s6, 24, NULL, NULL),
                "tensor 'w' has 2 sizes but 1 strides");
    expect_fail(ckpt("neg.pth", tensor_pickle(v2, "FloatStorage", 6, 0, "I-2\n", "I1\n"), s6, 24, NULL, NULL),
                "its size holds something other than a non-negative int");
    expect_fail(ckpt("short_t.pth", tensor_pickle(v2, "ShortStorage", 6, 0, "I6\n", "I1\n"), s6, 12, NULL, NULL),
                "storage type torch.ShortStorage is not supported");
    expect_fail(ckpt("qt.pth", tensor_pickle("_rebuild_qtensor", "FloatStorage", 6, 0, "I6\n", "I1\n"), s6, 24, NULL, NULL),
                "is rebuilt by torch._utils._rebuild_qtensor (a quantized, sparse, nested or device-only tensor)");
    expect_fail(ckpt("big.pth", tensor_pickle(v2, "FloatStorage", 6, 0, "I6\n", "I1\n"), s6, 24, "archive/byteorder", "big"),
                "storages are big-endian");
    {
        const char *pk = tensor_pickle(v2, "FloatStorage", 6, 0, "I6\n", "I1\n");
        const char *rn[2] = {"archive/data.pkl", "archive/data/0"}, *rd[2] = {pk, s6};
        size_t rs[2] = {strlen(pk), 24};
        write_zip(ov_tmp("bz.pth"), 2, rn, rd, rs);
        FILE *bz = fopen(ov_tmp("bz.pth"), "r+b");
        fseek(bz, -22 - 46 - 14 + 10, SEEK_END); /* method of the second directory record */
        fputc(12, bz);
        fclose(bz);
        expect_fail(ov_tmp("bz.pth"), "entry 'archive/data/0' uses compression method 12");
    }
    expect_fail(ckpt("none.pth", "(dp0\nVa\nI1\ns.", s6, 24, NULL, NULL), "none.pth: no tensors in the checkpoint");
    expect_fail(ckpt("jit.pth", "(dp0\nVa\nI1\ns.", s6, 24, "archive/constants.pkl", "x"), "a TorchScript archive");
    expect_fail(ckpt("garbage.pth", "(dp0\nVa\nI1\nZ.", s6, 24, NULL, NULL),
                "garbage.pth:archive/data.pkl: byte 11: unknown opcode 0x5a");
    expect_fail(ckpt("cycle.pth", "(lp0\ng0\na.", s6, 24, NULL, NULL), "values nested more than 64 deep");
    expect_fail(ckpt("pid.pth", "(dp0\nVw\nctorch._utils\n_rebuild_tensor_v2\n(NI0\n(t(ttRs.", s6, 24, NULL, NULL),
                "tensor 'w': its storage is not a persistent id");
    expect_fail(ckpt("twice.pth",
                     "(dp0\n(Vw\nctorch._utils\n_rebuild_tensor_v2\n((Vstorage\nctorch\nFloatStorage\nV0\nVcpu\nI6\ntQI0\n"
                     "(I1\nt(I1\nttRVv\nctorch._utils\n_rebuild_tensor_v2\n((Vstorage\nctorch\nFloatStorage\nV0\nVcpu\nI5\n"
                     "tQI0\n(I1\nt(I1\nttRu.",
                     s6, 24, NULL, NULL),
                "storage '0' is described twice, differently");
    const char *nz = ov_tmp("notzip.pth");
    FILE *f = fopen(nz, "wb");
    fputs("this is not a checkpoint at all, just text", f);
    fclose(f);
    expect_fail(nz, "not a zip archive");
    f = fopen(ov_tmp("legacy.pth"), "wb");
    fwrite("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.\x80\x02", 1, 17, f);
    fclose(f);
    expect_fail(ov_tmp("legacy.pth"), "(legacy format, protocol version pickle at byte 15): byte 2: truncated");
    expect_fail(FIXDIR "/stored.zip", "no <folder>/data.pkl in the zip archive");
    expect_fail(FIXDIR "/model.p2.expected.safetensors", "a safetensors file, not a torch.save zip archive");
    expect_fail("tests/fixtures/pickle/ordered.p2.pkl", "a bare pickle, not a torch.save zip archive");
    expect_fail("/nonexistent/m.pth", "cannot open");
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

/* The point of it all: a torch.save state_dict loads by name into the same layers built in ovad
 * (strict: every key matches, with the int64 buffer), values exactly as saved. */
START_TEST(test_load_into_module) {
    ovModule *root = ov_module_root(sizeof(ovModule), "Small", 1);
    ov_linear_new(root, "fc", 5, 3, true);
    ov_layer_norm_new(root, "norm", 1, (int64_t[]){3}, 1e-5, true);
    ov_conv2d_new(root, "conv", 2, 4, &(ovConvCfg){.kernel = {3, 3}});
    ov_embedding_new(root, "emb", 7, 2);
    ov_scope_push(root->scope);
    ov_buffer(root, "steps", ov_scalar(0, OV_I64));
    ov_scope_pop(root->scope);
    ov_scope_begin();
    ovTensorDict *sd = ov_pth_load(FIXDIR "/model.p2.pth", NULL);
    ck_assert_msg(sd, "%s", ov_last_error());
    ovLoadReport r;
    ck_assert_msg(ov_module_load(root, sd, NULL, FIXDIR "/model.p2.pth", &r) == 0, "%s", ov_last_error());
    ck_assert_int_eq(r.loaded, 8);
    for (int i = 0; i < sd->n; i++)
        ck_assert_msg(ov_rel_diff(ov_module_get(root, sd->names[i]), sd->tensors[i], NULL) == 0, "%s", sd->names[i]);
    ov_scope_end();
    ov_module_free(root);
}
END_TEST

/* Legacy files cut short or altered: the file, and what is wrong. */
START_TEST(test_broken_legacy) {
    ov_tmpdir_make("pth");
    ov_scope_begin();
    FILE *in = fopen(FIXDIR "/legacy_views.p2.pth", "rb");
    ck_assert_msg(in, "missing fixture legacy_views.p2.pth (run tools/gen_pth_fixtures.py)");
    unsigned char orig[4096], b[4096];
    size_t n = fread(orig, 1, sizeof orig, in);
    fclose(in);
    static const struct {
        size_t cut;
        int patch_at; /* -1: none; else an offset from the start, or from 'little_endian' when -2 */
        unsigned char patch;
        const char *expect;
    } cases[] = {
        {14, -1, 0, "(legacy format, magic number pickle at byte 0): byte 14: truncated"},
        {300, -1, 0, "(legacy format, object pickle at byte 137): byte "},
        {1, -1, 0, "truncated"}, /* n - 1: the last storage */
        {0, 18, 0xea, "legacy protocol version other than 1001"},
        {0, -2, 0x89, "storages are big-endian"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memcpy(b, orig, n);
        size_t len = cases[c].cut == 1 ? n - 1 : cases[c].cut ? cases[c].cut : n;
        if (cases[c].patch_at >= 0) b[cases[c].patch_at] = cases[c].patch;
        if (cases[c].patch_at == -2) {
            unsigned char *le = memmem(b, n, "little_endian", 13);
            ck_assert_ptr_nonnull(le);
            unsigned char *t = memchr(le + 13, 0x88, 4); /* NEWTRUE after the key */
            ck_assert_ptr_nonnull(t);
            *t = cases[c].patch;
        }
        FILE *f = fopen(ov_tmp("leg.pth"), "wb");
        fwrite(b, 1, len, f);
        fclose(f);
        expect_fail(ov_tmp("leg.pth"), cases[c].expect);
    }
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

/* Storage bytes for the re-zipped mutants: every record of the original archive. */
typedef struct {
    ovZip *z;
} Orig;

static int orig_storage(void *ctx, const char *key, uint64_t *nbytes, void *dst) {
    Orig *o = ctx;
    char name[300];
    snprintf(name, sizeof name, "views.p2/data/%s", key);
    int i = ov_zip_find(o->z, name);
    if (i < 0) return ov_error("mut.pth: no storage '%s'", key);
    if (!dst) {
        *nbytes = ov_zip_entry_size(o->z, i);
        return 0;
    }
    return ov_zip_read_into(o->z, i, dst);
}

/* A mutated pickle interpreted as a checkpoint over the original storages: a dict whose
 * tensors read end to end, or a clean error. */
static int parse_pth_pickle(const uint8_t *data, size_t n, const char *name, void *ctx) {
    ov_scope_begin();
    ovPickle *pk = ov_pickle_parse(data, n, name, NULL);
    ovTensorDict *d = pk ? ov_pth_from_pickle(ov_pickle_root(pk), NULL, "mut.pth", orig_storage, ctx, NULL) : NULL;
    for (int i = 0; d && i < d->n; i++) {
        volatile double s = 0;
        for (int64_t e = 0; e < ov_numel(d->tensors[i]); e++) s += ov_get_flat(d->tensors[i], e);
    }
    ov_pickle_free(pk);
    ov_scope_end();
    return d ? 0 : -1;
}

/* The pickle of a real checkpoint mutated (byte flips, truncations, opcode swaps) and
 * interpreted: every outcome is a dict or a clean error; tensors read end to end. */
START_TEST(test_pickle_mutations_never_crash) {
    ovZip *z = ov_zip_open(FIXDIR "/views.p2.pth");
    ck_assert_msg(z, "%s", ov_last_error());
    size_t n;
    uint8_t *orig = ov_zip_read(z, ov_zip_find(z, "views.p2/data.pkl"), &n);
    ck_assert_msg(orig, "%s", ov_last_error());
    Orig o = {z};
    int ok = 0, rejected = 0;
    /* the alphabet: the integer, tuple, memo, REDUCE, MARK, BINPERSID, SETITEM(S) opcodes */
    ovMutRun r = {.label = "views.p2/data.pkl", .trials = 4000, .stream = 4242, .name = "mut.pkl", .expect = "mut.p",
                  .parse = parse_pth_pickle, .ctx = &o,
                  .how = {.truncate_every = 5, .max_flips = 3, OV_MUT_ALPHABET("KJMqhtR)(Q\x85\x86\x87su", 2)}};
    ov_mutations_run(&r, orig, n, &ok, &rejected);
    ck_assert_msg(ok > 150 && rejected > 1000, "%d loaded, %d rejected", ok, rejected);
    free(orig);
    ov_zip_close(z);
}
END_TEST

static int parse_pth_file(const uint8_t *data, size_t n, const char *path, void *ctx) {
    (void)data, (void)n, (void)ctx;
    ov_scope_begin();
    ovTensorDict *d = ov_pth_load(path, NULL);
    ov_scope_end();
    return d ? 0 : -1;
}

/* Whole files mutated: truncations and flips anywhere (the CRC catches most data damage). */
START_TEST(test_file_mutations_never_crash) {
    static const ovMutFile files[] = {{"dtypes.p4.pth"}, {"renamed_deflated.pth"}, {"nested.p4.pth"}, {"legacy_views.p2.pth"}, {NULL}};
    int ok = 0, rejected = 0;
    /* a memory file: faster than /tmp, and the path still names it */
    ovMutRun r = {.trials = 300, .stream = 100, .stream_step = 1, .as_file = true, .parse = parse_pth_file,
                  .how = {.truncate_every = 3, .max_flips = 1}};
    ov_mutations_run_files(&r, FIXDIR, files, &ok, &rejected);
    ck_assert(ok > 50);
    ck_assert(rejected > 300);
}
END_TEST

int main(void) {
    Suite *s = suite_create("pth");
    TCase *tc = tcase_create("pth");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_torch_save_fixtures);
    tcase_add_test(tc, test_entry_selection);
    tcase_add_test(tc, test_load_into_module);
    tcase_add_test(tc, test_broken_checkpoints);
    tcase_add_test(tc, test_broken_legacy);
    tcase_add_test(tc, test_pickle_mutations_never_crash);
    tcase_add_test(tc, test_file_mutations_never_crash);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
