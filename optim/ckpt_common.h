/* ckpt_common.h: what checkpoint.c (saving) and checkpoint_load.c (loading) agree on: the file
 * format tag, the names of optimizer state tensors and the checksum. Internal. */
#ifndef OV_CKPT_COMMON_H
#define OV_CKPT_COMMON_H

#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "optim/optim.h"

#define OV_CKPT_FORMAT "ovad.train_state.v1"

/* torch's state keys: SGD keeps one buffer, AdamW two. */
static inline const char *ov_ckpt_buf_key(ovOptimKind k) { return k == OV_SGD ? "momentum_buffer" : "exp_avg"; }
#define OV_CKPT_SQ_KEY "exp_avg_sq"

/* CRC-32 of a name and a tensor's bytes; a file's checksum is the XOR over its tensors, so it does
 * not depend on the order the header lists them in. */
static inline uint32_t ov_ckpt_crc(const char *name, const void *data, size_t n) {
    uLong c = crc32(0L, (const Bytef *)name, (uInt)strlen(name));
    const unsigned char *p = data;
    while (n > 0) { /* zlib takes 32-bit lengths */
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

#endif
