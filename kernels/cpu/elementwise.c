/* elementwise.c: reference and fast CPU kernels of elementwise.h. */
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/simd.h"

#include "kernels/cpu/rows.h"
#include "kernels/cpu/vmath.h"

#define CHUNK 16384 /* elements per OpenMP work item */

/* ---------------- reference ---------------- */

void ov_kunary_ref(ovUnaryFn f, const ovKView *out, const ovKView *x, float p1, float p2) {
    int64_t n = kv_numel(out);
    for (int64_t i = 0; i < n; i++)
        kv_f32(out)[kv_offset(out, i)] = ov_unary(f, kv_f32(x)[kv_offset(x, i)], p1, p2);
}

void ov_kunary_backward_ref(ovUnaryFn f, const ovKView *gin, const ovKView *g, const ovKView *x,
                            const ovKView *y, float p1, float p2) {
    int64_t n = kv_numel(gin);
    for (int64_t i = 0; i < n; i++) {
        float xv = x ? kv_f32(x)[kv_offset(x, i)] : 0.0f;
        float yv = y ? kv_f32(y)[kv_offset(y, i)] : 0.0f;
        kv_f32(gin)[kv_offset(gin, i)] = kv_f32(g)[kv_offset(g, i)] * ov_unary_deriv(f, xv, yv, p1, p2);
    }
}

void ov_kbinary_ref(ovBinaryFn f, const ovKView *out, const ovKView *a, const ovKView *b) {
    int64_t n = kv_numel(out);
    for (int64_t i = 0; i < n; i++)
        kv_f32(out)[kv_offset(out, i)] = ov_binary(f, kv_f32(a)[kv_offset(a, i)], kv_f32(b)[kv_offset(b, i)]);
}

void ov_kcompare_ref(ovCompareFn f, const ovKView *out, const ovKView *a, const ovKView *b) {
    int64_t n = kv_numel(out);
    for (int64_t i = 0; i < n; i++) {
        float av = (float)kv_load(a->dtype, a->data, kv_offset(a, i));
        float bv = (float)kv_load(b->dtype, b->data, kv_offset(b, i));
        kv_u8(out)[kv_offset(out, i)] = (uint8_t)ov_compare(f, av, bv);
    }
}

void ov_kwhere_ref(const ovKView *out, const ovKView *cond, const ovKView *a, const ovKView *b) {
    int64_t n = kv_numel(out);
    for (int64_t i = 0; i < n; i++)
        kv_f32(out)[kv_offset(out, i)] = kv_u8(cond)[kv_offset(cond, i)] ? kv_f32(a)[kv_offset(a, i)]
                                                                          : kv_f32(b)[kv_offset(b, i)];
}

/* ---------------- fast ---------------- */

/* Contiguous span of a unary function: one specialised loop per function so that the compiler
 * vectorises it; functions without a fast form use the shared formula. */
OV_SIMD static void unary_span(ovUnaryFn f, float *o, const float *x, int64_t n, float p1, float p2) {
#define MAP(expr)                            \
    for (int64_t i = 0; i < n; i++) {        \
        float v = x[i];                      \
        o[i] = (expr);                       \
    }                                        \
    break
    switch (f) {
    case OV_U_NEG: MAP(-v);
    case OV_U_ABS: MAP(__builtin_fabsf(v));
    case OV_U_EXP: MAP(ov_fast_expf(v));
    case OV_U_SQRT: MAP(__builtin_sqrtf(v));
    case OV_U_RSQRT: MAP(1.0f / __builtin_sqrtf(v));
    case OV_U_SIGMOID: MAP(ov_fast_sigmoidf(v));
    case OV_U_TANH: MAP(ov_fast_tanhf(v));
    case OV_U_RELU: MAP(v < 0 ? 0.0f : v);
    case OV_U_GELU_TANH: MAP(0.5f * v * (1.0f + ov_fast_tanhf(OV_SQRT_2_OVER_PI * (v + 0.044715f * v * v * v))));
    case OV_U_QUICK_GELU: MAP(v * ov_fast_sigmoidf(1.702f * v));
    case OV_U_SILU: MAP(v * ov_fast_sigmoidf(v));
    case OV_U_CLAMP: MAP(__builtin_fminf(__builtin_fmaxf(v, p1), p2));
    case OV_U_ADD_SCALAR: MAP(v + p1);
    case OV_U_MUL_SCALAR: MAP(v * p1);
    default: MAP(ov_unary(f, v, p1, p2));
    }
#undef MAP
}

OV_SIMD static void unary_backward_span(ovUnaryFn f, float *gi, const float *g, const float *x, const float *y, int64_t n,
                                float p1, float p2) {
#define MAP(expr)                     \
    for (int64_t i = 0; i < n; i++) { \
        gi[i] = g[i] * (expr);        \
    }                                 \
    break
    switch (f) {
    case OV_U_NEG: MAP(-1.0f);
    case OV_U_EXP: MAP(y[i]);
    case OV_U_SIGMOID: MAP(y[i] * (1.0f - y[i]));
    case OV_U_TANH: MAP(1.0f - y[i] * y[i]);
    case OV_U_RELU: MAP(x[i] > 0 ? 1.0f : 0.0f);
    case OV_U_QUICK_GELU: {
        for (int64_t i = 0; i < n; i++) {
            float s = ov_fast_sigmoidf(1.702f * x[i]);
            gi[i] = g[i] * (s + 1.702f * x[i] * s * (1.0f - s));
        }
        break;
    }
    case OV_U_SILU: {
        for (int64_t i = 0; i < n; i++) {
            float s = ov_fast_sigmoidf(x[i]);
            gi[i] = g[i] * (s * (1.0f + x[i] * (1.0f - s)));
        }
        break;
    }
    case OV_U_MUL_SCALAR: MAP(p1);
    case OV_U_ADD_SCALAR: MAP(1.0f);
    default: MAP(ov_unary_deriv(f, x ? x[i] : 0.0f, y ? y[i] : 0.0f, p1, p2));
    }
#undef MAP
}

/* Runs `span` over the flat range when every view is contiguous, else over rows (element by
 * element when a row is strided). Returns 1 when it handled the contiguous case. */
static int all_contiguous(const ovKView *a, const ovKView *b, const ovKView *c, const ovKView *d) {
    return kv_is_contiguous(a) && (!b || kv_is_contiguous(b)) && (!c || kv_is_contiguous(c)) &&
           (!d || kv_is_contiguous(d));
}

void ov_kunary_fast(ovUnaryFn f, const ovKView *out, const ovKView *x, float p1, float p2) {
    int64_t n = kv_numel(out);
    float *o = kv_f32(out);
    const float *xi = kv_f32(x);
    if (all_contiguous(out, x, NULL, NULL)) {
#pragma omp parallel for schedule(static) if (n > CHUNK)
        for (int64_t s = 0; s < n; s += CHUNK) unary_span(f, o + s, xi + s, n - s < CHUNK ? n - s : CHUNK, p1, p2);
        return;
    }
    ovKRows it0;
    kv_rows_init(&it0, 2, (const ovKView *[]){out, x});
#pragma omp parallel if (n > CHUNK)
    {
        int64_t r0, r1;
        ov_thread_range(it0.rows, &r0, &r1);
        ovKRows it = it0;
        if (r0 < r1) kv_rows_seek(&it, r0);
        for (int64_t r = r0; r < r1; r++, kv_rows_next(&it)) {
            if (it.step[0] == 1 && it.step[1] == 1)
                unary_span(f, o + it.off[0], xi + it.off[1], it.inner, p1, p2);
            else
                for (int64_t i = 0; i < it.inner; i++)
                    o[it.off[0] + i * it.step[0]] = ov_unary(f, xi[it.off[1] + i * it.step[1]], p1, p2);
        }
    }
}

void ov_kunary_backward_fast(ovUnaryFn f, const ovKView *gin, const ovKView *g, const ovKView *x,
                             const ovKView *y, float p1, float p2) {
    int64_t n = kv_numel(gin);
    /* The backward op makes gin contiguous; x, y and g come from the forward and may be views. */
    if (all_contiguous(gin, g, x, y)) {
        float *gi = kv_f32(gin);
        const float *gp = kv_f32(g), *xp = x ? kv_f32(x) : NULL, *yp = y ? kv_f32(y) : NULL;
#pragma omp parallel for schedule(static) if (n > CHUNK)
        for (int64_t s = 0; s < n; s += CHUNK)
            unary_backward_span(f, gi + s, gp + s, xp ? xp + s : NULL, yp ? yp + s : NULL,
                                n - s < CHUNK ? n - s : CHUNK, p1, p2);
        return;
    }
    ov_kunary_backward_ref(f, gin, g, x, y, p1, p2);
}

/* No restrict: ov_acc_ adds in place (o == a). */
OV_SIMD static void binary_span(ovBinaryFn f, float *o, const float *a, int64_t sa, const float *b, int64_t sb, int64_t n) {
    /* sa, sb are 1 (contiguous) or 0 (scalar); the three common patterns get their own loops */
#define LOOP(expr)                                                                         \
    if (sa == 1 && sb == 1)                                                                \
        for (int64_t i = 0; i < n; i++) { float x = a[i], y = b[i]; o[i] = (expr); }       \
    else if (sb == 0)                                                                      \
        for (int64_t i = 0; i < n; i++) { float x = a[i * sa], y = b[0]; o[i] = (expr); }  \
    else                                                                                   \
        for (int64_t i = 0; i < n; i++) { float x = a[0], y = b[i * sb]; o[i] = (expr); }  \
    break
    switch (f) {
    case OV_B_ADD: LOOP(x + y);
    case OV_B_SUB: LOOP(x - y);
    case OV_B_MUL: LOOP(x * y);
    case OV_B_DIV: LOOP(x / y);
    default: LOOP(ov_binary(f, x, y));
    }
#undef LOOP
}

void ov_kbinary_fast(ovBinaryFn f, const ovKView *out, const ovKView *a, const ovKView *b) {
    int64_t n = kv_numel(out);
    float *o = kv_f32(out);
    const float *ap = kv_f32(a), *bp = kv_f32(b);
    if (all_contiguous(out, a, b, NULL)) {
#pragma omp parallel for schedule(static) if (n > CHUNK)
        for (int64_t s = 0; s < n; s += CHUNK) binary_span(f, o + s, ap + s, 1, bp + s, 1, n - s < CHUNK ? n - s : CHUNK);
        return;
    }
    ovKRows it0;
    kv_rows_init(&it0, 3, (const ovKView *[]){out, a, b});
#pragma omp parallel if (n > CHUNK)
    {
        int64_t r0, r1;
        ov_thread_range(it0.rows, &r0, &r1);
        ovKRows it = it0;
        if (r0 < r1) kv_rows_seek(&it, r0);
        for (int64_t r = r0; r < r1; r++, kv_rows_next(&it)) {
            int64_t so = it.step[0], sa = it.step[1], sb = it.step[2];
            if (so == 1 && (sa == 1 || sa == 0) && (sb == 1 || sb == 0) && (sa | sb))
                binary_span(f, o + it.off[0], ap + it.off[1], sa, bp + it.off[2], sb, it.inner);
            else
                for (int64_t i = 0; i < it.inner; i++)
                    o[it.off[0] + i * so] = ov_binary(f, ap[it.off[1] + i * sa], bp[it.off[2] + i * sb]);
        }
    }
}

void ov_kcompare_fast(ovCompareFn f, const ovKView *out, const ovKView *a, const ovKView *b) {
    if (a->dtype != OV_F32 || b->dtype != OV_F32) {
        ov_kcompare_ref(f, out, a, b); /* logical ops on bool masks: small, not worth a fast path */
        return;
    }
    int64_t n = kv_numel(out);
    ovKRows it0;
    kv_rows_init(&it0, 3, (const ovKView *[]){out, a, b});
    uint8_t *o = kv_u8(out);
    const float *ap = kv_f32(a), *bp = kv_f32(b);
#pragma omp parallel if (n > CHUNK)
    {
        int64_t r0, r1;
        ov_thread_range(it0.rows, &r0, &r1);
        ovKRows it = it0;
        if (r0 < r1) kv_rows_seek(&it, r0);
        for (int64_t r = r0; r < r1; r++, kv_rows_next(&it)) {
            for (int64_t i = 0; i < it.inner; i++)
                o[it.off[0] + i * it.step[0]] = (uint8_t)ov_compare(f, ap[it.off[1] + i * it.step[1]], bp[it.off[2] + i * it.step[2]]);
        }
    }
}

void ov_kwhere_fast(const ovKView *out, const ovKView *cond, const ovKView *a, const ovKView *b) {
    int64_t n = kv_numel(out);
    float *o = kv_f32(out);
    const uint8_t *c = kv_u8(cond);
    const float *ap = kv_f32(a), *bp = kv_f32(b);
    if (all_contiguous(out, cond, a, b)) {
#pragma omp parallel for schedule(static) if (n > CHUNK)
        for (int64_t i = 0; i < n; i++) o[i] = c[i] ? ap[i] : bp[i];
        return;
    }
    ovKRows it0;
    kv_rows_init(&it0, 4, (const ovKView *[]){out, cond, a, b});
#pragma omp parallel if (n > CHUNK)
    {
        int64_t r0, r1;
        ov_thread_range(it0.rows, &r0, &r1);
        ovKRows it = it0;
        if (r0 < r1) kv_rows_seek(&it, r0);
        for (int64_t r = r0; r < r1; r++, kv_rows_next(&it)) {
            for (int64_t i = 0; i < it.inner; i++)
                o[it.off[0] + i * it.step[0]] = c[it.off[1] + i * it.step[1]] ? ap[it.off[2] + i * it.step[2]]
                                                                              : bp[it.off[3] + i * it.step[3]];
        }
    }
}
