/* reduce.c: reference and fast sum reductions (see reduce.h). */
#include "kernels/cpu/reduce.h"

#include <stdlib.h>
#include <string.h>

/* out broadcast back to x's shape: stride 0 on the reduced dims. */
static ovKView out_as_x(const ovKView *out, const ovKView *x) {
    ovKView o = *out;
    o.ndim = x->ndim;
    for (int d = 0; d < x->ndim; d++) {
        o.shape[d] = x->shape[d];
        if (out->shape[d] != x->shape[d]) o.stride[d] = 0;
    }
    return o;
}

void ov_ksum_ref(const ovKView *out, const ovKView *x) {
    int64_t m = kv_numel(out), n = kv_numel(x);
    double *acc = calloc((size_t)(m ? m : 1), sizeof *acc);
    /* accumulate by the output's own row-major position */
    ovKView ob = out_as_x(out, x);
    ovKView pos = ob; /* contiguous positions of out, broadcast the same way */
    int64_t s = 1;
    for (int d = out->ndim - 1; d >= 0; d--) {
        pos.stride[d] = out->shape[d] != x->shape[d] ? 0 : s;
        s *= out->shape[d];
    }
    for (int64_t i = 0; i < n; i++) acc[kv_offset(&pos, i)] += kv_f32(x)[kv_offset(x, i)];
    for (int64_t j = 0; j < m; j++) kv_f32(out)[kv_offset(out, j)] = (float)acc[j];
    free(acc);
}

/* Sum of a strided span with 8 independent partial sums (vectorisable, better rounding). */
static float span_sum(const float *p, int64_t n, int64_t step) {
    float part[8] = {0};
    int64_t i = 0;
    if (step == 1)
        for (; i + 8 <= n; i += 8)
            for (int k = 0; k < 8; k++) part[k] += p[i + k];
    float s = 0;
    for (; i < n; i++) s += p[i * step];
    for (int k = 0; k < 8; k++) s += part[k];
    return s;
}

void ov_ksum_fast(const ovKView *out, const ovKView *x) {
    int nd = x->ndim;
    int64_t n = kv_numel(x);
    if (nd == 0 || n == 0) {
        ov_ksum_ref(out, x);
        return;
    }
    ovKView ob = out_as_x(out, x);
    bool last_reduced = out->shape[nd - 1] != x->shape[nd - 1];
    float *o = kv_f32(out);
    const float *xp = kv_f32(x);
    if (last_reduced) {
        /* Each output j sums one block: xkept locates the block's start in x, okept the output's
         * position in out, and red walks the reduced dims inside the block. */
        ovKView xkept = *x, okept = *out, red = *x;
        int nk = 0, nr = 0;
        for (int d = 0; d < nd; d++) {
            if (out->shape[d] != x->shape[d]) {
                red.shape[nr] = x->shape[d];
                red.stride[nr++] = x->stride[d];
            } else {
                xkept.shape[nk] = okept.shape[nk] = x->shape[d];
                xkept.stride[nk] = x->stride[d];
                okept.stride[nk] = out->stride[d];
                nk++;
            }
        }
        xkept.ndim = okept.ndim = nk;
        red.ndim = nr;
        int64_t m = kv_numel(&xkept);
        ovKRows r0;
        kv_rows_init(&r0, 1, (const ovKView *[]){&red});
#pragma omp parallel for schedule(static) if (n > 32768)
        for (int64_t j = 0; j < m; j++) {
            const float *base = xp + kv_offset(&xkept, j);
            float s = 0;
            for (int64_t r = 0; r < r0.rows; r++) {
                ovKRows it = r0;
                kv_rows_seek(&it, r);
                s += span_sum(base + it.off[0], it.inner, it.step[0]);
            }
            o[kv_offset(&okept, j)] = s;
        }
        return;
    }
    /* The last dim is kept: add whole rows of x into rows of out, columns split among threads. */
    int64_t inner = x->shape[nd - 1];
    int64_t m = kv_numel(out);
    for (int64_t j = 0; j < m; j++) o[kv_offset(out, j)] = 0;
    ovKRows r0;
    kv_rows_init(&r0, 2, (const ovKView *[]){x, &ob});
    int64_t cols = 256;
#pragma omp parallel for schedule(static) if (n > 32768)
    for (int64_t c0 = 0; c0 < inner; c0 += cols) {
        int64_t c1 = c0 + cols < inner ? c0 + cols : inner;
        for (int64_t r = 0; r < r0.rows; r++) {
            ovKRows it = r0;
            kv_rows_seek(&it, r);
            float *orow = o + it.off[1];
            const float *xrow = xp + it.off[0];
            int64_t so = it.step[1], sx = it.step[0];
            for (int64_t i = c0; i < c1; i++) orow[i * so] += xrow[i * sx];
        }
    }
}
