/* test_image.c: PNG and JPEG reading against the pixels PIL decodes from the same files (every
 * PNG colour type, 1- and 16-bit, palettes with transparency, Adam7; baseline, 4:4:4, grey and
 * progressive JPEG), PNG write/read round trips, and bad files: missing, empty, not an image,
 * truncated at many points, corrupted bytes, each a clear error naming the file, never a crash
 * or a leak. Fixtures: tools/gen_media_fixtures.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/image.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tensor/file.h"
#include "tests/check_util.h"

#define FIX "tests/fixtures/media"

static void write_bytes(const char *path, const uint8_t *b, size_t n) {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
}

static ovSafetensors *open_fixture(const char *file) {
    char p[256];
    snprintf(p, sizeof p, FIX "/%s", file);
    ovSafetensors *st = ov_st_open(p);
    ck_assert_msg(st, "missing fixture (run tools/gen_media_fixtures.py): %s", ov_last_error());
    return st;
}

START_TEST(test_decode_matches_pil) {
    ov_scope_begin();
    ovSafetensors *st = open_fixture("images.safetensors");
    ck_assert_int_eq(ov_st_count(st), 12);
    for (int i = 0; i < ov_st_count(st); i++) {
        const char *name = ov_st_name(st, i);
        char p[256];
        snprintf(p, sizeof p, FIX "/%s", name);
        ovTensor *img = ov_image_read(p);
        ck_assert_msg(img, "%s: %s", name, ov_last_error());
        ovTensor *want = ov_st_tensor(st, i);
        int64_t where;
        ck_assert_msg(ov_rel_diff(img, want, &where) == 0, "%s differs from PIL at element %lld (%g vs %g)", name,
                      (long long)where, ov_get_flat(img, where), ov_get_flat(want, where));
        int64_t h, w;
        uint8_t *buf;
        size_t n;
        ck_assert_int_eq(ov_read_file(p, &buf, &n), 0);
        ck_assert_int_eq(ov_image_size(buf, n, p, &h, &w), 0);
        ck_assert(h == 13 && w == 19);
        /* into a buffer: the right size works, a wrong one is refused with both sizes */
        uint8_t *px = malloc(13 * 19 * 3);
        ck_assert_int_eq(ov_image_decode_into(buf, n, p, 13, 19, px), 0);
        ck_assert(memcmp(px, ov_data_ptr(img), 13 * 19 * 3) == 0);
        ck_assert_int_eq(ov_image_decode_into(buf, n, p, 14, 19, px), -1);
        ck_assert_msg(strstr(ov_last_error(), "13x19") && strstr(ov_last_error(), "14x19"), "%s", ov_last_error());
        free(px);
        free(buf);
    }
    ov_st_close(st);
    ov_scope_end();
}
END_TEST

START_TEST(test_png_round_trip) {
    ov_tmpdir_make("image");
    ov_scope_begin();
    ovGenerator g = ov_generator(11);
    ovTensor *rgb = ov_randint(OV_SHAPE(7, 5, 3), 0, 256, &g);
    ovTensor *u8 = ov_empty(3, rgb->shape, OV_U8);
    ov_copy_(u8, rgb);
    ck_assert_int_eq(ov_image_write_png(ov_tmp("a.png"), u8), 0);
    ovTensor *back = ov_image_read(ov_tmp("a.png"));
    ck_assert_msg(back, "%s", ov_last_error());
    ck_assert(ov_rel_diff(back, u8, NULL) == 0);
    ck_assert_int_eq(access(ov_tmp("a.png.tmp"), F_OK), -1);
    /* a strided view (every other column) is written as the view */
    int64_t sh[3] = {7, 3, 3}, str[3] = {15, 6, 1};
    ovTensor *view = ov_view_of(u8, 3, sh, str, 0);
    ck_assert_int_eq(ov_image_write_png(ov_tmp("v.png"), view), 0);
    back = ov_image_read(ov_tmp("v.png"));
    ck_assert(back && ov_rel_diff(back, view, NULL) == 0);
    /* grey [H,W] comes back replicated into RGB; RGBA loses its alpha */
    ovTensor *grey = ov_view_of(u8, 2, (int64_t[]){7, 5}, (int64_t[]){15, 3}, 1);
    ck_assert_int_eq(ov_image_write_png(ov_tmp("g.png"), grey), 0);
    back = ov_image_read(ov_tmp("g.png"));
    ck_assert(back && back->shape[2] == 3);
    for (int64_t y = 0; y < 7; y++)
        for (int64_t x = 0; x < 5; x++)
            for (int k = 0; k < 3; k++)
                ck_assert(ov_get(back, (int64_t[]){y, x, k}) == ov_get(grey, (int64_t[]){y, x}));
    ovTensor *rgba = ov_zeros(OV_SHAPE(2, 3, 4), OV_U8);
    ov_fill_(rgba, 200);
    ck_assert_int_eq(ov_image_write_png(ov_tmp("rgba.png"), rgba), 0);
    back = ov_image_read(ov_tmp("rgba.png"));
    ck_assert(back && back->shape[2] == 3 && ov_get_flat(back, 5) == 200);
    /* refused inputs */
    ck_assert_int_eq(ov_image_write_png(ov_tmp("f.png"), ov_zeros(OV_SHAPE(2, 2, 3), OV_F32)), -1);
    ck_assert_msg(strstr(ov_last_error(), "f.png"), "%s", ov_last_error());
    ck_assert_int_eq(ov_image_write_png("/nonexistent-dir/x.png", u8), -1);
    ck_assert_msg(strstr(ov_last_error(), "/nonexistent-dir/x.png"), "%s", ov_last_error());
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

static void expect_fail(const char *path, const char *what) {
    ovTensor *t = ov_image_read(path);
    ck_assert_msg(!t, "%s was read although it is %s", path, what);
    ck_assert_msg(strstr(ov_last_error(), path), "the message does not name the file: %s", ov_last_error());
}

START_TEST(test_bad_files) {
    ov_tmpdir_make("image");
    ov_scope_begin();
    expect_fail(ov_tmp("missing.png"), "missing");
    ck_assert_msg(strstr(ov_last_error(), "No such file"), "%s", ov_last_error());
    write_bytes(ov_tmp("empty.png"), (const uint8_t *)"", 0);
    expect_fail(ov_tmp("empty.png"), "empty");
    ck_assert_msg(strstr(ov_last_error(), "empty"), "%s", ov_last_error());
    write_bytes(ov_tmp("text.jpg"), (const uint8_t *)"hello, world", 12);
    expect_fail(ov_tmp("text.jpg"), "text");
    ck_assert_msg(strstr(ov_last_error(), "not a PNG or JPEG"), "%s", ov_last_error());
    const char *srcs[] = {FIX "/rgb.png", FIX "/interlaced.png", FIX "/rgb.jpg", FIX "/progressive.jpg"};
    for (int f = 0; f < 4; f++) {
        uint8_t *b;
        size_t n;
        ck_assert_msg(ov_read_file(srcs[f], &b, &n) == 0, "%s", ov_last_error());
        const char *ext = strstr(srcs[f], ".png") ? "png" : "jpg";
        /* every cut point: a truncated file never decodes, and says so */
        for (size_t cut = 0; cut < n; cut += (cut < 64 ? 1 : 7)) {
            char name[64];
            snprintf(name, sizeof name, "cut%zu.%s", cut, ext);
            write_bytes(ov_tmp(name), b, cut);
            expect_fail(ov_tmp(name), "truncated");
        }
        /* the last cut before the end (a JPEG's EOI marker, a PNG's IEND) */
        write_bytes(ov_tmp("cut_end"), b, n - 2);
        expect_fail(ov_tmp("cut_end"), "truncated");
        /* corrupted bytes after the signature: an error or a picture, never a crash (CRCs catch
         * most PNG damage; JPEG has no checksum, so damaged entropy data may still decode) */
        ovGenerator g = ov_generator(100 + (uint64_t)f);
        ovTensor *pos = ov_randint(OV_SHAPE(60), 8, (int64_t)n, &g), *val = ov_randint(OV_SHAPE(60), 0, 256, &g);
        int refused = 0;
        for (int k = 0; k < 60; k++) {
            uint8_t *c = malloc(n);
            memcpy(c, b, n);
            c[(size_t)ov_get_flat(pos, k)] ^= (uint8_t)(1 + (int)ov_get_flat(val, k) % 255);
            ovTensor *t = ov_image_decode(c, n, "mutated");
            if (!t) {
                refused++;
                ck_assert_msg(strstr(ov_last_error(), "mutated"), "%s", ov_last_error());
            }
            free(c);
        }
        if (strcmp(ext, "png") == 0) ck_assert_msg(refused >= 55, "only %d of 60 corrupted PNGs refused", refused);
        free(b);
    }
    /* messages say what went wrong */
    uint8_t *b;
    size_t n;
    ck_assert_int_eq(ov_read_file(FIX "/rgb.jpg", &b, &n), 0);
    ck_assert(ov_image_decode(b, n / 2, "half.jpg") == NULL);
    ck_assert_msg(strstr(ov_last_error(), "half.jpg") && strstr(ov_last_error(), "truncated"), "%s", ov_last_error());
    free(b);
    ck_assert_int_eq(ov_read_file(FIX "/rgb.png", &b, &n), 0);
    ck_assert(ov_image_decode(b, n / 2, "half.png") == NULL);
    ck_assert_msg(strstr(ov_last_error(), "half.png") && strstr(ov_last_error(), "truncated"), "%s", ov_last_error());
    b[40] ^= 0x55; /* inside the IDAT data: a CRC mismatch */
    ck_assert(ov_image_decode(b, n, "crc.png") == NULL);
    ck_assert_msg(strstr(ov_last_error(), "crc.png") && strstr(ov_last_error(), "corrupt PNG"), "%s", ov_last_error());
    free(b);
    ov_scope_end();
    ov_tmpdir_remove();
}
END_TEST

int main(void) {
    Suite *s = suite_create("image");
    TCase *tc = tcase_create("image");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_decode_matches_pil);
    tcase_add_test(tc, test_png_round_trip);
    tcase_add_test(tc, test_bad_files);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
