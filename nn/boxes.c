/* boxes.c: box conversions, clipping, areas and overlaps (see boxes.h), written with the public
 * ops: each coordinate is a [...] view of the last dim, and the results are stacked back.
 * Pairwise functions insert broadcast dims (a [..., N, 1, 4] against b [..., 1, M, 4]) and reuse
 * the elementwise formulas, which keeps one copy of each formula and the same order of
 * operations as torchvision (union = area_a + area_b - inter, iou = inter / union, ...). */
#include "nn/boxes.h"

#include <math.h>
#include <string.h>

#include "autograd/ops.h"
#include "tensor/error.h"

static void need_boxes(const char *fn, const char *arg, const ovTensor *t) {
    char d[160];
    if (!t) ov_panic("%s: %s is missing", fn, arg);
    if (t->dtype != OV_F32 || t->ndim == 0 || t->shape[t->ndim - 1] != 4)
        ov_panic("%s: %s must be f32 boxes [..., 4], got %s", fn, arg, ov_describe(t, d, sizeof d));
}

static void need_pairwise(const char *fn, const ovTensor *a, const ovTensor *b) {
    need_boxes(fn, "a", a);
    need_boxes(fn, "b", b);
    char da[160], db[160];
    if (a->ndim < 2 || b->ndim < 2)
        ov_panic("%s: pairwise overlaps take a [..., N, 4] and b [..., M, 4], got %s and %s", fn,
                 ov_describe(a, da, sizeof da), ov_describe(b, db, sizeof db));
}

/* The four coordinates of boxes [..., 4], each a [...] view. */
typedef struct {
    ovTensor *c[4];
} Quad;

static Quad coords(ovTensor *boxes) {
    Quad q;
    for (int i = 0; i < 4; i++) q.c[i] = ov_select(boxes, -1, i);
    return q;
}

static ovTensor *stack4(ovTensor *c0, ovTensor *c1, ovTensor *c2, ovTensor *c3) {
    ovTensor *t[4] = {c0, c1, c2, c3};
    return ov_stack(4, t, -1);
}

static ovTensor *exp2_t(ovTensor *x) { return ov_exp(ov_mul_scalar(x, M_LN2)); }
static ovTensor *log2_t(ovTensor *x) { return ov_mul_scalar(ov_log(x), 1.0 / M_LN2); }

/* hi - lo, plus 1 under the legacy pixel convention. */
static ovTensor *extent(ovTensor *hi, ovTensor *lo, bool legacy) {
    ovTensor *d = ov_sub(hi, lo);
    return legacy ? ov_add_scalar(d, 1.0) : d;
}

/* ---------------- formats ---------------- */

static const char *const format_names[] = {"xyxy", "xywh", "cxcywh", "xyzr"};

const char *ov_box_format_name(ovBoxFormat f) {
    return (unsigned)f < 4 ? format_names[f] : "?";
}

int ov_box_format_parse(const char *name, ovBoxFormat *out) {
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, format_names[i])) {
            *out = (ovBoxFormat)i;
            return 0;
        }
    return ov_error("unknown box format '%s' (expected xyxy, xywh, cxcywh or xyzr)", name);
}

static ovTensor *to_xyxy(ovTensor *b, ovBoxFormat from) {
    if (from == OV_BOX_XYXY) return b;
    Quad q = coords(b);
    switch (from) {
    case OV_BOX_XYWH: return stack4(q.c[0], q.c[1], ov_add(q.c[0], q.c[2]), ov_add(q.c[1], q.c[3]));
    case OV_BOX_CXCYWH: {
        ovTensor *hw = ov_mul_scalar(q.c[2], 0.5), *hh = ov_mul_scalar(q.c[3], 0.5);
        return stack4(ov_sub(q.c[0], hw), ov_sub(q.c[1], hh), ov_add(q.c[0], hw), ov_add(q.c[1], hh));
    }
    case OV_BOX_XYZR: {
        /* decode_box: w = 2^(z - r/2), h = 2^(z + r/2) around the centre (x, y) */
        ovTensor *half_r = ov_mul_scalar(q.c[3], 0.5);
        ovTensor *hw = ov_mul_scalar(exp2_t(ov_sub(q.c[2], half_r)), 0.5);
        ovTensor *hh = ov_mul_scalar(exp2_t(ov_add(q.c[2], half_r)), 0.5);
        return stack4(ov_sub(q.c[0], hw), ov_sub(q.c[1], hh), ov_add(q.c[0], hw), ov_add(q.c[1], hh));
    }
    default: ov_panic("box_convert: unknown source format %d", (int)from);
    }
}

static ovTensor *from_xyxy(ovTensor *b, ovBoxFormat to) {
    if (to == OV_BOX_XYXY) return b;
    Quad q = coords(b);
    ovTensor *w = ov_sub(q.c[2], q.c[0]), *h = ov_sub(q.c[3], q.c[1]);
    switch (to) {
    case OV_BOX_XYWH: return stack4(q.c[0], q.c[1], w, h);
    case OV_BOX_CXCYWH:
        return stack4(ov_mul_scalar(ov_add(q.c[0], q.c[2]), 0.5), ov_mul_scalar(ov_add(q.c[1], q.c[3]), 0.5), w, h);
    case OV_BOX_XYZR: {
        /* bbox_xyxy_to_xyzr: z = log2(sqrt(w h)) = log2(w h) / 2, r = log2(h / w) */
        ovTensor *z = ov_mul_scalar(log2_t(ov_mul(w, h)), 0.5);
        ovTensor *r = log2_t(ov_div(h, w));
        return stack4(ov_mul_scalar(ov_add(q.c[0], q.c[2]), 0.5), ov_mul_scalar(ov_add(q.c[1], q.c[3]), 0.5), z, r);
    }
    default: ov_panic("box_convert: unknown target format %d", (int)to);
    }
}

ovTensor *ov_box_convert(ovTensor *boxes, ovBoxFormat from, ovBoxFormat to) {
    need_boxes("box_convert", "boxes", boxes);
    if (from == to) return boxes;
    return from_xyxy(to_xyxy(boxes, from), to);
}

/* ---------------- clipping and areas ---------------- */

ovTensor *ov_box_clip(ovTensor *boxes, double x_max, double y_max) {
    need_boxes("box_clip", "boxes", boxes);
    Quad q = coords(boxes);
    return stack4(ov_clamp(q.c[0], 0, x_max), ov_clamp(q.c[1], 0, y_max), ov_clamp(q.c[2], 0, x_max),
                  ov_clamp(q.c[3], 0, y_max));
}

ovTensor *ov_box_clip_to(ovTensor *boxes, ovTensor *bounds) {
    need_boxes("box_clip_to", "boxes", boxes);
    if (!bounds) ov_panic("box_clip_to: bounds is missing");
    /* where(x > max, max, clamp(x, 0)): on a tie the gradient stays with the box, as in torch.clamp */
    ovTensor *lo = ov_clamp(boxes, 0, INFINITY);
    return ov_where(ov_gt(lo, bounds), bounds, lo);
}

ovTensor *ov_box_area(ovTensor *boxes, bool legacy) {
    need_boxes("box_area", "boxes", boxes);
    Quad q = coords(boxes);
    return ov_mul(extent(q.c[2], q.c[0], legacy), extent(q.c[3], q.c[1], legacy));
}

/* ---------------- overlaps ---------------- */

/* Intersection and the two areas of broadcast-compatible boxes a and b. */
typedef struct {
    ovTensor *inter, *area_a, *area_b;
    Quad a, b;
} Overlap;

static Overlap overlap(ovTensor *a, ovTensor *b, bool legacy) {
    Overlap o;
    o.a = coords(a);
    o.b = coords(b);
    o.area_a = ov_mul(extent(o.a.c[2], o.a.c[0], legacy), extent(o.a.c[3], o.a.c[1], legacy));
    o.area_b = ov_mul(extent(o.b.c[2], o.b.c[0], legacy), extent(o.b.c[3], o.b.c[1], legacy));
    ovTensor *wx = extent(ov_minimum(o.a.c[2], o.b.c[2]), ov_maximum(o.a.c[0], o.b.c[0]), legacy);
    ovTensor *wy = extent(ov_minimum(o.a.c[3], o.b.c[3]), ov_maximum(o.a.c[1], o.b.c[1]), legacy);
    o.inter = ov_mul(ov_clamp(wx, 0, INFINITY), ov_clamp(wy, 0, INFINITY));
    return o;
}

static ovTensor *union_of(const Overlap *o) { return ov_sub(ov_add(o->area_a, o->area_b), o->inter); }

/* Area of the smallest box enclosing both. */
static ovTensor *enclosing(const Overlap *o, bool legacy) {
    ovTensor *wx = extent(ov_maximum(o->a.c[2], o->b.c[2]), ov_minimum(o->a.c[0], o->b.c[0]), legacy);
    ovTensor *wy = extent(ov_maximum(o->a.c[3], o->b.c[3]), ov_minimum(o->a.c[1], o->b.c[1]), legacy);
    return ov_mul(ov_clamp(wx, 0, INFINITY), ov_clamp(wy, 0, INFINITY));
}

static ovTensor *plus_eps(ovTensor *x, double eps) { return eps != 0 ? ov_add_scalar(x, eps) : x; }

static ovTensor *iou_of(ovTensor *a, ovTensor *b, double eps, bool legacy) {
    Overlap o = overlap(a, b, legacy);
    return ov_div(o.inter, plus_eps(union_of(&o), eps));
}

static ovTensor *giou_of(ovTensor *a, ovTensor *b, double eps, bool legacy) {
    Overlap o = overlap(a, b, legacy);
    ovTensor *uni = union_of(&o);
    ovTensor *iou = ov_div(o.inter, plus_eps(uni, eps));
    ovTensor *encl = enclosing(&o, legacy);
    return ov_sub(iou, ov_div(ov_sub(encl, uni), plus_eps(encl, eps)));
}

ovTensor *ov_box_iou(ovTensor *a, ovTensor *b, bool legacy) {
    need_pairwise("box_iou", a, b);
    return iou_of(ov_unsqueeze(a, -2), ov_unsqueeze(b, -3), 0, legacy);
}

ovTensor *ov_box_iof(ovTensor *a, ovTensor *b, double eps, bool legacy) {
    need_pairwise("box_iof", a, b);
    Overlap o = overlap(ov_unsqueeze(a, -2), ov_unsqueeze(b, -3), legacy);
    return ov_div(o.inter, ov_clamp(o.area_a, eps, INFINITY));
}

ovTensor *ov_box_giou(ovTensor *a, ovTensor *b, bool legacy) {
    need_pairwise("box_giou", a, b);
    return giou_of(ov_unsqueeze(a, -2), ov_unsqueeze(b, -3), 0, legacy);
}

ovTensor *ov_box_iou_aligned(ovTensor *a, ovTensor *b, double eps, bool legacy) {
    need_boxes("box_iou_aligned", "a", a);
    need_boxes("box_iou_aligned", "b", b);
    return iou_of(a, b, eps, legacy);
}

ovTensor *ov_box_giou_aligned(ovTensor *a, ovTensor *b, double eps, bool legacy) {
    need_boxes("box_giou_aligned", "a", a);
    need_boxes("box_giou_aligned", "b", b);
    return giou_of(a, b, eps, legacy);
}

ovTensor *ov_box_l1_cdist(ovTensor *a, ovTensor *b) {
    char da[160], db[160];
    if (!a || !b || a->ndim < 2 || b->ndim < 2 || a->shape[a->ndim - 1] != b->shape[b->ndim - 1])
        ov_panic("box_l1_cdist: takes a [..., N, K] and b [..., M, K], got %s and %s",
                 a ? ov_describe(a, da, sizeof da) : "none", b ? ov_describe(b, db, sizeof db) : "none");
    int64_t last = -1;
    return ov_sum(ov_abs(ov_sub(ov_unsqueeze(a, -2), ov_unsqueeze(b, -3))), 1, &last, false);
}
