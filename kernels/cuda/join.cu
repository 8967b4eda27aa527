/* join.cu: torch.cat (and torch.stack, fed as a cat of views with a new size-1 dim) on the device
 * (kernels/cpu/index.h). With everything contiguous, out is [outer, row] and input k fills the
 * columns [col_k, col_k + len_k) of every row from its own [outer, len_k]: one launch copies up
 * to CAT_BATCH inputs, consecutive threads on consecutive columns (coalesced on both sides).
 * A strided input is one strided copy into its window of out. */
#include "kernels/cuda/copy.h"
#include "kernels/cuda/index_common.cuh"

#define CAT_BATCH 8

/* Inputs of one launch: input k covers virtual columns [v[k], v[k+1]) of the launch (the inputs
 * side by side, leaving out the others) and lands at column col[k] of out's rows. */
struct CatBatch {
    int n;
    int64_t v[CAT_BATCH + 1];
    int64_t col[CAT_BATCH];
    const void *src[CAT_BATCH];
};

template <typename T, typename I>
__global__ void cat_kernel(T *out, CatBatch b, int64_t outer, int64_t row) {
    I width = (I)b.v[b.n];
    OV_GRID_LOOP(I, i, outer * width) {
        I o = i / width, c = i - o * width;
        int k = 0;
        while (k + 1 < b.n && c >= (I)b.v[k + 1]) k++;
        I len = (I)(b.v[k + 1] - b.v[k]), ck = c - (I)b.v[k];
        out[(int64_t)o * row + b.col[k] + ck] = ((const T *)b.src[k])[(int64_t)o * len + ck];
    }
}

template <typename T, typename I>
static void launch_cat(void *out, const CatBatch *b, int64_t outer, int64_t row) {
    int64_t n = outer * b->v[b->n];
    OV_LAUNCH((cat_kernel<T, I>), ov_grid(n, 256), 256, 0, 0, (T *)out, *b, outer, row);
}

static void flush(const ovKView *out, CatBatch *b, int64_t outer, int64_t row) {
    size_t esz = ov_dtype_size(out->dtype);
    if (b->n && outer * b->v[b->n] > 0) OV_INDEX_DISPATCH(esz, outer * row, launch_cat, out->data, b, outer, row);
    b->n = 0;
}

extern "C" void ov_kcat_cuda(const ovKView *out, int n, const ovKView *ins, int dim) {
    if (kv_numel(out) == 0) return;
    size_t esz = ov_dtype_size(out->dtype);
    bool out_flat = kv_is_contiguous(out);
    int64_t outer = kidx_count(out->shape, 0, dim), inner = kidx_count(out->shape, dim + 1, out->ndim);
    int64_t row = out->shape[dim] * inner, start = 0;
    CatBatch b;
    b.n = 0;
    b.v[0] = 0;
    for (int k = 0; k < n; k++) {
        int64_t len = ins[k].shape[dim];
        if (len && out_flat && kv_is_contiguous(&ins[k])) {
            b.src[b.n] = ins[k].data;
            b.col[b.n] = start * inner;
            b.v[b.n + 1] = b.v[b.n] + len * inner;
            if (++b.n == CAT_BATCH) flush(out, &b, outer, row);
        } else if (len) { /* out narrowed to the input's window */
            ovKView w = *out;
            w.shape[dim] = len;
            w.data = (char *)out->data + start * out->stride[dim] * (int64_t)esz;
            ov_kcopy_cuda(&w, &ins[k]);
        }
        start += len;
    }
    flush(out, &b, outer, row);
}
