/* demo.c: `ovad demo` as a library call: the defaults (measured on a 2-core machine, see the
 * README) and the run: data, model, training, evaluation, files. See demo.h. */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "autograd/grad_mode.h"
#include "examples/demo.h"
#include "tensor/error.h"

ovDemoOptions ov_demo_defaults(bool quick) {
    ovDemoOptions o = {
        .quick = quick,
        .out_dir = "demo-out",
        /* a ViT of 2 blocks of width 64 on 8 frames of 32x32 in 8x8 patches (129 tokens), a text
         * transformer of 2 blocks of width 64, a joint space of 64 */
        .model = "viclip:width=64,layers=2,heads=4,patch=8,image=32,table_frames=8,out=64,frames=8,input=32,"
                 "text_width=64,text_layers=2,text_heads=4",
        .steps = 1500,
        .batch = 64,
        .workers = 1,
        .seed = 0,
        .lr = 1e-3,
        .min_lr_factor = 0.02,
        .weight_decay = 0.05,
        .warmup_frac = 0.05,
        .clip_norm = 1.0,
        .temp_init = 0.07,
        .train_clips = 8000,
        .test_clips = 400,
        .size = 32,
        .frames = 8,
        .colours = "red,green,blue,yellow",
        .sizes = "large",
        /* each held-out action keeps its other three colours in training, each colour is held
         * out with at most two actions. No action is held out entirely: a model trained from
         * scratch has never seen the word, so retrieving it could only measure chance. */
        .holdout = "jumping+red,waving+blue,running+green,clapping+yellow,kicking+red",
        .novel_fraction = 0.5,
        .progress = true,
    };
    if (quick) o.steps = 300, o.train_clips = 2000, o.test_clips = 200;
    return o;
}

/* mkdir -p */
static int make_dirs(const char *dir) {
    char p[1024];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1;; s++) {
        char c = *s;
        if (c != '/' && c) continue;
        *s = 0;
        if (mkdir(p, 0777) != 0 && errno != EEXIST) return ov_error("%s: cannot create the folder: %s", p, strerror(errno));
        *s = c;
        if (!c) break;
    }
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double mean(const float *v, int lo, int hi) {
    double s = 0;
    for (int i = lo; i < hi; i++) s += v[i];
    return hi > lo ? s / (hi - lo) : 0;
}

int ov_demo_run(const ovDemoOptions *o, ovDemoResult *r) {
    memset(r, 0, sizeof *r);
    double t0 = now();
    if (o->steps < 1 || o->batch < 2) return ov_error("the demo needs at least 1 step and a batch of 2 (got %d, %d)", o->steps, o->batch);
    if (o->threads > 0) omp_set_num_threads(o->threads);
    ovViCLIPCfg cfg;
    if (ov_viclip_cfg_named(o->model, &cfg) != 0) return -1;
    cfg.frames = o->frames, cfg.input = o->size; /* what the clips are (tables are resized if they differ) */
    cfg.temp_init = o->temp_init, cfg.temp_min = 0.01;
    ovDemoData d;
    if (ov_demo_data_new(o, &d) != 0) return -1;
    const char *vocab = o->vocab ? o->vocab : ov_tokenizer_default_path();
    ovTokenizer *tok = NULL;
    if (access(vocab, R_OK) != 0)
        ov_error("the CLIP BPE vocabulary %s cannot be read (%s): pass --vocab FILE "
                 "(bpe_simple_vocab_16e6.txt.gz, from CLIP or ViCLIP) or set OVAD_BPE_VOCAB",
                 vocab, strerror(errno));
    else
        tok = ov_tokenizer_load(vocab);
    if (!tok) {
        ov_demo_data_free(&d);
        return -1;
    }
    ov_viclip_cfg_string(&cfg, r->config, sizeof r->config);
    r->ntrain = d.ntrain, r->ntest = d.ntest;
    for (int c = 0; c < d.ncap; c++)
        for (int i = 0; i < d.ntrain; i++)
            if (d.cap_of[d.train[i]] == c) {
                r->ncap_train++;
                break;
            }
    ovViCLIP *vc = ov_viclip_new(&cfg, o->seed);
    r->params = ov_module_numel(&vc->m, true);
    int rc = ov_demo_train(vc, tok, &d, o, &r->log);
    if (rc == 0) {
        int n = r->log.steps, tenth = n / 10 > 0 ? n / 10 : 1;
        r->first_loss = mean(r->log.loss, 0, tenth);
        r->last_loss = mean(r->log.loss, n - tenth, n);
        ovTensor *sims;
        if (o->progress) fprintf(stderr, "evaluating on %d held-out clips\n", d.ntest);
        rc = ov_demo_evaluate(vc, tok, &d, o, &r->eval, &sims);
        r->sims = sims;
    }
    if (rc == 0 && o->out_dir) {
        snprintf(r->checkpoint, sizeof r->checkpoint, "%s/viclip-micro.safetensors", o->out_dir);
        char seed[32], steps[32];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->seed);
        snprintf(steps, sizeof steps, "%d", r->log.steps);
        const char *keys[] = {"trained_by", "seed", "steps"}, *values[] = {"ovad demo", seed, steps};
        rc = make_dirs(o->out_dir);
        if (rc == 0) rc = ov_viclip_save(vc, r->checkpoint, 3, keys, values);
    }
    r->seconds_total = now() - t0;
    if (rc == 0 && o->out_dir) rc = ov_demo_write_files(o->out_dir, o, r);
    ov_module_free(&vc->m);
    ov_demo_data_free(&d);
    ov_tokenizer_free(tok);
    return rc;
}

void ov_demo_result_free(ovDemoResult *r) {
    free(r->log.loss), free(r->log.lr), free(r->log.temp);
    r->log.loss = r->log.lr = r->log.temp = NULL;
}
