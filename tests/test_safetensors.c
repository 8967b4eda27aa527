/* test_safetensors.c: safetensors round trips for every dtype, the mapping outliving its handle,
 * and rejection of malformed files with a message that names the file and the fault; plus a
 * deterministic mutation run (truncations and byte flips of a valid file must never crash). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autograd/ops.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tests/check_util.h"
#include "tests/mutate.h"

static void write_raw(const char *path, const char *header, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    uint64_t len = strlen(header);
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(len >> (8 * i));
    fwrite(b, 1, 8, f);
    fwrite(header, 1, len, f);
    if (n) fwrite(data, 1, n, f);
    fclose(f);
}

START_TEST(test_roundtrip_all_dtypes) {
    ov_tmpdir_make("st");
    ov_scope_begin();
    ovGenerator g = ov_generator(5);
    ovTensor *x = ov_randn(OV_SHAPE(3, 4), 0, 1, &g);
    ovTensor *ts[] = {
        x,
        ov_to(x, OV_BF16),
        ov_to(x, OV_F16),
        ov_to(ov_mul_scalar(x, 100), OV_I32),
        ov_randint(OV_SHAPE(5), -9, 9, &g),
        ov_to(ov_abs(ov_mul_scalar(x, 50)), OV_U8),
        ov_to(x, OV_BOOL),
        ov_scalar(3.5, OV_F32),
        ov_zeros(OV_SHAPE(0, 4), OV_F32),
        ov_transpose(x, 0, 1), /* a view: stored contiguous */
    };
    const char *names[] = {"f32", "bf16", "f16", "i32", "i64", "u8", "bool", "scalar", "empty", "xt"};
    const char *keys[] = {"format", "note"}, *vals[] = {"pt", "héllo \"quoted\""};
    ck_assert_int_eq(ov_st_save(ov_tmp("a.safetensors"), 10, names, ts, 2, keys, vals), 0);
    ovSafetensors *st = ov_st_open(ov_tmp("a.safetensors"));
    ck_assert_msg(st, "%s", ov_last_error());
    ck_assert_int_eq(ov_st_count(st), 10);
    ck_assert_str_eq(ov_st_meta(st, "note"), vals[1]);
    ck_assert_ptr_null(ov_st_meta(st, "absent"));
    ovTensor *back[10];
    for (int i = 0; i < 10; i++) {
        ck_assert_str_eq(ov_st_name(st, i), names[i]);
        back[i] = ov_st_get(st, names[i]);
        ck_assert_msg(back[i], "%s", ov_last_error());
        int64_t where;
        ck_assert_msg(ov_rel_diff(back[i], ts[i], &where) == 0, "%s differs at %lld", names[i], (long long)where);
    }
    ck_assert_ptr_null(ov_st_get(st, "nope"));
    ck_assert_msg(strstr(ov_last_error(), "a.safetensors") && strstr(ov_last_error(), "'nope'"), "%s", ov_last_error());
    ov_st_close(st); /* tensors keep the mapping alive */
    ck_assert_double_eq(ov_get_flat(back[0], 11), ov_get_flat(x, 11));
    ov_fill_(back[0], 1); /* copy-on-write: the file does not change */
    ovSafetensors *again = ov_st_open(ov_tmp("a.safetensors"));
    ck_assert_double_eq(ov_get_flat(ov_st_get(again, "f32"), 0), ov_get_flat(x, 0));
    ov_st_close(again);
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

/* Each malformed file is rejected with a message naming the file and containing `expect`. */
static void expect_reject(const char *file, const char *header, size_t data_bytes, const char *expect) {
    char data[64] = {0};
    write_raw(ov_tmp(file), header, data, data_bytes);
    ovSafetensors *st = ov_st_open(ov_tmp(file));
    ck_assert_msg(!st, "%s was accepted", header);
    ck_assert_msg(strstr(ov_last_error(), file), "message does not name the file: %s", ov_last_error());
    ck_assert_msg(strstr(ov_last_error(), expect), "for %s: expected '%s' in: %s", header, expect, ov_last_error());
}

START_TEST(test_malformed_files_rejected) {
    ov_tmpdir_make("st");
    ov_scope_begin();
    FILE *f = fopen(ov_tmp("short.st"), "wb");
    fwrite("abc", 1, 3, f);
    fclose(f);
    ck_assert_ptr_null(ov_st_open(ov_tmp("short.st")));
    ck_assert_msg(strstr(ov_last_error(), "short.st") && strstr(ov_last_error(), "8-byte header"), "%s", ov_last_error());
    f = fopen(ov_tmp("huge.st"), "wb");
    fwrite("\xff\xff\xff\xff\x00\x00\x00\x00{}", 1, 10, f);
    fclose(f);
    ck_assert_ptr_null(ov_st_open(ov_tmp("huge.st")));
    ck_assert_msg(strstr(ov_last_error(), "100 MB"), "%s", ov_last_error());
    f = fopen(ov_tmp("past.st"), "wb");
    fwrite("\x40\x00\x00\x00\x00\x00\x00\x00{}", 1, 10, f);
    fclose(f);
    ck_assert_ptr_null(ov_st_open(ov_tmp("past.st")));
    ck_assert_msg(strstr(ov_last_error(), "runs past the end"), "%s", ov_last_error());
    ck_assert_ptr_null(ov_st_open(ov_tmp("missing.st")));
    ck_assert_msg(strstr(ov_last_error(), "missing.st") && strstr(ov_last_error(), "cannot open"), "%s", ov_last_error());

    expect_reject("json.st", "{\"a\": {\"dtype\": \"F32\",", 0, "not valid JSON");
    expect_reject("notobj.st", "[1,2]", 0, "does not start with '{'");
    expect_reject("dtype.st", "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "F64");
    expect_reject("size.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20, "need 24");
    expect_reject("range.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8, "outside");
    expect_reject("overlap.st",
                  "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                  "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                  12, "overlapping");
    expect_reject("shape.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4, "invalid size");
    expect_reject("offs.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "data_offsets");
    /* numbers beyond the integer types are refused before any cast */
    expect_reject("hugedim.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1e30],\"data_offsets\":[0,4]}}", 4, "invalid size");
    expect_reject("hugeoff.st", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,1e30]}}", 4, "data_offsets");
    expect_reject("meta.st", "{\"__metadata__\":{\"k\":3}}", 0, "not a string");
    expect_reject("dup.st",
                  "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                  "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}",
                  2, "twice");
    expect_reject("meta2.st", "{\"__metadata__\":{\"k\":\"a\"},\"__metadata__\":{\"k\":\"b\"}}", 0, "twice");
    expect_reject("dims.st", "{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", 1, "9 dims");
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

/* Opens a mutated file and reads every byte of every tensor. */
static int open_and_read(const uint8_t *data, size_t n, const char *path, void *ctx) {
    (void)data, (void)n, (void)ctx;
    ovSafetensors *st = ov_st_open(path);
    if (!st) return -1;
    ov_scope_begin();
    for (int i = 0; i < ov_st_count(st); i++) {
        ovTensor *t = ov_st_tensor(st, i);
        double s = 0;
        for (int64_t e = 0; e < ov_numel(t); e++) s += ov_get_flat(t, e); /* every byte readable */
        (void)s;
    }
    ov_scope_end();
    ov_st_close(st);
    return 0;
}

/* Truncations and random byte flips of a valid file either load or fail cleanly (no crash,
 * no leak: the leak fixture checks), and a failure names the file. */
START_TEST(test_mutations_never_crash) {
    ov_tmpdir_make("st");
    ov_scope_begin();
    ovGenerator g = ov_generator(9);
    ovTensor *ts[] = {ov_randn(OV_SHAPE(3, 5), 0, 1, &g), ov_randint(OV_SHAPE(4), 0, 9, &g)};
    const char *names[] = {"weight", "idx"};
    const char *k[] = {"m"}, *v[] = {"x"};
    ck_assert_int_eq(ov_st_save(ov_tmp("ok.st"), 2, names, ts, 1, k, v), 0);
    int opened = 0, rejected = 0;
    /* half of the trials flip bytes of the 8-byte length and the JSON header */
    ovMutRun r = {.label = "ok.st", .trials = 3000, .stream = 1234, .as_file = true, .parse = open_and_read,
                  .how = {.truncate_every = 3, .max_flips = 4, .focus_at = 0, .focus_n = 120}};
    ov_mutations_run_file(&r, ov_tmp("ok.st"), &opened, &rejected);
    ck_assert(rejected > 1000);
    ck_assert(opened > 10);
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

START_TEST(test_save_errors_leave_no_file) {
    ov_tmpdir_make("st");
    ov_scope_begin();
    ovTensor *a = ov_ones(OV_SHAPE(2), OV_F32);
    ovTensor *ts[] = {a, a};
    const char *names[] = {"same", "same"};
    ck_assert_int_eq(ov_st_save(ov_tmp("dup.st"), 2, names, ts, 0, NULL, NULL), -1);
    ck_assert_msg(strstr(ov_last_error(), "used twice"), "%s", ov_last_error());
    ck_assert_int_eq(access(ov_tmp("dup.st"), F_OK), -1);
    ck_assert_int_eq(ov_st_save("/nonexistent-dir/x.st", 1, names, ts, 0, NULL, NULL), -1);
    ck_assert_msg(strstr(ov_last_error(), "/nonexistent-dir/x.st"), "%s", ov_last_error());
    /* nothing but the files we asked for remains (no temporary files) */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\"", ov_tmpdir());
    ck_assert_int_eq(system(cmd), 0);
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

int main(void) {
    Suite *s = suite_create("safetensors");
    TCase *tc = tcase_create("io");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_roundtrip_all_dtypes);
    tcase_add_test(tc, test_malformed_files_rejected);
    tcase_add_test(tc, test_mutations_never_crash);
    tcase_add_test(tc, test_save_errors_leave_no_file);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
