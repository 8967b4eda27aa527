/* copy.c: strided copy / dtype conversion and fill kernels (see copy.h). */
#include "kernels/cpu/copy.h"

#include <string.h>

#include "kernels/cpu/rows.h"
#include "kernels/half.h"

void ov_kcopy_ref(const ovKView *dst, const ovKView *src) {
    int64_t n = kv_numel(dst);
    for (int64_t i = 0; i < n; i++)
        kv_store(dst->dtype, dst->data, kv_offset(dst, i), kv_load(src->dtype, src->data, kv_offset(src, i)));
}

/* One row of a converting copy; the common float conversions get their own loops. */
static void copy_row_convert(const ovKView *dst, int64_t doff, int64_t ds, const ovKView *src,
                             int64_t soff, int64_t ss, int64_t n) {
    if (dst->dtype == OV_F32 && src->dtype == OV_BF16) {
        float *d = (float *)dst->data + doff;
        const uint16_t *s = (const uint16_t *)src->data + soff;
        for (int64_t i = 0; i < n; i++) d[i * ds] = ov_bf16_to_f32(s[i * ss]);
    } else if (dst->dtype == OV_BF16 && src->dtype == OV_F32) {
        uint16_t *d = (uint16_t *)dst->data + doff;
        const float *s = (const float *)src->data + soff;
        for (int64_t i = 0; i < n; i++) d[i * ds] = ov_f32_to_bf16(s[i * ss]);
    } else if (dst->dtype == OV_F32 && src->dtype == OV_F16) {
        float *d = (float *)dst->data + doff;
        const uint16_t *s = (const uint16_t *)src->data + soff;
        for (int64_t i = 0; i < n; i++) d[i * ds] = ov_f16_to_f32(s[i * ss]);
    } else if (dst->dtype == OV_F16 && src->dtype == OV_F32) {
        uint16_t *d = (uint16_t *)dst->data + doff;
        const float *s = (const float *)src->data + soff;
        for (int64_t i = 0; i < n; i++) d[i * ds] = ov_f32_to_f16(s[i * ss]);
    } else {
        for (int64_t i = 0; i < n; i++)
            kv_store(dst->dtype, dst->data, doff + i * ds, kv_load(src->dtype, src->data, soff + i * ss));
    }
}

void ov_kcopy_fast(const ovKView *dst, const ovKView *src) {
    int64_t n = kv_numel(dst);
    if (n == 0) return;
    size_t esz = ov_dtype_size(dst->dtype);
    bool same = dst->dtype == src->dtype;
    if (same && kv_is_contiguous(dst) && kv_is_contiguous(src)) {
        memcpy(dst->data, src->data, (size_t)n * esz);
        return;
    }
    ovKRows it0;
    kv_rows_init(&it0, 2, (const ovKView *[]){dst, src});
#pragma omp parallel if (n > (1 << 16))
    {
        int64_t r0, r1;
        ov_thread_range(it0.rows, &r0, &r1);
        ovKRows it = it0;
        if (r0 < r1) kv_rows_seek(&it, r0);
        for (int64_t r = r0; r < r1; r++, kv_rows_next(&it)) {
            if (same)
                ov_row_copy((char *)dst->data + it.off[0] * (int64_t)esz,
                            (const char *)src->data + it.off[1] * (int64_t)esz, it.inner, it.step[0], it.step[1], esz);
            else
                copy_row_convert(dst, it.off[0], it.step[0], src, it.off[1], it.step[1], it.inner);
        }
    }
}

void ov_kfill(const ovKView *dst, double value) {
    int64_t n = kv_numel(dst);
    if (n == 0) return;
    if (dst->dtype == OV_F32 && kv_is_contiguous(dst)) {
        float *d = dst->data, v = (float)value;
        for (int64_t i = 0; i < n; i++) d[i] = v;
        return;
    }
    for (int64_t i = 0; i < n; i++) kv_store(dst->dtype, dst->data, kv_offset(dst, i), value);
}
