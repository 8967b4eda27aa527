/* demo.c: `ovad demo`: pretrains a micro ViCLIP from scratch on the synthetic dataset and reports
 * held-out video-to-text retrieval next to chance (examples/demo.h does the work). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "examples/demo.h"
#include "tensor/error.h"
#include "tensor/scope.h"

static const char *usage_text =
    "usage: ovad demo [--quick] [--out DIR] [--steps N] [--batch N] [--threads N] [--seed S] [--vocab FILE]\n"
    "                 [--model NAME] [--lr X] [--train-clips N] [--test-clips N] [--holdout LIST]\n"
    "                 [--workers N] [--no-progress]\n"
    "\n"
    "Pretrains a micro ViCLIP (the ViCLIP model code at a tiny size) from random initialisation on\n"
    "synthetic clips rendered in memory (one stick figure each, captioned like \"a large red person\n"
    "jumping quickly to the left\"), with the symmetric InfoNCE loss and a learnable temperature,\n"
    "AdamW with warmup and cosine decay; then ranks the captions of held-out clips, including clips\n"
    "whose action+colour combination never appears in training, and prints each accuracy next to\n"
    "its chance level. About 3 minutes on two cores (--quick: about 20 s).\n"
    "\n"
    "  --quick            a short run (300 steps, 2000 train and 200 test clips) for the tests\n"
    "  --out DIR          where the files go (demo-out): loss.png, log.csv (step,loss,lr,temp),\n"
    "                     viclip-micro.safetensors (ViCLIP key names; metadata `config` rebuilds the\n"
    "                     model), report.txt and report.json; --out '' writes nothing\n"
    "  --steps N          training steps (1500; quick 300)\n"
    "  --batch N          clips per step (64)\n"
    "  --threads N        OpenMP threads for the model (default: all cores)\n"
    "  --seed S           seeds the dataset, the initialisation and the shuffling (0); the same seed\n"
    "                     and thread count give the same numbers\n"
    "  --vocab FILE       the CLIP BPE merges, bpe_simple_vocab_16e6.txt.gz (default $OVAD_BPE_VOCAB,\n"
    "                     else ../shared/data/bpe_simple_vocab_16e6.txt.gz)\n"
    "  --model NAME       the model's sizes (viclip:key=value,...; see the README)\n"
    "  --lr X             peak learning rate (1e-3)\n"
    "  --train-clips N    clips in the train split (8000; quick 2000)\n"
    "  --test-clips N     held-out clips (400; quick 200)\n"
    "  --holdout LIST     action+colour combinations kept out of training\n"
    "                     (jumping+red,waving+blue,running+green,clapping+yellow,kicking+red)\n"
    "  --workers N        loader threads rendering clips (1)\n"
    "  --no-progress      no progress bar on stderr\n"
    "Exit status: 0 done, 1 a runtime error (e.g. the vocabulary is missing), 2 bad usage.\n";

static int usage_error(void) {
    fprintf(stderr, "ovad demo: %s (ovad demo --help)\n", ov_last_error());
    return 2;
}

/* libgomp reads OMP_WAIT_POLICY once, when the program loads, and by default its threads spin
 * while they wait at the end of every parallel region. With another busy program on the same two
 * cores that made training steps about 20 times slower (2.3 s instead of 0.08 s, measured), while
 * passive waiting costs nothing measurable on an idle machine. So unless the caller chose a
 * policy, the demo starts itself again with OMP_WAIT_POLICY=passive. argv - 1 is main's argv (the
 * command's name in front of "demo"), NULL-terminated; if exec fails the run goes on as it is. */
static void prefer_passive_wait(char **argv) {
    if (getenv("OMP_WAIT_POLICY")) return;
    setenv("OMP_WAIT_POLICY", "passive", 1);
    execv("/proc/self/exe", argv - 1);
}

int cmd_demo(int argc, char **argv) {
    prefer_passive_wait(argv);
    bool quick = false;
    for (int i = 1; i < argc; i++) quick |= !strcmp(argv[i], "--quick");
    ovDemoOptions o = ov_demo_defaults(quick);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (!strcmp(a, "--quick")) continue;
        if (!strcmp(a, "--no-progress")) {
            o.progress = false;
            continue;
        }
        if (strncmp(a, "--", 2)) {
            fprintf(stderr, "ovad demo: unexpected argument '%s' (ovad demo --help)\n", a);
            return 2;
        }
        if (!v) {
            fprintf(stderr, "ovad demo: %s needs a value (ovad demo --help)\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--out")) {
            o.out_dir = *v ? v : NULL;
        } else if (!strcmp(a, "--vocab")) {
            o.vocab = v;
        } else if (!strcmp(a, "--model")) {
            o.model = v;
        } else if (!strcmp(a, "--holdout")) {
            o.holdout = v;
        } else if (!strcmp(a, "--steps")) {
            if (ov_arg_long(a, v, 1, 10000000, &n)) return usage_error();
            o.steps = (int)n;
        } else if (!strcmp(a, "--batch")) {
            if (ov_arg_long(a, v, 2, 4096, &n)) return usage_error();
            o.batch = (int)n;
        } else if (!strcmp(a, "--threads")) {
            if (ov_arg_long(a, v, 1, 1024, &n)) return usage_error();
            o.threads = (int)n;
        } else if (!strcmp(a, "--workers")) {
            if (ov_arg_long(a, v, 0, 64, &n)) return usage_error();
            o.workers = (int)n;
        } else if (!strcmp(a, "--train-clips")) {
            if (ov_arg_long(a, v, 2, 200000, &n)) return usage_error();
            o.train_clips = (int)n;
        } else if (!strcmp(a, "--test-clips")) {
            if (ov_arg_long(a, v, 1, 100000, &n)) return usage_error();
            o.test_clips = (int)n;
        } else if (!strcmp(a, "--seed")) {
            if (ov_arg_u64(a, v, &o.seed)) return usage_error();
        } else if (!strcmp(a, "--lr")) {
            if (ov_arg_double(a, v, 1e-9, 10, &o.lr)) return usage_error();
        } else {
            fprintf(stderr, "ovad demo: unknown option '%s' (ovad demo --help)\n", a);
            return 2;
        }
    }
    ovDemoResult r;
    ov_scope_begin();
    int rc = ov_demo_run(&o, &r);
    if (rc == 0) {
        ov_demo_print_table(stdout, &o, &r);
        if (r.checkpoint[0]) printf("wrote %s/{loss.png, log.csv, report.txt, report.json} and %s\n", o.out_dir, r.checkpoint);
        printf("total time: %.0f s\n", r.seconds_total);
    } else {
        fprintf(stderr, "ovad demo: %s\n", ov_last_error());
    }
    ov_scope_end();
    ov_demo_result_free(&r);
    return rc == 0 ? 0 : 1;
}
