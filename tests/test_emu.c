/* test_emu.c: the CUDA emulator (kernels/emu) runs real .cu kernels correctly, and exposes the
 * bugs that matter: a read of shared memory before the barrier that publishes it, an output
 * element never written, a divergent barrier, and a kernel over the shared-memory limit. The
 * kernels are in tests/emu_kernels.cu. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tensor/error.h"
#include "tests/check_util.h"

void emu_test_block_sum(const float *x, float *out, int n, int racy);
void emu_test_scale2(const float *x, float *out, int n, int skip_last);
void emu_test_warp_sums(const float *x, float *out_xor, float *out_down, int n);
void emu_test_count_positive(const float *x, int n, int *count);
void emu_test_divergent_barrier(float *out);
void emu_test_too_much_shared(float *out);
void *emu_test_malloc(size_t n);
void emu_test_free(void *p);

static float *device_input(int n) {
    float *x = emu_test_malloc(sizeof(float) * (size_t)n);
    for (int i = 0; i < n; i++) x[i] = (float)((i * 37) % 11) - 5.0f; /* small integers: exact sums */
    return x;
}

/* How many of the block sums match a CPU sum (exact for small integers). */
static int block_sums_correct(int racy, int n) {
    float *x = device_input(n);
    int nb = (n + 255) / 256;
    float *out = emu_test_malloc(sizeof(float) * (size_t)nb);
    emu_test_block_sum(x, out, n, racy);
    int ok = 0;
    for (int b = 0; b < nb; b++) {
        float s = 0;
        for (int i = b * 256; i < n && i < (b + 1) * 256; i++) s += x[i];
        ok += out[b] == s;
    }
    emu_test_free(x);
    emu_test_free(out);
    return ok;
}

START_TEST(test_barrier_reduction) {
    ck_assert_int_eq(block_sums_correct(0, 1000), 4);
}
END_TEST

START_TEST(test_read_before_barrier_is_caught) {
    /* Without the barrier, threads read slots other threads have not written yet (NaN-filled
     * shared memory) in the shuffled order: the sums come out wrong. */
    ck_assert_int_lt(block_sums_correct(1, 1000), 4);
}
END_TEST

START_TEST(test_unwritten_output_is_caught) {
    int n = 1000;
    float *x = device_input(n), *out = emu_test_malloc(sizeof(float) * (size_t)n);
    emu_test_scale2(x, out, n, 0);
    for (int i = 0; i < n; i++) ck_assert_float_eq(out[i], 2 * x[i]);
    float *out2 = emu_test_malloc(sizeof(float) * (size_t)n);
    emu_test_scale2(x, out2, n, 1);
    ck_assert(isnan(out2[n - 1])); /* device memory starts as NaN: the gap is visible */
    ck_assert_float_eq(out2[n - 2], 2 * x[n - 2]);
    emu_test_free(x);
    emu_test_free(out);
    emu_test_free(out2);
}
END_TEST

START_TEST(test_warp_shuffles) {
    int n = 256;
    float *x = device_input(n), *vx = emu_test_malloc(sizeof(float) * 256), *vd = emu_test_malloc(sizeof(float) * 8);
    emu_test_warp_sums(x, vx, vd, n);
    for (int w = 0; w < 8; w++) {
        float s = 0;
        for (int l = 0; l < 32; l++) s += x[w * 32 + l];
        ck_assert_float_eq(vd[w], s);
        for (int l = 0; l < 32; l++) ck_assert_float_eq(vx[w * 32 + l], s);
    }
    emu_test_free(x);
    emu_test_free(vx);
    emu_test_free(vd);
}
END_TEST

START_TEST(test_atomics) {
    int n = 5000;
    float *x = device_input(n);
    int *count = emu_test_malloc(sizeof(int));
    *count = 0;
    emu_test_count_positive(x, n, count);
    int want = 0;
    for (int i = 0; i < n; i++) want += x[i] > 0;
    ck_assert_int_eq(*count, want);
    emu_test_free(x);
    emu_test_free(count);
}
END_TEST

START_TEST(test_divergent_barrier_reported) {
    float *out = emu_test_malloc(sizeof(float) * 128);
    ovTrap trap;
    if (OV_TRY(&trap)) {
        emu_test_divergent_barrier(out);
        ov_trap_pop(&trap);
        ck_abort_msg("a divergent barrier went unnoticed");
    }
    ck_assert_msg(strstr(ov_last_error(), "divergent __syncthreads") && strstr(ov_last_error(), "divergent_barrier"),
                  "%s", ov_last_error());
    emu_test_free(out);
}
END_TEST

START_TEST(test_shared_limit_reported) {
    float *out = emu_test_malloc(sizeof(float) * 32);
    ovTrap trap;
    if (OV_TRY(&trap)) {
        emu_test_too_much_shared(out);
        ov_trap_pop(&trap);
        ck_abort_msg("64 KiB of shared memory accepted");
    }
    ck_assert_msg(strstr(ov_last_error(), "'big'") && strstr(ov_last_error(), "48 KiB"), "%s", ov_last_error());
    emu_test_free(out);
}
END_TEST

int main(void) {
    Suite *s = suite_create("cuda_emulator");
    TCase *tc = tcase_create("emu");
    tcase_set_timeout(tc, 60);
    ov_tcase_leak_check(tc);
    tcase_add_test(tc, test_barrier_reduction);
    tcase_add_test(tc, test_read_before_barrier_is_caught);
    tcase_add_test(tc, test_unwritten_output_is_caught);
    tcase_add_test(tc, test_warp_shuffles);
    tcase_add_test(tc, test_atomics);
    tcase_add_test(tc, test_divergent_barrier_reported);
    tcase_add_test(tc, test_shared_limit_reported);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
