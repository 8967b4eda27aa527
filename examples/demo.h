/* demo.h: `ovad demo`, the first end-to-end training: a micro ViCLIP (models/viclip.h, the same
 * model code at a tiny size) pretrained from random initialisation on the synthetic dataset
 * (data/synth.h, rendered in memory by the loader's workers) with the symmetric InfoNCE loss and
 * a learnable temperature, AdamW with linear warmup and cosine decay, gradient clipping; then
 * video-to-text retrieval on held-out clips, including clips whose captions combine an action and
 * a colour that never appear together in training, each number next to its chance level.
 *
 *     ovDemoOptions o = ov_demo_defaults(false);
 *     ovDemoResult r;
 *     if (ov_demo_run(&o, &r) != 0) fprintf(stderr, "%s\n", ov_last_error());
 *     ov_demo_print_table(stdout, &r);
 *
 * The pieces: demo_data.c (the dataset and its captions), demo_train.c (the loop), demo_eval.c
 * (retrieval), demo_report.c (table, report.txt/json, log.csv), plot.c (the loss curve PNG),
 * progress.c (the progress bar). Everything is deterministic for a seed and a thread count. */
#ifndef OV_EXAMPLES_DEMO_H
#define OV_EXAMPLES_DEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "data/loader.h"
#include "data/synth.h"
#include "models/viclip.h"

typedef struct {
    bool quick;            /* the short run of `make test` */
    const char *out_dir;   /* where the files go; NULL writes nothing */
    const char *vocab;     /* BPE merges; NULL: ov_tokenizer_default_path() */
    const char *model;     /* ov_viclip_cfg_named name */
    int steps, batch;
    int threads;           /* OpenMP threads; 0 leaves the default */
    int workers;           /* loader threads rendering clips */
    uint64_t seed;
    double lr, min_lr_factor, weight_decay, warmup_frac, clip_norm, temp_init;
    /* the dataset */
    int train_clips, test_clips, size, frames;
    const char *actions, *colours, *sizes, *directions, *speeds, *backgrounds;
    const char *holdout;   /* held-out action+colour combinations */
    double novel_fraction; /* share of test clips showing a held-out combination */
    bool progress;         /* the progress bar on stderr */
} ovDemoOptions;

ovDemoOptions ov_demo_defaults(bool quick);

/* ---- the data (demo_data.c) ---- */
typedef struct {
    ovSynthOptions so;
    ovSynthDataset ds;
    int ncap;              /* distinct captions over the whole dataset */
    char **captions;
    int (*cap_attr)[OV_SYNTH_NATTR];
    int *cap_of;           /* caption index of each clip */
    int *train, ntrain, *test, ntest; /* clip indices of each split */
    int size, frames;
} ovDemoData;

/* Plans the dataset (one actor per clip: a clip's caption is its actor's). 0 or -1 with
 * ov_last_error() naming the bad option. */
int ov_demo_data_new(const ovDemoOptions *o, ovDemoData *d);
void ov_demo_data_free(ovDemoData *d);
/* The train or test split as a loader dataset: sample i renders clip split[i] into f32
 * [3, T, S, S] pixels in [0, 1] with labels = i64 [1] its caption index. */
ovDataset ov_demo_dataset(ovDemoData *d, bool test);

/* ---- evaluation (demo_eval.c) ---- */
enum { OV_DEMO_ALL, OV_DEMO_SEEN, OV_DEMO_NOVEL, OV_DEMO_NSUBSETS };

typedef struct {
    int n[OV_DEMO_NSUBSETS];      /* test clips: all, seen combinations, novel combinations */
    int ncand;                     /* distinct test captions (the candidates) */
    double top1[OV_DEMO_NSUBSETS], top5[OV_DEMO_NSUBSETS];
    double chance1[OV_DEMO_NSUBSETS], chance5[OV_DEMO_NSUBSETS];
    /* the attributes of the top-1 caption, right or wrong, over all test clips; chance: a caption
     * drawn uniformly from the candidates */
    double attr[OV_SYNTH_NATTR], attr_chance[OV_SYNTH_NATTR];
    /* "a person <action>" prompts, one per action class */
    int nactions;
    double action[OV_DEMO_NSUBSETS], action_chance;
} ovDemoEval;

/* Retrieval on the test split with the model in eval mode (restored to training mode after).
 * *sims (when not NULL) gets the cosines [test clips, candidates] in the current scope. 0, or -1
 * with ov_last_error(). */
int ov_demo_evaluate(ovViCLIP *vc, ovTokenizer *tok, ovDemoData *d, const ovDemoOptions *o, ovDemoEval *ev,
                     ovTensor **sims);

/* ---- training (demo_train.c) ---- */
typedef struct {
    int steps;
    float *loss, *lr, *temp;  /* per step (malloc'd; ov_demo_result_free) */
    double seconds;
} ovDemoLog;

/* Trains vc on the train split for o->steps steps. 0, or -1 with ov_last_error(). */
int ov_demo_train(ovViCLIP *vc, ovTokenizer *tok, ovDemoData *d, const ovDemoOptions *o, ovDemoLog *log);

/* ---- the whole run (demo.c) ---- */
typedef struct {
    char config[512];      /* the model's name (ov_viclip_cfg_string) */
    int64_t params;        /* trainable parameters */
    int ntrain, ntest, ncap_train;
    ovDemoLog log;
    double first_loss, last_loss; /* means over the first and last tenth of the steps */
    double seconds_total;
    ovDemoEval eval;
    ovTensor *sims;        /* the test cosines [test clips, candidates], in the caller's scope */
    char checkpoint[1024]; /* "" when nothing was written */
} ovDemoResult;

/* Plans the data, trains, evaluates and (with out_dir) writes loss.png, log.csv,
 * viclip-micro.safetensors, report.txt and report.json. 0, or -1 with ov_last_error() (a missing
 * vocabulary file is named, with the --vocab hint). Free r with ov_demo_result_free whatever the
 * outcome; r->sims lives in the scope that was current at the call. */
int ov_demo_run(const ovDemoOptions *o, ovDemoResult *r);
void ov_demo_result_free(ovDemoResult *r);

/* ---- output (demo_report.c, plot.c) ---- */
void ov_demo_print_table(FILE *f, const ovDemoOptions *o, const ovDemoResult *r);
int ov_demo_write_files(const char *dir, const ovDemoOptions *o, const ovDemoResult *r);
/* A loss curve: the per-step values (light) and an exponential moving average (dark) on axes
 * with the step and loss ranges labelled, as a w x h PNG. 0 or -1. */
int ov_plot_loss_png(const char *path, const float *loss, int n, int w, int h);

#endif
