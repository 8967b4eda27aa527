/* fuzz_zip.c: libFuzzer target for the zip reader and the whole .pth loader. Each input is
 * opened as a zip from memory (every record read and CRC-checked), then written to a memory
 * file and loaded with ov_pth_load, reading every tensor end to end. Build and run with
 * `make fuzz` (clang, -fsanitize=fuzzer,address,undefined). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/zip.h"
#include "nn/pth.h"
#include "tensor/alloc.h"
#include "tensor/scope.h"
#include "tests/fuzz/memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ovZip *z = ov_zip_open_mem(data, size, "fuzz.zip");
    if (z) {
        for (int i = 0; i < ov_zip_count(z); i++) free(ov_zip_read(z, i, NULL));
        ov_zip_close(z);
    }
    char path[64];
    int fd = ov_fuzz_memfile(data, size, "fuzz.pth", path);
    if (fd < 0) return 0;
    ov_scope_begin();
    ovTensorDict *d = ov_pth_load(path, NULL);
    if (d) {
        for (int i = 0; i < d->n; i++) {
            volatile double s = 0;
            for (int64_t e = 0; e < ov_numel(d->tensors[i]); e++) s += ov_get_flat(d->tensors[i], e);
        }
    }
    ov_scope_end();
    close(fd);
    if (ov_live_allocations() != 0) __builtin_trap(); /* a leak on some input */
    return 0;
}
