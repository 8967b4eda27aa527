/* fuzz_pickle.c: libFuzzer target for the pickle reader and the torch interpretation on top of
 * it. Each input is run as a pickle (whitelist hook off, then on), printed with the canonical
 * text (depth and length capped), and interpreted as a torch.save pickle with every storage a
 * 256-byte block of ramp data, so _rebuild_tensor_v2 geometry checks see fuzzed numbers; every
 * tensor that comes out is read end to end. Build and run with `make fuzz` (clang,
 * -fsanitize=fuzzer,address,undefined). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/pickle.h"
#include "nn/pth.h"
#include "tensor/alloc.h"
#include "tensor/scope.h"

static unsigned char block[256];

static int fake_storage(void *ctx, const char *key, uint64_t *nbytes, void *dst) {
    (void)ctx;
    uint64_t n = (uint64_t)(strlen(key) % 4 + 1) * 64; /* 64..256 bytes by key */
    if (!dst) {
        *nbytes = n;
        return 0;
    }
    memcpy(dst, block, n);
    return 0;
}

static int no_os(void *ctx, const char *module, const char *name, const char **why) {
    (void)ctx, (void)name;
    if (!strcmp(module, "os") || !strcmp(module, "subprocess")) {
        *why = "not on the whitelist";
        return -1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    for (int i = 0; i < 256; i++) block[i] = (unsigned char)(i * 37 + 11);
    ovPkHooks hooks = {.global = no_os};
    ovPickle *pk = ov_pickle_parse(data, size, "fuzz.pkl", size % 2 ? &hooks : NULL);
    if (!pk) return 0;
    free(ov_pk_repr(ov_pickle_root(pk), 40, 20000));
    ov_scope_begin();
    ovTensorDict *d = ov_pth_from_pickle(ov_pickle_root(pk), NULL, "fuzz.pth", fake_storage, NULL, NULL);
    if (d) {
        for (int i = 0; i < d->n; i++) {
            volatile double s = 0;
            for (int64_t e = 0; e < ov_numel(d->tensors[i]); e++) s += ov_get_flat(d->tensors[i], e);
        }
    }
    ov_scope_end();
    ov_pickle_free(pk);
    if (ov_live_allocations() != 0) __builtin_trap(); /* a leak on some input */
    return 0;
}
