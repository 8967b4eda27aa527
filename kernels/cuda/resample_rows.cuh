/* resample_rows.cuh: the launch shape shared by the resampling kernels (kernels/cuda/interpolate.cu,
 * grid_sample.cu, roi_align.cu) that walk an output as rows by columns: threadIdx.x runs along the
 * last dim, so neighbouring threads touch neighbouring elements, and the per-row divisions and
 * coordinate work are paid once per row instead of once per element. */
#ifndef OV_CUDA_RESAMPLE_ROWS_CUH
#define OV_CUDA_RESAMPLE_ROWS_CUH

#include "kernels/cuda/common.cuh"

#define OV_ROW_X 32 /* threads along a row */
#define OV_ROW_Y 8  /* rows per block */

/* A 2-D grid over rows x cols with about as many blocks as a grid-stride loop over rows * cols
 * would take (ov_grid keeps that small under the emulator); kernels stride over both. */
static inline dim3 ov_row_grid(int64_t rows, int64_t cols) {
    unsigned total = ov_grid(rows * cols, OV_ROW_X * OV_ROW_Y);
    unsigned gx = ov_blocks(cols, OV_ROW_X);
    if (gx > total) gx = total;
    unsigned gy = total / gx, need = ov_blocks(rows, OV_ROW_Y);
    if (gy > need) gy = need;
    return dim3(gx, gy < 1 ? 1 : gy);
}

#endif
