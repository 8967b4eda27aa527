/* attention.cu: scaled dot-product attention on the device (torch's
 * F.scaled_dot_product_attention, math path), the CUDA twin of kernels/cpu/attention.c:
 *     P = softmax(scale * Q K^T + mask), causal: j > i masked too;  out = P V
 * The products are batched cuBLAS GEMMs (blas.h) with the scale folded into alpha; between them
 * one kernel applies the causal rule and the additive or bool mask as it reads the scores and runs
 * softmax.cuh's row softmax in place. The backward:
 *     dV = P^T dO;  dP = dO V^T + dp;  dS = P * (dP - rowsum(dP * P));  dQ = scale dS K;
 *     dK = scale dS^T Q
 * with dS from the softmax backward kernel of norm.cu, in place on a scratch buffer. */
#include "kernels/cuda/attention.h"
#include "kernels/cuda/blas.h"
#include "kernels/cuda/device.h"
#include "kernels/cuda/norm.h"
#include "kernels/cuda/softmax.cuh"

struct Dims {
    int64_t B, L, S, E, Ev; /* batch (all leading dims), query and key lengths, q/k and v widths */
};

static Dims dims_of(const ovKView *q, const ovKView *k, const ovKView *v) {
    int nd = q->ndim;
    Dims d = {1, q->shape[nd - 2], k->shape[nd - 2], q->shape[nd - 1], v->shape[nd - 1]};
    for (int i = 0; i < nd - 2; i++) d.B *= q->shape[i];
    return d;
}

/* Score j of a row: -inf past the causal limit, else the scaled product plus the additive mask,
 * or -inf where the bool mask is false. */
struct MaskedScores {
    const float *p, *mf;
    const uint8_t *mb;
    int64_t mk, last; /* last: the last position the row may attend to */
    __device__ __forceinline__ float operator()(int64_t j) const {
        if (j > last) return -INFINITY;
        float s = p[j];
        if (mf) s += mf[j * mk];
        else if (mb && !mb[j * mk]) s = -INFINITY;
        return s;
    }
};

/* views: p (contiguous scores [B*L, S]), mask (f32 or bool, broadcast to p's shape, or absent) */
template <class G>
__global__ void ROW_BOUNDS attn_softmax_kernel(ovRows R, float *P, const float *mf, const uint8_t *mb,
                                                                   int64_t L, bool causal) {
    OV_SHARED(F2, scratch, 32);
    G g(scratch);
    for (int64_t r = g.first(); r < R.items; r += g.step()) {
        int64_t off[2];
        row_offsets<2>(R, r, off);
        MaskedScores src = {P + off[0], mf ? mf + off[1] : NULL, mb ? mb + off[1] : NULL, R.kstep[1],
                            causal ? r % L : R.n};
        softmax_row(g, src, P + off[0], 1, R.n, false);
    }
}

extern "C" {

void ov_ksdpa_cuda(const ovKView *out, const ovKView *p, const ovKView *q, const ovKView *k, const ovKView *v,
                   const ovKView *mask, bool causal, float scale) {
    Dims d = dims_of(q, k, v);
    float *P = kv_f32(p);
    ov_sgemm_batched_cuda(false, true, d.L, d.S, d.E, scale, kv_f32(q), d.E, d.L * d.E, kv_f32(k), d.E, d.S * d.E,
                          0.0f, P, d.S, d.L * d.S, d.B);
    ovRows R;
    const ovKView *views[] = {p, mask};
    ov_rows_init_single(&R, 2, views);
    const float *mf = mask && mask->dtype == OV_F32 ? kv_f32(mask) : NULL;
    const uint8_t *mb = mask && mask->dtype == OV_BOOL ? kv_u8(mask) : NULL;
    if (mask && !mf && !mb) ov_panic("sdpa: the mask must be f32 or bool, got %s", ov_dtype_name(mask->dtype));
    ROW_LAUNCH(attn_softmax_kernel, R, row_mode(R, 0), P, mf, mb, d.L, causal);
    ov_sgemm_batched_cuda(false, false, d.L, d.Ev, d.S, 1.0f, P, d.S, d.L * d.S, kv_f32(v), d.Ev, d.S * d.Ev, 0.0f,
                          kv_f32(out), d.Ev, d.L * d.Ev, d.B);
}

void ov_ksdpa_backward_cuda(const ovKView *dq, const ovKView *dk, const ovKView *dv, const ovKView *dout,
                            const ovKView *dp, const ovKView *q, const ovKView *k, const ovKView *v, const ovKView *p,
                            float scale) {
    Dims d = dims_of(q, k, v);
    int64_t np = d.B * d.L * d.S;
    size_t bytes = (size_t)(np ? np : 1) * sizeof(float);
    const float *P = kv_f32(p);
    float *ds = (float *)ov_cuda_alloc(bytes); /* dP, then dS, shaped like p */
    if (dp) ov_cuda_copy(ds, kv_f32(dp), (size_t)np * sizeof(float), OV_COPY_D2D);
    if (dout) {
        const float *dO = kv_f32(dout);
        ov_sgemm_batched_cuda(true, false, d.S, d.Ev, d.L, 1.0f, P, d.S, d.L * d.S, dO, d.Ev, d.L * d.Ev, 0.0f,
                              kv_f32(dv), d.Ev, d.S * d.Ev, d.B);
        ov_sgemm_batched_cuda(false, true, d.L, d.S, d.Ev, 1.0f, dO, d.Ev, d.L * d.Ev, kv_f32(v), d.Ev, d.S * d.Ev,
                              dp ? 1.0f : 0.0f, ds, d.S, d.L * d.S, d.B);
    } else {
        ov_cuda_memset(kv_f32(dv), 0, (size_t)(d.B * d.S * d.Ev) * sizeof(float));
        if (!dp) ov_cuda_memset(ds, 0, (size_t)np * sizeof(float));
    }
    ovKView dsv = *p;
    dsv.data = ds;
    ov_ksoftmax_backward_cuda(&dsv, &dsv, p, false);
    ov_sgemm_batched_cuda(false, false, d.L, d.E, d.S, scale, ds, d.S, d.L * d.S, kv_f32(k), d.E, d.S * d.E, 0.0f,
                          kv_f32(dq), d.E, d.L * d.E, d.B);
    ov_sgemm_batched_cuda(true, false, d.S, d.E, d.L, scale, ds, d.S, d.L * d.S, kv_f32(q), d.E, d.L * d.E, 0.0f,
                          kv_f32(dk), d.E, d.S * d.E, d.B);
    ov_cuda_free(ds, bytes);
}

} /* extern "C" */
