/* synth_draw.c: pixels of the synthetic dataset: procedural backgrounds (value noise, stripes,
 * checks, gradients) and the anti-aliased stick figures, with each actor's exact box.
 *
 * A figure is drawn into its own layer first: for every part (a thick segment with round ends,
 * or the head disc) a pixel's coverage is r + 1/2 - d, clamped to [0, 1], d being the distance
 * from the pixel centre to the segment (a one-pixel linear ramp across the edge); the layer
 * keeps the largest coverage and the colour of the parts drawn over it back to front. The layer
 * is then blended over the frame. Coverage below 1/16 is dropped, so the set of pixels an actor
 * changes is exactly the set its box is computed from: the box is tight around the drawn figure
 * (and covers parts hidden behind other actors, as ground-truth boxes do). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/synth_internal.h"
#include "tensor/error.h"

enum { ALPHA_MIN = 16 }; /* of 255 */

static uint32_t hash3(uint64_t seed, int64_t x, int64_t y) {
    uint64_t z = seed ^ ((uint64_t)x * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)y * 0xC2B2AE3D27D4EB4Full);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static double lattice(uint64_t seed, int64_t x, int64_t y) { return hash3(seed, x, y) * (1.0 / 4294967296.0); }

/* Smooth value noise in [0, 1] at (x, y) in lattice cells. */
static double value_noise(uint64_t seed, double x, double y) {
    double fx = floor(x), fy = floor(y), u = x - fx, v = y - fy;
    int64_t ix = (int64_t)fx, iy = (int64_t)fy;
    u = u * u * (3 - 2 * u);
    v = v * v * (3 - 2 * v);
    double a = lattice(seed, ix, iy), b = lattice(seed, ix + 1, iy), c = lattice(seed, ix, iy + 1),
           d = lattice(seed, ix + 1, iy + 1);
    return (a + (b - a) * u) * (1 - v) + (c + (d - c) * u) * v;
}

void ov_synth_background(const ovSynthDataset *ds, int v, uint8_t *rgb) {
    const ovSynthVideo *vid = &ds->videos[v];
    int W = ds->opt.width, H = ds->opt.height;
    const double *p = vid->bg_param;
    double side = fmin(W, H);
    double cell = side / (2.5 + 4.5 * p[0]);                 /* noise */
    double period = fmax(4.0, side * (0.1 + 0.15 * p[1]));   /* stripes and checks */
    double ang = M_PI * p[2], ca = cos(ang), sa = sin(ang);
    double sharp = 1.5 + 6 * p[3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double t = 0;
            switch (vid->background) {
            case OV_SYNTH_BG_NOISE:
                t = 0.7 * value_noise(vid->bg_seed, x / cell, y / cell) +
                    0.3 * value_noise(vid->bg_seed + 1, x * 2.7 / cell, y * 2.7 / cell);
                t = (t - 0.5) * 1.6 + 0.5;
                break;
            case OV_SYNTH_BG_STRIPES:
                t = 0.5 + 0.5 * tanh(sharp * sin(2 * M_PI * (x * ca + y * sa) / period));
                break;
            case OV_SYNTH_BG_CHECKS: {
                double u = (x * ca + y * sa) / period, w = (-x * sa + y * ca) / period;
                t = ((int64_t)floor(u) + (int64_t)floor(w)) & 1 ? 0.85 : 0.15;
                break;
            }
            case OV_SYNTH_BG_GRADIENT: {
                double u = ((x - W / 2.0) * cos(2 * ang) + (y - H / 2.0) * sin(2 * ang)) / side + 0.5;
                t = u + 0.25 * (value_noise(vid->bg_seed, x / cell, y / cell) - 0.5);
                break;
            }
            default:
                break;
            }
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            /* a little grain, as a camera would add (none on flat backgrounds, which tests use) */
            double grain = 0;
            uint8_t *o = rgb + ((size_t)y * W + x) * 3;
            for (int c = 0; c < 3; c++) {
                double val = vid->bg_colour[0][c] + t * (vid->bg_colour[1][c] - vid->bg_colour[0][c]) + grain;
                o[c] = (uint8_t)(val < 0 ? 0 : val > 255 ? 255 : val + 0.5);
            }
        }
}

static double seg_dist(double px, double py, double ax, double ay, double bx, double by) {
    double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    double u = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double ex = px - ax - u * dx, ey = py - ay - u * dy;
    return sqrt(ex * ex + ey * ey);
}

/* Draws actor a at frame t over rgb and writes its box (or -1s when nothing shows). */
static void draw_actor(const ovSynthDataset *ds, ovSynthActor *a, int t, uint8_t *rgb) {
    int W = ds->opt.width, H = ds->opt.height;
    float *box = a->boxes + 4 * t;
    box[0] = box[1] = box[2] = box[3] = -1;
    ovSynthFigure f;
    ov_synth_figure(a, t, &f);
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY, rmax = 0;
    for (int j = 0; j < OV_SYNTH_NJOINTS; j++) {
        x0 = fmin(x0, f.x[j]);
        x1 = fmax(x1, f.x[j]);
        y0 = fmin(y0, f.y[j]);
        y1 = fmax(y1, f.y[j]);
    }
    for (int i = 0; i < f.nparts; i++) rmax = fmax(rmax, f.part[i].radius);
    int rx0 = (int)fmax(0, floor(x0 - rmax - 1)), rx1 = (int)fmin(W - 1, ceil(x1 + rmax + 1));
    int ry0 = (int)fmax(0, floor(y0 - rmax - 1)), ry1 = (int)fmin(H - 1, ceil(y1 + rmax + 1));
    if (rx0 > rx1 || ry0 > ry1) return;
    int lw = rx1 - rx0 + 1, lh = ry1 - ry0 + 1;
    float *alpha = calloc((size_t)lw * lh, sizeof *alpha), *col = malloc((size_t)lw * lh * 3 * sizeof *col);
    if (!alpha || !col) ov_panic("synth: out of memory for a %dx%d layer", lw, lh);
    for (int i = 0; i < f.nparts; i++) {
        double ax = f.x[f.part[i].a], ay = f.y[f.part[i].a], bx = f.x[f.part[i].b], by = f.y[f.part[i].b];
        double r = f.part[i].radius, s = f.part[i].shade;
        float pc[3] = {(float)(a->colour[0] * s), (float)(a->colour[1] * s), (float)(a->colour[2] * s)};
        int px0 = (int)fmax(rx0, floor(fmin(ax, bx) - r - 1)), px1 = (int)fmin(rx1, ceil(fmax(ax, bx) + r + 1));
        int py0 = (int)fmax(ry0, floor(fmin(ay, by) - r - 1)), py1 = (int)fmin(ry1, ceil(fmax(ay, by) + r + 1));
        for (int y = py0; y <= py1; y++)
            for (int x = px0; x <= px1; x++) {
                double cov = r + 0.5 - seg_dist(x, y, ax, ay, bx, by);
                if (cov <= 0) continue;
                float c = (float)(cov > 1 ? 1 : cov);
                size_t k = (size_t)(y - ry0) * lw + (x - rx0);
                float *pcol = col + 3 * k;
                for (int ch = 0; ch < 3; ch++) pcol[ch] = alpha[k] == 0 ? pc[ch] : pcol[ch] + c * (pc[ch] - pcol[ch]);
                if (c > alpha[k]) alpha[k] = c;
            }
    }
    int bx0 = W, by0 = H, bx1 = -1, by1 = -1;
    for (int y = ry0; y <= ry1; y++)
        for (int x = rx0; x <= rx1; x++) {
            size_t k = (size_t)(y - ry0) * lw + (x - rx0);
            int a8 = (int)(alpha[k] * 255 + 0.5f);
            if (a8 < ALPHA_MIN) continue;
            uint8_t *o = rgb + ((size_t)y * W + x) * 3;
            for (int ch = 0; ch < 3; ch++) {
                float v = o[ch] + a8 * (1.0f / 255) * (col[3 * k + ch] - o[ch]);
                o[ch] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
            }
            if (x < bx0) bx0 = x;
            if (x > bx1) bx1 = x;
            if (y < by0) by0 = y;
            if (y > by1) by1 = y;
        }
    free(alpha);
    free(col);
    if (bx1 < 0) return;
    box[0] = (float)bx0;
    box[1] = (float)by0;
    box[2] = (float)bx1;
    box[3] = (float)by1;
}

void ov_synth_render_frame(ovSynthDataset *ds, int v, int t, const uint8_t *background, uint8_t *rgb) {
    size_t n = (size_t)ds->opt.width * ds->opt.height * 3;
    if (background)
        memcpy(rgb, background, n);
    else
        ov_synth_background(ds, v, rgb);
    ovSynthVideo *vid = &ds->videos[v];
    for (int i = 0; i < vid->nactors; i++) draw_actor(ds, &vid->actor[vid->order[i]], t, rgb);
}
