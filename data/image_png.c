/* image_png.c: PNG decoding and encoding with libpng. Decoding normalises every colour type and
 * depth to 8-bit RGB as PIL's convert("RGB") does (palette and low-depth grey expanded, grey
 * replicated, alpha dropped, Adam7 de-interlaced), 16-bit samples keeping their high byte (as
 * OpenCV; PIL clips them). libpng reports errors by longjmp: the handler records libpng's
 * message and jumps back here, where everything allocated so far is freed. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image.h"
#include "tensor/error.h"

typedef struct {
    const uint8_t *data;
    size_t n, pos;
    char msg[256]; /* libpng's last error */
} PngSrc;

static void on_error(png_structp png, png_const_charp msg) {
    PngSrc *s = png_get_error_ptr(png);
    snprintf(s->msg, sizeof s->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg; /* benign (bad ancillary chunks, sRGB profile notes): the pixels are still right */
}

static void read_mem(png_structp png, png_bytep out, png_size_t len) {
    PngSrc *s = png_get_io_ptr(png);
    if (len > s->n - s->pos) png_error(png, "unexpected end of data (the file is truncated)");
    memcpy(out, s->data + s->pos, len);
    s->pos += len;
}

int ov_png_decode(const uint8_t *data, size_t n, const char *name, ovImageAlloc alloc, void *ctx) {
    PngSrc src = {.data = data, .n = n};
    if (n < 8 || png_sig_cmp(data, 0, 8)) return ov_error("%s: not a PNG file (bad signature)", name);
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, on_error, on_warning);
    if (!png) return ov_error("%s: libpng could not start", name);
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    volatile int refused = 0;
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, info ? &info : NULL, NULL);
        free(rows);
        if (refused) return -1; /* alloc set the message */
        return ov_error("%s: corrupt PNG: %s", name, src.msg[0] ? src.msg : "libpng failed");
    }
    png_set_read_fn(png, &src, read_mem);
    /* frames are at most a few thousand pixels a side; refuse absurd headers before allocating */
    png_set_user_limits(png, 1 << 15, 1 << 15);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (depth == 16) png_set_strip_16(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 3) png_error(png, "unexpected row layout after conversion to RGB");
    uint8_t *dst = alloc(ctx, (int64_t)h, (int64_t)w);
    if (!dst) {
        refused = 1;
        png_longjmp(png, 1);
    }
    rows = malloc(sizeof(png_bytep) * h);
    if (!rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++) rows[y] = dst + (size_t)y * w * 3;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    return 0;
}

/* ---- writing ---- */

typedef struct {
    FILE *f;
    char msg[256];
} PngDst;

static void on_write_error(png_structp png, png_const_charp msg) {
    PngDst *d = png_get_error_ptr(png);
    snprintf(d->msg, sizeof d->msg, "%s", msg);
    png_longjmp(png, 1);
}

/* Writes h rows of w pixels with c channels (1, 3 or 4) from a row-major buffer to f. */
int ov_png_encode(FILE *f, const char *name, const uint8_t *px, int64_t h, int64_t w, int c) {
    PngDst dst = {.f = f};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &dst, on_write_error, on_warning);
    if (!png) return ov_error("%s: libpng could not start", name);
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, info ? &info : NULL);
        free(rows);
        return ov_error("%s: PNG writing failed: %s", name, dst.msg[0] ? dst.msg : "libpng failed");
    }
    png_init_io(png, f);
    int type = c == 1 ? PNG_COLOR_TYPE_GRAY : c == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    /* level 3 writes several times faster than the default 6 for a few percent more bytes */
    png_set_compression_level(png, 3);
    rows = malloc(sizeof(png_bytep) * (size_t)(h ? h : 1));
    if (!rows) png_error(png, "out of memory");
    for (int64_t y = 0; y < h; y++) rows[y] = (png_bytep)(px + (size_t)y * (size_t)w * (size_t)c);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    return 0;
}
