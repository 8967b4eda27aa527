/* demo_eval.c: the demo's evaluation: video-to-text retrieval on the held-out test clips. Every
 * test clip is ranked against the distinct captions of the test split (its own caption is the
 * one right answer), in all and separately for clips whose action+colour combination was seen in
 * training and for the held-out ones; the top-1 caption's attributes are scored one by one; and
 * the clips are classified by action with the prompts "a person <action>". Each number comes
 * with its chance level: what a ranking drawn uniformly at random scores on the same clips. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "examples/demo.h"
#include "models/vision.h"
#include "tensor/error.h"

/* Features of every test clip [N, D], in the test split's order. NULL on a loader failure. */
static ovTensor *video_features(ovViCLIP *vc, ovDemoData *d, const ovDemoOptions *o) {
    ovDataset ds = ov_demo_dataset(d, true);
    ovLoader *l = ov_loader_new(&ds, &(ovLoaderOptions){.batch_size = o->batch, .workers = o->workers, .name = "test"});
    int nb = (int)ov_loader_batches(l), k = 0, rc;
    ovTensor **parts = malloc(sizeof *parts * (size_t)(nb + 1));
    ovBatch *b;
    while ((rc = ov_loader_next(l, &b)) > 0) {
        parts[k++] = ov_viclip_encode_video(vc, ov_vision_normalize(OV_VISION_VICLIP, b->video), NULL);
        ov_batch_free(b);
    }
    ovTensor *fv = rc < 0 || k == 0 ? NULL : k == 1 ? parts[0] : ov_cat(k, parts, 0);
    free(parts);
    ov_loader_free(l);
    return fv;
}

/* Rank of column `right` in row s[0..K): how many score higher (ties: lower columns first). */
static int rank_of(const float *s, int K, int right) {
    int r = 0;
    for (int k = 0; k < K; k++) r += s[k] > s[right] || (s[k] == s[right] && k < right);
    return r;
}

static int argmax(const float *s, int K) {
    int best = 0;
    for (int k = 1; k < K; k++)
        if (s[k] > s[best]) best = k;
    return best;
}

/* Adds a clip's outcome to the subsets it belongs to (all, and seen or novel). */
static void tally(double *sum, int *n, bool novel, double v) {
    sum[OV_DEMO_ALL] += v;
    sum[novel ? OV_DEMO_NOVEL : OV_DEMO_SEEN] += v;
    if (n) n[OV_DEMO_ALL]++, n[novel ? OV_DEMO_NOVEL : OV_DEMO_SEEN]++;
}

int ov_demo_evaluate(ovViCLIP *vc, ovTokenizer *tok, ovDemoData *d, const ovDemoOptions *o, ovDemoEval *ev,
                     ovTensor **sims_out) {
    memset(ev, 0, sizeof *ev);
    if (sims_out) *sims_out = NULL;
    bool was_training = vc->m.training;
    ov_module_train(&vc->m, false);
    ov_no_grad_begin();
    ov_scope_begin();
    /* the candidates: the test split's distinct captions, in order of first appearance */
    int *cand_of = malloc(sizeof *cand_of * (size_t)d->ncap), *cap = malloc(sizeof *cap * (size_t)d->ncap);
    const char **texts = malloc(sizeof *texts * (size_t)(d->ncap + OV_SYNTH_NACTIONS));
    int K = 0, A = d->ds.nlabels, rc = 0;
    for (int c = 0; c < d->ncap; c++) cand_of[c] = -1;
    for (int i = 0; i < d->ntest; i++) {
        int c = d->cap_of[d->test[i]];
        if (cand_of[c] < 0) cand_of[c] = K, cap[K] = c, texts[K++] = d->captions[c];
    }
    char prompts[OV_SYNTH_NACTIONS][64];
    for (int a = 0; a < A; a++) {
        snprintf(prompts[a], sizeof prompts[a], "a person %s", ov_synth_value_name(OV_SYNTH_ACTION, d->ds.label_action[a]));
        texts[K + a] = prompts[a];
    }
    ovTensor *ft = K ? ov_viclip_encode_texts(vc, tok, K + A, texts) : NULL;
    ovTensor *fv = ft ? video_features(vc, d, o) : NULL;
    if (!fv) {
        rc = K ? -1 : ov_error("the test split is empty");
    } else {
        ovTensor *all = ov_contiguous(ov_to_device(ov_matmul(fv, ov_transpose(ft, 0, 1)), OV_DEV_CPU)); /* [N, K+A] */
        const float *s = ov_f32(all);
        int N = d->ntest, W = K + A;
        ev->ncand = K, ev->nactions = A;
        ev->action_chance = 1.0 / A;
        double n_in[OV_DEMO_NSUBSETS] = {0};
        for (int i = 0; i < N; i++) {
            const ovSynthActor *act = &d->ds.videos[d->test[i]].actor[0];
            const float *row = s + (size_t)i * W;
            bool novel = act->novel_combo;
            int right = cand_of[d->cap_of[d->test[i]]], r = rank_of(row, K, right), top = argmax(row, K);
            tally(ev->top1, ev->n, novel, r == 0);
            tally(ev->top5, NULL, novel, r < 5);
            tally(ev->chance1, NULL, novel, 1.0 / K);
            tally(ev->chance5, NULL, novel, (K < 5 ? K : 5) / (double)K);
            tally(ev->action, NULL, novel, argmax(row + K, A) == act->label);
            tally(n_in, NULL, novel, 1);
            for (int k = 0; k < OV_SYNTH_NATTR; k++) {
                int same = 0;
                for (int j = 0; j < K; j++) same += d->cap_attr[cap[j]][k] == act->attr[k];
                ev->attr[k] += d->cap_attr[cap[top]][k] == act->attr[k];
                ev->attr_chance[k] += (double)same / K;
            }
        }
        for (int g = 0; g < OV_DEMO_NSUBSETS; g++) {
            double n = n_in[g] > 0 ? n_in[g] : 1;
            ev->top1[g] /= n, ev->top5[g] /= n, ev->chance1[g] /= n, ev->chance5[g] /= n, ev->action[g] /= n;
        }
        for (int k = 0; k < OV_SYNTH_NATTR; k++) ev->attr[k] /= N, ev->attr_chance[k] /= N;
        if (sims_out) *sims_out = ov_contiguous_copy(ov_narrow(all, 1, 0, K));
    }
    if (sims_out && rc == 0) ov_keep(*sims_out);
    ov_scope_end();
    ov_no_grad_end();
    ov_module_train(&vc->m, was_training);
    free(cand_of), free(cap), free(texts);
    return rc;
}
