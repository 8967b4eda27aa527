/* rowwise.c: the row walker of rowwise.h. */
#include "kernels/cpu/rowwise.h"

#include <string.h>

static void set_width(ovRows *r, int64_t width) {
    int m = r->ndim - 1;
    int64_t lines = 1;
    for (int d = 0; d + 1 < m; d++) lines *= r->shape[d];
    int64_t span = m ? r->shape[m - 1] : 1;
    r->width = width;
    r->per_line = (span + width - 1) / width;
    r->items = r->n ? lines * r->per_line : 0;
}

void ov_rows_init(ovRows *r, int nv, const ovKView *const *views, unsigned unit) {
    memset(r, 0, sizeof *r);
    const ovKView *v0 = views[0];
    r->nv = nv;
    int nd = v0->ndim;
    r->n = nd ? v0->shape[nd - 1] : 1;
    if (nd) {
        for (int k = 0; k < nv; k++) r->kstep[k] = views[k] ? views[k]->stride[nd - 1] : 0;
    }
    /* the other dims, size-1 ones dropped and neighbours merged where every view allows it */
    int m = 0;
    for (int d = 0; d + 1 < nd; d++) {
        int64_t s = v0->shape[d];
        if (s == 1) continue;
        bool merge = m > 0;
        for (int k = 0; k < nv && merge; k++) {
            int64_t st = views[k] ? views[k]->stride[d] : 0;
            merge = r->stride[k][m - 1] == st * s;
        }
        if (merge) {
            r->shape[m - 1] *= s;
            for (int k = 0; k < nv; k++) r->stride[k][m - 1] = views[k] ? views[k]->stride[d] : 0;
            continue;
        }
        r->shape[m] = s;
        for (int k = 0; k < nv; k++) r->stride[k][m] = views[k] ? views[k]->stride[d] : 0;
        m++;
    }
    r->ndim = m + 1;
    bool block = m > 0 && r->shape[m - 1] > 1;
    for (int k = 0; k < nv && block; k++)
        if (unit >> k & 1) block = r->stride[k][m - 1] == 1 && r->kstep[k] != 1;
    for (int k = 0; k < nv; k++) r->rstep[k] = m ? r->stride[k][m - 1] : 0;
    set_width(r, block ? OV_ROWS_BLOCK : 1);
}

void ov_rows_init_single(ovRows *r, int nv, const ovKView *const *views) {
    ov_rows_init(r, nv, views, 0);
    set_width(r, 1);
}

int64_t ov_rows_at(const ovRows *r, int64_t i, int64_t *off) {
    int m = r->ndim - 1;
    int64_t line = i / r->per_line, a0 = i % r->per_line * r->width;
    for (int k = 0; k < r->nv; k++) off[k] = m ? a0 * r->stride[k][m - 1] : 0;
    for (int d = m - 2; d >= 0; d--) {
        int64_t j = line % r->shape[d];
        line /= r->shape[d];
        for (int k = 0; k < r->nv; k++) off[k] += j * r->stride[k][d];
    }
    int64_t span = m ? r->shape[m - 1] : 1;
    return span - a0 < r->width ? span - a0 : r->width;
}
