/* dtype.c: sizes and names of the element types (see dtype.h). */
#include "tensor/dtype.h"

#include <string.h>

static const struct {
    size_t size;
    const char *name;
    const char *st_name;
} dtype_info[OV_DTYPE_COUNT] = {
    [OV_F32] = {4, "f32", "F32"},   [OV_BF16] = {2, "bf16", "BF16"}, [OV_F16] = {2, "f16", "F16"},
    [OV_I32] = {4, "i32", "I32"},   [OV_I64] = {8, "i64", "I64"},    [OV_U8] = {1, "u8", "U8"},
    [OV_BOOL] = {1, "bool", "BOOL"},
};

size_t ov_dtype_size(ovDType t) { return (unsigned)t < OV_DTYPE_COUNT ? dtype_info[t].size : 0; }

const char *ov_dtype_name(ovDType t) { return (unsigned)t < OV_DTYPE_COUNT ? dtype_info[t].name : "?"; }

const char *ov_dtype_safetensors(ovDType t) {
    return (unsigned)t < OV_DTYPE_COUNT ? dtype_info[t].st_name : "?";
}

int ov_dtype_from_safetensors(const char *s, ovDType *out) {
    for (int i = 0; i < OV_DTYPE_COUNT; i++) {
        if (strcmp(s, dtype_info[i].st_name) == 0) {
            *out = (ovDType)i;
            return 0;
        }
    }
    return -1;
}

bool ov_dtype_is_float(ovDType t) { return t == OV_F32 || t == OV_BF16 || t == OV_F16; }

bool ov_dtype_is_int(ovDType t) { return t == OV_I32 || t == OV_I64 || t == OV_U8; }
