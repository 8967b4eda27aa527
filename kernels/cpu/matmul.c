/* matmul.c: batched matrix products over kernel views (see matmul.h). */
#include "kernels/cpu/matmul.h"

#include <stdlib.h>

#include "kernels/cpu/copy.h"
#include "kernels/cpu/gemm.h"

/* Contiguous copy of the matrix at batch offset `off` of v (rows x cols, last two dims). */
static void gather_matrix(const ovKView *v, int64_t off, float *dst) {
    int nd = v->ndim;
    int64_t R = v->shape[nd - 2], C = v->shape[nd - 1], sr = v->stride[nd - 2], sc = v->stride[nd - 1];
    const float *src = kv_f32(v) + off;
    for (int64_t i = 0; i < R; i++)
        for (int64_t j = 0; j < C; j++) dst[i * C + j] = src[i * sr + j * sc];
}

/* The batch dims of v alone (every dim but the last two), for kv_offset. */
static ovKView batch_view(const ovKView *v) {
    ovKView b = *v;
    b.ndim = v->ndim - 2;
    return b;
}

void ov_kmatmul_ref(const ovKView *out, const ovKView *a, const ovKView *b) {
    int nd = out->ndim;
    int64_t M = out->shape[nd - 2], N = out->shape[nd - 1], K = a->shape[nd - 1];
    ovKView ob = batch_view(out), ab = batch_view(a), bb = batch_view(b);
    int64_t batch = kv_numel(&ob);
    float *am = malloc(sizeof(float) * (size_t)(M * K + 1)), *bm = malloc(sizeof(float) * (size_t)(K * N + 1));
    float *cm = malloc(sizeof(float) * (size_t)(M * N + 1));
    for (int64_t t = 0; t < batch; t++) {
        gather_matrix(a, kv_offset(&ab, t), am);
        gather_matrix(b, kv_offset(&bb, t), bm);
        ov_sgemm_ref(false, false, M, N, K, 1.0f, am, K, bm, N, 0.0f, cm, N);
        float *o = kv_f32(out) + kv_offset(&ob, t);
        for (int64_t i = 0; i < M; i++)
            for (int64_t j = 0; j < N; j++) o[i * out->stride[nd - 2] + j * out->stride[nd - 1]] = cm[i * N + j];
    }
    free(am), free(bm), free(cm);
}

/* How ov_sgemm reads the matrices of v (rows x cols): row-major with leading dimension ld, or
 * transposed (column-major) with leading dimension ld. False if neither has unit stride. */
static bool gemm_layout(const ovKView *v, bool *trans, int64_t *ld) {
    int nd = v->ndim;
    int64_t R = v->shape[nd - 2], C = v->shape[nd - 1], sr = v->stride[nd - 2], sc = v->stride[nd - 1];
    if (sc == 1 || C == 1) { /* rows contiguous; with one row the leading dimension is never used */
        *trans = false;
        *ld = R == 1 ? C : sr;
        return true;
    }
    if (sr == 1 || R == 1) {
        *trans = true;
        *ld = sc;
        return true;
    }
    return false;
}

/* Replaces v by a contiguous copy of the elements it reaches: broadcast (stride-0) dims are
 * copied once and keep stride 0. Returns the buffer, of *bytes bytes, to give back to be->release. */
static float *compact_copy(ovKView *v, const ovMatmulBackend *be, size_t *bytes) {
    ovKView src = *v, dst = *v;
    int64_t s = 1;
    for (int d = v->ndim - 1; d >= 0; d--) {
        if (v->stride[d] == 0) src.shape[d] = 1;
        dst.shape[d] = src.shape[d];
        dst.stride[d] = s;
        s *= src.shape[d];
    }
    *bytes = sizeof(float) * (size_t)(s ? s : 1);
    float *buf = be->alloc(*bytes);
    dst.data = buf;
    be->copy(&dst, &src);
    for (int d = 0; d < v->ndim; d++) v->stride[d] = v->stride[d] == 0 ? 0 : dst.stride[d];
    v->data = buf;
    return buf;
}

void ov_kmatmul_with(const ovMatmulBackend *be, const ovKView *out, const ovKView *a0, const ovKView *b0) {
    int nd = out->ndim;
    int64_t M = out->shape[nd - 2], N = out->shape[nd - 1], K = a0->shape[nd - 1];
    if (kv_numel(out) == 0) return;
    ovKView a = *a0, b = *b0;
    bool ta = false, tb = false;
    int64_t lda = 1, ldb = 1; /* K = 0: the operands are never read */
    float *abuf = NULL, *bbuf = NULL;
    size_t abytes = 0, bbytes = 0;
    if (K > 0 && !gemm_layout(&a, &ta, &lda)) {
        abuf = compact_copy(&a, be, &abytes);
        gemm_layout(&a, &ta, &lda);
    }
    if (K > 0 && !gemm_layout(&b, &tb, &ldb)) {
        bbuf = compact_copy(&b, be, &bbytes);
        gemm_layout(&b, &tb, &ldb);
    }
    int64_t ldc = M == 1 ? N : out->stride[nd - 2];
    /* batch dims: drop size-1 ones, merge neighbours whose strides chain in all three views; the
     * innermost merged dim is one batched call, the outer ones an odometer */
    int nb = 0;
    int64_t shape[OV_KMAX_DIMS], sa[OV_KMAX_DIMS], sb[OV_KMAX_DIMS], so[OV_KMAX_DIMS];
    for (int d = 0; d < nd - 2; d++) {
        if (out->shape[d] == 1) continue;
        if (nb > 0 && sa[nb - 1] == a.stride[d] * out->shape[d] && sb[nb - 1] == b.stride[d] * out->shape[d] &&
            so[nb - 1] == out->stride[d] * out->shape[d]) {
            shape[nb - 1] *= out->shape[d];
            sa[nb - 1] = a.stride[d], sb[nb - 1] = b.stride[d], so[nb - 1] = out->stride[d];
            continue;
        }
        shape[nb] = out->shape[d], sa[nb] = a.stride[d], sb[nb] = b.stride[d], so[nb] = out->stride[d];
        nb++;
    }
    int64_t inner = nb ? shape[nb - 1] : 1, isa = nb ? sa[nb - 1] : 0, isb = nb ? sb[nb - 1] : 0,
            iso = nb ? so[nb - 1] : 0;
    int64_t outer = 1;
    for (int d = 0; d < nb - 1; d++) outer *= shape[d];
    for (int64_t t = 0; t < outer; t++) {
        int64_t oa = 0, ob = 0, oo = 0, r = t;
        for (int d = nb - 2; d >= 0; d--) {
            int64_t i = r % shape[d];
            r /= shape[d];
            oa += i * sa[d], ob += i * sb[d], oo += i * so[d];
        }
        be->gemm(ta, tb, M, N, K, 1.0f, kv_f32(&a) + oa, lda, isa, kv_f32(&b) + ob, ldb, isb, 0.0f, kv_f32(out) + oo,
                 ldc, iso, inner);
    }
    if (abuf) be->release(abuf, abytes);
    if (bbuf) be->release(bbuf, bbytes);
}

static void *host_alloc(size_t n) {
    void *p = malloc(n);
    if (!p) abort();
    return p;
}

static void host_release(void *p, size_t n) {
    (void)n;
    free(p);
}

void ov_kmatmul_fast(const ovKView *out, const ovKView *a, const ovKView *b) {
    static const ovMatmulBackend cpu = {ov_sgemm_batched, ov_kcopy_fast, host_alloc, host_release};
    ov_kmatmul_with(&cpu, out, a, b);
}
