/* demo_report.c: what the demo prints and writes: the results table (stdout and report.txt),
 * report.json with the same numbers, log.csv (step, loss, lr, temp) and the loss curve. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples/demo.h"
#include "tensor/error.h"

static const char *subset_name[OV_DEMO_NSUBSETS] = {"all", "seen", "novel"};

static void row(FILE *f, const char *what, int n, double acc, double chance) {
    if (n == 0) { /* e.g. no test clip shows a held-out combination */
        fprintf(f, "  %-46s %6d   %7s  %7s  %6s\n", what, n, "-", "-", "-");
        return;
    }
    fprintf(f, "  %-46s %6d   %6.1f%%  %6.1f%%  %5.1fx\n", what, n, 100 * acc, 100 * chance, chance > 0 ? acc / chance : 0);
}

void ov_demo_print_table(FILE *f, const ovDemoOptions *o, const ovDemoResult *r) {
    const ovDemoEval *e = &r->eval;
    fprintf(f, "micro ViCLIP, trained from random initialisation: %.2f M parameters\n  %s\n", r->params / 1e6, r->config);
    fprintf(f, "data: %d train clips (%d distinct captions), %d test clips; %d frames of %dx%d, one actor each\n",
            r->ntrain, r->ncap_train, r->ntest, o->frames, o->size, o->size);
    fprintf(f, "held out of training (action+colour): %s\n", o->holdout && *o->holdout ? o->holdout : "(none)");
    fprintf(f, "training: %d steps of %d clips in %.0f s; loss %.3f -> %.3f (mean of the first / last tenth); temp %.4f\n",
            r->log.steps, o->batch, r->log.seconds, r->first_loss, r->last_loss,
            r->log.steps ? r->log.temp[r->log.steps - 1] : 0.0);
    fprintf(f, "\nvideo-to-text retrieval on held-out clips, against the %d distinct test captions\n", e->ncand);
    fprintf(f, "  %-46s %6s   %7s  %7s  %6s\n", "", "clips", "accuracy", "chance", "ratio");
    char what[96];
    for (int g = 0; g < OV_DEMO_NSUBSETS; g++) {
        snprintf(what, sizeof what, "caption top-1, %s%s", subset_name[g], g ? " combinations" : " test clips");
        row(f, what, e->n[g], e->top1[g], e->chance1[g]);
    }
    for (int g = 0; g < OV_DEMO_NSUBSETS; g++) {
        snprintf(what, sizeof what, "caption top-5, %s%s", subset_name[g], g ? " combinations" : " test clips");
        row(f, what, e->n[g], e->top5[g], e->chance5[g]);
    }
    for (int k = 0; k < OV_SYNTH_NATTR; k++) {
        if (e->attr_chance[k] >= 1) continue; /* one value only: nothing to tell apart */
        snprintf(what, sizeof what, "%s of the top-1 caption", ov_synth_attr_name(k));
        row(f, what, e->n[OV_DEMO_ALL], e->attr[k], e->attr_chance[k]);
    }
    for (int g = 0; g < OV_DEMO_NSUBSETS; g++) {
        snprintf(what, sizeof what, "action from \"a person <action>\" (%d), %s", e->nactions, subset_name[g]);
        row(f, what, e->n[g], e->action[g], e->action_chance);
    }
    fprintf(f, "(chance: a ranking drawn at random; seen/novel: whether the clip's action+colour appears in training)\n");
}

static int write_log(const char *path, const ovDemoResult *r) {
    FILE *f = fopen(path, "w");
    if (!f) return ov_error("%s: cannot create the file", path);
    fprintf(f, "step,loss,lr,temp\n");
    for (int s = 0; s < r->log.steps; s++)
        fprintf(f, "%d,%.6f,%.6g,%.6f\n", s + 1, r->log.loss[s], r->log.lr[s], r->log.temp[s]);
    return fclose(f) == 0 ? 0 : ov_error("%s: write failed", path);
}

static cJSON *subsets(const double *v) {
    cJSON *o = cJSON_CreateObject();
    for (int g = 0; g < OV_DEMO_NSUBSETS; g++) cJSON_AddNumberToObject(o, subset_name[g], v[g]);
    return o;
}

static int write_json(const char *path, const ovDemoOptions *o, const ovDemoResult *r) {
    const ovDemoEval *e = &r->eval;
    cJSON *j = cJSON_CreateObject(), *t = cJSON_CreateObject(), *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "model", r->config);
    cJSON_AddNumberToObject(j, "parameters", (double)r->params);
    cJSON_AddNumberToObject(j, "seed", (double)o->seed);
    cJSON_AddStringToObject(j, "holdout", o->holdout ? o->holdout : "");
    cJSON_AddNumberToObject(j, "train_clips", r->ntrain);
    cJSON_AddNumberToObject(j, "test_clips", r->ntest);
    cJSON_AddNumberToObject(t, "steps", r->log.steps);
    cJSON_AddNumberToObject(t, "batch", o->batch);
    cJSON_AddNumberToObject(t, "seconds", r->log.seconds);
    cJSON_AddNumberToObject(t, "first_loss", r->first_loss);
    cJSON_AddNumberToObject(t, "last_loss", r->last_loss);
    cJSON_AddNumberToObject(t, "final_temp", r->log.steps ? r->log.temp[r->log.steps - 1] : 0);
    cJSON_AddItemToObject(j, "training", t);
    cJSON_AddNumberToObject(ev, "candidates", e->ncand);
    cJSON *n = cJSON_CreateObject();
    for (int g = 0; g < OV_DEMO_NSUBSETS; g++) cJSON_AddNumberToObject(n, subset_name[g], e->n[g]);
    cJSON_AddItemToObject(ev, "clips", n);
    cJSON_AddItemToObject(ev, "top1", subsets(e->top1));
    cJSON_AddItemToObject(ev, "top1_chance", subsets(e->chance1));
    cJSON_AddItemToObject(ev, "top5", subsets(e->top5));
    cJSON_AddItemToObject(ev, "top5_chance", subsets(e->chance5));
    cJSON *a = cJSON_CreateObject(), *ac = cJSON_CreateObject();
    for (int k = 0; k < OV_SYNTH_NATTR; k++) {
        cJSON_AddNumberToObject(a, ov_synth_attr_name(k), e->attr[k]);
        cJSON_AddNumberToObject(ac, ov_synth_attr_name(k), e->attr_chance[k]);
    }
    cJSON_AddItemToObject(ev, "top1_attribute", a);
    cJSON_AddItemToObject(ev, "top1_attribute_chance", ac);
    cJSON_AddItemToObject(ev, "action_prompt", subsets(e->action));
    cJSON_AddNumberToObject(ev, "action_prompt_chance", e->action_chance);
    cJSON_AddItemToObject(j, "eval", ev);
    cJSON_AddNumberToObject(j, "seconds_total", r->seconds_total);
    char *s = cJSON_Print(j);
    cJSON_Delete(j);
    FILE *f = fopen(path, "w");
    int rc = f && fputs(s, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
    if (f && fclose(f) != 0) rc = -1;
    free(s);
    return rc == 0 ? 0 : ov_error("%s: cannot write the file", path);
}

int ov_demo_write_files(const char *dir, const ovDemoOptions *o, const ovDemoResult *r) {
    char path[1200];
    snprintf(path, sizeof path, "%s/loss.png", dir);
    if (ov_plot_loss_png(path, r->log.loss, r->log.steps, 800, 480) != 0) return -1;
    snprintf(path, sizeof path, "%s/log.csv", dir);
    if (write_log(path, r) != 0) return -1;
    snprintf(path, sizeof path, "%s/report.json", dir);
    if (write_json(path, o, r) != 0) return -1;
    snprintf(path, sizeof path, "%s/report.txt", dir);
    FILE *f = fopen(path, "w");
    if (!f) return ov_error("%s: cannot create the file", path);
    ov_demo_print_table(f, o, r);
    fprintf(f, "checkpoint: %s\ntotal time: %.0f s\n", r->checkpoint, r->seconds_total);
    return fclose(f) == 0 ? 0 : ov_error("%s: write failed", path);
}
