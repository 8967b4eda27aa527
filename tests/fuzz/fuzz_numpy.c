/* fuzz_numpy.c: libFuzzer target for numpy arrays in pickles (data/numpy.h) and the readers that
 * interpret them: each input is parsed with the numpy hooks (every array read end to end), then
 * read as an ACT ground-truth pickle, as OpenMixer's Mask R-CNN proposals and as mmaction2's AVA
 * proposals. Nothing may crash, leak or leave a tensor alive. Build and run with `make fuzz`. */
#include <stdint.h>
#include <stdlib.h>

#include "data/act_gt.h"
#include "data/numpy.h"
#include "data/proposals.h"
#include "tensor/alloc.h"
#include "tensor/scope.h"

/* Reads every array the parse made: the values of the (up to 64) values reachable from v. */
static void touch(const ovNumpy *np, const ovPkValue *v, int depth) {
    if (!v || depth > 8) return;
    ovTensor *t = ov_numpy_array(np, v);
    if (t) {
        volatile double s = 0;
        for (int64_t e = 0; e < ov_numel(t); e++) s += ov_get_flat(t, e);
        return;
    }
    if (v->kind == OV_PK_LIST || v->kind == OV_PK_TUPLE || v->kind == OV_PK_DICT)
        for (int i = 0; i < v->n && i < 64; i++) touch(np, v->kind == OV_PK_DICT ? v->values[i] : v->items[i], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    ovNumpy *np = ov_numpy_new();
    ovPkHooks h = ov_numpy_hooks(np);
    ov_scope_begin();
    ovPickle *pk = ov_pickle_parse(data, size, "fuzz.pkl", &h);
    if (pk) touch(np, ov_pickle_root(pk), 0);
    ov_pickle_free(pk);
    ov_scope_end();
    ov_numpy_free(np);

    ovActionGt a;
    if (!ov_act_gt_parse(data, size, "fuzz.pkl", &a, NULL)) ov_action_gt_free(&a);
    ovProposals p;
    if (!ov_proposals_parse_maskrcnn(data, size, "fuzz.pkl", 0.5, &p)) ov_proposals_free(&p);
    if (!ov_proposals_parse_ava_pkl(data, size, "fuzz.pkl", 0.5, &p)) ov_proposals_free(&p);
    if (ov_live_allocations() != 0) __builtin_trap(); /* a tensor outlived its scope */
    return 0;
}
