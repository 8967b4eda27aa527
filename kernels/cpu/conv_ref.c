/* conv_ref.c: reference convolution kernels (see conv.h): the definitions of conv, its transpose
 * and its weight gradient written as direct sums, in double, one output element at a time. The
 * transpose is written as a gather (for each output, the inputs that reach it), not as the
 * scatter that the fast kernel does, so the two check each other. */
#include "kernels/cpu/conv.h"

static inline int64_t off5(const ovKView *v, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e) {
    return a * v->stride[0] + b * v->stride[1] + c * v->stride[2] + d * v->stride[3] + e * v->stride[4];
}

static inline float at5(const ovKView *v, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e) {
    return kv_f32(v)[off5(v, a, b, c, d, e)];
}

static inline double bias_of(const ovKView *b, int64_t co) {
    return b && b->data ? (double)kv_f32(b)[co * b->stride[0]] : 0.0;
}

/* Input position of output o through kernel tap k along dim i; -1 when outside [0, in). */
static inline int64_t tap(const ovConvParams *p, int i, int64_t o, int64_t k, int64_t in) {
    int64_t x = o * p->stride[i] - p->pad[i] + k * p->dil[i];
    return x >= 0 && x < in ? x : -1;
}

/* Input position that reaches output j through tap k in the transpose (x*s - p + k*d = j); -1 if none. */
static inline int64_t tap_t(const ovConvParams *p, int i, int64_t j, int64_t k, int64_t in) {
    int64_t t = j + p->pad[i] - k * p->dil[i];
    if (t < 0 || t % p->stride[i]) return -1;
    return t / p->stride[i] < in ? t / p->stride[i] : -1;
}

void ov_kconv_ref(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b, const ovConvParams *p) {
    int64_t N = y->shape[0], Cout = y->shape[1], Cg = w->shape[1], Mg = Cout / p->groups;
    const int64_t *I = x->shape + 2, *O = y->shape + 2, *K = w->shape + 2;
    for (int64_t n = 0; n < N; n++)
        for (int64_t co = 0; co < Cout; co++)
            for (int64_t od = 0; od < O[0]; od++)
                for (int64_t oh = 0; oh < O[1]; oh++)
                    for (int64_t ow = 0; ow < O[2]; ow++) {
                        double s = bias_of(b, co);
                        int64_t cbase = co / Mg * Cg;
                        for (int64_t ci = 0; ci < Cg; ci++)
                            for (int64_t kd = 0; kd < K[0]; kd++) {
                                int64_t id = tap(p, 0, od, kd, I[0]);
                                if (id < 0) continue;
                                for (int64_t kh = 0; kh < K[1]; kh++) {
                                    int64_t ih = tap(p, 1, oh, kh, I[1]);
                                    if (ih < 0) continue;
                                    for (int64_t kw = 0; kw < K[2]; kw++) {
                                        int64_t iw = tap(p, 2, ow, kw, I[2]);
                                        if (iw < 0) continue;
                                        s += (double)at5(x, n, cbase + ci, id, ih, iw) * at5(w, co, ci, kd, kh, kw);
                                    }
                                }
                            }
                        kv_f32(y)[off5(y, n, co, od, oh, ow)] = (float)s;
                    }
}

void ov_kconv_transpose_ref(const ovKView *y, const ovKView *x, const ovKView *w, const ovKView *b,
                            const ovConvParams *p) {
    int64_t N = y->shape[0], Cout = y->shape[1], Cog = w->shape[1], Cig = x->shape[1] / p->groups;
    const int64_t *I = x->shape + 2, *O = y->shape + 2, *K = w->shape + 2;
    for (int64_t n = 0; n < N; n++)
        for (int64_t co = 0; co < Cout; co++)
            for (int64_t od = 0; od < O[0]; od++)
                for (int64_t oh = 0; oh < O[1]; oh++)
                    for (int64_t ow = 0; ow < O[2]; ow++) {
                        double s = bias_of(b, co);
                        int64_t g = co / Cog, cw = co % Cog;
                        for (int64_t ci = g * Cig; ci < (g + 1) * Cig; ci++)
                            for (int64_t kd = 0; kd < K[0]; kd++) {
                                int64_t id = tap_t(p, 0, od, kd, I[0]);
                                if (id < 0) continue;
                                for (int64_t kh = 0; kh < K[1]; kh++) {
                                    int64_t ih = tap_t(p, 1, oh, kh, I[1]);
                                    if (ih < 0) continue;
                                    for (int64_t kw = 0; kw < K[2]; kw++) {
                                        int64_t iw = tap_t(p, 2, ow, kw, I[2]);
                                        if (iw < 0) continue;
                                        s += (double)at5(x, n, ci, id, ih, iw) * at5(w, ci, cw, kd, kh, kw);
                                    }
                                }
                            }
                        kv_f32(y)[off5(y, n, co, od, oh, ow)] = (float)s;
                    }
}

void ov_kconv_wgrad_ref(const ovKView *gw, const ovKView *x, const ovKView *gy, const ovConvParams *p) {
    int64_t N = gy->shape[0], Cout = gw->shape[0], Cg = gw->shape[1], Mg = Cout / p->groups;
    const int64_t *I = x->shape + 2, *O = gy->shape + 2, *K = gw->shape + 2;
    for (int64_t co = 0; co < Cout; co++)
        for (int64_t ci = 0; ci < Cg; ci++)
            for (int64_t kd = 0; kd < K[0]; kd++)
                for (int64_t kh = 0; kh < K[1]; kh++)
                    for (int64_t kw = 0; kw < K[2]; kw++) {
                        double s = 0;
                        int64_t cx = co / Mg * Cg + ci;
                        for (int64_t n = 0; n < N; n++)
                            for (int64_t od = 0; od < O[0]; od++) {
                                int64_t id = tap(p, 0, od, kd, I[0]);
                                if (id < 0) continue;
                                for (int64_t oh = 0; oh < O[1]; oh++) {
                                    int64_t ih = tap(p, 1, oh, kh, I[1]);
                                    if (ih < 0) continue;
                                    for (int64_t ow = 0; ow < O[2]; ow++) {
                                        int64_t iw = tap(p, 2, ow, kw, I[2]);
                                        if (iw < 0) continue;
                                        s += (double)at5(gy, n, co, od, oh, ow) * at5(x, n, cx, id, ih, iw);
                                    }
                                }
                            }
                        kv_f32(gw)[off5(gw, co, ci, kd, kh, kw)] = (float)s;
                    }
}
