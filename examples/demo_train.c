/* demo_train.c: the demo's training loop, ViCLIP's pretraining recipe at a tiny size (InternVideo
 * ViCLIP config: AdamW with betas (0.9, 0.98), weight decay off for biases, norms, embeddings and
 * temp (ViCLIP.no_weight_decay and the 1-D rule of its optimizer factory), a linear warmup into a
 * cosine decay, the VTC loss with caption indices as `idx`), plus gradient clipping. The clips
 * are rendered by the loader's workers while the model trains. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/backward.h"
#include "autograd/ops.h"
#include "examples/demo.h"
#include "examples/progress.h"
#include "models/vision.h"
#include "optim/optim.h"
#include "optim/sched.h"
#include "tensor/error.h"

/* No weight decay: biases, norms, every tensor of at most one dim (temp too), and the embedding
 * tables (class, position, temporal and token embeddings). */
static bool no_decay(const char *name, const ovTensor *t, void *ctx) {
    return ov_filter_no_decay(name, t, ctx) || strstr(name, "embedding") != NULL;
}

static ovOptimizer *make_optimizer(ovViCLIP *vc, const ovDemoOptions *o) {
    ovOptimHyper h = ov_adamw_hyper(o->lr);
    h.beta2 = 0.98; /* ViCLIP's (0.9, 0.98) */
    h.weight_decay = o->weight_decay;
    ovOptimizer *opt = ov_optim_new(OV_ADAMW, h);
    ovParamGroup *nd = ov_optim_group(opt, "no_decay");
    nd->h.weight_decay = 0;
    ov_group_add_module(opt, nd, &vc->m, no_decay, NULL);
    ov_group_add_module(opt, ov_optim_group(opt, "decay"), &vc->m, NULL, NULL); /* the rest */
    return opt;
}

/* The next training batch, starting a new epoch at the end of one. 1, or -1 on a failure. */
static int next_batch(ovLoader *l, ovBatch **b) {
    int rc = ov_loader_next(l, b);
    return rc == 0 ? ov_loader_next(l, b) : rc;
}

int ov_demo_train(ovViCLIP *vc, ovTokenizer *tok, ovDemoData *d, const ovDemoOptions *o, ovDemoLog *log) {
    int steps = o->steps, B = o->batch;
    memset(log, 0, sizeof *log);
    if (d->ntrain < B) return ov_error("the train split has %d clips, fewer than a batch of %d", d->ntrain, B);
    log->loss = calloc((size_t)steps, sizeof *log->loss);
    log->lr = calloc((size_t)steps, sizeof *log->lr);
    log->temp = calloc((size_t)steps, sizeof *log->temp);
    ovDataset ds = ov_demo_dataset(d, false);
    ovLoader *l = ov_loader_new(&ds, &(ovLoaderOptions){.batch_size = B, .workers = o->workers, .shuffle = true,
                                                       .drop_last = true, .seed = o->seed, .name = "train"});
    ovOptimizer *opt = make_optimizer(vc, o);
    int64_t warm = (int64_t)(o->warmup_frac * steps);
    ovLRSched *sched = ov_sched_new(opt, &(ovSchedConfig){.kind = OV_SCHED_COSINE, .warmup_iters = warm,
                                                          .warmup_factor = 0.01, .cosine_iters = steps - warm,
                                                          .min_factor = o->min_lr_factor});
    ov_module_train(&vc->m, true);
    ovProgress pr;
    ov_progress_start(&pr, o->progress ? stderr : NULL, "train", steps);
    const char **texts = malloc(sizeof *texts * (size_t)B);
    int64_t *idx = malloc(sizeof *idx * (size_t)B);
    double avg = 0, corr = 1;
    int rc = 0;
    for (int s = 0; s < steps && rc == 0; s++) {
        ovBatch *b;
        if (next_batch(l, &b) < 0) {
            rc = -1;
            break;
        }
        ov_scope_begin();
        for (int i = 0; i < b->n; i++) {
            idx[i] = (int64_t)ov_get_flat(b->samples[i].labels, 0);
            texts[i] = d->captions[idx[i]];
        }
        ovTensor *fv = ov_viclip_encode_video(vc, ov_vision_normalize(OV_VISION_VICLIP, b->video), NULL);
        ovTensor *ft = ov_viclip_encode_texts(vc, tok, b->n, texts);
        ovTensor *loss = ov_viclip_vtc_loss(ov_viclip_logits(vc, fv, ft), idx);
        ov_optim_zero_grad(opt);
        ov_backward(loss);
        ov_clip_grad_norm(opt, o->clip_norm);
        log->lr[s] = (float)opt->groups[0]->h.lr;
        ov_optim_step(opt);
        ov_sched_step(sched);
        ov_viclip_clamp_temp(vc);
        log->loss[s] = (float)ov_get_flat(loss, 0);
        log->temp[s] = (float)ov_viclip_temp(vc);
        ov_scope_end();
        ov_batch_free(b);
        log->steps = s + 1;
        /* the smoothed loss: an exponential average, bias-corrected like Adam's moments */
        avg = 0.95 * avg + 0.05 * log->loss[s];
        corr *= 0.95;
        char extra[96];
        snprintf(extra, sizeof extra, "loss %.3f (avg %.3f)  temp %.4f", log->loss[s], avg / (1 - corr), log->temp[s]);
        ov_progress_update(&pr, s + 1, extra);
    }
    ov_progress_end(&pr);
    log->seconds = ov_progress_seconds(&pr);
    free(texts), free(idx);
    ov_sched_free(sched);
    ov_optim_free(opt);
    ov_loader_free(l);
    return rc;
}
