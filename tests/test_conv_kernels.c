/* test_conv_kernels.c: the fast convolution kernels (kernels/cpu/conv.c) and their CUDA twins
 * (kernels/cuda/conv.cu, on the emulator or a GPU) against the reference with the column chunk
 * forced small, so that chunks start and end mid-row and mid-plane on every path (im2col, patch,
 * 1x1x1), for conv, its transpose and its weight gradient, on contiguous and non-contiguous
 * inputs; on the device also chunks of several whole images that leave a remainder. The op-level
 * tests (test_ops) cover the rest. */
#include <float.h>
#include <math.h>

#include "autograd/ops.h"
#include "kernels/cpu/conv.h"
#include "kernels/cuda/conv.h"
#include "kernels/cuda/device.h"
#include "tensor/create.h"
#include "tensor/kview_of.h"
#include "tests/check_util.h"

static bool have_device; /* the CUDA twins run too (emulated, or a GPU under make gpu-test) */

typedef struct {
    const char *name;
    int64_t x[5], w[5], s[3], p[3], d[3], groups;
} Geo;

static const Geo geos[] = {
    {"pad1 3x3x3", {2, 5, 4, 6, 7}, {4, 5, 3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, 1},
    {"groups, dilation, strides", {1, 4, 6, 7, 5}, {6, 2, 2, 3, 1}, {2, 1, 2}, {0, 1, 0}, {1, 2, 1}, 2},
    {"patch (1,4,4)", {2, 3, 2, 9, 10}, {4, 3, 1, 4, 4}, {1, 4, 4}, {0, 0, 0}, {1, 1, 1}, 1},
    {"1x1x1", {2, 6, 3, 4, 5}, {3, 6, 1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {1, 1, 1}, 1},
    {"2-D (depth 1) stride 2", {2, 4, 1, 9, 8}, {6, 2, 1, 3, 3}, {1, 2, 2}, {0, 1, 1}, {1, 1, 1}, 2},
    {"patch, threaded", {1, 8, 4, 64, 64}, {4, 8, 1, 8, 8}, {1, 8, 8}, {0, 0, 0}, {1, 1, 1}, 1},
    {"3 images, groups", {3, 4, 3, 5, 4}, {4, 2, 2, 2, 3}, {1, 2, 1}, {1, 0, 1}, {1, 1, 2}, 2},
};

/* x with its last two dims stored swapped when `transposed`. */
static ovTensor *input(const int64_t *shape, bool transposed, uint64_t seed) {
    ovGenerator g = ov_generator(seed);
    if (!transposed) return ov_randn(5, shape, 0, 1, &g);
    int64_t st[5] = {shape[0], shape[1], shape[2], shape[4], shape[3]};
    ovTensor *base = ov_randn(5, st, 0, 1, &g);
    int64_t stride[5] = {base->stride[0], base->stride[1], base->stride[2], base->stride[4], base->stride[3]};
    return ov_view_of(base, 5, shape, stride, 0);
}

static void expect_close(const char *geo, const char *what, int64_t cols, ovTensor *fast, ovTensor *ref) {
    int64_t where;
    double d = ov_rel_diff(fast, ref, &where);
    ck_assert_msg(d >= 0 && d <= 64 * FLT_EPSILON, "%s, %s, chunk %lld: fast vs reference %.3g at %lld", geo, what,
                  (long long)cols, d, (long long)where);
}

/* t on the device with the same geometry (the whole storage goes over, so views stay views). */
static ovTensor *to_device(const ovTensor *t) {
    ovStorage *st = ov_storage_new(t->storage->nbytes, OV_DEV_CUDA);
    ov_cuda_copy(st->data, t->storage->data, t->storage->nbytes, OV_COPY_H2D);
    int64_t n = (int64_t)(t->storage->nbytes / ov_dtype_size(t->dtype));
    ovTensor *whole = ov_from_storage(st, t->dtype, 1, &n, 0);
    ov_storage_release(st);
    return ov_view_of(whole, t->ndim, t->shape, t->stride, t->offset);
}

START_TEST(test_chunked_matches_reference) {
    const Geo *G = &geos[_i];
    ovConvParams p = {{G->s[0], G->s[1], G->s[2]}, {G->p[0], G->p[1], G->p[2]}, {G->d[0], G->d[1], G->d[2]}, G->groups};
    int64_t yshape[5] = {G->x[0], G->w[0]};
    for (int i = 0; i < 3; i++)
        yshape[2 + i] = (G->x[2 + i] + 2 * p.pad[i] - p.dil[i] * (G->w[2 + i] - 1) - 1) / p.stride[i] + 1;
    static const int64_t chunks[] = {1, 5, 37, 0};
    for (int layout = 0; layout < 2; layout++) {
        ov_scope_begin();
        ovTensor *x = input(G->x, layout, 10 + (uint64_t)_i), *w = input(G->w, layout, 20 + (uint64_t)_i);
        ovTensor *gy = input(yshape, layout, 30 + (uint64_t)_i);
        ovGenerator gb = ov_generator(40);
        ovTensor *b = ov_randn(1, &G->w[0], 0, 1, &gb), *bt = ov_randn(1, &G->x[1], 0, 1, &gb);
        ovKView xv = ov_kview(x), wv = ov_kview(w), gyv = ov_kview(gy), bv = ov_kview(b), btv = ov_kview(bt);
        ovTensor *y_r = ov_empty(5, yshape, OV_F32), *xt_r = ov_empty(5, G->x, OV_F32), *gw_r = ov_empty(5, G->w, OV_F32);
        ovKView yr = ov_kview(y_r), xtr = ov_kview(xt_r), gwr = ov_kview(gw_r);
        ov_kconv_ref(&yr, &xv, &wv, &bv, &p);
        ov_kconv_transpose_ref(&xtr, &gyv, &wv, &btv, &p);
        ov_kconv_wgrad_ref(&gwr, &xv, &gyv, &p);
        for (int c = 0; c < 4; c++) {
            ov_kconv_set_chunk_cols(chunks[c]);
            ovTensor *y_f = ov_empty(5, yshape, OV_F32), *xt_f = ov_empty(5, G->x, OV_F32),
                     *gw_f = ov_empty(5, G->w, OV_F32);
            ovKView yf = ov_kview(y_f), xtf = ov_kview(xt_f), gwf = ov_kview(gw_f);
            ov_kconv_fast(&yf, &xv, &wv, &bv, &p);
            ov_kconv_transpose_fast(&xtf, &gyv, &wv, &btv, &p);
            ov_kconv_wgrad_fast(&gwf, &xv, &gyv, &p);
            expect_close(G->name, "conv", chunks[c], y_f, y_r);
            expect_close(G->name, "transpose", chunks[c], xt_f, xt_r);
            expect_close(G->name, "weight gradient", chunks[c], gw_f, gw_r);
        }
        ov_kconv_set_chunk_cols(0);
        if (!have_device) {
            ov_scope_end();
            continue;
        }
        /* the device: the small chunks where they stay few (each is several emulated launches),
         * chunks of two whole images (the 3-image case leaves one over), and the automatic size */
        ovTensor *xd = to_device(x), *wd = to_device(w), *gyd = to_device(gy), *bd = to_device(b), *btd = to_device(bt);
        ovKView xdv = ov_kview(xd), wdv = ov_kview(wd), gydv = ov_kview(gyd), bdv = ov_kview(bd), btdv = ov_kview(btd);
        int64_t S = yshape[2] * yshape[3] * yshape[4], cuda_chunks[] = {1, 5, 37, 2 * S, 0};
        for (int c = 0; c < 5; c++) {
            if (cuda_chunks[c] * 8 < S) continue;
            ov_kconv_set_chunk_cols_cuda(cuda_chunks[c]);
            ovTensor *y_d = ov_empty_on(OV_DEV_CUDA, 5, yshape, OV_F32);
            ovTensor *xt_d = ov_empty_on(OV_DEV_CUDA, 5, G->x, OV_F32), *gw_d = ov_empty_on(OV_DEV_CUDA, 5, G->w, OV_F32);
            ovKView yd = ov_kview(y_d), xtd = ov_kview(xt_d), gwd = ov_kview(gw_d);
            ov_kconv_cuda(&yd, &xdv, &wdv, &bdv, &p);
            ov_kconv_transpose_cuda(&xtd, &gydv, &wdv, &btdv, &p);
            ov_kconv_wgrad_cuda(&gwd, &xdv, &gydv, &p);
            expect_close(G->name, "CUDA conv", cuda_chunks[c], ov_to_device(y_d, OV_DEV_CPU), y_r);
            expect_close(G->name, "CUDA transpose", cuda_chunks[c], ov_to_device(xt_d, OV_DEV_CPU), xt_r);
            expect_close(G->name, "CUDA weight gradient", cuda_chunks[c], ov_to_device(gw_d, OV_DEV_CPU), gw_r);
        }
        ov_kconv_set_chunk_cols_cuda(0);
        ov_scope_end();
    }
}
END_TEST

int main(void) {
    have_device = ov_test_have_device("conv_kernels");
    Suite *s = suite_create("conv_kernels");
    TCase *tc = tcase_create("chunks");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_chunked_matches_reference, 0, (int)(sizeof geos / sizeof geos[0]));
    suite_add_tcase(s, tc);
    int failed = ov_run_suite(s);
    ov_cuda_empty_cache();
    return failed ? 1 : 0;
}
