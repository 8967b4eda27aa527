/* synth_write.c: the synthetic dataset on disk in the J-HMDB layout (see synth.h): PNG frames
 * rendered on all cores, the ACT ground-truth pickle, captions.json, vocab.json and the
 * open-world class lists, all written into a temporary folder that is renamed into place at the
 * end. */
#define _XOPEN_SOURCE 700
#include <cjson/cJSON.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "data/image.h"
#include "data/pickle_write.h"
#include "data/synth_internal.h"
#include "tensor/error.h"

enum { PATH_MAX_LEN = 4096 };

int ov_synth_test_fail_clip = -1;

static int make_dir(const char *p) {
    if (mkdir(p, 0777) && errno != EEXIST) return ov_error("%s: cannot create the folder: %s", p, strerror(errno));
    return 0;
}

static int remove_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static void remove_tree(const char *p) { nftw(p, remove_entry, 16, FTW_DEPTH | FTW_PHYS); }

static int write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) return ov_error("%s: cannot create: %s", path, strerror(errno));
    size_t n = strlen(text);
    int bad = fwrite(text, 1, n, f) != n;
    if (fclose(f) || bad) return ov_error("%s: write error: %s", path, strerror(errno));
    return 0;
}

/* Renders clip v and writes its frames to <root>/Frames/<key>/%05d.png. */
static int write_video(ovSynthDataset *ds, int v, const char *root, uint8_t *bg, uint8_t *frame) {
    char dir[2 * PATH_MAX_LEN], path[2 * PATH_MAX_LEN + 16];
    snprintf(dir, sizeof dir, "%s/Frames/%s", root, ds->videos[v].key);
    if (make_dir(dir)) return -1;
    if (v == ov_synth_test_fail_clip) return ov_error("%s: no space left on device (simulated)", dir);
    ov_synth_background(ds, v, bg);
    for (int t = 0; t < ds->opt.frames; t++) {
        ov_synth_render_frame(ds, v, t, bg, frame);
        snprintf(path, sizeof path, "%s/%05d.png", dir, t + 1);
        FILE *f = fopen(path, "wb");
        if (!f) return ov_error("%s: cannot create: %s", path, strerror(errno));
        int rc = ov_png_encode(f, path, frame, ds->opt.height, ds->opt.width, 3);
        if (fclose(f) && rc == 0) rc = ov_error("%s: write error: %s", path, strerror(errno));
        if (rc) return -1;
    }
    return 0;
}

/* One tube: rows [frame (1-based), x1, y1, x2, y2] of the frames where the actor shows. */
static void write_tube(ovPickleWriter *w, const ovSynthActor *a, int T, float *rows) {
    int64_t n = 0;
    for (int t = 0; t < T; t++) {
        if (a->boxes[4 * t] < 0) continue;
        rows[5 * n] = (float)(t + 1);
        memcpy(rows + 5 * n + 1, a->boxes + 4 * t, 4 * sizeof(float));
        n++;
    }
    ov_pkw_array_f32(w, rows, 2, (int64_t[]){n, 5});
}

/* The ACT ground truth (datasets-and-eval.md §1.1): its six keys in JHMDB-GT.pkl's order, one split. */
static int write_pickle(const ovSynthDataset *ds, const char *path) {
    int T = ds->opt.frames;
    float *rows = malloc((size_t)T * 5 * sizeof *rows);
    if (!rows) return ov_error("out of memory");
    ovPickleWriter *w = ov_pkw_new();
    ov_pkw_dict_begin(w);
    ov_pkw_str(w, "labels");
    ov_pkw_list_begin(w);
    for (int l = 0; l < ds->nlabels; l++) ov_pkw_str(w, ov_synth_value_name(OV_SYNTH_ACTION, ds->label_action[l]));
    ov_pkw_list_end(w);

    ov_pkw_str(w, "gttubes");
    ov_pkw_dict_begin(w);
    for (int v = 0; v < ds->nvideos; v++) {
        const ovSynthVideo *vid = &ds->videos[v];
        ov_pkw_str(w, vid->key);
        ov_pkw_dict_begin(w);
        /* labels in order of first appearance, each with its actors' tubes */
        for (int k = 0; k < vid->nactors; k++) {
            int l = vid->actor[k].label, seen = 0;
            for (int j = 0; j < k; j++) seen |= vid->actor[j].label == l;
            if (seen) continue;
            ov_pkw_int(w, l);
            ov_pkw_list_begin(w);
            for (int j = k; j < vid->nactors; j++)
                if (vid->actor[j].label == l) write_tube(w, &vid->actor[j], T, rows);
            ov_pkw_list_end(w);
        }
        ov_pkw_dict_end(w);
    }
    ov_pkw_dict_end(w);

    ov_pkw_str(w, "nframes");
    ov_pkw_dict_begin(w);
    for (int v = 0; v < ds->nvideos; v++) {
        ov_pkw_str(w, ds->videos[v].key);
        ov_pkw_int(w, T);
    }
    ov_pkw_dict_end(w);

    for (int split = 0; split < 2; split++) {
        ov_pkw_str(w, split ? "test_videos" : "train_videos");
        ov_pkw_list_begin(w);
        ov_pkw_list_begin(w);
        for (int v = 0; v < ds->nvideos; v++)
            if (ds->videos[v].test == split) ov_pkw_str(w, ds->videos[v].key);
        ov_pkw_list_end(w);
        ov_pkw_list_end(w);
    }

    ov_pkw_str(w, "resolution");
    ov_pkw_dict_begin(w);
    for (int v = 0; v < ds->nvideos; v++) {
        ov_pkw_str(w, ds->videos[v].key);
        ov_pkw_tuple_begin(w);
        ov_pkw_int(w, ds->opt.height);
        ov_pkw_int(w, ds->opt.width);
        ov_pkw_tuple_end(w);
    }
    ov_pkw_dict_end(w);
    ov_pkw_dict_end(w);
    int rc = ov_pkw_save(w, path);
    ov_pkw_free(w);
    free(rows);
    return rc;
}

static cJSON *name_list(int attr, int n, const int *values) {
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(ov_synth_value_name(attr, values[i])));
    return a;
}

static void combo_name(const ovSynthDataset *ds, int c, char *out, size_t n) {
    size_t len = 0;
    out[0] = 0;
    for (int k = 0; k < OV_SYNTH_NATTR; k++)
        if (ds->combo[c][k] >= 0)
            len += (size_t)snprintf(out + len, n - len, "%s%s", len ? "+" : "", ov_synth_value_name(k, ds->combo[c][k]));
}

static cJSON *captions_json(const ovSynthDataset *ds) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "dataset", "synthetic");
    cJSON_AddNumberToObject(root, "seed", (double)ds->opt.seed);
    cJSON_AddNumberToObject(root, "frames", ds->opt.frames);
    cJSON_AddNumberToObject(root, "width", ds->opt.width);
    cJSON_AddNumberToObject(root, "height", ds->opt.height);
    int labels[OV_SYNTH_NACTIONS], novel[OV_SYNTH_NACTIONS], nnovel = 0;
    for (int l = 0; l < ds->nlabels; l++) {
        labels[l] = ds->label_action[l];
        if (ds->label_novel[l]) novel[nnovel++] = ds->label_action[l];
    }
    cJSON_AddItemToObject(root, "labels", name_list(OV_SYNTH_ACTION, ds->nlabels, labels));
    cJSON_AddItemToObject(root, "novel_labels", name_list(OV_SYNTH_ACTION, nnovel, novel));
    cJSON *combos = cJSON_AddArrayToObject(root, "holdout_combos");
    for (int c = 0; c < ds->ncombos; c++) {
        char name[256];
        combo_name(ds, c, name, sizeof name);
        cJSON_AddItemToArray(combos, cJSON_CreateString(name));
    }
    cJSON *attrs = cJSON_AddObjectToObject(root, "attributes");
    for (int k = 1; k < OV_SYNTH_NATTR; k++)
        cJSON_AddItemToObject(attrs, ov_synth_attr_name(k), name_list(k, ds->nvalues[k], ds->values[k]));
    cJSON *videos = cJSON_AddArrayToObject(root, "videos");
    for (int v = 0; v < ds->nvideos; v++) {
        const ovSynthVideo *vid = &ds->videos[v];
        cJSON *jv = cJSON_CreateObject();
        cJSON_AddStringToObject(jv, "video", vid->key);
        cJSON_AddStringToObject(jv, "split", vid->test ? "test" : "train");
        cJSON_AddNumberToObject(jv, "nframes", ds->opt.frames);
        cJSON_AddStringToObject(jv, "caption", vid->caption);
        cJSON_AddStringToObject(jv, "background", ov_synth_bg_name(vid->background));
        cJSON *actors = cJSON_AddArrayToObject(jv, "actors");
        for (int k = 0; k < vid->nactors; k++) {
            const ovSynthActor *a = &vid->actor[k];
            cJSON *ja = cJSON_CreateObject();
            cJSON_AddStringToObject(ja, "label", ov_synth_value_name(OV_SYNTH_ACTION, a->attr[OV_SYNTH_ACTION]));
            cJSON_AddStringToObject(ja, "caption", a->caption);
            for (int at = 1; at < OV_SYNTH_NATTR; at++)
                cJSON_AddStringToObject(ja, ov_synth_attr_name(at), ov_synth_value_name(at, a->attr[at]));
            cJSON_AddBoolToObject(ja, "novel_action", a->novel_action);
            cJSON_AddBoolToObject(ja, "novel_combo", a->novel_combo);
            cJSON *tube = cJSON_AddArrayToObject(ja, "tube");
            for (int t = 0; t < ds->opt.frames; t++) {
                const float *b = a->boxes + 4 * t;
                if (b[0] < 0) continue;
                double row[5] = {t + 1, b[0], b[1], b[2], b[3]};
                cJSON_AddItemToArray(tube, cJSON_CreateDoubleArray(row, 5));
            }
            cJSON_AddItemToArray(actors, ja);
        }
        cJSON_AddItemToArray(videos, jv);
    }
    return root;
}

static int write_json(const char *path, cJSON *j) {
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) return ov_error("%s: out of memory", path);
    size_t n = strlen(text);
    char *nl = realloc(text, n + 2);
    if (!nl) {
        free(text);
        return ov_error("%s: out of memory", path);
    }
    memcpy(nl + n, "\n", 2);
    int rc = write_text(path, nl);
    free(nl);
    return rc;
}

static int write_class_list(const ovSynthDataset *ds, const char *path, int which /* 0 all, 1 base, 2 novel */) {
    char text[OV_SYNTH_NACTIONS * 32] = "";
    for (int l = 0; l < ds->nlabels; l++)
        if (which == 0 || (which == 1) == !ds->label_novel[l]) {
            strcat(text, ov_synth_value_name(OV_SYNTH_ACTION, ds->label_action[l]));
            strcat(text, "\n");
        }
    return write_text(path, text);
}

static int write_metadata(const ovSynthDataset *ds, const char *root) {
    char p[2 * PATH_MAX_LEN];
    snprintf(p, sizeof p, "%s/synthetic-GT.pkl", root);
    if (write_pickle(ds, p)) return -1;
    snprintf(p, sizeof p, "%s/captions.json", root);
    if (write_json(p, captions_json(ds))) return -1;
    cJSON *vocab = cJSON_CreateObject();
    for (int l = 0; l < ds->nlabels; l++)
        cJSON_AddStringToObject(vocab, ov_synth_value_name(OV_SYNTH_ACTION, ds->label_action[l]),
                                ov_synth_action_description(ds->label_action[l]));
    snprintf(p, sizeof p, "%s/vocab.json", root);
    if (write_json(p, vocab)) return -1;
    snprintf(p, sizeof p, "%s/openworld", root);
    if (make_dir(p)) return -1;
    const char *files[3] = {"vocab_open.txt", "vocab_closed_0.txt", "vocab_novel_0.txt"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/openworld/%s", root, files[i]);
        if (write_class_list(ds, p, i)) return -1;
    }
    return 0;
}

/* Renders every clip on all threads; clip v's output depends only on v, so the files do not
 * depend on the number of threads. */
static int write_frames(ovSynthDataset *ds, const char *root) {
    char p[2 * PATH_MAX_LEN];
    snprintf(p, sizeof p, "%s/Frames", root);
    if (make_dir(p)) return -1;
    for (int v = 0; v < ds->nvideos; v++) {
        snprintf(p, sizeof p, "%s/Frames/%s", root,
                 ov_synth_value_name(OV_SYNTH_ACTION, ds->label_action[ds->videos[v].label]));
        if (make_dir(p)) return -1;
    }
    int failed = 0;
    char err[OV_ERRMSG_MAX] = "";
    size_t n = (size_t)ds->opt.width * ds->opt.height * 3;
#pragma omp parallel
    {
        uint8_t *bg = malloc(n), *frame = malloc(n);
        if (!bg || !frame) ov_panic("synth: out of memory for a frame");
#pragma omp for schedule(dynamic, 1)
        for (int v = 0; v < ds->nvideos; v++) {
            int stop;
#pragma omp atomic read
            stop = failed;
            if (stop) continue;
            if (write_video(ds, v, root, bg, frame)) {
#pragma omp critical(synth_error)
                if (!failed) {
                    snprintf(err, sizeof err, "%s", ov_last_error());
#pragma omp atomic write
                    failed = 1;
                }
            }
        }
        free(bg);
        free(frame);
    }
    if (failed) return ov_error("%s", err);
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int ov_synth_write(const ovSynthOptions *opt, const char *out, bool replace, ovSynthSummary *summary) {
    double start = now();
    struct stat st;
    if (strlen(out) > PATH_MAX_LEN - 256) return ov_error("%s: path too long", out);
    char outp[PATH_MAX_LEN];
    size_t len = strlen(strcpy(outp, out));
    while (len > 1 && outp[len - 1] == '/') outp[--len] = 0; /* "dir/" names dir, not a folder inside it */
    out = outp;
    int exists = stat(out, &st) == 0;
    if (exists && !replace) return ov_error("%s already exists (remove it, or pass --force to replace it)", out);
    ovSynthDataset ds;
    if (ov_synth_plan(opt, &ds)) return -1;
    char tmp[PATH_MAX_LEN + 32], old[PATH_MAX_LEN + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out, (long)getpid());
    snprintf(old, sizeof old, "%s.old-%ld", out, (long)getpid());
    remove_tree(tmp);
    int rc = -1;
    if (mkdir(tmp, 0777)) {
        ov_error("%s: cannot create the folder: %s", tmp, strerror(errno));
        goto done;
    }
    if (write_frames(&ds, tmp) || write_metadata(&ds, tmp)) goto fail;
    /* into place: the old output (if replacing) moves aside first and goes last */
    if (exists && rename(out, old)) {
        ov_error("%s: cannot move the old output aside: %s", out, strerror(errno));
        goto fail;
    }
    if (rename(tmp, out)) {
        ov_error("%s: cannot rename %s into place: %s", out, tmp, strerror(errno));
        if (exists) rename(old, out);
        goto fail;
    }
    if (exists) remove_tree(old);
    rc = 0;
    if (summary) {
        *summary = (ovSynthSummary){.videos = ds.nvideos, .train = ds.ntrain, .test = ds.ntest, .frames = opt->frames,
                                    .width = opt->width, .height = opt->height};
        for (int v = 0; v < ds.nvideos; v++)
            for (int k = 0; k < ds.videos[v].nactors; k++) {
                summary->tubes++;
                for (int t = 0; t < opt->frames; t++) summary->boxes += ds.videos[v].actor[k].boxes[4 * t] >= 0;
            }
        summary->seconds = now() - start;
    }
    goto done;
fail:
    remove_tree(tmp);
done:
    ov_synth_free(&ds);
    return rc;
}
