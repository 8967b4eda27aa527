/* fuzz_mat.c: libFuzzer target for MAT files: the structure check of data/mat_check.h on every
 * input, and, when it passes, the whole finalAnnots.mat reader (libmatio on a temporary file in
 * /dev/shm), which must then neither crash nor allocate beyond the file's size. Build and run
 * with `make fuzz`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "data/mat_check.h"
#include "data/ucf24_mat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (ov_mat_check(data, size, "fuzz.mat")) return 0;
    char path[64];
    snprintf(path, sizeof path, "/dev/shm/ovad-fuzz-mat-%d.mat", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    ovActionGt a;
    if (!ov_ucf24_mat_read(path, &a)) ov_action_gt_free(&a);
    remove(path);
    return 0;
}
