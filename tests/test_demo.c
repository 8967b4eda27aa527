/* test_demo.c: `ovad demo` (examples/demo.h): the quick run trains a micro ViCLIP whose loss falls
 * clearly and whose held-out retrieval beats chance by a wide margin; its checkpoint reloads
 * strictly into a fresh model that gives the same test similarities bit for bit; the loss curve,
 * log and reports are written and parse; a short run is the same twice and with another number
 * of loader workers; a missing vocabulary is a clear error; the command's usage errors. The runs
 * need the CLIP BPE vocabulary (../shared/data, or $OVAD_BPE_VOCAB): without it those cases are
 * left out of the suite with the reason printed. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "data/image.h"
#include "examples/demo.h"
#include "tensor/error.h"
#include "tensor/file.h"
#include "tests/check_util.h"

/* The file's text (malloc'd), failing the test when it cannot be read. */
static char *slurp(const char *name) {
    const char *path = ov_tmp(name);
    uint8_t *data;
    size_t n;
    ck_assert_msg(ov_read_file(path, &data, &n) == 0, "%s", ov_last_error());
    return (char *)data;
}

static double json_num(cJSON *j, const char *a, const char *b, const char *c) {
    cJSON *x = cJSON_GetObjectItem(j, a);
    if (x && b) x = cJSON_GetObjectItem(x, b);
    if (x && c) x = cJSON_GetObjectItem(x, c);
    ck_assert_msg(x && cJSON_IsNumber(x), "report.json has no number %s.%s.%s", a, b ? b : "", c ? c : "");
    return x->valuedouble;
}

/* The sanitizer build (-O1 with ASan/UBSan) trains about 15 times slower: it runs a shorter
 * quick demo (60 steps of 32 clips, 3 s at -O3, about a minute under the sanitizers), which goes
 * through the same code and must still learn (loss down, retrieval above chance); the wide margins
 * are asserted by the normal build's full quick run. */
#ifdef __SANITIZE_ADDRESS__
enum { SANITIZED = 1 };
#else
enum { SANITIZED = 0 };
#endif

START_TEST(test_quick) {
    ov_tmpdir_make("demo");
    ovDemoOptions o = ov_demo_defaults(true);
    o.out_dir = ov_tmpdir();
    o.progress = false;
    if (SANITIZED) o.steps = 60, o.batch = 32, o.train_clips = 1000, o.test_clips = 100;
    double loss_ratio = SANITIZED ? 0.85 : 0.7, margin = SANITIZED ? 2 : 5;
    ovDemoResult r;
    ov_scope_begin();
    ck_assert_msg(ov_demo_run(&o, &r) == 0, "%s", ov_last_error());
    ov_demo_print_table(stdout, &o, &r);
    const ovDemoEval *e = &r.eval;
    /* it learns: the loss falls, held-out clips find their captions far above chance */
    ck_assert_int_eq(r.log.steps, o.steps);
    ck_assert_msg(r.last_loss < loss_ratio * r.first_loss, "loss %.3f -> %.3f", r.first_loss, r.last_loss);
    ck_assert_msg(e->top1[OV_DEMO_ALL] >= margin * e->chance1[OV_DEMO_ALL], "top-1 %.3f, chance %.3f",
                  e->top1[OV_DEMO_ALL], e->chance1[OV_DEMO_ALL]);
    ck_assert_msg(e->top5[OV_DEMO_ALL] >= margin * e->chance5[OV_DEMO_ALL], "top-5 %.3f, chance %.3f",
                  e->top5[OV_DEMO_ALL], e->chance5[OV_DEMO_ALL]);
    if (!SANITIZED) { /* clips whose action+colour never appeared in training, and the colour alone */
        ck_assert_msg(e->top5[OV_DEMO_NOVEL] >= 3 * e->chance5[OV_DEMO_NOVEL], "novel top-5 %.3f, chance %.3f",
                      e->top5[OV_DEMO_NOVEL], e->chance5[OV_DEMO_NOVEL]);
        ck_assert_msg(e->attr[OV_SYNTH_COLOUR] >= 0.8, "colour of the top-1 caption %.3f", e->attr[OV_SYNTH_COLOUR]);
    }
    ck_assert_int_eq(e->n[OV_DEMO_ALL], r.ntest);
    ck_assert_int_eq(e->n[OV_DEMO_SEEN] + e->n[OV_DEMO_NOVEL], r.ntest);
    ck_assert_msg(e->n[OV_DEMO_NOVEL] >= 20 && e->n[OV_DEMO_SEEN] >= 20, "seen %d, novel %d", e->n[OV_DEMO_SEEN],
                  e->n[OV_DEMO_NOVEL]);

    /* the checkpoint rebuilds the model (strict) and gives the same similarities bit for bit */
    ovLoadReport rep;
    ovViCLIP *vc = ov_viclip_from_file(r.checkpoint, &rep);
    ck_assert_msg(vc, "%s", ov_last_error());
    ck_assert_int_eq(rep.loaded, ov_module_count(&vc->m, true));
    ovTokenizer *tok = ov_tokenizer_load(ov_tokenizer_default_path());
    ck_assert_ptr_nonnull(tok);
    ovDemoData d;
    ck_assert_int_eq(ov_demo_data_new(&o, &d), 0);
    ovDemoEval again;
    ovTensor *sims;
    ck_assert_msg(ov_demo_evaluate(vc, tok, &d, &o, &again, &sims) == 0, "%s", ov_last_error());
    ck_assert(ov_same_shape(sims, r.sims));
    ck_assert_msg(!memcmp(ov_f32(sims), ov_f32(r.sims), sizeof(float) * (size_t)ov_numel(sims)),
                  "the reloaded model's similarities differ");
    ck_assert_msg(!memcmp(&again, e, sizeof again), "the reloaded model's accuracies differ");
    ov_demo_data_free(&d);
    ov_tokenizer_free(tok);

    /* `ovad encode` takes the model and the text head count from the checkpoint's config, and the
     * printed probabilities use its temperature */
    const char *video = ov_shared_file("mmaction_test.mp4");
    if (video) {
        char args[4096], out[8192], heads[32], scale[48];
        snprintf(args, sizeof args, "encode --weights %s --video %s --dump %s --text 'a red person jumping' --text 'a blue person'",
                 r.checkpoint, video, ov_tmp("enc.safetensors"));
        snprintf(heads, sizeof heads, "%lld heads", (long long)vc->cfg.text.heads);
        snprintf(scale, sizeof scale, "softmax of %.4g x cosine", 1 / ov_viclip_temp(vc));
        ck_assert_msg(ov_run_ovad(args, out, sizeof out) == 0 && strstr(out, heads) && strstr(out, scale), "%s", out);
    }
    ov_module_free(&vc->m);

    /* the files: the curve decodes, the log has every step, the reports hold the numbers */
    ovTensor *img = ov_image_read(ov_tmp("loss.png"));
    ck_assert_msg(img, "%s", ov_last_error());
    ck_assert(img->shape[0] == 480 && img->shape[1] == 800 && img->shape[2] == 3);
    char *log = slurp("log.csv"), *save = NULL;
    char *line = strtok_r(log, "\n", &save);
    ck_assert_str_eq(line, "step,loss,lr,temp");
    int rows = 0;
    for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save), rows++) {
        int step;
        double loss, lr, temp;
        ck_assert_msg(sscanf(line, "%d,%lf,%lf,%lf", &step, &loss, &lr, &temp) == 4, "log.csv: '%s'", line);
        ck_assert_int_eq(step, rows + 1);
        ck_assert(fabs(loss - r.log.loss[rows]) < 1e-5 && lr > 0 && temp >= 0.01 - 1e-7);
    }
    ck_assert_int_eq(rows, o.steps);
    free(log);
    char *js = slurp("report.json");
    cJSON *j = cJSON_Parse(js);
    ck_assert_msg(j, "report.json does not parse");
    ck_assert(json_num(j, "eval", "top1", "all") == e->top1[OV_DEMO_ALL]);
    ck_assert(json_num(j, "eval", "top1_chance", "novel") == e->chance1[OV_DEMO_NOVEL]);
    ck_assert(json_num(j, "training", "steps", NULL) == o.steps);
    ck_assert(json_num(j, "training", "last_loss", NULL) == r.last_loss);
    cJSON_Delete(j);
    free(js);
    char *txt = slurp("report.txt");
    ck_assert_msg(strstr(txt, "caption top-1, novel combinations") && strstr(txt, "chance"), "%s", txt);
    free(txt);
    ov_scope_end();
    ov_demo_result_free(&r);
    ov_tmpdir_remove();
}
END_TEST

/* A short run twice, and once more with two loader workers: the same losses and accuracies. */
START_TEST(test_deterministic) {
    ovDemoOptions o = ov_demo_defaults(true);
    o.out_dir = NULL, o.progress = false;
    o.steps = 6, o.batch = 16, o.train_clips = 160, o.test_clips = 40;
    ovDemoResult r[3];
    ov_scope_begin();
    for (int k = 0; k < 3; k++) {
        o.workers = k == 2 ? 2 : 1;
        ck_assert_msg(ov_demo_run(&o, &r[k]) == 0, "%s", ov_last_error());
    }
    for (int k = 1; k < 3; k++) {
        ck_assert(!memcmp(r[0].log.loss, r[k].log.loss, sizeof(float) * (size_t)o.steps));
        ck_assert(!memcmp(r[0].log.temp, r[k].log.temp, sizeof(float) * (size_t)o.steps));
        ck_assert(!memcmp(&r[0].eval, &r[k].eval, sizeof r[0].eval));
    }
    ov_scope_end();
    for (int k = 0; k < 3; k++) ov_demo_result_free(&r[k]);
}
END_TEST

START_TEST(test_missing_vocab) {
    ovDemoOptions o = ov_demo_defaults(true);
    o.vocab = "/nonexistent/bpe_simple_vocab_16e6.txt.gz";
    o.out_dir = NULL;
    ovDemoResult r;
    ck_assert_int_eq(ov_demo_run(&o, &r), -1);
    const char *e = ov_last_error();
    ck_assert_msg(strstr(e, "/nonexistent/bpe_simple_vocab_16e6.txt.gz") && strstr(e, "--vocab"), "%s", e);
    ov_demo_result_free(&r);
    /* a bad model name and a bad hold-out are named too */
    o = ov_demo_defaults(true);
    o.model = "viclip:wdth=3";
    ck_assert_int_eq(ov_demo_run(&o, &r), -1);
    ck_assert_msg(strstr(ov_last_error(), "wdth"), "%s", ov_last_error());
    ov_demo_result_free(&r);
}
END_TEST

static char output[8192];

static int run_ovad(const char *args) {
    const char *bin = getenv("OVAD_BIN");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin ? bin : "build/ovad", args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(output, 1, sizeof output - 1, p);
    output[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_cli) {
    ck_assert_msg(run_ovad("demo --help") == 0 && strstr(output, "--quick") && strstr(output, "--vocab"), "%s", output);
    ck_assert_msg(run_ovad("demo --steps lots") == 2 && strstr(output, "--steps"), "%s", output);
    ck_assert_msg(run_ovad("demo --bogus 1") == 2 && strstr(output, "--bogus"), "%s", output);
    ck_assert_msg(run_ovad("demo --out") == 2 && strstr(output, "--out"), "%s", output);
    ck_assert_msg(run_ovad("demo --quick --out '' --vocab /nonexistent/v.txt.gz") == 1 && strstr(output, "/nonexistent/v.txt.gz") &&
                      strstr(output, "--vocab"),
                  "%s", output);
    ck_assert_msg(run_ovad("demo --quick --out '' --holdout jumping+mauve") == 1 && strstr(output, "mauve"), "%s", output);
}
END_TEST

int main(int argc, char **argv) {
    (void)argc;
    /* as `ovad demo` does (cli/demo.c): libgomp's spinning waits made training steps 20 times
     * slower when another program was busy on the same cores; passive waiting costs nothing here */
    if (!getenv("OMP_WAIT_POLICY")) {
        setenv("OMP_WAIT_POLICY", "passive", 1);
        execv("/proc/self/exe", argv);
    }
    Suite *s = suite_create("demo");
    TCase *tc = tcase_create("errors");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_missing_vocab);
    tcase_add_test(tc, test_cli);
    suite_add_tcase(s, tc);
    if (access(ov_tokenizer_default_path(), R_OK) == 0) {
        tc = tcase_create("training");
        ov_tcase_leak_check(tc);
        tcase_set_timeout(tc, 1200);
        tcase_add_test(tc, test_quick);
        tcase_add_test(tc, test_deterministic);
        suite_add_tcase(s, tc);
    } else {
        printf("SKIP: the demo's training cases: the CLIP BPE vocabulary %s is not there (run beside ../shared, or set "
               "OVAD_BPE_VOCAB)\n",
               ov_tokenizer_default_path());
    }
    return ov_run_suite(s) ? 1 : 0;
}
