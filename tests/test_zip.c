/* test_zip.c: the zip reader on archives written by Python's zipfile (stored and deflated, with
 * an archive comment) and on a hand-made zip64 archive (tools/gen_pth_fixtures.py), from a file
 * and from memory; corrupt archives rejected with a message naming the file and the fault; and
 * a deterministic mutation run (truncations and byte flips never crash). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/zip.h"
#include "tensor/error.h"
#include "tests/check_util.h"
#include "tests/mutate.h"

#define FIXDIR "tests/fixtures/pth"

/* The entries of every fixture archive, as gen_pth_fixtures.py's zip_contents() makes them. */
static const char *names[4] = {"a.txt", "dir/b.bin", "empty", "dir/big.txt"};
static char *contents[4];
static size_t sizes[4];

static void make_contents(void) {
    contents[0] = strdup("hello\n");
    sizes[0] = 6;
    contents[1] = malloc(1024);
    for (int i = 0; i < 1024; i++) contents[1][i] = (char)(i % 256);
    sizes[1] = 1024;
    contents[2] = strdup("");
    sizes[2] = 0;
    contents[3] = malloc(20000);
    size_t k = 0;
    for (int i = 0; i < 2000; i++) k += (size_t)sprintf(contents[3] + k, "line %d\n", i);
    sizes[3] = k;
}

static void free_contents(void) {
    for (int i = 0; i < 4; i++) free(contents[i]);
}

static unsigned char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "missing fixture %s (run tools/gen_pth_fixtures.py)", path);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n + 1);
    ck_assert_int_eq(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

static void check_archive(ovZip *z, int method) {
    ck_assert_msg(z, "%s", ov_last_error());
    ck_assert_int_eq(ov_zip_count(z), 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_str_eq(ov_zip_entry_name(z, i), names[i]);
        ck_assert_int_eq(ov_zip_find(z, names[i]), i);
        ck_assert_uint_eq(ov_zip_entry_size(z, i), sizes[i]);
        if (sizes[i]) ck_assert_int_eq(ov_zip_entry_method(z, i), method);
        size_t n = 99;
        char *got = ov_zip_read(z, i, &n);
        ck_assert_msg(got, "%s", ov_last_error());
        ck_assert_uint_eq(n, sizes[i]);
        ck_assert_msg(!memcmp(got, contents[i], n), "%s differs", names[i]);
        ck_assert_int_eq(got[n], 0);
        free(got);
    }
    ck_assert_int_eq(ov_zip_find(z, "nope"), -1);
}

START_TEST(test_fixture_archives) {
    make_contents();
    static const struct {
        const char *file;
        int method;
    } fx[] = {{"stored.zip", 0}, {"deflated.zip", 8}, {"zip64.zip", 0}};
    for (int f = 0; f < 3; f++) {
        char path[256];
        snprintf(path, sizeof path, FIXDIR "/%s", fx[f].file);
        ovZip *z = ov_zip_open(path);
        check_archive(z, fx[f].method);
        ck_assert_str_eq(ov_zip_name(z), path);
        ov_zip_close(z);
        size_t n;
        unsigned char *b = slurp(path, &n);
        z = ov_zip_open_mem(b, n, "mem.zip");
        check_archive(z, fx[f].method);
        ov_zip_close(z);
        free(b);
    }
    free_contents();
}
END_TEST

static char tmpdir[64];

static void expect_bad(const unsigned char *b, size_t n, const char *expect, bool at_read) {
    ovZip *z = ov_zip_open_mem(b, n, "bad.zip");
    if (at_read) {
        ck_assert_msg(z, "open failed: %s", ov_last_error());
        int bad = 0;
        for (int i = 0; i < ov_zip_count(z); i++) {
            void *d = ov_zip_read(z, i, NULL);
            if (!d) {
                bad++;
                ck_assert_msg(strstr(ov_last_error(), expect), "expected '%s' in: %s", expect, ov_last_error());
            }
            free(d);
        }
        ck_assert_msg(bad > 0, "no entry failed (expected '%s')", expect);
        ov_zip_close(z);
        return;
    }
    ck_assert_msg(!z, "accepted (expected '%s')", expect);
    ck_assert_msg(!strncmp(ov_last_error(), "bad.zip: ", 9), "%s", ov_last_error());
    ck_assert_msg(strstr(ov_last_error(), expect), "expected '%s' in: %s", expect, ov_last_error());
}

/* Offset of the first occurrence of a 4-byte signature at or after `from`. */
static size_t find_sig(const unsigned char *b, size_t n, const char *sig, size_t from) {
    for (size_t i = from; i + 4 <= n; i++)
        if (!memcmp(b + i, sig, 4)) return i;
    ck_abort_msg("signature not found");
    return 0;
}

START_TEST(test_corrupt_archives) {
    size_t n, n64, nd;
    unsigned char *st = slurp(FIXDIR "/stored.zip", &n), *z64 = slurp(FIXDIR "/zip64.zip", &n64);
    unsigned char *df = slurp(FIXDIR "/deflated.zip", &nd), *b = malloc(n64 + nd + n);
    size_t cd = find_sig(st, n, "PK\x01\x02", 0), eocd = find_sig(st, n, "PK\x05\x06", 0);

    expect_bad((const unsigned char *)"PK\x03\x04", 4, "not a zip archive (4 bytes", false);
    expect_bad((const unsigned char *)"just some text that is long enough", 34, "not a zip archive (no end-of-central", false);
    expect_bad(st, eocd, "without its end-of-central-directory record (truncated?)", false);
    memcpy(b, st, n);
    b[eocd + 10] = 0xf0, b[eocd + 11] = 0x00; /* 240 entries */
    expect_bad(b, n, "claims 240 entries", false);
    memcpy(b, st, n);
    b[eocd + 16] ^= 0x40; /* directory offset moved */
    expect_bad(b, n, "bad.zip: ", false);
    memcpy(b, st, n);
    b[cd + 42] = 0x33; /* first record's local header offset */
    expect_bad(b, n, "no local header at offset", false);
    memcpy(b, st, n);
    b[30] ^= 1; /* the name in the first local header */
    expect_bad(b, n, "the local header names another file", false);
    memcpy(b, st, n);
    b[cd + 10] = 12; /* bzip2 */
    expect_bad(b, n, "uses compression method 12", true);
    memcpy(b, st, n);
    b[cd + 8] |= 1; /* encrypted */
    expect_bad(b, n, "entry 'a.txt' is encrypted", true);
    memcpy(b, st, n);
    b[cd + 16] ^= 0xff; /* CRC */
    expect_bad(b, n, "entry 'a.txt' fails its CRC-32 check", true);
    memcpy(b, st, n);
    b[cd + 24] = 7; /* stored sizes differ */
    expect_bad(b, n, "is stored but its sizes differ", false);
    memcpy(b, st, n);
    b[eocd + 4] = 1; /* disk number */
    expect_bad(b, n, "multi-disk", false);

    /* deflate: damaged data, a size the data does not inflate to, an impossible ratio */
    size_t dcd = find_sig(df, nd, "PK\x01\x02", 0);
    size_t big = find_sig(df, nd, "PK\x01\x02", dcd + 4);
    big = find_sig(df, nd, "PK\x01\x02", big + 4);
    big = find_sig(df, nd, "PK\x01\x02", big + 4); /* the 4th record: dir/big.txt */
    memcpy(b, df, nd);
    size_t local = b[big + 42] | b[big + 43] << 8 | (size_t)b[big + 44] << 16;
    size_t data = local + 30 + (b[local + 26] | b[local + 27] << 8) + (b[local + 28] | b[local + 29] << 8);
    for (int k = 0; k < 8; k++) b[data + 10 + (size_t)k] ^= 0x5a;
    ovZip *z = ov_zip_open_mem(b, nd, "bad.zip");
    ck_assert_ptr_null(ov_zip_read(z, 3, NULL));
    ck_assert_msg(strstr(ov_last_error(), "bad.zip: entry 'dir/big.txt': "), "%s", ov_last_error());
    ov_zip_close(z);
    memcpy(b, df, nd);
    b[big + 24] ^= 0x01; /* uncompressed size off by one */
    expect_bad(b, nd, "dir/big.txt", true);
    memcpy(b, df, nd);
    b[big + 27] = 0x7f; /* 2 GB from a few hundred bytes */
    expect_bad(b, nd, "claims", false);

    /* zip64: a damaged end record, a missing extra field */
    memcpy(b, z64, n64);
    size_t r64 = find_sig(b, n64, "PK\x06\x06", 0);
    b[r64] = 'X';
    expect_bad(b, n64, "zip64 end-of-central-directory record is missing or damaged", false);
    memcpy(b, z64, n64);
    size_t c64 = find_sig(b, n64, "PK\x01\x02", 0);
    b[c64 + 46 + 5] = 9; /* the extra field's id of the first record ("a.txt" is 5 bytes) */
    expect_bad(b, n64, "no zip64 extra field", false);
    memcpy(b, z64, n64);
    size_t loc = find_sig(b, n64, "PK\x06\x07", 0);
    b[loc + 16] = 3; /* three disks */
    expect_bad(b, n64, "multi-disk", false);
    memcpy(b, st, n);
    b[eocd + 16] = b[eocd + 17] = b[eocd + 18] = b[eocd + 19] = 0xff;
    expect_bad(b, n, "needs zip64 records that are missing", false);

    snprintf(tmpdir, sizeof tmpdir, "/tmp/ovad-zip-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    ck_assert_ptr_null(ov_zip_open("/nonexistent/a.zip"));
    ck_assert_msg(strstr(ov_last_error(), "/nonexistent/a.zip: cannot open"), "%s", ov_last_error());
    ck_assert_ptr_null(ov_zip_open(tmpdir));
    ck_assert_msg(strstr(ov_last_error(), "not a regular file"), "%s", ov_last_error());
    char p[128];
    snprintf(p, sizeof p, "%s/empty.zip", tmpdir);
    FILE *f = fopen(p, "wb");
    fclose(f);
    ck_assert_ptr_null(ov_zip_open(p));
    ck_assert_msg(strstr(ov_last_error(), "empty.zip: not a zip archive"), "%s", ov_last_error());
    unlink(p);
    rmdir(tmpdir);
    free(st), free(z64), free(df), free(b);
}
END_TEST

/* Opens a mutated archive and reads every entry; a read that fails names the archive. */
static int open_and_read(const uint8_t *data, size_t n, const char *name, void *ctx) {
    int *reads_ok = ctx;
    ovZip *z = ov_zip_open_mem(data, n, name);
    if (!z) return -1;
    for (int i = 0; i < ov_zip_count(z); i++) {
        size_t sz;
        void *d = ov_zip_read(z, i, &sz);
        if (d) (*reads_ok)++;
        else ck_assert_msg(!strncmp(ov_last_error(), "mut.zip: ", 9), "%s", ov_last_error());
        free(d);
    }
    ov_zip_close(z);
    return 0;
}

START_TEST(test_mutations_never_crash) {
    static const ovMutFile files[] = {{"stored.zip"}, {"deflated.zip"}, {"zip64.zip"}, {"views.p2.pth"}, {"renamed_deflated.pth"}, {NULL}};
    int opened = 0, rejected = 0, reads_ok = 0;
    /* the flips of half of the trials land in the last 300 bytes: the directory */
    ovMutRun r = {.trials = 600, .stream = 7, .stream_step = 131, .name = "mut.zip", .expect = "mut.zip: ",
                  .parse = open_and_read, .ctx = &reads_ok,
                  .how = {.truncate_every = 3, .max_flips = 3, .focus_at = -300, .focus_n = 300}};
    ov_mutations_run_files(&r, FIXDIR, files, &opened, &rejected);
    ck_assert(rejected > 500);
    ck_assert(opened > 500);
    ck_assert(reads_ok > 1000);
}
END_TEST

int main(void) {
    Suite *s = suite_create("zip");
    TCase *tc = tcase_create("zip");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fixture_archives);
    tcase_add_test(tc, test_corrupt_archives);
    tcase_add_test(tc, test_mutations_never_crash);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
