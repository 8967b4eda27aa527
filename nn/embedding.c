/* embedding.c: nn.Embedding, a lookup table weight [num, dim] initialised N(0, 1) like
 * nn.Embedding.reset_parameters (OpenMixer's query embeddings, CLIP's token_embedding). */
#include <inttypes.h>
#include <stdio.h>

#include "autograd/ops.h"
#include "nn/init.h"
#include "nn/layers.h"

static void describe(const ovModule *m, char *buf, size_t n) {
    const ovEmbedding *e = (const ovEmbedding *)m;
    snprintf(buf, n, "num=%" PRId64 ", dim=%" PRId64, e->num, e->dim);
}

ovEmbedding *ov_embedding_new(ovModule *parent, const char *name, int64_t num, int64_t dim) {
    ovEmbedding *e = ov_module_new(parent, name, sizeof *e, "Embedding");
    e->m.describe = describe;
    e->num = num, e->dim = dim;
    e->weight = ov_param(&e->m, "weight", OV_SHAPE(num, dim));
    ov_init_normal(e->weight, 0.0, 1.0, &e->m.init_gen);
    return e;
}

ovTensor *ov_embedding_forward(ovEmbedding *e, ovTensor *indices) {
    ov_module_enter(&e->m);
    ovTensor *y = ov_embedding(e->weight, indices);
    ov_module_leave(&e->m);
    return y;
}
