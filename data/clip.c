/* clip.c: the clip sampling rules (see clip.h for each rule and where it comes from). */
#include "data/clip.h"

#include <stdlib.h>

#include "tensor/error.h"

static int check(const char *rule, int64_t nframes, int T, int rate) {
    if (nframes < 1) return ov_error("%s clip: the video has %lld frames", rule, (long long)nframes);
    if (T < 1 || rate < 1) return ov_error("%s clip: T = %d and stride = %d must be positive", rule, T, rate);
    return 0;
}

static int64_t clamp(int64_t i, int64_t n) { return i < 0 ? 0 : i >= n ? n - 1 : i; }

int ov_clip_openmixer(int64_t center, int64_t nframes, int T, int rate, int64_t *out) {
    if (check("OpenMixer", nframes, T, rate)) return -1;
    if (center < 0 || center > nframes)
        return ov_error("OpenMixer clip: centre %lld is outside the video's frames 0..%lld", (long long)center,
                        (long long)nframes);
    int64_t L = (int64_t)T * rate, half = L / 2;
    int64_t start = center - half > 0 ? center - half : 0;
    int64_t end = center + L - half < nframes - 1 ? center + L - half : nframes - 1;
    int len = 0;
    for (int64_t i = start; i < end && len < T; i += rate) out[len++] = i;
    if (len < T) {
        /* pad both sides the reference's way: frame 0 in front, the range's end behind */
        int front = (T - len) / 2;
        for (int j = len - 1; j >= 0; j--) out[j + front] = out[j];
        for (int j = 0; j < front; j++) out[j] = 0;
        for (int j = front + len; j < T; j++) out[j] = end;
    }
    return 0;
}

int ov_clip_centered(int64_t center, int64_t nframes, int T, int stride, int64_t *out) {
    if (check("centred", nframes, T, stride)) return -1;
    int64_t start = center - (int64_t)T * stride / 2;
    for (int j = 0; j < T; j++) out[j] = clamp(start + (int64_t)j * stride, nframes);
    return 0;
}

int ov_clip_causal(int64_t center, int64_t nframes, int T, int stride, int64_t *out) {
    if (check("causal", nframes, T, stride)) return -1;
    for (int j = 0; j < T; j++) out[j] = clamp(center - (int64_t)(T - 1 - j) * stride, nframes);
    return 0;
}

int64_t ov_ava_keyframe_index(int64_t sec) {
    if (sec < 902 || sec > 1798) {
        ov_error("AVA timestamp %lld is outside the annotated seconds 902..1798", (long long)sec);
        return -1;
    }
    return (sec - 900) * 30;
}

/* Segment boundaries as numpy computes floor(linspace(0, vlen, n + 1)): i * (vlen / n) in double,
 * the last one exactly vlen. */
static void segments(int64_t vlen, int n, int64_t *b) {
    double step = (double)vlen / (double)n;
    for (int i = 0; i < n; i++) b[i] = (int64_t)((double)i * step);
    b[n] = vlen;
}

static int viclip_segments(const char *rule, int64_t vlen, int T, int64_t **b, int *n) {
    if (check(rule, vlen, T, 1)) return -1;
    *n = vlen < T ? (int)vlen : T;
    *b = malloc(sizeof **b * (size_t)(*n + 1));
    if (!*b) return ov_error("%s clip: out of memory", rule);
    segments(vlen, *n, *b);
    return 0;
}

static void pad_last(int n, int T, int64_t *out) {
    for (int j = n; j < T; j++) out[j] = out[n - 1];
}

int ov_clip_viclip_middle(int64_t vlen, int T, int64_t *out) {
    int64_t *b;
    int n;
    if (viclip_segments("ViCLIP middle", vlen, T, &b, &n)) return -1;
    for (int i = 0; i < n; i++) out[i] = (b[i] + b[i + 1] - 1) / 2; /* both >= 0: / floors */
    pad_last(n, T, out);
    free(b);
    return 0;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int ov_clip_viclip_rand(int64_t vlen, int T, ovDataRng *rng, int64_t *out) {
    int64_t *b;
    int n;
    if (viclip_segments("ViCLIP rand", vlen, T, &b, &n)) return -1;
    int single = 0;
    for (int i = 0; i < n; i++) single |= b[i + 1] - b[i] < 2;
    if (!single) {
        for (int i = 0; i < n; i++) out[i] = b[i] + ov_data_rng_below(rng, b[i + 1] - 1 - b[i]);
    } else {
        /* n distinct frames: a partial Fisher-Yates over 0..vlen-1, then sorted */
        int64_t *perm = malloc(sizeof *perm * (size_t)vlen);
        if (!perm) {
            free(b);
            return ov_error("ViCLIP rand clip: out of memory");
        }
        for (int64_t i = 0; i < vlen; i++) perm[i] = i;
        for (int i = 0; i < n; i++) {
            int64_t j = i + ov_data_rng_below(rng, vlen - i), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
            out[i] = perm[i];
        }
        qsort(out, (size_t)n, sizeof *out, cmp_i64);
        free(perm);
    }
    pad_last(n, T, out);
    free(b);
    return 0;
}
