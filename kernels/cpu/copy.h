/* copy.h: strided copies with dtype conversion, and fills. dst and src have the same shape; src
 * may broadcast (stride 0). The reference converts element by element through double. */
#ifndef OV_KCOPY_H
#define OV_KCOPY_H

#include "kernels/kview.h"

void ov_kcopy_ref(const ovKView *dst, const ovKView *src);
void ov_kcopy_fast(const ovKView *dst, const ovKView *src);
void ov_kfill(const ovKView *dst, double value);

#endif
