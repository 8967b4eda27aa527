/* data.c: `ovad data`: datasets from the command line. `ovad data synth` writes the synthetic
 * action-detection dataset (data/synth.h); `ovad data stats` prints a dataset's numbers as
 * `key: value` lines (cli/data_stats.c reads the real datasets; the synthetic one is read here,
 * from its captions.json). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "data/image.h"
#include "tensor/file.h"
#include "data/synth.h"
#include "tensor/error.h"

static const char *usage_text =
    "usage: ovad data synth --out DIR [options]\n"
    "       ovad data stats --dataset jhmdb|ucf24|ava|hcstvg|vidstg|synthetic --gt FILE [--split N] [--root DIR]\n"
    "\n"
    "synth: writes a synthetic action-detection dataset in the J-HMDB layout: DIR/Frames/<action>/\n"
    "<video>/%05d.png, the ground truth DIR/synthetic-GT.pkl (ACT schema, one split), DIR/captions.json\n"
    "(captions and box tubes per actor), DIR/vocab.json and DIR/openworld/vocab_{open,closed_0,novel_0}.txt.\n"
    "  --videos N            clips (200)\n"
    "  --frames T            frames per clip (16)\n"
    "  --size WxH            frame size (128x128)\n"
    "  --seed S              random seed (0); the same seed and options give the same bytes\n"
    "  --actors-min K        actors per clip, at least (1)\n"
    "  --actors-max K        actors per clip, at most, up to 3 (3)\n"
    "  --actions LIST        the classes, comma-separated (all: waving,jumping,walking,running,clapping,\n"
    "                        crouching,spinning,falling,kicking,punching)\n"
    "  --colours LIST        colours drawn (red,green,blue,yellow,orange,purple,white,black)\n"
    "  --sizes LIST          sizes drawn (small,medium,large)\n"
    "  --directions LIST     directions drawn (left,right,in-place)\n"
    "  --speeds LIST         speeds drawn (slow,fast)\n"
    "  --backgrounds LIST    noise,stripes,checks,gradient (all four), or flat\n"
    "  --holdout-actions L   novel classes: in test clips only\n"
    "  --holdout-combos L    combinations kept out of the train split, values joined by '+'\n"
    "                        (jumping+red,waving+in-place,red+large)\n"
    "  --test-fraction F     share of clips in the test split (0.25)\n"
    "  --novel-fraction F    chance that a test clip's first actor shows held-out content (0.5)\n"
    "  --threads N           rendering threads (all cores)\n"
    "  --force               replace DIR if it exists\n"
    "The dataset is written beside DIR under a temporary name and renamed at the end: a failed run\n"
    "leaves nothing behind.\n"
    "\n"
    "stats: videos, labels, per-split videos and annotated frames, tubes and boxes. --gt is the\n"
    "dataset folder, its synthetic-GT.pkl or its captions.json (the numbers come from captions.json);\n"
    "--root checks that every frame file is there. For the real datasets see `ovad data stats --help`.\n";

static int bad(const char *fmt, const char *a, const char *b) {
    fprintf(stderr, "ovad data: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n");
    return 2;
}


static int cmd_synth(int argc, char **argv) {
    ovSynthOptions o = ov_synth_defaults();
    const char *out = NULL;
    bool force = false;
    long threads = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (!strcmp(a, "--force")) {
            force = true;
            continue;
        }
        if (!v) return bad("%s needs a value%s", a, "");
        i++;
        if (!strcmp(a, "--out")) {
            out = v;
        } else if (!strcmp(a, "--videos")) {
            if (ov_arg_long(a, v, 1, 1000000, &n)) return bad("%s%s", ov_last_error(), "");
            o.videos = (int)n;
        } else if (!strcmp(a, "--frames")) {
            if (ov_arg_long(a, v, 1, 10000, &n)) return bad("%s%s", ov_last_error(), "");
            o.frames = (int)n;
        } else if (!strcmp(a, "--size")) {
            char *x;
            long w = strtol(v, &x, 10), h = *x == 'x' ? strtol(x + 1, &x, 10) : -1;
            if (*x || w < 16 || h < 16 || w > 4096 || h > 4096)
                return bad("--size wants WxH between 16x16 and 4096x4096, not '%s'%s", v, "");
            o.width = (int)w;
            o.height = (int)h;
        } else if (!strcmp(a, "--seed")) {
            if (ov_arg_u64(a, v, &o.seed)) return bad("%s%s", ov_last_error(), "");
        } else if (!strcmp(a, "--actors-min")) {
            if (ov_arg_long(a, v, 1, 3, &n)) return bad("%s%s", ov_last_error(), "");
            o.actors_min = (int)n;
        } else if (!strcmp(a, "--actors-max")) {
            if (ov_arg_long(a, v, 1, 3, &n)) return bad("%s%s", ov_last_error(), "");
            o.actors_max = (int)n;
        } else if (!strcmp(a, "--actions")) {
            o.actions = v;
        } else if (!strcmp(a, "--colours") || !strcmp(a, "--colors")) {
            o.colours = v;
        } else if (!strcmp(a, "--sizes")) {
            o.sizes = v;
        } else if (!strcmp(a, "--directions")) {
            o.directions = v;
        } else if (!strcmp(a, "--speeds")) {
            o.speeds = v;
        } else if (!strcmp(a, "--backgrounds")) {
            o.backgrounds = v;
        } else if (!strcmp(a, "--holdout-actions")) {
            o.holdout_actions = v;
        } else if (!strcmp(a, "--holdout-combos")) {
            o.holdout_combos = v;
        } else if (!strcmp(a, "--test-fraction")) {
            if (ov_arg_double(a, v, 0, 1, &o.test_fraction)) return bad("%s%s", ov_last_error(), "");
        } else if (!strcmp(a, "--novel-fraction")) {
            if (ov_arg_double(a, v, 0, 1, &o.novel_fraction)) return bad("%s%s", ov_last_error(), "");
        } else if (!strcmp(a, "--threads")) {
            if (ov_arg_long(a, v, 1, 1024, &threads)) return bad("%s%s", ov_last_error(), "");
        } else {
            return bad("unknown option '%s' for `ovad data synth` (ovad data synth --help)%s", a, "");
        }
    }
    if (!out) return bad("synth needs --out DIR (ovad data synth --help)%s%s", "", "");
    if (threads) omp_set_num_threads((int)threads);
    ovSynthSummary s;
    if (ov_synth_write(&o, out, force, &s)) {
        fprintf(stderr, "ovad data synth: %s\n", ov_last_error());
        return 1;
    }
    printf("dataset: synthetic\nout: %s\n", out);
    printf("videos: %d\ntrain_videos: %d\ntest_videos: %d\n", s.videos, s.train, s.test);
    printf("frames_per_video: %d\nresolution: %dx%d\n", s.frames, s.width, s.height);
    printf("tubes: %ld\nboxes: %ld\n", s.tubes, s.boxes);
    printf("seconds: %.2f\nframes_per_second: %.0f\n", s.seconds, s.seconds > 0 ? s.videos * (double)s.frames / s.seconds : 0);
    return 0;
}

/* ---- stats ---- */

static cJSON *load_json(const char *path) {
    uint8_t *data;
    size_t n;
    if (ov_read_file(path, &data, &n)) return NULL;
    cJSON *j = cJSON_ParseWithLength((const char *)data, n);
    if (!j) {
        const char *e = cJSON_GetErrorPtr();
        ov_error("%s: not valid JSON (at byte %ld)", path, e ? (long)(e - (const char *)data) : -1L);
    }
    free(data);
    return j;
}

static const char *str_of(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int synth_stats(const char *gt, int split, const char *root) {
    char path[4096];
    struct stat st;
    size_t len = strlen(gt);
    if (stat(gt, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(path, sizeof path, "%s/captions.json", gt);
    } else if (len > 4 && !strcmp(gt + len - 4, ".pkl")) {
        const char *slash = strrchr(gt, '/');
        snprintf(path, sizeof path, "%.*scaptions.json", slash ? (int)(slash - gt + 1) : 0, gt);
    } else {
        snprintf(path, sizeof path, "%s", gt);
    }
    if (split != 1) {
        fprintf(stderr, "ovad data stats: the synthetic dataset has one split (got --split %d)\n", split);
        return 1;
    }
    cJSON *j = load_json(path);
    if (!j) {
        fprintf(stderr, "ovad data stats: %s\n", ov_last_error());
        return 1;
    }
    int rc = 1;
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(j, "labels");
    const cJSON *novel = cJSON_GetObjectItemCaseSensitive(j, "novel_labels");
    const cJSON *combos = cJSON_GetObjectItemCaseSensitive(j, "holdout_combos");
    const cJSON *videos = cJSON_GetObjectItemCaseSensitive(j, "videos");
    if (!cJSON_IsArray(labels) || !cJSON_IsArray(videos) || !str_of(j, "dataset") || strcmp(str_of(j, "dataset"), "synthetic")) {
        fprintf(stderr, "ovad data stats: %s: not the captions.json of a synthetic dataset\n", path);
        goto done;
    }
    long nvid[2] = {0}, frames[2] = {0}, tubes = 0, boxes = 0, on_disk = 0, expected = 0, novel_actors = 0, combo_actors = 0;
    int amin = INT_MAX, amax = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, videos) {
        const char *split_name = str_of(v, "split"), *name = str_of(v, "video");
        const cJSON *actors = cJSON_GetObjectItemCaseSensitive(v, "actors");
        const cJSON *nf = cJSON_GetObjectItemCaseSensitive(v, "nframes");
        if (!split_name || !name || !cJSON_IsArray(actors) || !cJSON_IsNumber(nf)) {
            fprintf(stderr, "ovad data stats: %s: a video entry lacks video, split, nframes or actors\n", path);
            goto done;
        }
        int test = !strcmp(split_name, "test"), n = cJSON_GetArraySize(actors), T = nf->valueint;
        nvid[test]++;
        amin = n < amin ? n : amin;
        amax = n > amax ? n : amax;
        char *seen = calloc((size_t)(T > 0 ? T : 1) + 1, 1);
        const cJSON *a;
        cJSON_ArrayForEach(a, actors) {
            tubes++;
            novel_actors += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "novel_action"));
            combo_actors += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "novel_combo"));
            const cJSON *row;
            cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(a, "tube")) {
                boxes++;
                int f = cJSON_GetArrayItem(row, 0) ? cJSON_GetArrayItem(row, 0)->valueint : 0;
                if (f >= 1 && f <= T) seen[f] = 1;
            }
        }
        for (int f = 1; f <= T; f++) frames[test] += seen[f];
        free(seen);
        if (root)
            for (int f = 1; f <= T; f++) {
                char p[8192];
                snprintf(p, sizeof p, "%s/Frames/%s/%05d.png", root, name, f);
                expected++;
                on_disk += stat(p, &st) == 0;
            }
    }
    printf("dataset: synthetic\nfile: %s\n", path);
    printf("videos: %ld\nlabels: %d\n", nvid[0] + nvid[1], cJSON_GetArraySize(labels));
    printf("novel_labels: %d\n", cJSON_IsArray(novel) ? cJSON_GetArraySize(novel) : 0);
    printf("holdout_combos: %d\n", cJSON_IsArray(combos) ? cJSON_GetArraySize(combos) : 0);
    printf("split: 1\ntrain_videos: %ld\ntest_videos: %ld\n", nvid[0], nvid[1]);
    printf("train_frames: %ld\ntest_frames: %ld\n", frames[0], frames[1]);
    printf("tubes: %ld\nboxes: %ld\n", tubes, boxes);
    printf("actors_per_video: %d..%d\n", amin == INT_MAX ? 0 : amin, amax);
    printf("novel_action_tubes: %ld\nnovel_combo_tubes: %ld\n", novel_actors, combo_actors);
    if (root) printf("frames_on_disk: %ld/%ld\n", on_disk, expected);
    rc = root && on_disk != expected ? 1 : 0;
    if (rc) fprintf(stderr, "ovad data stats: %ld frame files missing under %s/Frames\n", expected - on_disk, root);
done:
    cJSON_Delete(j);
    return rc;
}

/* The synthetic dataset's numbers come from its captions.json (held-out combinations, novel
 * labels); every other dataset goes to the annotation readers' command (cli/data_stats.c). */
static int cmd_stats(int argc, char **argv) {
    const char *dataset = NULL, *gt = NULL, *root = NULL;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--dataset")) dataset = argv[i + 1];
    if (!dataset || strcmp(dataset, "synthetic")) return ov_cli_data_stats(argc, argv);
    long split = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (!v) return bad("%s needs a value%s", a, "");
        i++;
        if (!strcmp(a, "--dataset")) {
            dataset = v;
        } else if (!strcmp(a, "--gt")) {
            gt = v;
        } else if (!strcmp(a, "--root")) {
            root = v;
        } else if (!strcmp(a, "--split")) {
            if (ov_arg_long(a, v, 1, 3, &split)) return bad("%s%s", ov_last_error(), "");
        } else {
            return bad("unknown option '%s' for `ovad data stats`%s", a, "");
        }
    }
    if (!dataset || !gt) return bad("stats needs --dataset NAME and --gt FILE (ovad data --help)%s%s", "", "");
    return synth_stats(gt, (int)split, root);
}

int cmd_data(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "synth")) return cmd_synth(argc - 1, argv + 1);
    if (!strcmp(argv[1], "stats")) return cmd_stats(argc - 1, argv + 1);
    return bad("unknown subcommand '%s' (synth, stats)%s", argv[1], "");
}
