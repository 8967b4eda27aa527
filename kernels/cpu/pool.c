/* pool.c: fast pooling kernels (see pool.h). For each output position along each dim the window
 * start and its range of taps inside the input are computed once, so the inner loops carry no
 * bounds checks; (n, c) planes are split among OpenMP threads, and each plane's gradient scatter
 * stays inside one thread (no atomics, deterministic). */
#include "kernels/cpu/pool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAR_MIN (1 << 16) /* taps below which threads cost more than they save */

/* Window o along one dim: inputs start + k*d for k in [lo, hi) lie inside [0, in); div is this
 * dim's factor of the average's divisor (see ov_avg_divisor: both forms are products over dims). */
typedef struct {
    int64_t start, lo, hi, div;
} Win;

/* Windows of the three dims, in one allocation: w[0][0..out0), w[1][0..out1), w[2][0..out2). */
typedef struct {
    Win *w[3];
    Win *mem;
} Wins;

static Wins windows(const ovPoolParams *p, const int64_t *in, const int64_t *out) {
    Wins ws;
    ws.mem = malloc((size_t)(out[0] + out[1] + out[2] + 1) * sizeof(Win));
    if (!ws.mem) {
        fprintf(stderr, "pooling: out of memory for window tables\n");
        abort();
    }
    Win *at = ws.mem;
    for (int i = 0; i < 3; i++) {
        ws.w[i] = at;
        for (int64_t o = 0; o < out[i]; o++, at++) {
            int64_t start, lo, hi;
            ov_pool_taps(o, p->k[i], p->s[i], p->p[i], p->d[i], in[i], &start, &lo, &hi);
            *at = (Win){start, lo, hi, ov_avg_divisor_dim(start, p->k[i], p->p[i], in[i], p->count_include_pad)};
        }
    }
    return ws;
}

static int64_t vol(const int64_t *s) { return s[0] * s[1] * s[2]; }

void ov_kmax_pool_fast(const ovKView *y, const ovKView *idx, const ovKView *x, const ovPoolParams *p) {
    const int64_t *I = x->shape + 2, *O = y->shape + 2;
    int64_t C = y->shape[1], planes = y->shape[0] * C, V = vol(O);
    Wins ws = windows(p, I, O);
    float *Y = kv_f32(y);
    int64_t *X_idx = idx && idx->data ? kv_i64(idx) : NULL;
    const float *X = kv_f32(x);
    const int64_t xs2 = x->stride[2], xs3 = x->stride[3], xs4 = x->stride[4];
#pragma omp parallel for schedule(static) if (planes > 1 && planes * V * p->k[0] * p->k[1] * p->k[2] >= PAR_MIN)
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *xp = X + (pl / C) * x->stride[0] + (pl % C) * x->stride[1];
        float *yp = Y + pl * V;
        int64_t *ip = X_idx ? X_idx + pl * V : NULL;
        for (int64_t od = 0; od < O[0]; od++) {
            Win wd = ws.w[0][od];
            for (int64_t oh = 0; oh < O[1]; oh++) {
                Win wh = ws.w[1][oh];
                for (int64_t ow = 0; ow < O[2]; ow++) {
                    Win ww = ws.w[2][ow];
                    float best = -INFINITY;
                    int64_t at = -1;
                    for (int64_t kd = wd.lo; kd < wd.hi; kd++) {
                        int64_t id = wd.start + kd * p->d[0];
                        for (int64_t kh = wh.lo; kh < wh.hi; kh++) {
                            int64_t ih = wh.start + kh * p->d[1];
                            const float *row = xp + id * xs2 + ih * xs3;
                            int64_t pos = (id * I[1] + ih) * I[2];
                            for (int64_t kw = ww.lo; kw < ww.hi; kw++) {
                                int64_t iw = ww.start + kw * p->d[2];
                                float v = row[iw * xs4];
                                if (ov_max_takes(v, best, at)) {
                                    best = v;
                                    at = pos + iw;
                                }
                            }
                        }
                    }
                    int64_t o = (od * O[1] + oh) * O[2] + ow;
                    yp[o] = best;
                    if (ip) ip[o] = at;
                }
            }
        }
    }
    free(ws.mem);
}

void ov_kmax_pool_backward_fast(const ovKView *gx, const ovKView *gy, const ovKView *idx, const ovPoolParams *p) {
    (void)p;
    const int64_t *O = gy->shape + 2;
    int64_t C = gx->shape[1], planes = gx->shape[0] * C, Vin = vol(gx->shape + 2), V = vol(O);
    float *GX = kv_f32(gx);
    const float *GY = kv_f32(gy);
    const int64_t *IDX = kv_i64(idx);
#pragma omp parallel for schedule(static) if (planes > 1 && planes * (V + Vin) >= PAR_MIN)
    for (int64_t pl = 0; pl < planes; pl++) {
        int64_t n = pl / C, c = pl % C;
        float *gp = GX + pl * Vin;
        memset(gp, 0, (size_t)Vin * sizeof(float));
        const float *g = GY + n * gy->stride[0] + c * gy->stride[1];
        const int64_t *ix = IDX + n * idx->stride[0] + c * idx->stride[1];
        for (int64_t od = 0; od < O[0]; od++)
            for (int64_t oh = 0; oh < O[1]; oh++)
                for (int64_t ow = 0; ow < O[2]; ow++) {
                    int64_t i = ix[od * idx->stride[2] + oh * idx->stride[3] + ow * idx->stride[4]];
                    if (i >= 0) gp[i] += g[od * gy->stride[2] + oh * gy->stride[3] + ow * gy->stride[4]];
                }
    }
}

void ov_kavg_pool_fast(const ovKView *y, const ovKView *x, const ovPoolParams *p) {
    const int64_t *I = x->shape + 2, *O = y->shape + 2;
    int64_t C = y->shape[1], planes = y->shape[0] * C, V = vol(O);
    Wins ws = windows(p, I, O);
    float *Y = kv_f32(y);
    const float *X = kv_f32(x);
    const int64_t xs2 = x->stride[2], xs3 = x->stride[3], xs4 = x->stride[4];
#pragma omp parallel for schedule(static) if (planes > 1 && planes * V * p->k[0] * p->k[1] * p->k[2] >= PAR_MIN)
    for (int64_t pl = 0; pl < planes; pl++) {
        const float *xp = X + (pl / C) * x->stride[0] + (pl % C) * x->stride[1];
        float *yp = Y + pl * V;
        for (int64_t od = 0; od < O[0]; od++) {
            Win wd = ws.w[0][od];
            for (int64_t oh = 0; oh < O[1]; oh++) {
                Win wh = ws.w[1][oh];
                for (int64_t ow = 0; ow < O[2]; ow++) {
                    Win ww = ws.w[2][ow];
                    float s = 0;
                    for (int64_t kd = wd.lo; kd < wd.hi; kd++)
                        for (int64_t kh = wh.lo; kh < wh.hi; kh++) {
                            int64_t row = (wd.start + kd) * xs2 + (wh.start + kh) * xs3 + ww.start * xs4;
                            for (int64_t kw = ww.lo; kw < ww.hi; kw++) s += xp[row + kw * xs4];
                        }
                    yp[(od * O[1] + oh) * O[2] + ow] = s / (float)(wd.div * wh.div * ww.div);
                }
            }
        }
    }
    free(ws.mem);
}

void ov_kavg_pool_backward_fast(const ovKView *gx, const ovKView *gy, const ovPoolParams *p) {
    const int64_t *I = gx->shape + 2, *O = gy->shape + 2;
    int64_t C = gx->shape[1], planes = gx->shape[0] * C, Vin = vol(I);
    Wins ws = windows(p, I, O);
    float *GX = kv_f32(gx);
    const float *GY = kv_f32(gy);
#pragma omp parallel for schedule(static) if (planes > 1 && planes * vol(O) * p->k[0] * p->k[1] * p->k[2] >= PAR_MIN)
    for (int64_t pl = 0; pl < planes; pl++) {
        float *gp = GX + pl * Vin;
        memset(gp, 0, (size_t)Vin * sizeof(float));
        const float *g = GY + (pl / C) * gy->stride[0] + (pl % C) * gy->stride[1];
        for (int64_t od = 0; od < O[0]; od++) {
            Win wd = ws.w[0][od];
            for (int64_t oh = 0; oh < O[1]; oh++) {
                Win wh = ws.w[1][oh];
                for (int64_t ow = 0; ow < O[2]; ow++) {
                    Win ww = ws.w[2][ow];
                    float v = g[od * gy->stride[2] + oh * gy->stride[3] + ow * gy->stride[4]] /
                              (float)(wd.div * wh.div * ww.div);
                    for (int64_t kd = wd.lo; kd < wd.hi; kd++)
                        for (int64_t kh = wh.lo; kh < wh.hi; kh++) {
                            int64_t row = ((wd.start + kd) * I[1] + wh.start + kh) * I[2] + ww.start;
                            for (int64_t kw = ww.lo; kw < ww.hi; kw++) gp[row + kw] += v;
                        }
                }
            }
        }
    }
    free(ws.mem);
}
