/* vision_check.c: named-tensor comparison for parity checks (see vision_check.h). */
#include "models/vision_check.h"

#include <math.h>

#include "autograd/ops.h"
#include "tensor/dtype.h"

double ov_tensor_rel_error(const ovTensor *got, const ovTensor *want, int64_t *where) {
    *where = 0;
    if (!ov_same_shape(got, want)) return -1;
    ovTensor *a = ov_to_device((ovTensor *)got, OV_DEV_CPU), *b = ov_to_device((ovTensor *)want, OV_DEV_CPU);
    int64_t n = ov_numel(b);
    if (!ov_dtype_is_float(b->dtype) || !ov_dtype_is_float(a->dtype)) {
        for (int64_t i = 0; i < n; i++)
            if (ov_get_flat(a, i) != ov_get_flat(b, i)) {
                *where = i;
                return INFINITY;
            }
        return 0;
    }
    double ss = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = ov_get_flat(b, i);
        ss += isfinite(v) ? v * v : 0;
    }
    double rms = n ? sqrt(ss / (double)n) : 0, worst = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = ov_get_flat(a, i), y = ov_get_flat(b, i);
        if (x == y || (isnan(x) && isnan(y))) continue;
        double d = isfinite(x) && isfinite(y) ? fabs(x - y) / (fabs(y) + rms + 1e-30) : INFINITY;
        if (!(d <= worst)) worst = d, *where = i;
    }
    return worst;
}

int ov_compare_dicts(const ovTensorDict *got, const ovTensorDict *want, double tol, FILE *report, int *compared) {
    int bad = 0, n = 0;
    for (int i = 0; i < want->n; i++) {
        ovTensor *g = ov_dict_get(got, want->names[i]), *w = want->tensors[i];
        if (!g) continue;
        n++;
        char sg[96], sw[96];
        int64_t at;
        double e = ov_tensor_rel_error(g, w, &at);
        bool ok = e >= 0 && e <= tol;
        bad += !ok;
        if (!report) continue;
        if (e < 0)
            fprintf(report, "%-24s shape %s, reference %s: MISMATCH\n", want->names[i], ov_shape_str(g->ndim, g->shape, sg, sizeof sg),
                    ov_shape_str(w->ndim, w->shape, sw, sizeof sw));
        else if (ok)
            fprintf(report, "%-24s %-20s rel err %.2e\n", want->names[i], ov_shape_str(w->ndim, w->shape, sw, sizeof sw), e);
        else
            fprintf(report, "%-24s %-20s rel err %.2e > %.1e at element %lld (%.8g vs %.8g)\n", want->names[i],
                    ov_shape_str(w->ndim, w->shape, sw, sizeof sw), e, tol, (long long)at,
                    ov_get_flat(ov_to_device(g, OV_DEV_CPU), at), ov_get_flat(w, at));
    }
    if (compared) *compared = n;
    return bad;
}
