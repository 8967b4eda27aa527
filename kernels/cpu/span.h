/* span.h: the sum of a term over k = 0..n-1 with 8 independent partial sums, the loop shape that
 * every fast row kernel uses for its statistics (it vectorises when the term reads unit-step
 * memory, and rounds better than one running sum). Usage:
 *     float s = OV_SPAN_SUM(k, n, x[k * xs] * y[k * ys]);
 * `k` names the index variable seen by the term. */
#ifndef OV_KSPAN_H
#define OV_KSPAN_H

#include <stdint.h>

#define OV_SPAN_SUM(k, n, term)                           \
    ({                                                    \
        float part_[8] = {0}, sum_ = 0;                   \
        int64_t i_ = 0, n_ = (n);                         \
        for (; i_ + 8 <= n_; i_ += 8)                     \
            for (int j_ = 0; j_ < 8; j_++) {              \
                int64_t k = i_ + j_;                      \
                part_[j_] += (term);                      \
            }                                             \
        for (; i_ < n_; i_++) {                           \
            int64_t k = i_;                               \
            sum_ += (term);                               \
        }                                                 \
        for (int j_ = 0; j_ < 8; j_++) sum_ += part_[j_]; \
        sum_;                                             \
    })

#endif
