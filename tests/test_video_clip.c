/* test_video_clip.c: the clip sampling rules (data/clip.h) against hand-worked cases from the
 * reference code: OpenMixer's 16x1 away from and near both ends of a video (the keyframe at
 * position 7, frame 0 in front and the range's end behind), SlowFast's centred clip with
 * clamping, YOWO's causal clip, the AVA keyframe index, and ViCLIP's middle-of-segment sampling
 * (the expected lists were printed by InternVideo's get_frame_indices with numpy), plus its
 * random variant: inside its segments, never a segment's last frame, seeded. */
#include <string.h>

#include "data/clip.h"
#include "tensor/error.h"
#include "tests/check_util.h"

static void expect(const int64_t *got, const int64_t *want, int n, const char *what) {
    for (int i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "%s: position %d is %lld, expected %lld", what, i, (long long)got[i],
                      (long long)want[i]);
}

START_TEST(test_openmixer) {
    int64_t c[32];
    /* away from the ends: files f-7..f+8 (indices f-8..f+7), the annotated frame (index f-1) at 7 */
    ck_assert_int_eq(ov_clip_openmixer(20, 40, 16, 1, c), 0);
    for (int i = 0; i < 16; i++) ck_assert_int_eq(c[i], 12 + i);
    ck_assert_int_eq(c[7], 20 - 1);
    /* first frame: range(0, 9) and 7 missing: 3 zeros in front, 4 copies of 9 behind */
    ck_assert_int_eq(ov_clip_openmixer(1, 40, 16, 1, c), 0);
    expect(c, (int64_t[]){0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9}, 16, "OpenMixer at frame 1");
    /* last frame: range(32, 39) and 9 missing: frame 0 in front although the right end is short */
    ck_assert_int_eq(ov_clip_openmixer(40, 40, 16, 1, c), 0);
    expect(c, (int64_t[]){0, 0, 0, 0, 32, 33, 34, 35, 36, 37, 38, 39, 39, 39, 39, 39}, 16, "OpenMixer at frame 40");
    /* a 5-frame video, and a 1-frame one */
    ck_assert_int_eq(ov_clip_openmixer(3, 5, 16, 1, c), 0);
    expect(c, (int64_t[]){0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 4, 4}, 16, "OpenMixer in 5 frames");
    ck_assert_int_eq(ov_clip_openmixer(1, 1, 16, 1, c), 0);
    for (int i = 0; i < 16; i++) ck_assert_int_eq(c[i], 0);
    /* TubeR's 32 frames at rate 2 as 16 indices */
    ck_assert_int_eq(ov_clip_openmixer(50, 100, 16, 2, c), 0);
    for (int i = 0; i < 16; i++) ck_assert_int_eq(c[i], 34 + 2 * i);
    /* a clean centring: pass the 0-based index, the frame lands at position 8 */
    ck_assert_int_eq(ov_clip_openmixer(19, 40, 16, 1, c), 0);
    ck_assert_int_eq(c[8], 19);
    ck_assert_int_eq(ov_clip_openmixer(41, 40, 16, 1, c), -1);
    ck_assert_msg(strstr(ov_last_error(), "centre 41"), "%s", ov_last_error());
    ck_assert_int_eq(ov_clip_openmixer(1, 0, 16, 1, c), -1);
}
END_TEST

START_TEST(test_centered_causal_ava) {
    int64_t c[32];
    ck_assert_int_eq(ov_clip_centered(60, 1000, 4, 16, c), 0);
    expect(c, (int64_t[]){28, 44, 60, 76}, 4, "4x16");
    ck_assert_int_eq(ov_clip_centered(5, 10, 4, 4, c), 0);
    expect(c, (int64_t[]){0, 1, 5, 9}, 4, "clamped at both ends");
    ck_assert_int_eq(ov_clip_centered(9, 10, 3, 1, c), 0);
    expect(c, (int64_t[]){8, 9, 9}, 3, "odd T: range(c - 1, c + 1)");
    ck_assert_int_eq(ov_clip_causal(2, 10, 4, 1, c), 0);
    expect(c, (int64_t[]){0, 0, 1, 2}, 4, "causal");
    ck_assert_int_eq(ov_clip_causal(9, 10, 3, 2, c), 0);
    expect(c, (int64_t[]){5, 7, 9}, 3, "causal stride 2");
    ck_assert_int_eq(ov_clip_centered(0, 10, 0, 1, c), -1);
    ck_assert_int_eq(ov_clip_causal(0, 10, 2, 0, c), -1);
    ck_assert_int_eq(ov_ava_keyframe_index(902), 60); /* file _000061.jpg */
    ck_assert_int_eq(ov_ava_keyframe_index(1798), 26940);
    ck_assert_int_eq(ov_ava_keyframe_index(901), -1);
    ck_assert_msg(strstr(ov_last_error(), "901"), "%s", ov_last_error());
    ck_assert_int_eq(ov_ava_keyframe_index(1799), -1);
}
END_TEST

START_TEST(test_viclip_middle) {
    struct {
        int64_t vlen;
        int T;
        int64_t want[16];
    } cases[] = {
        {40, 8, {2, 7, 12, 17, 22, 27, 32, 37}},
        {300, 8, {18, 55, 93, 130, 168, 205, 243, 280}},
        {5, 8, {0, 1, 2, 3, 4, 4, 4, 4}},
        {9, 8, {0, 1, 2, 3, 4, 5, 6, 7}},
        {1, 8, {0, 0, 0, 0, 0, 0, 0, 0}},
        {17, 8, {0, 2, 4, 6, 8, 10, 12, 15}},
        {12345, 8, {771, 2314, 3857, 5400, 6943, 8486, 10029, 11572}},
        {100, 12, {3, 11, 20, 28, 36, 45, 53, 61, 70, 78, 86, 95}},
        {37, 16, {0, 2, 4, 7, 9, 11, 14, 16, 18, 21, 23, 25, 28, 30, 32, 35}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        int64_t c[16];
        ck_assert_int_eq(ov_clip_viclip_middle(cases[k].vlen, cases[k].T, c), 0);
        char what[64];
        snprintf(what, sizeof what, "middle of %lld frames", (long long)cases[k].vlen);
        expect(c, cases[k].want, cases[k].T, what);
    }
    int64_t c[8];
    ck_assert_int_eq(ov_clip_viclip_middle(0, 8, c), -1);
}
END_TEST

START_TEST(test_viclip_rand) {
    int64_t a[8], b[8];
    /* 300 frames: segments [0,37) [37,75) ...; draws in [lo, hi-2] */
    int64_t lo[9] = {0, 37, 75, 112, 150, 187, 225, 262, 300};
    int hit_low = 0, hit_high = 0;
    for (uint64_t s = 0; s < 400; s++) {
        ovDataRng r = ov_data_rng_for(5, 0, s);
        ck_assert_int_eq(ov_clip_viclip_rand(300, 8, &r, a), 0);
        for (int i = 0; i < 8; i++) {
            ck_assert_msg(a[i] >= lo[i] && a[i] <= lo[i + 1] - 2, "draw %lld outside [%lld, %lld]", (long long)a[i],
                          (long long)lo[i], (long long)(lo[i + 1] - 2));
            hit_low |= a[i] == lo[i];
            hit_high |= a[i] == lo[i + 1] - 2;
        }
    }
    ck_assert(hit_low && hit_high);
    /* the same stream gives the same clip */
    ovDataRng r1 = ov_data_rng_for(5, 3, 17), r2 = ov_data_rng_for(5, 3, 17), r3 = ov_data_rng_for(5, 4, 17);
    ck_assert_int_eq(ov_clip_viclip_rand(300, 8, &r1, a), 0);
    ck_assert_int_eq(ov_clip_viclip_rand(300, 8, &r2, b), 0);
    ck_assert(memcmp(a, b, sizeof a) == 0);
    ck_assert_int_eq(ov_clip_viclip_rand(300, 8, &r3, b), 0);
    ck_assert(memcmp(a, b, sizeof a) != 0);
    /* 12 frames in 8 segments: some hold one frame, so the fallback: sorted distinct frames */
    for (uint64_t s = 0; s < 50; s++) {
        ovDataRng r = ov_data_rng_for(1, 0, s);
        ck_assert_int_eq(ov_clip_viclip_rand(12, 8, &r, a), 0);
        for (int i = 0; i < 8; i++) {
            ck_assert(a[i] >= 0 && a[i] < 12);
            if (i) ck_assert(a[i] > a[i - 1]);
        }
    }
    /* shorter than T: every frame, then the last repeated */
    ovDataRng r = ov_data_rng(3);
    ck_assert_int_eq(ov_clip_viclip_rand(3, 8, &r, a), 0);
    expect(a, (int64_t[]){0, 1, 2, 2, 2, 2, 2, 2}, 8, "rand in 3 frames");
}
END_TEST

START_TEST(test_rng) {
    /* streams depend only on their key; below() is uniform and in range */
    ovDataRng r = ov_data_rng_for(1, 2, 3), q = ov_data_rng_for(1, 2, 3);
    for (int i = 0; i < 10; i++) ck_assert_uint_eq(ov_data_rng_u32(&r), ov_data_rng_u32(&q));
    int counts[7] = {0};
    for (int i = 0; i < 7000; i++) {
        int64_t v = ov_data_rng_below(&r, 7);
        ck_assert(v >= 0 && v < 7);
        counts[v]++;
    }
    for (int k = 0; k < 7; k++) ck_assert_msg(counts[k] > 850 && counts[k] < 1150, "value %d drawn %d times", k, counts[k]);
    double u = 0;
    for (int i = 0; i < 1000; i++) {
        double x = ov_data_rng_uniform(&r);
        ck_assert(x >= 0 && x < 1);
        u += x;
    }
    ck_assert_double_eq_tol(u / 1000, 0.5, 0.05);
    int64_t p[10];
    ov_data_rng_permutation(&r, 10, p);
    int seen = 0;
    for (int i = 0; i < 10; i++) seen |= 1 << p[i];
    ck_assert_int_eq(seen, 1023);
}
END_TEST

int main(void) {
    Suite *s = suite_create("video_clip");
    TCase *tc = tcase_create("sampling");
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_openmixer);
    tcase_add_test(tc, test_centered_causal_ava);
    tcase_add_test(tc, test_viclip_middle);
    tcase_add_test(tc, test_viclip_rand);
    tcase_add_test(tc, test_rng);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
