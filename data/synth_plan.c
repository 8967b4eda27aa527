/* synth_plan.c: the synthetic dataset's vocabulary (actions and attribute values), its options,
 * and the drawing of every clip's content before any pixel is rendered: which actors, with which
 * attributes, where and how fast, which split, and the captions (see synth.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/synth_internal.h"
#include "tensor/error.h"

static const char *const action_names[OV_SYNTH_NACTIONS] = {
    "waving", "jumping", "walking", "running", "clapping", "crouching", "spinning", "falling", "kicking", "punching",
};
static const char *const action_text[OV_SYNTH_NACTIONS] = {
    "a person waving one raised hand from side to side",
    "a person jumping up into the air and landing again",
    "a person walking, legs striding in turn and arms swinging",
    "a person running with long strides, bent arms pumping",
    "a person clapping, bringing both hands together in front again and again",
    "a person crouching down into a squat and standing back up",
    "a person spinning round on the spot with arms stretched out",
    "a person falling over and lying on the ground",
    "a person kicking one leg up and forward",
    "a person punching, fists shooting forward one after the other",
};
enum { NCOLOURS = 8 };
static const char *const colour_names[NCOLOURS] = {"red", "green", "blue", "yellow", "orange", "purple", "white", "black"};
static const float palette[NCOLOURS][3] = {
    {215, 35, 35}, {30, 165, 55}, {40, 90, 230}, {240, 215, 30}, {245, 130, 20}, {150, 50, 205}, {245, 245, 245}, {22, 22, 22},
};
static const char *const size_names[] = {"small", "medium", "large"};
static const double size_frac[] = {0.34, 0.5, 0.68}; /* body height / image height */
static const char *const direction_names[] = {"left", "right", "in-place"};
static const char *const direction_text[] = {"to the left", "to the right", "in place"};
static const char *const speed_names[] = {"slow", "fast"};
static const char *const speed_text[] = {"slowly", "quickly"};
static const char *const attr_names[OV_SYNTH_NATTR] = {"action", "colour", "size", "direction", "speed"};
static const char *const bg_names[OV_SYNTH_NBG] = {"noise", "stripes", "checks", "gradient", "flat"};

static const char *const *const value_names[OV_SYNTH_NATTR] = {action_names, colour_names, size_names, direction_names,
                                                              speed_names};
static const int value_counts[OV_SYNTH_NATTR] = {OV_SYNTH_NACTIONS, NCOLOURS, 3, 3, 2};

int ov_synth_nvalues(int attr) { return attr >= 0 && attr < OV_SYNTH_NATTR ? value_counts[attr] : 0; }
const char *ov_synth_value_name(int attr, int value) {
    return value >= 0 && value < ov_synth_nvalues(attr) ? value_names[attr][value] : "?";
}
const char *ov_synth_attr_name(int attr) { return attr >= 0 && attr < OV_SYNTH_NATTR ? attr_names[attr] : "?"; }
const char *ov_synth_bg_name(int bg) { return bg >= 0 && bg < OV_SYNTH_NBG ? bg_names[bg] : "?"; }
const char *ov_synth_action_description(int action) { return action_text[action]; }

ovSynthOptions ov_synth_defaults(void) {
    return (ovSynthOptions){.videos = 200, .frames = 16, .width = 128, .height = 128, .actors_min = 1, .actors_max = 3,
                            .seed = 0, .test_fraction = 0.25, .novel_fraction = 0.5};
}

/* ---- options ---- */

static int find_value(int attr, const char *s, size_t n) {
    for (int v = 0; v < value_counts[attr]; v++)
        if (strlen(value_names[attr][v]) == n && !strncmp(value_names[attr][v], s, n)) return v;
    return -1;
}

/* Calls fn(ctx, token, length) for every comma-separated token of list, spaces trimmed;
 * stops at the first non-zero return. */
static int each_token(const char *list, int (*fn)(void *, const char *, size_t), void *ctx) {
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        if (!e) e = p + strlen(p);
        const char *a = p, *b = e;
        while (a < b && *a == ' ') a++;
        while (b > a && b[-1] == ' ') b--;
        if (b > a && fn(ctx, a, (size_t)(b - a))) return -1;
        p = *e ? e + 1 : e;
    }
    return 0;
}

typedef struct {
    ovSynthDataset *ds;
    int attr;
    const char *option;
    int *out, n, max;
} ListCtx;

static int add_value(void *vctx, const char *s, size_t n) {
    ListCtx *c = vctx;
    int v = c->attr < 0 ? -1 : find_value(c->attr, s, n);
    if (c->attr < 0) /* backgrounds */
        for (int b = 0; b < OV_SYNTH_NBG; b++)
            if (strlen(bg_names[b]) == n && !strncmp(bg_names[b], s, n)) v = b;
    if (v < 0) {
        char known[256] = "";
        int cnt = c->attr < 0 ? OV_SYNTH_NBG : value_counts[c->attr];
        for (int i = 0; i < cnt; i++) {
            strcat(known, i ? ", " : "");
            strcat(known, c->attr < 0 ? bg_names[i] : value_names[c->attr][i]);
        }
        return ov_error("%s: unknown value '%.*s' (known: %s)", c->option, (int)n, s, known);
    }
    for (int i = 0; i < c->n; i++)
        if (c->out[i] == v) return ov_error("%s: '%.*s' is given twice", c->option, (int)n, s);
    if (c->n == c->max) return ov_error("%s: too many values", c->option);
    c->out[c->n++] = v;
    return 0;
}

/* Parses a comma list of values of attr (-1: backgrounds) into out; an empty or NULL list gives
 * dflt_n values 0..dflt_n-1. Returns the count, or -1. */
static int parse_list(const char *list, int attr, const char *option, int *out, int max, int dflt_n) {
    if (!list || !*list) {
        for (int i = 0; i < dflt_n; i++) out[i] = i;
        return dflt_n;
    }
    ListCtx c = {.attr = attr, .option = option, .out = out, .max = max};
    if (each_token(list, add_value, &c)) return -1;
    if (!c.n) return ov_error("%s: no value given", option);
    return c.n;
}

static int label_of(const ovSynthDataset *ds, int action) {
    for (int l = 0; l < ds->nlabels; l++)
        if (ds->label_action[l] == action) return l;
    return -1;
}

static int enabled(const ovSynthDataset *ds, int attr, int v) {
    for (int i = 0; i < ds->nvalues[attr]; i++)
        if (ds->values[attr][i] == v) return 1;
    return 0;
}

static int add_novel(void *vctx, const char *s, size_t n) {
    ovSynthDataset *ds = vctx;
    int a = find_value(OV_SYNTH_ACTION, s, n), l = a < 0 ? -1 : label_of(ds, a);
    if (l < 0) return ov_error("--holdout-actions: '%.*s' is not one of the dataset's actions", (int)n, s);
    ds->label_novel[l] = true;
    return 0;
}

static int add_combo(void *vctx, const char *s, size_t n) {
    ovSynthDataset *ds = vctx;
    if (ds->ncombos == OV_SYNTH_MAX_COMBOS) return ov_error("--holdout-combos: more than %d combinations", OV_SYNTH_MAX_COMBOS);
    int *c = ds->combo[ds->ncombos];
    for (int k = 0; k < OV_SYNTH_NATTR; k++) c[k] = -1;
    int terms = 0;
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *e = memchr(p, '+', (size_t)(end - p));
        if (!e) e = end;
        int found = 0;
        for (int k = 0; k < OV_SYNTH_NATTR && !found; k++) {
            int v = find_value(k, p, (size_t)(e - p));
            if (v < 0) continue;
            found = 1;
            if (c[k] >= 0) return ov_error("--holdout-combos: '%.*s' has two %s values", (int)n, s, attr_names[k]);
            if (!enabled(ds, k, v))
                return ov_error("--holdout-combos: '%.*s' names %s '%.*s', which the dataset does not draw", (int)n, s,
                                attr_names[k], (int)(e - p), p);
            c[k] = v;
        }
        if (!found) return ov_error("--holdout-combos: unknown value '%.*s' in '%.*s'", (int)(e - p), p, (int)n, s);
        terms++;
        p = e < end ? e + 1 : e;
    }
    if (terms < 2)
        return ov_error("--holdout-combos: '%.*s' is not a combination of two or more values joined by '+' "
                        "(hold out a whole action with --holdout-actions)", (int)n, s);
    ds->ncombos++;
    return 0;
}

static int check_options(const ovSynthOptions *o) {
    if (o->videos < 1 || o->videos > 1000000) return ov_error("--videos must be 1..1000000 (got %d)", o->videos);
    if (o->frames < 1 || o->frames > 10000) return ov_error("--frames must be 1..10000 (got %d)", o->frames);
    if (o->width < 16 || o->height < 16 || o->width > 4096 || o->height > 4096)
        return ov_error("--size must be between 16x16 and 4096x4096 (got %dx%d)", o->width, o->height);
    if (o->actors_min < 1 || o->actors_max > OV_SYNTH_MAX_ACTORS || o->actors_min > o->actors_max)
        return ov_error("actors per clip: need 1 <= min <= max <= %d (got %d..%d)", OV_SYNTH_MAX_ACTORS, o->actors_min,
                        o->actors_max);
    if (!(o->test_fraction >= 0 && o->test_fraction < 1)) return ov_error("--test-fraction must be in [0, 1)");
    if (!(o->novel_fraction >= 0 && o->novel_fraction <= 1)) return ov_error("--novel-fraction must be in [0, 1]");
    return 0;
}

/* ---- drawing a clip ---- */

static int draw(ovDataRng *r, const ovSynthDataset *ds, int attr) {
    return ds->values[attr][ov_data_rng_below(r, ds->nvalues[attr])];
}

static int matches_combo(const ovSynthDataset *ds, const int *attr) {
    for (int c = 0; c < ds->ncombos; c++) {
        int all = 1;
        for (int k = 0; k < OV_SYNTH_NATTR; k++)
            if (ds->combo[c][k] >= 0 && ds->combo[c][k] != attr[k]) all = 0;
        if (all) return 1;
    }
    return 0;
}

/* Attributes of one actor. mode 0: train (no held-out action or combination); 1: anything;
 * 2: one of the held-out items (a novel action, or a held-out combination). */
static int draw_attrs(ovDataRng *r, const ovSynthDataset *ds, int mode, int *attr) {
    int nnovel = 0, novel[OV_SYNTH_NACTIONS];
    for (int l = 0; l < ds->nlabels; l++)
        if (ds->label_novel[l]) novel[nnovel++] = l;
    if (mode == 2 && nnovel + ds->ncombos > 0) {
        int i = (int)ov_data_rng_below(r, nnovel + ds->ncombos);
        for (int k = 0; k < OV_SYNTH_NATTR; k++) attr[k] = draw(r, ds, k);
        if (i < nnovel) {
            attr[OV_SYNTH_ACTION] = ds->label_action[novel[i]];
        } else {
            for (int k = 0; k < OV_SYNTH_NATTR; k++)
                if (ds->combo[i - nnovel][k] >= 0) attr[k] = ds->combo[i - nnovel][k];
        }
        return 0;
    }
    for (int tries = 0; tries < 10000; tries++) {
        for (int k = 0; k < OV_SYNTH_NATTR; k++) attr[k] = draw(r, ds, k);
        if (mode == 1) return 0;
        if (!ds->label_novel[label_of(ds, attr[OV_SYNTH_ACTION])] && !matches_combo(ds, attr)) return 0;
    }
    return ov_error("the held-out actions and combinations leave (almost) nothing to train on");
}

/* Extent of the figure over the clip at unit height with no translation: per frame, the
 * joints' bounding box (x right, y up). */
typedef struct {
    double x0, x1, y0, y1;
} Ext;

static double iou(const double *a, const double *b) {
    double iw = fmin(a[2], b[2]) - fmax(a[0], b[0]), ih = fmin(a[3], b[3]) - fmax(a[1], b[1]);
    if (iw <= 0 || ih <= 0) return 0;
    double in = iw * ih;
    return in / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - in);
}

/* Size, speed and position of actor k of clip v, keeping the whole figure inside the image on
 * every frame (a path too long for the image is slowed down, a figure too big is shrunk) and,
 * where it can, away from the actors already placed at frame 0. */
static int place(const ovSynthDataset *ds, ovSynthVideo *vid, int k, ovDataRng *r, Ext *ext, double (*box0)[4]) {
    ovSynthActor *a = &vid->actor[k];
    int T = ds->opt.frames;
    double W = ds->opt.width, Hh = ds->opt.height;
    double jx[OV_SYNTH_NJOINTS], jy[OV_SYNTH_NJOINTS], jd[OV_SYNTH_NJOINTS];
    for (int t = 0; t < T; t++) {
        ov_synth_pose_units(a, t, jx, jy, jd);
        Ext e = {jx[0], jx[0], jy[0], jy[0]};
        for (int j = 1; j < OV_SYNTH_NJOINTS; j++) {
            e.x0 = fmin(e.x0, jx[j]);
            e.x1 = fmax(e.x1, jx[j]);
            e.y0 = fmin(e.y0, jy[j]);
            e.y1 = fmax(e.y1, jy[j]);
        }
        ext[t] = e;
    }
    double speed = a->vx;
    for (int shrink = 0; shrink < 40; shrink++) {
        double H = a->height, pad = fmax(OV_SYNTH_HEAD_R * H, OV_SYNTH_MIN_R) + 1.5;
        double glo = -INFINITY, ghi = INFINITY;
        for (int t = 0; t < T; t++) {
            glo = fmax(glo, pad + H * ext[t].y1);
            ghi = fmin(ghi, Hh - 1 - pad + H * ext[t].y0);
        }
        double xlo = 0, xhi = -1;
        for (int slow = 0; slow <= 8 && xlo > xhi; slow++) {
            a->vx = slow == 8 ? 0 : speed * pow(0.75, slow);
            xlo = -INFINITY, xhi = INFINITY;
            for (int t = 0; t < T; t++) {
                xlo = fmax(xlo, pad - H * ext[t].x0 - a->vx * t);
                xhi = fmin(xhi, W - 1 - pad - H * ext[t].x1 - a->vx * t);
            }
        }
        if (xlo <= xhi && glo <= ghi) {
            double best = INFINITY;
            for (int tries = 0; tries < 30 && best > 0.15; tries++) {
                double x0 = ov_data_rng_range(r, xlo, xhi);
                double g = glo + (ghi - glo) * sqrt(ov_data_rng_uniform(r)); /* nearer the bottom */
                double b[4] = {x0 + H * ext[0].x0 - pad, g - H * ext[0].y1 - pad, x0 + H * ext[0].x1 + pad,
                               g - H * ext[0].y0 + pad};
                double worst = 0;
                for (int j = 0; j < k; j++) worst = fmax(worst, iou(b, box0[j]));
                if (worst < best) {
                    best = worst;
                    a->x0 = x0;
                    a->ground = g;
                    memcpy(box0[k], b, sizeof b);
                }
            }
            return 0;
        }
        a->height *= 0.9;
    }
    return ov_error("a %dx%d image is too small for the figures", ds->opt.width, ds->opt.height);
}

static void draw_motion(const ovSynthDataset *ds, ovSynthActor *a, ovDataRng *r) {
    int T = ds->opt.frames;
    a->height = size_frac[a->attr[OV_SYNTH_SIZE]] * ov_data_rng_range(r, 0.93, 1.07) * ds->opt.height;
    int fast = a->attr[OV_SYNTH_SPEED] == OV_SYNTH_FAST, d = a->attr[OV_SYNTH_DIRECTION];
    a->tempo = (fast ? 1.0 / 6 : 1.0 / 12) * ov_data_rng_range(r, 0.9, 1.1);
    if (a->attr[OV_SYNTH_ACTION] == OV_SYNTH_RUNNING) a->tempo *= 1.4; /* a runner's cadence */
    a->phase = ov_data_rng_range(r, 0, 2 * M_PI);
    double facing = d == OV_SYNTH_LEFT ? -1 : d == OV_SYNTH_RIGHT ? 1 : ov_data_rng_bernoulli(r, 0.5) ? 1 : -1;
    a->yaw = facing * ov_data_rng_range(r, 30, 60) * M_PI / 180;
    double v = (fast ? 0.03 : 0.012) * ov_data_rng_range(r, 0.9, 1.1) * ds->opt.width;
    a->vx = d == OV_SYNTH_IN_PLACE ? 0 : facing * v;
    a->limb = (int)ov_data_rng_below(r, 2);
    a->carriage = ov_data_rng_uniform(r);
    a->fall_frames = 0.6 / a->tempo;
    double lo = 0.1 * T, hi = fmax(lo, T - a->fall_frames - 0.2 * T);
    a->fall_start = ov_data_rng_range(r, lo, hi);
    for (int c = 0; c < 3; c++) a->colour[c] = palette[a->attr[OV_SYNTH_COLOUR]][c];
}

void ov_synth_hsv(double h, double s, double v, float rgb[3]) {
    h = (h - floor(h)) * 6;
    int i = (int)h % 6;
    double f = h - floor(h), p = v * (1 - s), q = v * (1 - s * f), u = v * (1 - s * (1 - f));
    double c[6][3] = {{v, u, p}, {q, v, p}, {p, v, u}, {p, q, v}, {u, p, v}, {v, p, q}};
    for (int k = 0; k < 3; k++) rgb[k] = (float)(255 * c[i][k]);
}

static void draw_background(const ovSynthDataset *ds, ovSynthVideo *vid, ovDataRng *r) {
    vid->background = ds->bgs[ov_data_rng_below(r, ds->nbg)];
    /* muted colours (saturation <= 0.4, mid brightness) so that the figures' palette stands out */
    double h = ov_data_rng_uniform(r), s = ov_data_rng_range(r, 0.08, 0.4), v = ov_data_rng_range(r, 0.35, 0.75);
    ov_synth_hsv(h, s, v, vid->bg_colour[0]);
    double dv = ov_data_rng_range(r, 0.12, 0.25) * (v > 0.55 ? -1 : 1);
    ov_synth_hsv(h + ov_data_rng_range(r, -0.15, 0.15), fmin(0.4, s + ov_data_rng_range(r, -0.05, 0.1)), v + dv,
                 vid->bg_colour[1]);
    for (int i = 0; i < 4; i++) vid->bg_param[i] = ov_data_rng_uniform(r);
    vid->bg_seed = ((uint64_t)ov_data_rng_u32(r) << 32) | ov_data_rng_u32(r);
}

static void caption(const ovSynthActor *a, char *out, size_t n) {
    snprintf(out, n, "a %s %s person %s %s %s", size_names[a->attr[OV_SYNTH_SIZE]], colour_names[a->attr[OV_SYNTH_COLOUR]],
             action_names[a->attr[OV_SYNTH_ACTION]], speed_text[a->attr[OV_SYNTH_SPEED]],
             direction_text[a->attr[OV_SYNTH_DIRECTION]]);
}

static int plan_video(ovSynthDataset *ds, int v) {
    ovSynthVideo *vid = &ds->videos[v];
    ovDataRng r = ov_data_rng_for(ds->opt.seed, 0, (uint64_t)v);
    int T = ds->opt.frames;
    vid->nactors = ds->opt.actors_min + (int)ov_data_rng_below(&r, ds->opt.actors_max - ds->opt.actors_min + 1);
    Ext *ext = malloc((size_t)T * sizeof *ext);
    if (!ext) return ov_error("out of memory");
    double box0[OV_SYNTH_MAX_ACTORS][4];
    int main_action = -1;
    for (int k = 0; k < vid->nactors; k++) {
        ovSynthActor *a = &vid->actor[k];
        int mode = !vid->test ? 0 : (k == 0 && ov_data_rng_bernoulli(&r, ds->opt.novel_fraction)) ? 2 : 1;
        if (draw_attrs(&r, ds, mode, a->attr)) {
            free(ext);
            return -1;
        }
        draw_motion(ds, a, &r);
        if (place(ds, vid, k, &r, ext, box0)) {
            free(ext);
            return -1;
        }
        a->label = label_of(ds, a->attr[OV_SYNTH_ACTION]);
        a->novel_action = ds->label_novel[a->label];
        a->novel_combo = matches_combo(ds, a->attr);
        if (k == 0) main_action = a->attr[OV_SYNTH_ACTION];
    }
    free(ext);
    /* left to right at frame 0 (the captions' order), then a random drawing order */
    for (int i = 1; i < vid->nactors; i++)
        for (int j = i; j > 0 && box0[j][0] + box0[j][2] < box0[j - 1][0] + box0[j - 1][2]; j--) {
            ovSynthActor ta = vid->actor[j];
            vid->actor[j] = vid->actor[j - 1];
            vid->actor[j - 1] = ta;
            double tb[4];
            memcpy(tb, box0[j], sizeof tb);
            memcpy(box0[j], box0[j - 1], sizeof tb);
            memcpy(box0[j - 1], tb, sizeof tb);
        }
    int64_t perm[OV_SYNTH_MAX_ACTORS];
    ov_data_rng_permutation(&r, vid->nactors, perm);
    for (int k = 0; k < vid->nactors; k++) vid->order[k] = (int)perm[k];
    draw_background(ds, vid, &r);
    vid->label = label_of(ds, main_action);
    snprintf(vid->name, sizeof vid->name, "%s_%05d", action_names[main_action], v);
    snprintf(vid->key, sizeof vid->key, "%s/%s", action_names[main_action], vid->name);
    size_t len = 0;
    vid->caption[0] = 0;
    for (int k = 0; k < vid->nactors; k++) {
        ovSynthActor *a = &vid->actor[k];
        caption(a, a->caption, sizeof a->caption);
        const char *sep = k == 0 ? "" : k == vid->nactors - 1 ? " and " : ", ";
        len += (size_t)snprintf(vid->caption + len, sizeof vid->caption - len, "%s%s", sep, a->caption);
        a->boxes = malloc((size_t)T * 4 * sizeof(float));
        if (!a->boxes) return ov_error("out of memory");
        for (int i = 0; i < 4 * T; i++) a->boxes[i] = -1;
    }
    return 0;
}

int ov_synth_plan(const ovSynthOptions *opt, ovSynthDataset *ds) {
    memset(ds, 0, sizeof *ds);
    ds->opt = *opt;
    if (check_options(opt)) return -1;
    int acts[OV_SYNTH_MAX_VALUES];
    ds->nlabels = parse_list(opt->actions, OV_SYNTH_ACTION, "--actions", acts, OV_SYNTH_MAX_VALUES, OV_SYNTH_NACTIONS);
    if (ds->nlabels < 0) return -1;
    for (int l = 0; l < ds->nlabels; l++) ds->label_action[l] = acts[l];
    const char *lists[OV_SYNTH_NATTR] = {opt->actions, opt->colours, opt->sizes, opt->directions, opt->speeds};
    const char *flags[OV_SYNTH_NATTR] = {"--actions", "--colours", "--sizes", "--directions", "--speeds"};
    for (int k = 0; k < OV_SYNTH_NATTR; k++) {
        ds->nvalues[k] = parse_list(lists[k], k, flags[k], ds->values[k], OV_SYNTH_MAX_VALUES, value_counts[k]);
        if (ds->nvalues[k] < 0) return -1;
    }
    ds->nbg = parse_list(opt->backgrounds, -1, "--backgrounds", ds->bgs, OV_SYNTH_NBG, OV_SYNTH_BG_FLAT);
    if (ds->nbg < 0) return -1;
    if (opt->holdout_actions && each_token(opt->holdout_actions, add_novel, ds)) return -1;
    if (opt->holdout_combos && each_token(opt->holdout_combos, add_combo, ds)) return -1;
    int nbase = 0;
    for (int l = 0; l < ds->nlabels; l++) nbase += !ds->label_novel[l];
    if (!nbase) return ov_error("--holdout-actions: every action is held out; no class is left to train on");
    /* the split: a seeded choice of test clips */
    int N = opt->videos;
    ds->ntest = (int)llround(opt->test_fraction * N);
    if (opt->test_fraction > 0 && ds->ntest == 0 && N > 1) ds->ntest = 1;
    if (ds->ntest > N - 1) ds->ntest = N - 1;
    ds->ntrain = N - ds->ntest;
    ds->videos = calloc((size_t)N, sizeof *ds->videos);
    int64_t *perm = malloc((size_t)N * sizeof *perm);
    if (!ds->videos || !perm) {
        free(perm);
        return ov_error("out of memory for %d clips", N);
    }
    ds->nvideos = N;
    ovDataRng r = ov_data_rng_for(opt->seed, 1, 0);
    ov_data_rng_permutation(&r, N, perm);
    for (int i = 0; i < ds->ntest; i++) ds->videos[perm[i]].test = true;
    free(perm);
    for (int v = 0; v < N; v++)
        if (plan_video(ds, v)) {
            ov_synth_free(ds);
            return -1;
        }
    return 0;
}

void ov_synth_free(ovSynthDataset *ds) {
    for (int v = 0; v < ds->nvideos; v++)
        for (int k = 0; k < ds->videos[v].nactors; k++) free(ds->videos[v].actor[k].boxes);
    free(ds->videos);
    memset(ds, 0, sizeof *ds);
}
