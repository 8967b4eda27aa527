/* dtype.h: the element types a tensor can hold, their sizes and names.
 * F32 is the compute type; BF16 and F16 are storage types converted to F32 for compute
 * (PyTorch's torch.float32/bfloat16/float16); I32/I64 hold indices; U8/BOOL images and masks. */
#ifndef OV_DTYPE_H
#define OV_DTYPE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    OV_F32 = 0,
    OV_BF16,
    OV_F16,
    OV_I32,
    OV_I64,
    OV_U8,
    OV_BOOL,
    OV_DTYPE_COUNT
} ovDType;

size_t ov_dtype_size(ovDType t);
const char *ov_dtype_name(ovDType t);          /* "f32", "bf16", ... */
const char *ov_dtype_safetensors(ovDType t);   /* "F32", "BF16", ... as in the safetensors header */
int ov_dtype_from_safetensors(const char *s, ovDType *out); /* 0 on success, -1 if unknown */
bool ov_dtype_is_float(ovDType t);             /* F32, BF16, F16 */
bool ov_dtype_is_int(ovDType t);               /* I32, I64, U8 */

#ifdef __cplusplus
}
#endif

#endif
