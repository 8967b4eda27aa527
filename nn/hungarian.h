/* hungarian.h: minimum-cost assignment on a rectangular cost matrix, the solver behind
 * DETR-style set matchers (OpenMixer's HungarianMatcher; specs/openmixer.md 2). It returns the
 * same pairs as scipy.optimize.linear_sum_assignment (scipy >= 1.9), ties included: see
 * hungarian.c for the rules that make that so.
 *
 * Each of the min(N, M) pairs (row, col) uses a row and a column at most once and the total cost
 * is minimal (maximal with `maximize`); pairs come sorted by row. +inf entries (-inf when
 * maximizing) are forbidden pairs. A NaN entry, a -inf entry (+inf when maximizing) or a matrix
 * in which the forbidden pairs leave no complete assignment is refused: the functions return -1
 * and ov_last_error() says which (for an infeasible matrix, the rows that compete for too few
 * allowed columns). A matrix with no rows or no columns gives 0 pairs. */
#ifndef OV_HUNGARIAN_H
#define OV_HUNGARIAN_H

#include <stdbool.h>
#include <stdint.h>

#include "tensor/tensor.h"

/* cost: n_rows x n_cols, row-major, on the host. rows and cols need room for min(n_rows, n_cols)
 * entries. Returns the number of pairs, or -1. */
int64_t ov_linear_sum_assignment(const double *cost, int64_t n_rows, int64_t n_cols, bool maximize, int64_t *rows,
                                 int64_t *cols);
/* The same on f32 costs (solved in f64, like scipy, which converts its input to float64). */
int64_t ov_linear_sum_assignment_f32(const float *cost, int64_t n_rows, int64_t n_cols, bool maximize, int64_t *rows,
                                     int64_t *cols);

/* The same on a 2-D float tensor on any device (copied to the host; no gradient flows, as in the
 * matchers, which run under no_grad): *rows and *cols become i64 CPU tensors [min(N, M)] in the
 * current scope. Returns 0, or -1 (a shape other than 2-D is a programming error: it panics). */
int ov_linear_sum_assignment_tensor(ovTensor *cost, bool maximize, ovTensor **rows, ovTensor **cols);

#endif
