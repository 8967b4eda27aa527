/* hungarian.c: the linear sum assignment problem by shortest augmenting paths (Crouse,
 * "On implementing 2D rectangular assignment algorithms", IEEE TAES 52(4), 2016, pp. 1685-1686;
 * the method of Jonker-Volgenant's augmentation phase), the algorithm that
 * scipy.optimize.linear_sum_assignment runs (scipy/optimize/rectangular_lsap: the same solver
 * from scipy 1.9 to 1.18; 1.4 to 1.8 subtracted the smallest entry from the matrix first, which
 * rounds differently and can pick another optimum among equal-cost ones).
 *
 * Rows are added one at a time. For row r, a Dijkstra search over reduced costs
 * cost[i][j] - u[i] - v[j] (u, v: dual potentials, kept so that reduced costs of the tree stay
 * >= 0) grows a tree of alternating rows and assigned columns until it reaches a free column; the
 * assignment is flipped along that path and the potentials updated, which keeps every partial
 * assignment optimal. O(N^2 M) for N <= M.
 *
 * Why the same pairs as scipy, even among equal-cost optima: which optimum comes out depends only
 * on the order of the search and on how ties are broken, and this file follows scipy's choices:
 *   - a tall matrix (more rows than columns) is solved transposed, and the pairs are reported
 *     sorted by the original row;
 *   - rows are inserted in order 0..N-1;
 *   - in each search, the columns not yet in the tree are kept in a list that starts in reverse
 *     order (M-1, ..., 0) and loses its picked element by moving its last element into the hole;
 *     the list is scanned in its current order;
 *   - the column picked is the one with the smallest tentative distance; on equal distances, a
 *     later column replaces the current pick only if it is free (unassigned), so a search ends as
 *     early as it can;
 *   - reduced costs are evaluated as ((d + c[i][j]) - u[i]) - v[j] in double precision, and the
 *     potentials updated with the same expressions, so that even with costs of very different
 *     magnitudes the rounding, and therefore every comparison, is the same.
 * f32 costs are widened to double first, as scipy does. The fixtures (tools/gen_loss_fixtures.py,
 * scipy 1.10.1) compare the exact pairs on ties, constant matrices and mixed magnitudes. */
#include "nn/hungarian.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "tensor/error.h"

typedef struct {
    int64_t nr, nc;                 /* nr <= nc */
    const double *cost;             /* nr x nc, row-major */
    double *u, *v;                  /* dual potentials of rows and columns */
    double *dist;                   /* tentative path length to each column in the current search */
    int64_t *via;                   /* the tree row through which dist[j] was reached */
    int64_t *col_of_row, *row_of_col; /* the partial assignment; -1 = free */
    int64_t *todo;                  /* columns not in the tree yet, in scan order */
    unsigned char *row_in, *col_in; /* rows and columns in the tree of the current search */
} Solver;

/* One search from the free row `row`: returns the free column it reaches (and the path length in
 * *len), or -1 when every column still outside the tree is forbidden to every tree row. */
static int64_t shortest_path(Solver *s, int64_t row, double *len) {
    int64_t nc = s->nc, n_todo = nc;
    for (int64_t k = 0; k < nc; k++) {
        s->todo[k] = nc - 1 - k;
        s->dist[k] = INFINITY;
    }
    memset(s->row_in, 0, (size_t)s->nr);
    memset(s->col_in, 0, (size_t)nc);
    double reached = 0; /* length of the path to the column added last */
    int64_t i = row;
    for (;;) {
        s->row_in[i] = 1;
        const double *ci = s->cost + i * nc;
        double ui = s->u[i], lowest = INFINITY;
        int64_t pick = -1;
        for (int64_t k = 0; k < n_todo; k++) {
            int64_t j = s->todo[k];
            double r = reached + ci[j] - ui - s->v[j];
            if (r < s->dist[j]) {
                s->via[j] = i;
                s->dist[j] = r;
            }
            if (s->dist[j] < lowest || (s->dist[j] == lowest && s->row_of_col[j] < 0)) {
                lowest = s->dist[j];
                pick = k;
            }
        }
        if (lowest == INFINITY) return -1;
        reached = lowest;
        int64_t j = s->todo[pick];
        s->col_in[j] = 1;
        s->todo[pick] = s->todo[--n_todo];
        if (s->row_of_col[j] < 0) {
            *len = reached;
            return j;
        }
        i = s->row_of_col[j];
    }
}

/* Appends up to 8 indices where flag[k] is set, for error messages. */
static void list_set(char *buf, size_t n, const unsigned char *flag, int64_t count, int64_t *total) {
    size_t k = strlen(buf);
    int shown = 0;
    *total = 0;
    for (int64_t i = 0; i < count; i++) {
        if (!flag[i]) continue;
        if (shown < 8 && k < n) k += (size_t)snprintf(buf + k, n - k, "%s%lld", shown ? ", " : "", (long long)i);
        else if (shown == 8 && k < n) k += (size_t)snprintf(buf + k, n - k, ", ...");
        shown++;
        (*total)++;
    }
}

/* The search tree of a failed search is a Hall violator: its rows have allowed (finite) costs only
 * in its columns, which are one fewer than the rows. Names them in the original orientation. */
static int infeasible(const Solver *s, bool transposed) {
    const char *rows = transposed ? "columns" : "rows", *cols = transposed ? "rows" : "columns";
    char a[160] = "", b[160] = "";
    int64_t na, nb;
    list_set(a, sizeof a, s->row_in, s->nr, &na);
    list_set(b, sizeof b, s->col_in, s->nc, &nb);
    return ov_error("linear_sum_assignment: the cost matrix is infeasible: no complete assignment avoids the "
                    "forbidden (infinite) entries; the %lld %s {%s} have finite costs only in the %lld %s {%s}",
                    (long long)na, rows, a, (long long)nb, cols, b);
}

/* Solves the working matrix (nr <= nc, already negated for maximize). Returns 0 or -1. */
static int solve(Solver *s, bool transposed) {
    for (int64_t cur = 0; cur < s->nr; cur++) {
        double len;
        int64_t sink = shortest_path(s, cur, &len);
        if (sink < 0) return infeasible(s, transposed);
        /* potentials: reduced costs along the tree become 0, elsewhere stay >= 0 */
        s->u[cur] += len;
        for (int64_t i = 0; i < s->nr; i++)
            if (s->row_in[i] && i != cur) s->u[i] += len - s->dist[s->col_of_row[i]];
        for (int64_t j = 0; j < s->nc; j++)
            if (s->col_in[j]) s->v[j] -= len - s->dist[j];
        /* flip the assignment along the path, from the free column back to row cur */
        for (int64_t j = sink;;) {
            int64_t i = s->via[j], prev = s->col_of_row[i];
            s->row_of_col[j] = i;
            s->col_of_row[i] = j;
            j = prev;
            if (i == cur) break;
        }
    }
    return 0;
}

/* Shared driver: cost is f64 or f32 (is_f32), n_rows x n_cols row-major. */
static int64_t assign(const void *cost, bool is_f32, int64_t n_rows, int64_t n_cols, bool maximize, int64_t *rows,
                      int64_t *cols) {
    if (n_rows < 0 || n_cols < 0) return ov_error("linear_sum_assignment: negative size %lld x %lld", (long long)n_rows, (long long)n_cols);
    if (n_rows == 0 || n_cols == 0) return 0;
    bool transposed = n_cols < n_rows;
    int64_t nr = transposed ? n_cols : n_rows, nc = transposed ? n_rows : n_cols;
    size_t n = (size_t)nr * (size_t)nc;
    double *w = malloc(n * sizeof *w);
    Solver s = {.nr = nr, .nc = nc, .cost = w};
    s.u = calloc((size_t)nr, sizeof *s.u);
    s.v = calloc((size_t)nc, sizeof *s.v);
    s.dist = malloc((size_t)nc * sizeof *s.dist);
    s.via = malloc((size_t)nc * sizeof *s.via);
    s.col_of_row = malloc((size_t)nr * sizeof *s.col_of_row);
    s.row_of_col = malloc((size_t)nc * sizeof *s.row_of_col);
    s.todo = malloc((size_t)nc * sizeof *s.todo);
    s.row_in = malloc((size_t)nr);
    s.col_in = malloc((size_t)nc);
    if (!w || !s.u || !s.v || !s.dist || !s.via || !s.col_of_row || !s.row_of_col || !s.todo || !s.row_in || !s.col_in)
        ov_panic("linear_sum_assignment: out of memory for a %lld x %lld matrix", (long long)n_rows, (long long)n_cols);
    int64_t result = 0;
    /* the working copy: widened to double, transposed when tall, negated to maximize */
    for (int64_t r = 0; r < n_rows && result == 0; r++)
        for (int64_t c = 0; c < n_cols; c++) {
            size_t k = (size_t)(r * n_cols + c);
            double x = is_f32 ? (double)((const float *)cost)[k] : ((const double *)cost)[k];
            if (maximize) x = -x;
            if (isnan(x) || x == -INFINITY) {
                result = ov_error("linear_sum_assignment: the cost matrix contains an invalid entry: %g at [%lld, %lld] "
                                  "(NaN is never allowed; infinities may only forbid a pair: +inf when minimizing, "
                                  "-inf when maximizing)",
                                  maximize ? -x : x, (long long)r, (long long)c);
                break;
            }
            w[transposed ? c * nc + r : r * nc + c] = x;
        }
    if (result == 0) {
        for (int64_t i = 0; i < nr; i++) s.col_of_row[i] = -1;
        for (int64_t j = 0; j < nc; j++) s.row_of_col[j] = -1;
        if (solve(&s, transposed) != 0) {
            result = -1;
        } else if (!transposed) {
            for (int64_t i = 0; i < nr; i++) {
                rows[i] = i;
                cols[i] = s.col_of_row[i];
            }
            result = nr;
        } else {
            /* working columns are the original rows: walking them in order sorts the pairs by row */
            for (int64_t j = 0; j < nc; j++)
                if (s.row_of_col[j] >= 0) {
                    rows[result] = j;
                    cols[result] = s.row_of_col[j];
                    result++;
                }
        }
    }
    free(w);
    free(s.u);
    free(s.v);
    free(s.dist);
    free(s.via);
    free(s.col_of_row);
    free(s.row_of_col);
    free(s.todo);
    free(s.row_in);
    free(s.col_in);
    return result;
}

int64_t ov_linear_sum_assignment(const double *cost, int64_t n_rows, int64_t n_cols, bool maximize, int64_t *rows,
                                 int64_t *cols) {
    return assign(cost, false, n_rows, n_cols, maximize, rows, cols);
}

int64_t ov_linear_sum_assignment_f32(const float *cost, int64_t n_rows, int64_t n_cols, bool maximize, int64_t *rows,
                                     int64_t *cols) {
    return assign(cost, true, n_rows, n_cols, maximize, rows, cols);
}

int ov_linear_sum_assignment_tensor(ovTensor *cost, bool maximize, ovTensor **rows, ovTensor **cols) {
    char d[160];
    if (!cost || cost->ndim != 2 || !ov_dtype_is_float(cost->dtype))
        ov_panic("linear_sum_assignment: cost must be a 2-D float matrix [N, M], got %s",
                 cost ? ov_describe(cost, d, sizeof d) : "none");
    *rows = *cols = NULL;
    ov_no_grad_begin();
    ovTensor *host = ov_contiguous(ov_to_device(ov_detach(cost), OV_DEV_CPU));
    if (host->dtype != OV_F32) host = ov_to(host, OV_F32);
    ov_no_grad_end();
    int64_t k = cost->shape[0] < cost->shape[1] ? cost->shape[0] : cost->shape[1];
    ovTensor *r = ov_empty_on(OV_DEV_CPU, 1, &k, OV_I64), *c = ov_empty_on(OV_DEV_CPU, 1, &k, OV_I64);
    int64_t n = ov_linear_sum_assignment_f32(ov_f32(host), cost->shape[0], cost->shape[1], maximize,
                                             (int64_t *)ov_data_ptr(r), (int64_t *)ov_data_ptr(c));
    if (n < 0) return -1;
    *rows = r;
    *cols = c;
    return 0;
}
