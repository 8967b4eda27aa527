/* ap.c: VOC every-point and ACT trapezoid average precision (see ap.h). */
#include "eval/ap.h"

#include <stdlib.h>

#include "eval/util.h"

double ov_ap_voc_pr(const double *precision, const double *recall, long n) {
    /* mrec = [0, R..., 1], mpre = [0, P..., 0] */
    double *mrec = ov_ev_alloc((size_t)(n + 2) * sizeof *mrec);
    double *mpre = ov_ev_alloc((size_t)(n + 2) * sizeof *mpre);
    mrec[0] = 0;
    mpre[0] = 0;
    for (long i = 0; i < n; i++) {
        mrec[i + 1] = recall[i];
        mpre[i + 1] = precision[i];
    }
    mrec[n + 1] = 1;
    mpre[n + 1] = 0;
    for (long i = n; i >= 0; i--)
        if (mpre[i + 1] > mpre[i]) mpre[i] = mpre[i + 1];
    /* the terms, then np.sum's order (OpenMixer and TF-OD sum a float64 array) */
    double *terms = ov_ev_alloc((size_t)(n + 1) * sizeof *terms);
    long k = 0;
    for (long i = 1; i <= n + 1; i++)
        if (mrec[i] != mrec[i - 1]) terms[k++] = (mrec[i] - mrec[i - 1]) * mpre[i];
    double ap = ov_np_sum_f64(terms, k);
    free(terms);
    free(mrec);
    free(mpre);
    return ap;
}

double ov_ap_voc(const bool *tp, long n, long npos) {
    double *p = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *p);
    double *r = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *r);
    long ctp = 0;
    for (long i = 0; i < n; i++) {
        ctp += tp[i];
        p[i] = (double)ctp / (double)(i + 1);
        r[i] = (double)ctp / (double)npos;
    }
    double ap = ov_ap_voc_pr(p, r, n);
    free(p);
    free(r);
    return ap;
}

double ov_ap_act(const bool *tp, long n, long npos) {
    /* pr = np.empty((n + 1, 2), np.float32); each entry is a double quotient rounded to float32 */
    float *p = ov_ev_alloc((size_t)(n + 1) * sizeof *p);
    float *r = ov_ev_alloc((size_t)(n + 1) * sizeof *r);
    p[0] = 1.0f;
    r[0] = 0.0f;
    long ctp = 0;
    for (long i = 0; i < n; i++) {
        ctp += tp[i];
        p[i + 1] = (float)((double)ctp / (double)(i + 1));
        r[i + 1] = (float)((double)ctp / (double)npos);
    }
    /* prdif * prsum * 0.5, each product rounded to float32, then np.sum in float32 */
    float *terms = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *terms);
    for (long i = 0; i < n; i++) {
        float dif = r[i + 1] - r[i];
        float sum = p[i + 1] + p[i];
        float prod = dif * sum;
        terms[i] = prod * 0.5f;
    }
    float ap = ov_np_sum_f32(terms, n);
    free(terms);
    free(p);
    free(r);
    return (double)ap;
}

void ov_ap_list_add(ovApList *l, double score, bool tp) {
    if (l->n >= l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->score = ov_ev_realloc(l->score, (size_t)l->cap * sizeof *l->score);
        l->tp = ov_ev_realloc(l->tp, (size_t)l->cap * sizeof *l->tp);
    }
    l->score[l->n] = score;
    l->tp[l->n++] = tp;
}

void ov_ap_lists_voc(ovApList *lists, int nlabels, ovApResult *res) {
    for (int c = 0; c < nlabels; c++) {
        ovApList *l = &lists[c];
        res->ndet[c] = l->n;
        if (res->npos[c] > 0) {
            int *idx = ov_ev_alloc((size_t)(l->n ? l->n : 1) * sizeof *idx);
            bool *tp = ov_ev_alloc((size_t)(l->n ? l->n : 1) * sizeof *tp);
            ov_argsort_rev_asc(l->score, l->n, idx); /* np.argsort(scores)[::-1] */
            for (int k = 0; k < l->n; k++) tp[k] = l->tp[idx[k]];
            res->ap[c] = ov_ap_voc(tp, l->n, res->npos[c]);
            free(idx);
            free(tp);
        }
        free(l->score);
        free(l->tp);
    }
}
