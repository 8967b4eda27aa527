/* resample.c: op-table entries of the resampling family:
 *   interpolate  F.interpolate(mode = nearest | linear | bilinear | bicubic | trilinear), to a size or
 *                by scale factors (recompute_scale_factor unset: the coordinates then use 1/scale);
 *   grid_sample  F.grid_sample(mode='bilinear', padding_mode='zeros'), gradients to input and grid;
 *   roi_align    torchvision.ops.roi_align, gradient to the features only.
 * Each backward is an internal op (interpolate_backward, grid_sample_backward, roi_align_backward)
 * with its own reference and fast kernels, tested like any op. Every op runs on the device too.
 * Kernels: kernels/cpu/resample.h and kernels/cuda/resample.h, on the shared coordinate rules of
 * kernels/resample_math.h. */
#include <math.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "autograd/ops/families.h"
#include "autograd/ops/util.h"
#include "autograd/testgen.h"
#include "kernels/cpu/resample.h"
#include "kernels/cuda/resample.h"

/* ================= interpolate ================= */

enum { I_MODE, I_SIZE, I_SCALE, I_ALIGN };
#define INTERP_MODES "nearest|linear|bilinear|bicubic|trilinear"

static const char *mode_name(int64_t m) {
    static const char *names[] = {"nearest", "linear", "bilinear", "bicubic", "trilinear"};
    return m >= 0 && m < 5 ? names[m] : "?";
}

/* Spatial dims a mode works on (nearest: any of 1..3). */
static bool mode_fits(int64_t mode, int nsp) {
    switch ((ovInterpMode)mode) {
    case OV_INTERP_NEAREST: return nsp >= 1 && nsp <= 3;
    case OV_INTERP_LINEAR: return nsp == 1;
    case OV_INTERP_BILINEAR: case OV_INTERP_BICUBIC: return nsp == 2;
    case OV_INTERP_TRILINEAR: return nsp == 3;
    }
    return false;
}

static void check_mode(const ovOpCall *c, int ndim) {
    int64_t mode = c->attr[I_MODE].i;
    if (!mode_fits(mode, ndim - 2))
        ov_op_fail(c, "mode '%s' does not take a %d-D input (linear: 3-D [N,C,W], bilinear and bicubic: 4-D, "
                      "trilinear: 5-D, nearest: 3-D to 5-D)", mode_name(mode), ndim);
    if (mode == OV_INTERP_NEAREST && c->attr[I_ALIGN].i)
        ov_op_fail(c, "align_corners only applies to the linear, bilinear, bicubic and trilinear modes");
}

/* Output spatial size of dim d of an input of size `in`: the given size, or floor(in * scale). */
static int64_t interp_out_size(const ovOpCall *c, int d, int64_t in) {
    if (c->attr[I_SIZE].set) return c->attr[I_SIZE].v[d];
    return (int64_t)floor((double)in * c->attr[I_SCALE].fv[d]);
}

static void check_size_or_scale(const ovOpCall *c, int nsp) {
    bool has_size = c->attr[I_SIZE].set, has_scale = c->attr[I_SCALE].set;
    if (has_size == has_scale) ov_op_fail(c, "give exactly one of size and scale");
    const ovAttrVal *a = has_size ? &c->attr[I_SIZE] : &c->attr[I_SCALE];
    if (a->n != nsp)
        ov_op_fail(c, "%s has %d values for %d spatial dims", has_size ? "size" : "scale", a->n, nsp);
    for (int d = 0; d < nsp; d++)
        if (has_size ? a->v[d] <= 0 : !(a->fv[d] > 0 && isfinite(a->fv[d])))
            ov_op_fail(c, "%s must be positive", has_size ? "size" : "scale");
}

static void interp_check(const ovOpCall *c) {
    const ovTensor *x = c->in[0];
    if (x->ndim < 3 || x->ndim > 5) ov_op_fail(c, "expects a 3-D, 4-D or 5-D input [N,C,...]");
    check_mode(c, x->ndim);
    check_size_or_scale(c, x->ndim - 2);
    for (int d = 2; d < x->ndim; d++) {
        if (x->shape[d] <= 0) ov_op_fail(c, "spatial sizes must be positive");
        if (interp_out_size(c, d - 2, x->shape[d]) <= 0)
            ov_op_fail(c, "scale %g gives an empty output along dim %d", c->attr[I_SCALE].fv[d - 2], d);
    }
}

static ovKInterp kinterp_of(const ovOpCall *c, int nsp) {
    static const ovKInterpKind kind[] = {OV_KI_NEAREST, OV_KI_LINEAR, OV_KI_LINEAR, OV_KI_CUBIC, OV_KI_LINEAR};
    ovKInterp p = {.kind = kind[c->attr[I_MODE].i], .align_corners = c->attr[I_ALIGN].i != 0};
    for (int d = 0; d < nsp; d++) p.scale[d] = c->attr[I_SCALE].set ? c->attr[I_SCALE].fv[d] : 0.0;
    return p;
}

static int interp_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0];
    int64_t shape[5] = {x->shape[0], x->shape[1]};
    for (int d = 2; d < x->ndim; d++) shape[d] = interp_out_size(c, d - 2, x->shape[d]);
    out[0] = ov_empty(x->ndim, shape, OV_F32);
    ovKInterp p = kinterp_of(c, x->ndim - 2);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x);
    OV_KERNEL(c, ov_kinterp, &p, &o, &xv);
    return 1;
}

static ovOpDef op_interpolate_backward;

static void interp_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0];
    ovOpCall b = ov_call(&op_interpolate_backward);
    b.in[0] = gout[0];
    b.attr[I_MODE] = n->call.attr[I_MODE];
    b.attr[I_SIZE].set = true; /* the backward's size is the input's */
    b.attr[I_SIZE].n = x->ndim - 2;
    for (int d = 2; d < x->ndim; d++) b.attr[I_SIZE].v[d - 2] = x->shape[d];
    b.attr[I_SCALE] = n->call.attr[I_SCALE];
    b.attr[I_ALIGN] = n->call.attr[I_ALIGN];
    gin[0] = ov_apply1(&b);
}

/* The test cases: every mode, both align_corners, size and scale (non-integer, non-square, up and
 * down, a scale whose output keeps the input's length), size-1 inputs and outputs, 3-D to 5-D,
 * batch > 1, all layouts, and sizes that take the OpenMP path. */
typedef struct {
    ovInterpMode mode;
    int ndim;
    int64_t shape[5];
    int64_t size[3]; /* size[0] == 0: use scale */
    double scale[3];
    bool align;
} InterpCase;

static const InterpCase interp_cases[] = {
    {OV_INTERP_NEAREST, 3, {2, 3, 7}, {11}, {0}, false},
    {OV_INTERP_NEAREST, 4, {1, 2, 5, 4}, {0}, {1.5, 0.75}, false},
    {OV_INTERP_NEAREST, 5, {2, 1, 3, 4, 5}, {5, 3, 7}, {0}, false},
    {OV_INTERP_NEAREST, 4, {1, 2, 6, 5}, {0}, {1.1, 2.0}, false},
    {OV_INTERP_LINEAR, 3, {2, 3, 12}, {16}, {0}, false}, /* CLIP-ViP's temporal embedding 12 -> 16 */
    {OV_INTERP_LINEAR, 3, {1, 2, 9}, {0}, {0.5}, true},
    {OV_INTERP_LINEAR, 3, {2, 2, 5}, {0}, {1.1}, false},
    {OV_INTERP_BILINEAR, 4, {2, 3, 6, 7}, {11, 5}, {0}, false},
    {OV_INTERP_BILINEAR, 4, {1, 2, 5, 8}, {0}, {2.5, 0.6}, true},
    {OV_INTERP_BILINEAR, 4, {1, 2, 1, 5}, {3, 1}, {0}, true},
    {OV_INTERP_BILINEAR, 4, {1, 3, 4, 4}, {1, 9}, {0}, false},
    {OV_INTERP_BICUBIC, 4, {1, 3, 14, 14}, {16, 22}, {0}, false}, /* CLIP's position table 14x14 -> 16x22 */
    {OV_INTERP_BICUBIC, 4, {2, 2, 5, 6}, {0}, {1.7, 0.5}, true},
    {OV_INTERP_BICUBIC, 4, {1, 2, 4, 3}, {2, 9}, {0}, false},
    {OV_INTERP_BICUBIC, 4, {1, 2, 1, 6}, {0}, {3.0, 1.1}, false},
    {OV_INTERP_TRILINEAR, 5, {1, 2, 3, 4, 5}, {5, 3, 8}, {0}, false},
    {OV_INTERP_TRILINEAR, 5, {2, 1, 4, 3, 2}, {0}, {0.5, 2.0, 1.5}, true},
    {OV_INTERP_BILINEAR, 4, {1, 3, 40, 50}, {71, 97}, {0}, false}, /* threads split planes */
    {OV_INTERP_BICUBIC, 4, {1, 16, 20, 24}, {0}, {1.6, 1.25}, true},
    {OV_INTERP_NEAREST, 5, {2, 8, 10, 12, 14}, {13, 9, 20}, {0}, false},
};
#define N_INTERP_CASES (int)(sizeof interp_cases / sizeof interp_cases[0])

static void interp_case_attrs(const InterpCase *ic, ovOpCall *c) {
    int nsp = ic->ndim - 2;
    c->attr[I_MODE].i = ic->mode;
    c->attr[I_ALIGN].i = ic->align;
    ovAttrVal *a = ic->size[0] ? &c->attr[I_SIZE] : &c->attr[I_SCALE];
    a->set = true;
    a->n = nsp;
    for (int d = 0; d < nsp; d++) {
        a->v[d] = ic->size[d];
        a->fv[d] = ic->scale[d];
    }
}

static bool interp_case(int k, ovOpCall *c) {
    if (k >= N_INTERP_CASES) return false;
    const InterpCase *ic = &interp_cases[k];
    c->in[0] = ov_tg_tensor(ic->ndim, ic->shape, OV_TG_NORMAL, ov_tg_layout(k), 1100 + (uint64_t)k);
    interp_case_attrs(ic, c);
    return true;
}

static ovOpDef op_interpolate = {
    .name = "interpolate",
    .doc = "F.interpolate to a size or by scale factors (nearest, linear, bilinear, bicubic, trilinear)",
    .args = {{"x", OV_ARG_FLOAT, 0}},
    .attrs = {{"mode", OV_ATTR_ENUM, "nearest", INTERP_MODES},
              {"size", OV_ATTR_INTS, "none"},
              {"scale", OV_ATTR_FLOATS, "none"},
              {"align_corners", OV_ATTR_BOOL, "false"}},
    .outputs = "out",
    .flags = OV_OP_CUDA,
    .check = interp_check,
    .forward = interp_forward,
    .backward = interp_backward,
    .make_case = interp_case,
    .fast_tol = 16,
};

/* ---- interpolate_backward: the adjoint of interpolate (internal) ---- */

static void interp_backward_check(const ovOpCall *c) {
    const ovTensor *g = c->in[0];
    if (g->ndim < 3 || g->ndim > 5) ov_op_fail(c, "expects a 3-D, 4-D or 5-D gradient [N,C,...]");
    check_mode(c, g->ndim);
    if (!c->attr[I_SIZE].set || c->attr[I_SIZE].n != g->ndim - 2)
        ov_op_fail(c, "size must give the input's %d spatial sizes", g->ndim - 2);
    for (int d = 0; d < g->ndim - 2; d++) {
        int64_t in = c->attr[I_SIZE].v[d];
        if (in <= 0) ov_op_fail(c, "size must be positive");
        if (c->attr[I_SCALE].set) {
            if (c->attr[I_SCALE].n != g->ndim - 2) ov_op_fail(c, "scale has %d values for %d spatial dims",
                                                             c->attr[I_SCALE].n, g->ndim - 2);
            if ((int64_t)floor((double)in * c->attr[I_SCALE].fv[d]) != g->shape[d + 2])
                ov_op_fail(c, "the gradient's size %lld along dim %d is not floor(%lld * %g)",
                           (long long)g->shape[d + 2], d + 2, (long long)in, c->attr[I_SCALE].fv[d]);
        }
    }
}

static int interp_backward_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *g = c->in[0];
    int64_t shape[5] = {g->shape[0], g->shape[1]};
    for (int d = 2; d < g->ndim; d++) shape[d] = c->attr[I_SIZE].v[d - 2];
    out[0] = ov_empty(g->ndim, shape, OV_F32);
    ovKInterp p = kinterp_of(c, g->ndim - 2);
    ovKView gx = ov_kview(out[0]), gv = ov_kview(g);
    OV_KERNEL(c, ov_kinterp_backward, &p, &gx, &gv);
    return 1;
}

/* The forward's cases, seen from the gradient's side. */
static bool interp_backward_case(int k, ovOpCall *c) {
    if (k >= N_INTERP_CASES) return false;
    const InterpCase *ic = &interp_cases[k];
    ovOpCall f = ov_call(&op_interpolate);
    interp_case_attrs(ic, &f);
    int64_t shape[5] = {ic->shape[0], ic->shape[1]};
    for (int d = 2; d < ic->ndim; d++) shape[d] = interp_out_size(&f, d - 2, ic->shape[d]);
    c->in[0] = ov_tg_tensor(ic->ndim, shape, OV_TG_NORMAL, ov_tg_layout(k + 1), 1200 + (uint64_t)k);
    c->attr[I_MODE] = f.attr[I_MODE];
    c->attr[I_ALIGN] = f.attr[I_ALIGN];
    c->attr[I_SCALE] = f.attr[I_SCALE];
    c->attr[I_SIZE].set = true;
    c->attr[I_SIZE].n = ic->ndim - 2;
    for (int d = 2; d < ic->ndim; d++) c->attr[I_SIZE].v[d - 2] = ic->shape[d];
    return true;
}

static ovOpDef op_interpolate_backward = {
    .name = "interpolate_backward",
    .doc = "gradient of interpolate: the output gradient scattered back with the forward's weights",
    .args = {{"grad", OV_ARG_FLOAT, 0}},
    .attrs = {{"mode", OV_ATTR_ENUM, "nearest", INTERP_MODES},
              {"size", OV_ATTR_INTS, "none"}, /* the input's spatial sizes */
              {"scale", OV_ATTR_FLOATS, "none"},
              {"align_corners", OV_ATTR_BOOL, "false"}},
    .outputs = "grad_x",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA,
    .check = interp_backward_check,
    .forward = interp_backward_forward,
    .make_case = interp_backward_case,
    .fast_tol = 32,
};

/* ================= grid_sample ================= */

enum { G_ALIGN };

static void grid_check(const ovOpCall *c) {
    const ovTensor *x = c->in[0], *grid = c->in[1];
    if (x->ndim != 4) ov_op_fail(c, "expects a 4-D input [N,C,H,W]");
    if (grid->ndim != 4 || grid->shape[3] != 2) ov_op_fail(c, "expects a grid [N,Ho,Wo,2] of (x, y) positions");
    if (grid->shape[0] != x->shape[0]) ov_op_fail(c, "input and grid have different batch sizes");
    if (x->shape[2] <= 0 || x->shape[3] <= 0) ov_op_fail(c, "the input map is empty");
}

static int grid_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0], *grid = c->in[1];
    out[0] = ov_empty(4, (int64_t[]){x->shape[0], x->shape[1], grid->shape[1], grid->shape[2]}, OV_F32);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x), gv = ov_kview(grid);
    bool align = c->attr[G_ALIGN].i != 0;
    OV_KERNEL(c, ov_kgrid_sample, align, &o, &xv, &gv);
    return 1;
}

static ovOpDef op_grid_sample_backward;

static void grid_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovOpCall b = ov_call(&op_grid_sample_backward);
    b.in[0] = gout[0];
    b.in[1] = n->call.in[0];
    b.in[2] = n->call.in[1];
    b.attr[G_ALIGN] = n->call.attr[G_ALIGN];
    ovTensor *g[2];
    ov_apply(&b, g);
    if (n->needs_grad[0]) gin[0] = g[0];
    if (n->needs_grad[1]) gin[1] = g[1];
}

/* A grid whose points sit at pixel positions k + f with f in [0.2, 0.8]: away from the integer
 * positions where the bilinear weights have kinks, so finite differences see one smooth piece.
 * `outside` lets positions reach up to two pixels beyond the map (zero padding). */
static ovTensor *make_grid(int64_t N, int64_t Ho, int64_t Wo, int64_t H, int64_t W, bool align, bool outside,
                           ovTgLayout layout, uint64_t seed) {
    int64_t shape[4] = {N, Ho, Wo, 2};
    ovGenerator gen = ov_generator(seed);
    ovTensor *u = ov_rand(4, shape, 0, 1, &gen), *f = ov_rand(4, shape, 0, 1, &gen);
    ovTensor *vals = ov_empty(4, shape, OV_F32);
    float *pu = ov_f32(u), *pf = ov_f32(f), *pv = ov_f32(vals);
    for (int64_t i = 0; i < ov_numel(vals); i++) {
        int64_t size = i % 2 ? H : W;
        if (align && size == 1) { /* every grid value lands on pixel 0: no kink to avoid */
            pv[i] = 2.4f * pu[i] - 1.2f;
            continue;
        }
        int64_t lo = outside ? -2 : 0, hi = outside ? size : size - 2;
        if (hi < lo) lo = -1, hi = 0;
        float pos = (float)(lo + (int64_t)(pu[i] * (float)(hi - lo + 1))) + 0.2f + 0.6f * pf[i];
        pv[i] = align ? 2.0f * pos / (float)(size - 1) - 1.0f : (2.0f * pos + 1.0f) / (float)size - 1.0f;
    }
    ovTensor *grid = ov_tg_tensor(4, shape, OV_TG_NORMAL, layout, seed + 1);
    ov_copy_(grid, vals);
    return grid;
}

typedef struct {
    int64_t x[4];  /* N, C, H, W */
    int64_t Ho, Wo;
    bool align, outside;
} GridCase;

static const GridCase grid_cases[] = {
    {{1, 2, 5, 6}, 3, 4, false, false},
    {{2, 3, 4, 7}, 5, 3, true, true},
    {{2, 2, 1, 1}, 2, 3, true, true},   /* a 1x1 map */
    {{1, 3, 1, 5}, 3, 2, false, true},  /* a one-row map */
    {{2, 4, 6, 5}, 1, 1, false, true},
    {{2, 3, 5, 4}, 4, 3, true, false},
    {{2, 16, 24, 20}, 20, 18, false, true}, /* OpenMP */
};
#define N_GRID_CASES (int)(sizeof grid_cases / sizeof grid_cases[0])

static bool grid_case_inputs(int k, ovOpCall *c, int first) {
    if (k >= N_GRID_CASES) return false;
    const GridCase *gc = &grid_cases[k];
    c->in[first] = ov_tg_tensor(4, gc->x, OV_TG_NORMAL, ov_tg_layout(k), 1300 + (uint64_t)k);
    c->in[first + 1] = make_grid(gc->x[0], gc->Ho, gc->Wo, gc->x[2], gc->x[3], gc->align, gc->outside,
                                 ov_tg_layout(k + 1), 1400 + 2 * (uint64_t)k);
    c->attr[G_ALIGN].i = gc->align;
    return true;
}

static bool grid_case(int k, ovOpCall *c) { return grid_case_inputs(k, c, 0); }

static ovOpDef op_grid_sample = {
    .name = "grid_sample",
    .doc = "F.grid_sample, bilinear, zero padding: x [N,C,H,W] at grid [N,Ho,Wo,2] (x, y) in [-1,1]",
    .args = {{"x", OV_ARG_FLOAT, 0}, {"grid", OV_ARG_FLOAT, 0}},
    .attrs = {{"align_corners", OV_ATTR_BOOL, "false"}},
    .outputs = "out",
    .flags = OV_OP_CUDA,
    .check = grid_check,
    .forward = grid_forward,
    .backward = grid_backward,
    .make_case = grid_case,
    .fast_tol = 16,
    .grad_eps = 2e-3,
};

/* ---- grid_sample_backward (internal) ---- */

static void grid_backward_check(const ovOpCall *c) {
    ovOpCall f = *c; /* the forward's rule on (x, grid) */
    f.in[0] = c->in[1];
    f.in[1] = c->in[2];
    grid_check(&f);
    const ovTensor *g = c->in[0], *x = c->in[1], *grid = c->in[2];
    if (g->ndim != 4 || g->shape[0] != x->shape[0] || g->shape[1] != x->shape[1] || g->shape[2] != grid->shape[1] ||
        g->shape[3] != grid->shape[2])
        ov_op_fail(c, "grad must be [N,C,Ho,Wo] for x [N,C,H,W] and grid [N,Ho,Wo,2]");
}

static int grid_backward_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *g = c->in[0], *x = c->in[1], *grid = c->in[2];
    out[0] = ov_empty(4, x->shape, OV_F32);
    out[1] = ov_empty(4, grid->shape, OV_F32);
    ovKView gx = ov_kview(out[0]), gg = ov_kview(out[1]), gv = ov_kview(g), xv = ov_kview(x), gr = ov_kview(grid);
    bool align = c->attr[G_ALIGN].i != 0;
    OV_KERNEL(c, ov_kgrid_sample_backward, align, &gx, &gg, &gv, &xv, &gr);
    return 2;
}

static bool grid_backward_case(int k, ovOpCall *c) {
    if (!grid_case_inputs(k, c, 1)) return false;
    const ovTensor *x = c->in[1], *grid = c->in[2];
    int64_t shape[4] = {x->shape[0], x->shape[1], grid->shape[1], grid->shape[2]};
    c->in[0] = ov_tg_tensor(4, shape, OV_TG_NORMAL, ov_tg_layout(k + 2), 1500 + (uint64_t)k);
    return true;
}

static ovOpDef op_grid_sample_backward = {
    .name = "grid_sample_backward",
    .doc = "gradients of grid_sample to the input and to the grid",
    .args = {{"grad", OV_ARG_FLOAT, 0}, {"x", OV_ARG_FLOAT, 0}, {"grid", OV_ARG_FLOAT, 0}},
    .attrs = {{"align_corners", OV_ATTR_BOOL, "false"}},
    .outputs = "grad_x,grad_grid",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA,
    .check = grid_backward_check,
    .forward = grid_backward_forward,
    .make_case = grid_backward_case,
    .fast_tol = 32,
};

/* ================= roi_align ================= */

enum { R_OUT, R_SCALE, R_SR, R_ALIGNED, R_INPUT };

static void roi_out_size(const ovOpCall *c, int64_t *oh, int64_t *ow) {
    const ovAttrVal *a = &c->attr[R_OUT];
    if (a->n != 1 && a->n != 2) ov_op_fail(c, "output_size takes one or two values (out_h, out_w)");
    *oh = a->v[0];
    *ow = a->v[a->n - 1];
    if (*oh <= 0 || *ow <= 0) ov_op_fail(c, "output_size must be positive");
}

static void check_boxes(const ovOpCall *c, const ovTensor *boxes) {
    if (boxes->ndim != 2 || boxes->shape[1] != 5)
        ov_op_fail(c, "boxes must be [K,5] rows of (batch index, x1, y1, x2, y2)");
}

static void roi_check(const ovOpCall *c) {
    int64_t oh, ow;
    roi_out_size(c, &oh, &ow);
    if (c->in[0]->ndim != 4) ov_op_fail(c, "expects a 4-D feature map [N,C,H,W]");
    if (c->in[0]->shape[2] <= 0 || c->in[0]->shape[3] <= 0) ov_op_fail(c, "the feature map is empty");
    check_boxes(c, c->in[1]);
}

/* The batch index of every box must name a feature map (read on the host: boxes are few, so on
 * the device they are copied back, which waits for the device; roi_align is no hot path). */
static void check_batch_indices(const ovOpCall *c, ovTensor *boxes, int64_t N) {
    if (ov_device(boxes) != OV_DEV_CPU) {
        ov_no_grad_begin();
        boxes = ov_to_device(boxes, OV_DEV_CPU);
        ov_no_grad_end();
    }
    for (int64_t k = 0; k < boxes->shape[0]; k++) {
        double b = ov_get_flat(boxes, k * 5);
        if (!(b > -1.0 && b < (double)N)) /* the kernels truncate it, like torchvision */
            ov_op_fail(c, "box %lld has batch index %g, outside [0, %lld)", (long long)k, b, (long long)N);
    }
}

static ovKRoi kroi_of(const ovOpCall *c) {
    ovKRoi p = {.spatial_scale = (float)c->attr[R_SCALE].f, .sampling_ratio = c->attr[R_SR].i,
                .aligned = c->attr[R_ALIGNED].i != 0};
    roi_out_size(c, &p.out_h, &p.out_w);
    return p;
}

static int roi_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *x = c->in[0], *boxes = c->in[1];
    check_batch_indices(c, boxes, x->shape[0]);
    ovKRoi p = kroi_of(c);
    out[0] = ov_empty(4, (int64_t[]){boxes->shape[0], x->shape[1], p.out_h, p.out_w}, OV_F32);
    ovKView o = ov_kview(out[0]), xv = ov_kview(x), bv = ov_kview(boxes);
    OV_KERNEL(c, ov_kroi_align, &p, &o, &xv, &bv);
    return 1;
}

static ovOpDef op_roi_align_backward;

static void roi_backward(ovNode *n, ovTensor **gout, ovTensor **gin) {
    ovTensor *x = n->call.in[0];
    ovOpCall b = ov_call(&op_roi_align_backward);
    b.in[0] = gout[0];
    b.in[1] = n->call.in[1];
    for (int a = R_OUT; a <= R_ALIGNED; a++) b.attr[a] = n->call.attr[a];
    b.attr[R_INPUT].set = true;
    b.attr[R_INPUT].n = 4;
    memcpy(b.attr[R_INPUT].v, x->shape, 4 * sizeof x->shape[0]);
    gin[0] = ov_apply1(&b);
}

/* Boxes in input pixels, (batch, x1, y1, x2, y2), with the map covering [0, W/scale) x [0, H/scale):
 * inside, partly outside on every side, wholly outside, sub-pixel, degenerate (x2 < x1), whole map. */
static const float roi_boxes_a[][5] = {
    {0, 2.3f, 3.1f, 15.7f, 12.4f}, {1, -4.2f, -3.3f, 8.8f, 6.1f}, {1, 18.5f, 14.2f, 30.1f, 25.3f},
    {0, 5.0f, 5.0f, 5.6f, 5.4f},   {1, 0.0f, 0.0f, 23.9f, 19.9f},
};
static const float roi_boxes_b[][5] = {
    {1, 3.3f, 7.9f, 30.2f, 25.6f}, {0, -20.0f, -30.0f, -9.0f, -5.0f}, {0, 40.1f, 2.2f, 33.7f, 20.3f},
    {1, 10.4f, -6.6f, 47.3f, 41.2f},
};

typedef struct {
    int64_t x[4]; /* N, C, H, W */
    int64_t out_h, out_w;
    double scale;
    int64_t sr;
    bool aligned;
    int nbox; /* 0: random boxes */
    const float (*boxes)[5];
    int64_t K;
} RoiCase;

static const RoiCase roi_cases[] = {
    {{2, 3, 10, 12}, 3, 4, 0.5, 2, false, 5, roi_boxes_a, 5},
    {{2, 4, 9, 11}, 2, 3, 0.25, -1, true, 4, roi_boxes_b, 4},
    {{2, 2, 10, 12}, 2, 2, 0.5, 0, false, 4, roi_boxes_b, 4},
    {{2, 3, 10, 12}, 4, 2, 0.5, 3, true, 5, roi_boxes_a, 5},
    {{1, 2, 1, 1}, 1, 1, 0.1, -1, false, 0, NULL, 3},
    {{2, 24, 20, 24}, 7, 7, 1.0 / 16, -1, false, 0, NULL, 10}, /* OpenMP */
    {{3, 5, 7, 6}, 3, 3, 1.0 / 8, -1, true, 0, NULL, 7},
};
#define N_ROI_CASES (int)(sizeof roi_cases / sizeof roi_cases[0])

/* K random boxes over an input of (W, H) / scale pixels, some hanging over the border. */
static ovTensor *random_boxes(const RoiCase *rc, uint64_t seed) {
    ovGenerator g = ov_generator(seed);
    ovTensor *u = ov_rand(2, (int64_t[]){rc->K, 5}, 0, 1, &g);
    float *p = ov_f32(u);
    float iw = (float)(rc->x[3] / rc->scale), ih = (float)(rc->x[2] / rc->scale);
    for (int64_t k = 0; k < rc->K; k++) {
        float *b = p + 5 * k;
        float cx = (1.4f * b[1] - 0.2f) * iw, cy = (1.4f * b[2] - 0.2f) * ih;
        float w = (0.05f + 0.8f * b[3]) * iw, h = (0.05f + 0.8f * b[4]) * ih;
        b[0] = (float)(int64_t)(b[0] * (float)rc->x[0]);
        b[1] = cx - w / 2;
        b[2] = cy - h / 2;
        b[3] = cx + w / 2;
        b[4] = cy + h / 2;
    }
    return u;
}

/* The boxes in the case's layout (transposed or strided views of [K,5]). */
static ovTensor *case_boxes(int k, const RoiCase *rc) {
    ovTensor *vals = rc->nbox ? ov_from_data(rc->boxes, 2, (int64_t[]){rc->K, 5}, OV_F32)
                              : random_boxes(rc, 1600 + (uint64_t)k);
    ovTensor *b = ov_tg_tensor(2, (int64_t[]){rc->K, 5}, OV_TG_NORMAL, ov_tg_layout(k + 1), 1700 + (uint64_t)k);
    ov_copy_(b, vals);
    return b;
}

static void roi_case_attrs(const RoiCase *rc, ovOpCall *c) {
    c->attr[R_OUT].set = true;
    c->attr[R_OUT].n = 2;
    c->attr[R_OUT].v[0] = rc->out_h;
    c->attr[R_OUT].v[1] = rc->out_w;
    c->attr[R_SCALE].f = rc->scale;
    c->attr[R_SR].i = rc->sr;
    c->attr[R_ALIGNED].i = rc->aligned;
}

static bool roi_case(int k, ovOpCall *c) {
    if (k >= N_ROI_CASES) return false;
    const RoiCase *rc = &roi_cases[k];
    c->in[0] = ov_tg_tensor(4, rc->x, OV_TG_NORMAL, ov_tg_layout(k), 1800 + (uint64_t)k);
    c->in[1] = case_boxes(k, rc);
    roi_case_attrs(rc, c);
    return true;
}

static ovOpDef op_roi_align = {
    .name = "roi_align",
    .doc = "torchvision.ops.roi_align: x [N,C,H,W], boxes [K,5] (batch, x1, y1, x2, y2) -> [K,C,out_h,out_w]",
    .args = {{"x", OV_ARG_FLOAT, 0}, {"boxes", OV_ARG_FLOAT, OV_ARG_NO_GRAD}},
    .attrs = {{"output_size", OV_ATTR_INTS, NULL},
              {"spatial_scale", OV_ATTR_FLOAT, "1"},
              {"sampling_ratio", OV_ATTR_INT, "-1"},
              {"aligned", OV_ATTR_BOOL, "false"}},
    .outputs = "out",
    .flags = OV_OP_CUDA,
    .check = roi_check,
    .forward = roi_forward,
    .backward = roi_backward,
    .make_case = roi_case,
    .fast_tol = 16,
};

/* ---- roi_align_backward (internal) ---- */

static void roi_backward_check(const ovOpCall *c) {
    int64_t oh, ow;
    roi_out_size(c, &oh, &ow);
    const ovTensor *g = c->in[0], *boxes = c->in[1];
    check_boxes(c, boxes);
    const ovAttrVal *in = &c->attr[R_INPUT];
    if (!in->set || in->n != 4) ov_op_fail(c, "input_shape must give the feature map's [N,C,H,W]");
    if (g->ndim != 4 || g->shape[0] != boxes->shape[0] || g->shape[1] != in->v[1] || g->shape[2] != oh ||
        g->shape[3] != ow)
        ov_op_fail(c, "grad must be [K,C,out_h,out_w]");
    if (in->v[0] < 0 || in->v[2] <= 0 || in->v[3] <= 0) ov_op_fail(c, "input_shape must have N >= 0, H, W > 0");
}

static int roi_backward_forward(const ovOpCall *c, ovTensor **out, ovSaved *save) {
    (void)save;
    ovTensor *g = c->in[0], *boxes = c->in[1];
    out[0] = ov_empty(4, c->attr[R_INPUT].v, OV_F32);
    ovKRoi p = kroi_of(c);
    ovKView gx = ov_kview(out[0]), gv = ov_kview(g), bv = ov_kview(boxes);
    OV_KERNEL(c, ov_kroi_align_backward, &p, &gx, &gv, &bv);
    return 1;
}

static bool roi_backward_case(int k, ovOpCall *c) {
    if (k >= N_ROI_CASES) return false;
    const RoiCase *rc = &roi_cases[k];
    c->in[0] = ov_tg_tensor(4, (int64_t[]){rc->K, rc->x[1], rc->out_h, rc->out_w}, OV_TG_NORMAL, ov_tg_layout(k),
                            1900 + (uint64_t)k);
    c->in[1] = case_boxes(k, rc);
    roi_case_attrs(rc, c);
    c->attr[R_INPUT].set = true;
    c->attr[R_INPUT].n = 4;
    memcpy(c->attr[R_INPUT].v, rc->x, sizeof rc->x);
    return true;
}

static ovOpDef op_roi_align_backward = {
    .name = "roi_align_backward",
    .doc = "gradient of roi_align to the feature map of shape input_shape",
    .args = {{"grad", OV_ARG_FLOAT, 0}, {"boxes", OV_ARG_FLOAT, OV_ARG_NO_GRAD}},
    .attrs = {{"output_size", OV_ATTR_INTS, NULL},
              {"spatial_scale", OV_ATTR_FLOAT, "1"},
              {"sampling_ratio", OV_ATTR_INT, "-1"},
              {"aligned", OV_ATTR_BOOL, "false"},
              {"input_shape", OV_ATTR_INTS, NULL}},
    .outputs = "grad_x",
    .flags = OV_OP_NO_GRAD | OV_OP_INTERNAL | OV_OP_CUDA,
    .check = roi_backward_check,
    .forward = roi_backward_forward,
    .make_case = roi_backward_case,
    .fast_tol = 32,
};

ovOpDef *const ov_ops_resample[] = {
    &op_interpolate, &op_interpolate_backward, &op_grid_sample, &op_grid_sample_backward,
    &op_roi_align,   &op_roi_align_backward,   NULL,
};

/* ================= public API ================= */

static ovTensor *interpolate(ovTensor *x, ovInterpMode mode, int n, const int64_t *size, const double *scale,
                             bool align_corners) {
    ovOpCall c = ov_call(&op_interpolate);
    c.in[0] = x;
    c.attr[I_MODE].i = mode;
    c.attr[I_ALIGN].i = align_corners;
    if (n < 0 || n > 3) ov_op_fail(&c, "%d spatial sizes given (1 to 3 expected)", n);
    if (!size && !scale) ov_op_fail(&c, "neither sizes nor scale factors given");
    ovAttrVal *a = size ? &c.attr[I_SIZE] : &c.attr[I_SCALE];
    a->set = true;
    a->n = n;
    for (int d = 0; d < n; d++) {
        if (size) a->v[d] = size[d];
        else a->fv[d] = scale[d];
    }
    return ov_apply1(&c);
}

ovTensor *ov_interpolate(ovTensor *x, ovInterpMode mode, int n, const int64_t *size, bool align_corners) {
    return interpolate(x, mode, n, size, NULL, align_corners);
}

ovTensor *ov_interpolate_scale(ovTensor *x, ovInterpMode mode, int n, const double *scale, bool align_corners) {
    return interpolate(x, mode, n, NULL, scale, align_corners);
}

ovTensor *ov_grid_sample(ovTensor *x, ovTensor *grid, bool align_corners) {
    ovOpCall c = ov_call(&op_grid_sample);
    c.in[0] = x;
    c.in[1] = grid;
    c.attr[G_ALIGN].i = align_corners;
    return ov_apply1(&c);
}

ovTensor *ov_roi_align(ovTensor *x, ovTensor *boxes, int64_t out_h, int64_t out_w, double spatial_scale,
                       int64_t sampling_ratio, bool aligned) {
    ovOpCall c = ov_call(&op_roi_align);
    c.in[0] = x;
    c.in[1] = boxes;
    c.attr[R_OUT].set = true;
    c.attr[R_OUT].n = 2;
    c.attr[R_OUT].v[0] = out_h;
    c.attr[R_OUT].v[1] = out_w;
    c.attr[R_SCALE].f = spatial_scale;
    c.attr[R_SR].i = sampling_ratio;
    c.attr[R_ALIGNED].i = aligned;
    return ov_apply1(&c);
}
