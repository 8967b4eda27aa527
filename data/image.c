/* image.c: reading and writing still images (see image.h): the whole file is read into memory,
 * the format is told by its signature, and the decoded pixels land in a tensor made in a private
 * scope that joins the caller's scope only once decoding succeeded, so a failed read leaves
 * nothing behind. */
#include "data/image.h"
#include "tensor/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tensor/error.h"

ovImageFormat ov_image_sniff(const void *data, size_t n) {
    const uint8_t *b = data;
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) return OV_IMAGE_PNG;
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return OV_IMAGE_JPEG;
    return OV_IMAGE_UNKNOWN;
}

static int decode(const void *data, size_t n, const char *name, ovImageAlloc alloc, void *ctx) {
    switch (ov_image_sniff(data, n)) {
    case OV_IMAGE_PNG: return ov_png_decode(data, n, name, alloc, ctx);
    case OV_IMAGE_JPEG: return ov_jpeg_decode(data, n, name, alloc, ctx);
    default:
        if (n == 0) return ov_error("%s: the file is empty", name);
        return ov_error("%s: not a PNG or JPEG file (unknown signature)", name);
    }
}

/* ---- into a new tensor ---- */

typedef struct {
    ovScope *scope;
    ovTensor *t;
} TensorOut;

static uint8_t *alloc_tensor(void *ctx, int64_t h, int64_t w) {
    TensorOut *o = ctx;
    ov_scope_push(o->scope);
    o->t = ov_empty(3, (int64_t[]){h, w, 3}, OV_U8);
    ov_scope_pop(o->scope);
    return ov_data_ptr(o->t);
}

ovTensor *ov_image_decode(const void *data, size_t n, const char *name) {
    TensorOut o = {.scope = ov_scope_new("image")};
    int rc = decode(data, n, name, alloc_tensor, &o);
    if (rc == 0) ov_scope_move_graph(&o.t->obj, ov_scope_current());
    ov_scope_free(o.scope);
    return rc == 0 ? o.t : NULL;
}

ovTensor *ov_image_read(const char *path) {
    uint8_t *buf;
    size_t n;
    if (ov_read_file(path, &buf, &n)) return NULL;
    ovTensor *t = ov_image_decode(buf, n, path);
    free(buf);
    return t;
}

/* ---- into the caller's buffer ---- */

typedef struct {
    const char *name;
    int64_t h, w; /* expected, or -1 to only read the size */
    uint8_t *dst;
} BufOut;

static uint8_t *alloc_buffer(void *ctx, int64_t h, int64_t w) {
    BufOut *o = ctx;
    if (o->h < 0) {
        o->h = h;
        o->w = w;
        ov_error("%s: size only", o->name); /* stops the decoder; ov_image_size reads o->h, o->w */
        return NULL;
    }
    if (h != o->h || w != o->w) {
        ov_error("%s: image is %lldx%lld (HxW) but %lldx%lld was expected (frames of one clip must share a size)",
                 o->name, (long long)h, (long long)w, (long long)o->h, (long long)o->w);
        return NULL;
    }
    return o->dst;
}

int ov_image_decode_into(const void *data, size_t n, const char *name, int64_t h, int64_t w, uint8_t *dst) {
    BufOut o = {name, h, w, dst};
    return decode(data, n, name, alloc_buffer, &o);
}

int ov_image_size(const void *data, size_t n, const char *name, int64_t *h, int64_t *w) {
    BufOut o = {name, -1, -1, NULL};
    decode(data, n, name, alloc_buffer, &o);
    if (o.h < 0) return -1; /* the header itself was bad: the decoder's message stands */
    ov_clear_error();
    *h = o.h;
    *w = o.w;
    return 0;
}

/* ---- writing ---- */

int ov_image_write_png(const char *path, const ovTensor *img) {
    int c = img->ndim == 2 ? 1 : img->ndim == 3 ? (int)img->shape[2] : 0;
    if (img->dtype != OV_U8 || ov_device(img) != OV_DEV_CPU || (c != 1 && c != 3 && c != 4))
        return ov_error("%s: PNG writing takes a u8 CPU tensor [H,W], [H,W,1], [H,W,3] or [H,W,4]", path);
    int64_t h = img->shape[0], w = img->shape[1];
    if (h < 1 || w < 1 || h > (1 << 20) || w > (1 << 20))
        return ov_error("%s: cannot write an image of %lldx%lld pixels", path, (long long)h, (long long)w);
    /* gather the view into a packed buffer (the tensor may be strided) */
    uint8_t *px = malloc((size_t)(h * w * c));
    if (!px) return ov_error("%s: out of memory", path);
    const uint8_t *base = ov_data_ptr(img);
    int64_t sc = img->ndim == 3 ? img->stride[2] : 0;
    for (int64_t y = 0; y < h; y++)
        for (int64_t x = 0; x < w; x++)
            for (int k = 0; k < c; k++)
                px[(y * w + x) * c + k] = base[y * img->stride[0] + x * img->stride[1] + k * sc];
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(px);
        return ov_error("%s: cannot create: %s", tmp, strerror(errno));
    }
    int rc = ov_png_encode(f, path, px, h, w, c);
    free(px);
    if (fclose(f) && rc == 0) rc = ov_error("%s: write error: %s", path, strerror(errno));
    if (rc == 0 && rename(tmp, path)) rc = ov_error("%s: cannot rename the finished file into place: %s", path, strerror(errno));
    if (rc) remove(tmp);
    return rc;
}
