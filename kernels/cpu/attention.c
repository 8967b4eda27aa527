/* attention.c: reference and fast scaled dot-product attention (see attention.h). Both run the
 * same steps: batched products (the textbook double-accumulating GEMM for the reference, gemm.h's
 * fast batched GEMM otherwise, with the scale folded into alpha), the causal triangle set to -inf,
 * and the masked softmax of softmax.h in place on the scores. The backward reuses softmax.h's
 * backward row kernel for dS = P * (dP - rowsum(dP * P)). */
#include "kernels/cpu/attention.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/softmax.h"

typedef struct {
    int64_t B, L, S, E, Ev; /* batch (all leading dims), query and key lengths, q/k and v widths */
} Dims;

static Dims dims_of(const ovKView *q, const ovKView *k, const ovKView *v) {
    int nd = q->ndim;
    Dims d = {1, q->shape[nd - 2], k->shape[nd - 2], q->shape[nd - 1], v->shape[nd - 1]};
    for (int i = 0; i < nd - 2; i++) d.B *= q->shape[i];
    return d;
}

/* C_b = alpha op(A_b) op(B_b) + beta C_b for every batch b */
static void gemm(bool ref, bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float *A, int64_t lda,
                 int64_t sa, const float *B, int64_t ldb, int64_t sb, float beta, float *C, int64_t ldc, int64_t sc,
                 int64_t batch) {
    if (!ref) {
        ov_sgemm_batched(ta, tb, M, N, K, alpha, A, lda, sa, B, ldb, sb, beta, C, ldc, sc, batch);
        return;
    }
    for (int64_t b = 0; b < batch; b++)
        ov_sgemm_ref(ta, tb, M, N, K, alpha, A + b * sa, lda, B + b * sb, ldb, beta, C + b * sc, ldc);
}

static void sdpa(bool ref, const ovKView *out, const ovKView *p, const ovKView *q, const ovKView *k, const ovKView *v,
                 const ovKView *mask, bool causal, float scale) {
    Dims d = dims_of(q, k, v);
    float *P = kv_f32(p);
    gemm(ref, false, true, d.L, d.S, d.E, scale, kv_f32(q), d.E, d.L * d.E, kv_f32(k), d.E, d.S * d.E, 0.0f, P, d.S,
         d.L * d.S, d.B);
    if (causal) {
#pragma omp parallel for schedule(static) if (d.B * d.L * d.S > 65536)
        for (int64_t row = 0; row < d.B * d.L; row++) {
            float *pr = P + row * d.S;
            for (int64_t j = row % d.L + 1; j < d.S; j++) pr[j] = -INFINITY;
        }
    }
    if (ref)
        ov_ksoftmax_ref(p, p, mask, false);
    else
        ov_ksoftmax_fast(p, p, mask, false);
    gemm(ref, false, false, d.L, d.Ev, d.S, 1.0f, P, d.S, d.L * d.S, kv_f32(v), d.Ev, d.S * d.Ev, 0.0f, kv_f32(out),
         d.Ev, d.L * d.Ev, d.B);
}

static void sdpa_backward(bool ref, const ovKView *dq, const ovKView *dk, const ovKView *dv, const ovKView *dout,
                          const ovKView *dp, const ovKView *q, const ovKView *k, const ovKView *v, const ovKView *p,
                          float scale) {
    Dims d = dims_of(q, k, v);
    int64_t np = d.B * d.L * d.S;
    const float *P = kv_f32(p);
    ovKView dsv = *p; /* dP, then dS, in a scratch buffer shaped like p */
    float *ds = malloc((size_t)(np ? np : 1) * sizeof *ds);
    dsv.data = ds;
    if (dp) memcpy(ds, kv_f32(dp), (size_t)np * sizeof *ds);
    if (dout) {
        const float *dO = kv_f32(dout);
        gemm(ref, true, false, d.S, d.Ev, d.L, 1.0f, P, d.S, d.L * d.S, dO, d.Ev, d.L * d.Ev, 0.0f, kv_f32(dv), d.Ev,
             d.S * d.Ev, d.B);
        gemm(ref, false, true, d.L, d.S, d.Ev, 1.0f, dO, d.Ev, d.L * d.Ev, kv_f32(v), d.Ev, d.S * d.Ev, dp ? 1.0f : 0.0f,
             ds, d.S, d.L * d.S, d.B);
    } else {
        memset(kv_f32(dv), 0, (size_t)(d.B * d.S * d.Ev) * sizeof(float));
        if (!dp) memset(ds, 0, (size_t)np * sizeof *ds);
    }
    if (ref)
        ov_ksoftmax_backward_ref(&dsv, &dsv, p, false);
    else
        ov_ksoftmax_backward_fast(&dsv, &dsv, p, false);
    gemm(ref, false, false, d.L, d.E, d.S, scale, ds, d.S, d.L * d.S, kv_f32(k), d.E, d.S * d.E, 0.0f, kv_f32(dq), d.E,
         d.L * d.E, d.B);
    gemm(ref, true, false, d.S, d.E, d.L, scale, ds, d.S, d.L * d.S, kv_f32(q), d.E, d.L * d.E, 0.0f, kv_f32(dk), d.E,
         d.S * d.E, d.B);
    free(ds);
}

void ov_ksdpa_ref(const ovKView *out, const ovKView *p, const ovKView *q, const ovKView *k, const ovKView *v,
                  const ovKView *mask, bool causal, float scale) {
    sdpa(true, out, p, q, k, v, mask, causal, scale);
}

void ov_ksdpa_fast(const ovKView *out, const ovKView *p, const ovKView *q, const ovKView *k, const ovKView *v,
                   const ovKView *mask, bool causal, float scale) {
    sdpa(false, out, p, q, k, v, mask, causal, scale);
}

void ov_ksdpa_backward_ref(const ovKView *dq, const ovKView *dk, const ovKView *dv, const ovKView *dout,
                           const ovKView *dp, const ovKView *q, const ovKView *k, const ovKView *v, const ovKView *p,
                           float scale) {
    sdpa_backward(true, dq, dk, dv, dout, dp, q, k, v, p, scale);
}

void ov_ksdpa_backward_fast(const ovKView *dq, const ovKView *dk, const ovKView *dv, const ovKView *dout,
                            const ovKView *dp, const ovKView *q, const ovKView *k, const ovKView *v, const ovKView *p,
                            float scale) {
    sdpa_backward(false, dq, dk, dv, dout, dp, q, k, v, p, scale);
}
