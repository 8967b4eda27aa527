/* action_gt.c: the dataset struct shared by the J-HMDB / UCF101-24 readers (action_gt.h): splits,
 * the format sniffing of ov_action_gt_load, the test-video selection the evaluators use, checks
 * and counts. */
#include "data/action_gt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/act_gt.h"
#include "data/ucf24_mat.h"
#include "data/yowo.h"
#include "eval/util.h"
#include "tensor/error.h"

void ov_action_gt_init(ovActionGt *a) {
    memset(a, 0, sizeof *a);
    ov_gt_init(&a->gt);
}

void ov_action_gt_free(ovActionGt *a) {
    ov_gt_free(&a->gt);
    for (int s = 0; s < a->nsplits; s++) {
        free(a->splits[s].train);
        free(a->splits[s].test);
    }
    free(a->splits);
    memset(a, 0, sizeof *a);
}

static int *copy_ints(const int *p, int n) {
    int *q = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *q);
    if (n) memcpy(q, p, (size_t)n * sizeof *q);
    return q;
}

int ov_action_gt_add_split(ovActionGt *a, int ntrain, const int *train, int ntest, const int *test) {
    a->splits = ov_ev_realloc(a->splits, (size_t)(a->nsplits + 1) * sizeof *a->splits);
    ovVideoSplit *s = &a->splits[a->nsplits];
    s->ntrain = ntrain;
    s->ntest = ntest;
    s->train = copy_ints(train, ntrain);
    s->test = copy_ints(test, ntest);
    return a->nsplits++;
}

int ov_action_gt_load(const char *path, const char *frames_dir, ovActionGt *a) {
    ov_action_gt_init(a);
    struct stat st;
    if (stat(path, &st)) return ov_error("%s: cannot open (no such file or folder)", path);
    if (S_ISDIR(st.st_mode)) return ov_yowo_read(path, frames_dir, a);
    unsigned char head[16] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) return ov_error("%s: cannot open", path);
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n >= 10 && !memcmp(head, "MATLAB 5.0", 10)) return ov_ucf24_mat_read(path, a);
    if (n && (head[0] == '(' || head[0] == 0x80 || head[0] == '}' || head[0] == 'd')) return ov_act_gt_read(path, a);
    return ov_error("%s: not an ACT ground-truth pickle, a MATLAB 5 MAT file or a YOWO folder (it starts with "
                    "byte 0x%02x)",
                    path, n ? head[0] : 0);
}

int ov_action_gt_take_test(ovActionGt *a, int split, ovGroundTruth *out) {
    if (split < 0 || split > a->nsplits) {
        int ns = a->nsplits;
        ov_action_gt_free(a);
        ov_gt_init(out);
        if (!ns) return ov_error("split %d asked for, but the annotations have no split lists", split);
        return ov_error("split %d asked for, but the annotations have splits 1..%d", split, ns);
    }
    if (split > 0) {
        bool *keep = ov_ev_alloc((size_t)(a->gt.nvideos ? a->gt.nvideos : 1) * sizeof *keep);
        const ovVideoSplit *s = &a->splits[split - 1];
        for (int i = 0; i < s->ntest; i++) keep[s->test[i]] = true;
        ov_gt_keep_videos(&a->gt, keep);
        free(keep);
    }
    *out = a->gt;
    ov_gt_init(&a->gt);
    ov_action_gt_free(a);
    return 0;
}

int ov_action_gt_validate(const ovActionGt *a, const char *name) {
    const ovGroundTruth *g = &a->gt;
    for (int v = 0; v < g->nvideos; v++) {
        const ovGtVideo *vid = &g->videos[v];
        for (int t = 0; t < vid->ntubes; t++) {
            const ovGtTube *tb = &vid->tubes[t];
            if (tb->label < 0 || tb->label >= g->nlabels)
                return ov_error("%s: video %s: tube %d has label %d, outside 0..%d", name, vid->name, t, tb->label,
                                g->nlabels - 1);
            for (int i = 0; i < tb->n; i++) {
                int f = tb->frames[i];
                if (f < 1 || (vid->nframes && f > vid->nframes) || (i && f <= tb->frames[i - 1]))
                    return ov_error("%s: video %s: tube %d has frame %d (frames must ascend within 1..%d)", name,
                                    vid->name, t, f, vid->nframes);
            }
        }
    }
    int *mark = ov_ev_alloc((size_t)(g->nvideos ? g->nvideos : 1) * sizeof *mark);
    int rc = 0;
    for (int s = 0; s < a->nsplits && !rc; s++) {
        const ovVideoSplit *sp = &a->splits[s];
        for (int pass = 0; pass < 2 && !rc; pass++) {
            int n = pass ? sp->ntest : sp->ntrain;
            const int *l = pass ? sp->test : sp->train;
            for (int i = 0; i < n && !rc; i++) {
                if (l[i] < 0 || l[i] >= g->nvideos) {
                    rc = ov_error("%s: split %d lists video index %d of %d", name, s + 1, l[i], g->nvideos);
                } else if (mark[l[i]] == s + 1 && pass) {
                    rc = ov_error("%s: split %d has video %s in both its train and test lists", name, s + 1,
                                  g->videos[l[i]].name);
                } else if (!pass) {
                    mark[l[i]] = s + 1;
                }
            }
        }
    }
    free(mark);
    return rc;
}

long ov_action_gt_annotated_frames(const ovActionGt *a, const int *list, int n) {
    long total = 0;
    int count = list ? n : a->gt.nvideos;
    for (int i = 0; i < count; i++) {
        int m;
        free(ov_gt_annotated_frames(&a->gt.videos[list ? list[i] : i], &m));
        total += m;
    }
    return total;
}

long ov_action_gt_boxes(const ovActionGt *a, const int *list, int n) {
    long total = 0;
    int count = list ? n : a->gt.nvideos;
    for (int i = 0; i < count; i++) {
        const ovGtVideo *v = &a->gt.videos[list ? list[i] : i];
        for (int t = 0; t < v->ntubes; t++) total += v->tubes[t].n;
    }
    return total;
}

int ov_ucf101_split1_is_test(const char *video) {
    /* the last "_g" followed by two digits and "_c" */
    const char *g = NULL;
    for (const char *p = strstr(video, "_g"); p; p = strstr(p + 1, "_g"))
        if (isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) && p[4] == '_' && p[5] == 'c') g = p;
    if (!g) return -1;
    int group = (g[2] - '0') * 10 + (g[3] - '0');
    return group >= 1 && group <= 7;
}
