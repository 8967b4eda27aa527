/* reduce.c: the reduction plan (reduce_plan.h) and the reference reductions of reduce.h, written
 * for obvious correctness: every output gathers its elements through kv_offset and reduces them in
 * double, two passes where the formula needs a statistic first (var: the mean, logsumexp: the
 * max), following torch's definitions (torch.var's correction, logsumexp's infinite-max rule). */
#include "kernels/cpu/reduce.h"

#include <math.h>

#include "kernels/cpu/reduce_plan.h"

/* Appends dim (size, stride) to v, merging it into the previous dim when contiguous with it. */
static void push_dim(ovKView *v, int64_t size, int64_t stride, bool merge) {
    int k = v->ndim;
    if (merge && k > 0 && v->stride[k - 1] == stride * size) {
        v->shape[k - 1] *= size;
        v->stride[k - 1] = stride;
        return;
    }
    v->shape[k] = size;
    v->stride[k] = stride;
    v->ndim = k + 1;
}

void ov_red_plan(ovRedPlan *p, const ovKView *out, const ovKView *idx, const ovKView *x, bool merge) {
    const ovKView *o = out ? out : idx;
    p->xk = p->red = *x;
    p->ok = out ? *out : *idx;
    p->ik = idx ? *idx : *o;
    p->xk.ndim = p->ok.ndim = p->ik.ndim = p->red.ndim = 0;
    p->m = p->n = 1;
    for (int d = 0; d < x->ndim; d++) {
        int64_t s = x->shape[d];
        if (s == 1) continue;
        if (o->shape[d] != s) {
            push_dim(&p->red, s, x->stride[d], merge);
            p->n *= s;
            continue;
        }
        /* kept dims merge only where x, out and idx all allow it */
        int k = p->xk.ndim;
        bool can = merge && k > 0 && p->xk.stride[k - 1] == x->stride[d] * s &&
                   p->ok.stride[k - 1] == (out ? out->stride[d] : 0) * s &&
                   p->ik.stride[k - 1] == (idx ? idx->stride[d] : 0) * s;
        push_dim(&p->xk, s, x->stride[d], can);
        push_dim(&p->ok, s, out ? out->stride[d] : 0, can);
        push_dim(&p->ik, s, idx ? idx->stride[d] : 0, can);
        p->m *= s;
    }
}

/* ---------------- reference ---------------- */

void ov_kreduce_ref(ovRedKind kind, const ovKView *out, const ovKView *idx, const ovKView *x, double param) {
    ovRedPlan p;
    ov_red_plan(&p, out, idx, x, false);
    const float *xp = kv_f32(x);
    for (int64_t j = 0; j < p.m; j++) {
        const float *b = xp + kv_offset(&p.xk, j);
#define AT(i) ((double)b[kv_offset(&p.red, (i))])
        double r = 0, s = 0, c = 0;
        int64_t bi = 0;
        switch (kind) {
        case OV_RED_SUM:
        case OV_RED_MEAN:
            for (int64_t i = 0; i < p.n; i++) s += AT(i);
            r = kind == OV_RED_MEAN ? s / (double)p.n : s;
            break;
        case OV_RED_NORM:
            for (int64_t i = 0; i < p.n; i++) s += AT(i) * AT(i);
            r = sqrt(s);
            break;
        case OV_RED_VAR:
            for (int64_t i = 0; i < p.n; i++) c += AT(i);
            c /= (double)p.n;
            for (int64_t i = 0; i < p.n; i++) s += (AT(i) - c) * (AT(i) - c);
            r = s / fmax((double)p.n - param, 0.0);
            break;
        case OV_RED_LSE:
            c = -INFINITY;
            for (int64_t i = 0; i < p.n; i++)
                if (ov_red_beats(OV_RED_MAX, AT(i), c)) c = AT(i);
            if (isinf(c)) c = 0; /* all -inf gives -inf, any +inf gives +inf */
            for (int64_t i = 0; i < p.n; i++) s += exp(AT(i) - c);
            r = c + log(s);
            break;
        case OV_RED_MAX:
        case OV_RED_MIN:
            r = p.n ? AT(0) : NAN;
            for (int64_t i = 1; i < p.n; i++)
                if (ov_red_beats(kind, AT(i), r)) {
                    r = AT(i);
                    bi = i;
                }
            break;
        }
#undef AT
        if (out) kv_f32(out)[kv_offset(&p.ok, j)] = (float)r;
        if (idx) kv_i64(idx)[kv_offset(&p.ik, j)] = bi;
    }
}

void ov_ksum_ref(const ovKView *out, const ovKView *x) { ov_kreduce_ref(OV_RED_SUM, out, NULL, x, 0); }
void ov_ksum_fast(const ovKView *out, const ovKView *x) { ov_kreduce_fast(OV_RED_SUM, out, NULL, x, 0); }
