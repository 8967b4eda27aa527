/* optim.c: SGD and AdamW updates on the CPU (see optim.h). */
#include "kernels/cpu/optim.h"

#define CHUNK 16384

void ov_ksgd_ref(const ovSgdHyper *h, float *p, const float *g, float *buf, int64_t n) {
    for (int64_t i = 0; i < n; i++) ov_sgd_update(h, &p[i], g[i], buf ? &buf[i] : NULL);
}

void ov_ksgd_fast(const ovSgdHyper *h, float *p, const float *g, float *buf, int64_t n) {
    ovSgdHyper hh = *h; /* a local copy lets the compiler keep the hyperparameters in registers */
#pragma omp parallel for schedule(static) if (n > CHUNK)
    for (int64_t s = 0; s < n; s += CHUNK) {
        int64_t e = s + CHUNK < n ? s + CHUNK : n;
        for (int64_t i = s; i < e; i++) ov_sgd_update(&hh, &p[i], g[i], buf ? &buf[i] : NULL);
    }
}

void ov_kadamw_ref(const ovAdamwHyper *h, float *p, const float *g, float *m, float *v, int64_t n) {
    for (int64_t i = 0; i < n; i++) ov_adamw_update(h, &p[i], g[i], &m[i], &v[i]);
}

void ov_kadamw_fast(const ovAdamwHyper *h, float *p, const float *g, float *m, float *v, int64_t n) {
    ovAdamwHyper hh = *h;
#pragma omp parallel for schedule(static) if (n > CHUNK)
    for (int64_t s = 0; s < n; s += CHUNK) {
        int64_t e = s + CHUNK < n ? s + CHUNK : n;
        for (int64_t i = s; i < e; i++) ov_adamw_update(&hh, &p[i], g[i], &m[i], &v[i]);
    }
}
