/* plot.c: a loss curve as a PNG, drawn by hand into an RGB buffer: axes with five labelled ticks
 * each (a 5x7 pixel font, doubled), the loss of every step in a light colour and its exponential
 * moving average (bias-corrected, a window of about a fiftieth of the run) in a dark one. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/image.h"
#include "examples/demo.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tensor/scope.h"

/* 5x7 glyphs, one byte a row, bit 4 the leftmost pixel. */
static const char glyph_chars[] = "0123456789.-:()/abcdefghijklmnopqrstuvwxyz";
static const unsigned char glyphs[][7] = {
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E},
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E},
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E},
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C},
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}, {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00},
    {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}, {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02},
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}, {0x01, 0x02, 0x02, 0x04, 0x08, 0x08, 0x10},
    {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F}, {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E}, /* a b */
    {0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E}, {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}, /* c d */
    {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}, {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08}, /* e f */
    {0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E}, {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}, /* g h */
    {0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E}, {0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C}, /* i j */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}, {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* k l */
    {0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11}, {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11}, /* m n */
    {0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E}, {0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10}, /* o p */
    {0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01}, {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10}, /* q r */
    {0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E}, {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06}, /* s t */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D}, {0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04}, /* u v */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A}, {0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11}, /* w x */
    {0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E}, {0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F}, /* y z */
};
enum { SCALE = 2, CHAR_W = 6 * SCALE };

typedef struct {
    uint8_t *px;
    int w, h;
} Canvas;

static void dot(Canvas *c, int x, int y, const uint8_t *rgb) {
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
    memcpy(c->px + 3 * ((size_t)y * c->w + x), rgb, 3);
}

static void rect(Canvas *c, int x0, int y0, int x1, int y1, const uint8_t *rgb) {
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) dot(c, x, y, rgb);
}

/* Text with its left edge at x (right edge when right_align) and its top at y; unknown
 * characters are left blank. */
static void text(Canvas *c, int x, int y, const char *s, bool right_align, const uint8_t *rgb) {
    if (right_align) x -= (int)strlen(s) * CHAR_W;
    for (; *s; s++, x += CHAR_W) {
        const char *g = strchr(glyph_chars, *s);
        if (!g) continue;
        const unsigned char *rows = glyphs[g - glyph_chars];
        for (int r = 0; r < 7; r++)
            for (int b = 0; b < 5; b++)
                if (rows[r] >> (4 - b) & 1) rect(c, x + b * SCALE, y + r * SCALE, x + b * SCALE + SCALE - 1, y + r * SCALE + SCALE - 1, rgb);
    }
}

/* A line of thickness t (Bresenham, with a t x t pen). */
static void line(Canvas *c, int x0, int y0, int x1, int y1, int t, const uint8_t *rgb) {
    int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, e = dx + dy;
    for (;;) {
        rect(c, x0 - t / 2, y0 - t / 2, x0 + (t - 1) / 2, y0 + (t - 1) / 2, rgb);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * e;
        if (e2 >= dy) e += dy, x0 += sx;
        if (e2 <= dx) e += dx, y0 += sy;
    }
}

int ov_plot_loss_png(const char *path, const float *loss, int n, int w, int h) {
    if (n < 1) return ov_error("%s: no loss values to plot", path);
    static const uint8_t white[3] = {255, 255, 255}, black[3] = {0, 0, 0}, grid[3] = {225, 225, 225},
                         light[3] = {150, 185, 235}, dark[3] = {20, 60, 160};
    Canvas c = {malloc((size_t)w * h * 3), w, h};
    rect(&c, 0, 0, w - 1, h - 1, white);
    /* the smoothed curve, and the range covering both */
    float *ema = malloc(sizeof *ema * (size_t)n);
    double alpha = 2.0 / (fmax(n / 50.0, 1.0) + 1.0), m = 0, corr = 1, lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        m = (1 - alpha) * m + alpha * loss[i];
        corr *= 1 - alpha;
        ema[i] = (float)(m / (1 - corr));
        if (isfinite(loss[i])) lo = fmin(lo, loss[i]), hi = fmax(hi, loss[i]);
    }
    if (!(lo < hi)) lo = (isfinite(lo) ? lo : 0) - 1, hi = lo + 2;
    double pad = 0.05 * (hi - lo);
    lo = fmax(0.0, lo - pad), hi += pad;
    int L = 80, R = w - 24, T = 40, B = h - 50; /* the plot area */
    char buf[32];
    for (int k = 0; k <= 4; k++) { /* ticks, grid lines and their labels */
        int y = B - (B - T) * k / 4, x = L + (R - L) * k / 4;
        line(&c, L, y, R, y, 1, grid);
        line(&c, x, T, x, B, 1, grid);
        snprintf(buf, sizeof buf, "%.2f", lo + (hi - lo) * k / 4);
        text(&c, L - 8, y - 7, buf, true, black);
        snprintf(buf, sizeof buf, "%d", (int)lround((double)(n - 1) * k / 4) + 1);
        text(&c, x - (int)strlen(buf) * CHAR_W / 2, B + 8, buf, false, black);
    }
    line(&c, L, T, L, B, 2, black);
    line(&c, L, B, R, B, 2, black);
    text(&c, L, 12, "training loss (symmetric infonce): per step and smoothed", false, black);
    text(&c, R, B + 30, "step", true, black);
#define PX(i) (L + (int)lround((double)(R - L) * (n > 1 ? (double)(i) / (n - 1) : 0.5)))
#define PY(v) (B - (int)lround((double)(B - T) * (fmin(fmax((v), lo), hi) - lo) / (hi - lo)))
    for (int i = 1; i < n; i++) line(&c, PX(i - 1), PY(loss[i - 1]), PX(i), PY(loss[i]), 1, light);
    for (int i = 1; i < n; i++) line(&c, PX(i - 1), PY(ema[i - 1]), PX(i), PY(ema[i]), 3, dark);
    if (n == 1) rect(&c, PX(0) - 2, PY(loss[0]) - 2, PX(0) + 2, PY(loss[0]) + 2, dark);
#undef PX
#undef PY
    ov_scope_begin();
    int rc = ov_image_write_png(path, ov_from_data(c.px, OV_SHAPE(h, w, 3), OV_U8));
    ov_scope_end();
    free(ema), free(c.px);
    return rc;
}
