/* fuzz_safetensors.c: libFuzzer target for the safetensors reader. Each input is written to a
 * memory file and opened; every tensor of a file that opens is read end to end. Build and run
 * with `make fuzz` (clang, -fsanitize=fuzzer,address,undefined). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>

#include "tensor/alloc.h"
#include "tensor/safetensors.h"
#include "tensor/scope.h"
#include "tests/fuzz/memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char path[64];
    int fd = ov_fuzz_memfile(data, size, "fuzz.safetensors", path);
    if (fd < 0) return 0;
    ov_scope_begin();
    ovSafetensors *st = ov_st_open(path);
    if (st) {
        for (int i = 0; i < ov_st_count(st); i++) {
            ovTensor *t = ov_st_tensor(st, i);
            volatile double s = 0;
            for (int64_t e = 0; e < ov_numel(t); e++) s += ov_get_flat(t, e);
        }
        for (int i = 0; i < ov_st_meta_count(st); i++) (void)ov_st_meta(st, ov_st_meta_key(st, i));
        ov_st_close(st);
    }
    ov_scope_end();
    close(fd);
    if (ov_live_allocations() != 0) __builtin_trap(); /* a leak on some input */
    return 0;
}
