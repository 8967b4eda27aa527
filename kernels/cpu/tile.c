/* tile.c: torch.Tensor.repeat, F.pad (constant mode) and torch.flip: copies where each output
 * element comes from one computed input position (see index.h). */
#include "kernels/cpu/index.h"
#include "kernels/cpu/index_rows.h"

/* ---------------- repeat ---------------- */

void ov_krepeat_ref(const ovKView *out, const ovKView *x) {
    size_t esz = ov_dtype_size(out->dtype);
    int64_t n = kv_numel(out), c[OV_KMAX_DIMS];
    for (int64_t i = 0; i < n; i++) {
        kidx_unravel(out->ndim, out->shape, i, c);
        int64_t xo = 0;
        for (int d = 0; d < out->ndim; d++) xo += (c[d] % x->shape[d]) * x->stride[d];
        memcpy(kidx_at(out, kv_offset(out, i), esz), kidx_at(x, xo, esz), esz);
    }
}

void ov_krepeat_fast(const ovKView *out, const ovKView *x) {
    size_t esz = ov_dtype_size(out->dtype);
    int64_t total = kv_numel(out);
    int nd = out->ndim;
    if (total == 0) return;
    if (nd == 0 || !kv_is_contiguous(out)) {
        ov_krepeat_ref(out, x);
        return;
    }
    /* 1. x's block at the origin of out, each row tiled along the last dim (by doubling) */
    ovKRows it0;
    kv_rows_init(&it0, 2, (const ovKView *[]){x, out}); /* rows of x, and where they go in out */
    int64_t xn = x->shape[nd - 1], L = out->shape[nd - 1];
#pragma omp parallel if (total > OV_KINDEX_PAR)
    {
        int64_t r0, r1;
        ov_thread_range(it0.rows, &r0, &r1);
        ovKRows it = it0;
        if (r0 < r1) kv_rows_seek(&it, r0);
        for (int64_t r = r0; r < r1; r++, kv_rows_next(&it)) {
            char *orow = kidx_at(out, it.off[1], esz);
            ov_row_copy(orow, kidx_at(x, it.off[0], esz), xn, 1, it.step[0], esz);
            for (int64_t done = xn; done < L;) {
                int64_t k = done < L - done ? done : L - done;
                memcpy(orow + done * (int64_t)esz, orow, (size_t)k * esz);
                done += k;
            }
        }
    }
    /* 2. innermost first, the block [x.shape[d], out.shape[d+1:]] (one span of out) at each
     * position of the dims before d is copied repeats[d] - 1 times after itself */
    for (int d = nd - 2; d >= 0; d--) {
        int64_t reps = out->shape[d] / x->shape[d], block = x->shape[d] * out->stride[d];
        if (reps <= 1) continue;
        int64_t P = kidx_count(x->shape, 0, d);
#pragma omp parallel for schedule(static) if (total > OV_KINDEX_PAR)
        for (int64_t p = 0; p < P; p++) {
            char *base = kidx_at(out, kidx_sub_offset(x->shape, out->stride, 0, d, p), esz);
            size_t bytes = (size_t)block * esz;
            for (int64_t k = 1; k < reps; k++) memcpy(base + (size_t)k * bytes, base, bytes);
        }
    }
}

/* ---------------- pad ---------------- */

void ov_kpad_ref(const ovKView *out, const ovKView *x, const int64_t *lo, double value) {
    size_t esz = ov_dtype_size(out->dtype);
    int64_t n = kv_numel(out), c[OV_KMAX_DIMS];
    for (int64_t i = 0; i < n; i++) {
        kidx_unravel(out->ndim, out->shape, i, c);
        int64_t xo = 0;
        bool inside = true;
        for (int d = 0; d < out->ndim; d++) {
            int64_t s = c[d] - lo[d];
            inside &= s >= 0 && s < x->shape[d];
            xo += s * x->stride[d];
        }
        if (inside)
            memcpy(kidx_at(out, kv_offset(out, i), esz), kidx_at(x, xo, esz), esz);
        else
            kv_store(out->dtype, out->data, kv_offset(out, i), value);
    }
}

void ov_kpad_fast(const ovKView *out, const ovKView *x, const int64_t *lo, double value) {
    size_t esz = ov_dtype_size(out->dtype);
    int64_t total = kv_numel(out);
    int nd = out->ndim;
    if (total == 0) return;
    if (nd == 0) {
        memcpy(out->data, x->data, esz);
        return;
    }
    uint64_t fill = 0; /* the value as one element of out's dtype */
    kv_store(out->dtype, &fill, 0, value);
    ovKRows it0;
    kv_rows_init(&it0, 1, (const ovKView *[]){out});
    int64_t L = out->shape[nd - 1], lo_last = lo[nd - 1], xn = x->shape[nd - 1], xs = x->stride[nd - 1];
    /* output columns [i0, i1) come from x, the others are padding */
    int64_t i0 = lo_last > 0 ? lo_last : 0, i1 = lo_last + xn < L ? lo_last + xn : L;
    if (i1 < i0) i1 = i0;
#pragma omp parallel if (total > OV_KINDEX_PAR)
    {
        int64_t r0, r1;
        ov_thread_range(it0.rows, &r0, &r1);
        ovKRows it = it0;
        if (r0 < r1) kv_rows_seek(&it, r0);
        for (int64_t r = r0; r < r1; r++, kv_rows_next(&it)) {
            char *orow = kidx_at(out, it.off[0], esz);
            int64_t os = it.step[0], xo = 0;
            bool inside = i1 > i0;
            for (int d = 0; d < nd - 1 && inside; d++) {
                int64_t s = it.idx[d] - lo[d];
                inside = s >= 0 && s < x->shape[d];
                xo += s * x->stride[d];
            }
            if (!inside) {
                ov_row_fill(orow, &fill, L, os, esz);
                continue;
            }
            ov_row_fill(orow, &fill, i0, os, esz);
            ov_row_copy(orow + i0 * os * (int64_t)esz, kidx_at(x, xo + (i0 - lo_last) * xs, esz), i1 - i0, os, xs,
                          esz);
            ov_row_fill(orow + i1 * os * (int64_t)esz, &fill, L - i1, os, esz);
        }
    }
}

/* ---------------- flip ---------------- */

void ov_kflip_ref(const ovKView *out, const ovKView *x, unsigned dims) {
    size_t esz = ov_dtype_size(out->dtype);
    int64_t n = kv_numel(out), c[OV_KMAX_DIMS];
    for (int64_t i = 0; i < n; i++) {
        kidx_unravel(out->ndim, out->shape, i, c);
        int64_t xo = 0;
        for (int d = 0; d < out->ndim; d++) xo += ((dims >> d & 1) ? x->shape[d] - 1 - c[d] : c[d]) * x->stride[d];
        memcpy(kidx_at(out, kv_offset(out, i), esz), kidx_at(x, xo, esz), esz);
    }
}

/* n elements of s read backwards (s[0], s[-1], ...) into d; written so that it vectorises. */
static void reverse_span(void *d, const void *s, int64_t n, size_t esz) {
#define REVERSE(T)                                                                  \
    for (int64_t i = 0; i < n; i++) ((T *)d)[i] = ((const T *)s)[-i]; \
    break
    switch (esz) {
    case 1: REVERSE(uint8_t);
    case 2: REVERSE(uint16_t);
    case 4: REVERSE(uint32_t);
    default: REVERSE(uint64_t);
    }
#undef REVERSE
}

void ov_kflip_fast(const ovKView *out, const ovKView *x, unsigned dims) {
    int64_t total = kv_numel(out);
    if (total == 0) return;
    /* x seen from its far end along the flipped dims, with those strides negated: a copy by rows */
    ovKView r = *x;
    size_t esz = ov_dtype_size(x->dtype);
    for (int d = 0; d < x->ndim; d++)
        if (dims >> d & 1) {
            r.data = kidx_at(&r, (x->shape[d] - 1) * x->stride[d], esz);
            r.stride[d] = -x->stride[d];
        }
    if (x->ndim == 0) {
        memcpy(out->data, x->data, esz);
        return;
    }
    ovKRows it0;
    kv_rows_init(&it0, 2, (const ovKView *[]){out, &r});
#pragma omp parallel if (total > OV_KINDEX_PAR)
    {
        int64_t r0, r1;
        ov_thread_range(it0.rows, &r0, &r1);
        ovKRows it = it0;
        if (r0 < r1) kv_rows_seek(&it, r0);
        for (int64_t row = r0; row < r1; row++, kv_rows_next(&it)) {
            char *o = kidx_at(out, it.off[0], esz);
            const char *src = kidx_at(&r, it.off[1], esz);
            if (it.step[0] == 1 && it.step[1] == -1) /* the last dim flipped and contiguous */
                reverse_span(o, src, it.inner, esz);
            else
                ov_row_copy(o, src, it.inner, it.step[0], it.step[1], esz);
        }
    }
}
