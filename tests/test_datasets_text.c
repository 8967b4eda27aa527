/* test_datasets_text.c: the JSON and text readers on hand-written fixtures: HC-STVG 2.0 / v1 and
 * VidSTG + VidOR into region-text pairs (sentences split into one-action clauses paired with
 * consecutive sub-tubes; declarative captions about people over their whole tube), class splits
 * (class lists, JSON by name or id, seeded random, OpenMixer's procedure against the class sets
 * Python gives, the UCF-JHMDB benchmark), prompt vocabularies (JSON, templates, class-name
 * clean-up), JSON errors with line and column, and truncations and byte flips of every JSON
 * fixture (rejections name the file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/json.h"
#include "data/pyrandom.h"
#include "data/splits.h"
#include "data/stvg.h"
#include "data/vocab.h"
#include "tensor/error.h"
#include "tensor/file.h"
#include "tests/check_util.h"
#include "tests/mutate.h"

#define FIXDIR "tests/fixtures/datasets"

/* ---- HC-STVG / VidSTG ---- */

static void expect_sentences(const char *text, int n, const char *const *want) {
    char **s;
    int got = ov_stvg_split_sentences(text, &s);
    ck_assert_msg(got == n, "'%s': %d sentences, expected %d", text, got, n);
    for (int i = 0; i < got; i++) {
        ck_assert_msg(!strcmp(s[i], want[i]), "'%s' part %d: '%s', expected '%s'", text, i, s[i], want[i]);
        free(s[i]);
    }
    free(s);
}

START_TEST(test_sentence_split) {
    expect_sentences("The man in black walks to the door, opens it and then leaves.", 3,
                     (const char *[]){"The man in black walks to the door.", "The man in black opens it.",
                                      "The man in black leaves."});
    expect_sentences("The woman in white clothes turns around, walks to the table and sits down on the chair.", 3,
                     (const char *[]){"The woman in white clothes turns around.", "The woman in white clothes walks to the table.",
                                      "The woman in white clothes sits down on the chair."});
    expect_sentences("The woman sits down. She smiles.", 2, (const char *[]){"The woman sits down.", "She smiles."});
    /* nouns ending in s and a subject joined by "and" stay whole */
    expect_sentences("A boy in blue pants and shoes jumps.", 1, (const char *[]){"A boy in blue pants and shoes jumps."});
    expect_sentences("The man in the suit and the woman talk.", 1, (const char *[]){"The man in the suit and the woman talk."});
    expect_sentences("The girl in red holds the cup and drinks.", 2,
                     (const char *[]){"The girl in red holds the cup.", "The girl in red drinks."});
    expect_sentences("The old man is walking, and turns his head.", 2,
                     (const char *[]){"The old man is walking.", "The old man turns his head."});
    expect_sentences("  ", 0, NULL);
    expect_sentences("then", 1, (const char *[]){"Then."});
}
END_TEST

START_TEST(test_hcstvg) {
    ovRegionTexts r;
    ck_assert_msg(ov_hcstvg_read(FIXDIR "/hcstvg/valv2.json", &r) == 0, "%s", ov_last_error());
    ck_assert_int_eq(r.annotations, 2);
    ck_assert_int_eq(r.sentences, 5);
    ck_assert_int_eq(r.empty, 1); /* two sentences for one box: the first gets none */
    ck_assert_int_eq(r.n, 4);
    /* 5 boxes from frame 101 over 3 sentences: frames 101 | 102-103 | 104-105 */
    static const int first[] = {101, 102, 104}, count[] = {1, 2, 2};
    for (int i = 0; i < 3; i++) {
        const ovRegionText *p = &r.p[i];
        ck_assert_str_eq(p->video, "50_TM5MPJIq1Is.mp4");
        ck_assert(p->part == i && p->nparts == 3 && p->sample == 0);
        ck_assert(p->n == count[i] && p->frames[0] == first[i]);
        ck_assert(p->width == 640 && p->height == 360 && p->nframes == 600);
    }
    ck_assert_str_eq(r.p[1].text, "The man in black opens it.");
    ck_assert(r.p[1].boxes[1].x1 == 12 && r.p[1].boxes[1].x2 == 42 && r.p[1].boxes[1].y2 == 60); /* x,y,w,h -> x1,y1,x2,y2 */
    ck_assert_str_eq(r.p[3].text, "She smiles.");
    ck_assert_int_eq(ov_region_texts_boxes(&r), 6);
    ck_assert_int_eq(ov_region_texts_unique(&r), 4);
    ov_region_texts_free(&r);
    ck_assert_msg(ov_hcstvg_read(FIXDIR "/hcstvg/test_v1.json", &r) == 0, "%s", ov_last_error());
    ck_assert(r.n == 1 && r.p[0].width == 640 && r.p[0].n == 2 && r.p[0].frames[1] == 6 && r.p[0].boxes[1].x1 == 1.5);
    ov_region_texts_free(&r);
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"{\"a.mp4\": {\"img_num\": 5, \"img_size\": [2, 3], \"st_frame\": 1, \"bbox\": [[1, 2, 3]], \"English\": \"x\"}}",
         "\"a.mp4\": bbox[0] is not [x, y, w, h]"},
        {"{\"a.mp4\": {\"img_num\": 5, \"img_size\": [2, 3], \"st_frame\": 0, \"bbox\": [], \"English\": \"x\"}}",
         "\"st_frame\" is not a frame number from 1"},
        {"{\"a.mp4\": {\"img_num\": 5, \"st_frame\": 1, \"bbox\": [], \"English\": \"x\"}}", "neither \"img_size\""},
        {"{\"a.mp4\": {\"img_num\": 5, \"img_size\": [2, 3], \"st_frame\": 1, \"bbox\": []}}", "no \"English\""},
        {"[1, 2]", "the top level is an array"},
        {"{\"a.mp4\": {\"img_num\": 5,\n \"img_size\": [2, 3] \"st_frame\": 1}}", "h.json:2:21: invalid JSON near '\"st_frame\""},
        {"{\"a.mp4\": {\"img_num\": 5", "invalid JSON: the text ends early"},
        {"{} x", "h.json:1:4: text after the JSON value: 'x'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert(ov_hcstvg_parse(bad[i].text, strlen(bad[i].text), "h.json", &r) == -1);
        ck_assert_msg(strstr(ov_last_error(), bad[i].why) && !strncmp(ov_last_error(), "h.json", 6), "%zu: %s", i, ov_last_error());
        ck_assert_int_eq(r.n, 0);
    }
}
END_TEST

START_TEST(test_vidstg) {
    ovRegionTexts r;
    ck_assert_msg(ov_vidstg_read(FIXDIR "/vidstg/val_annotations.json", FIXDIR "/vidstg/vidor", &r) == 0, "%s",
                  ov_last_error());
    ck_assert_int_eq(r.annotations, 2);
    ck_assert_int_eq(r.sentences, 3);
    ck_assert_int_eq(r.not_human, 1); /* the caption about the dog */
    ck_assert_int_eq(r.questions, 1);
    ck_assert_int_eq(r.n, 2);
    const ovRegionText *p = &r.p[0];
    ck_assert_str_eq(p->video, "2401075277");
    ck_assert_str_eq(p->text, "an adult in white leans on a dog.");
    /* temporal_gt [2, 6) 0-based: the adult has boxes at 2, 3, 5 -> frames 3, 4, 6 */
    ck_assert_int_eq(p->n, 3);
    ck_assert(p->frames[0] == 3 && p->frames[1] == 4 && p->frames[2] == 6);
    ck_assert(p->boxes[2].x1 == 15 && p->boxes[2].x2 == 115 && p->boxes[2].y2 == 220);
    ck_assert(p->fps > 29.9 && p->width == 640);
    ck_assert(r.p[1].n == 3 && !strcmp(r.p[1].video, "5678"));
    ov_region_texts_free(&r);
    ck_assert(ov_vidstg_read(FIXDIR "/vidstg/val_annotations.json", FIXDIR "/hcstvg", &r) == -1);
    ck_assert_msg(strstr(ov_last_error(), "no VidOR annotation 2401075277.json"), "%s", ov_last_error());
    ck_assert(ov_vidstg_read(FIXDIR "/vidstg/val_annotations.json", "/no/such/dir", &r) == -1);
    const char *bad = "[{\"vid\": \"1\", \"temporal_gt\": {\"begin_fid\": 5, \"end_fid\": 2}, \"captions\": []}]";
    ck_assert(ov_vidstg_parse(bad, strlen(bad), "v.json", NULL, NULL, &r) == -1);
    ck_assert_msg(strstr(ov_last_error(), "v.json: entry 0 (1): \"temporal_gt\""), "%s", ov_last_error());
}
END_TEST

/* ---- splits ---- */

static const char *jhmdb[] = {"brush_hair", "catch", "clap", "climb_stairs", "golf", "jump", "kick_ball",
                              "pick", "pour", "pullup", "push", "run", "shoot_ball", "shoot_bow",
                              "shoot_gun", "sit", "stand", "swing_baseball", "throw", "walk", "wave"};
static const char *ucf[] = {"Basketball", "BasketballDunk", "Biking", "CliffDiving", "CricketBowling", "Diving",
                            "Fencing", "FloorGymnastics", "GolfSwing", "HorseRiding", "IceDancing", "LongJump",
                            "PoleVault", "RopeClimbing", "SalsaSpin", "SkateBoarding", "Skiing", "Skijet",
                            "SoccerJuggling", "Surfing", "TennisSwing", "TrampolineJumping", "VolleyballSpiking",
                            "WalkingWithDog"};

/* The base classes of a split, space separated. */
static char *base_of(const ovClassSplit *s) {
    static char buf[1024];
    buf[0] = 0;
    for (int i = 0; i < s->n; i++)
        if (s->base[i]) {
            if (buf[0]) strcat(buf, " ");
            strcat(buf, s->names[i]);
        }
    return buf;
}

START_TEST(test_pyrandom) {
    /* CPython 3: random.seed(42); [random.random() for _ in range(3)]; random.getrandbits(32) */
    ovPyRandom r;
    ov_pyrandom_seed(&r, 42);
    ck_assert(ov_pyrandom_random(&r) == 0.6394267984578837);
    ck_assert(ov_pyrandom_random(&r) == 0.025010755222666936);
    ck_assert(ov_pyrandom_random(&r) == 0.27502931836911926);
    ov_pyrandom_seed(&r, 0);
    ck_assert(ov_pyrandom_random(&r) == 0.8444218515250481);
}
END_TEST

START_TEST(test_splits_openmixer) {
    /* the class sets of preprocess/openworld_split_*.py, as CPython 3.11 prints them */
    static const struct {
        const char **names;
        int n;
        double ratio;
        int index;
        const char *base;
    } cases[] = {
        {jhmdb, 21, 0.5, 0, "catch clap jump kick_ball pour pullup shoot_bow stand swing_baseball wave"},
        {jhmdb, 21, 0.5, 1, "brush_hair climb_stairs golf jump pullup push run shoot_ball shoot_bow throw"},
        {jhmdb, 21, 0.5, 31, "jump kick_ball pick pour run shoot_gun sit stand swing_baseball walk"},
        {ucf, 24, 0.5, 0,
         "Basketball BasketballDunk Biking CliffDiving CricketBowling FloorGymnastics HorseRiding IceDancing LongJump "
         "PoleVault Skiing Skijet"},
        {ucf, 24, 0.5, 1,
         "BasketballDunk Biking CliffDiving Diving HorseRiding IceDancing PoleVault RopeClimbing SkateBoarding "
         "SoccerJuggling TrampolineJumping VolleyballSpiking"},
        {ucf, 24, 0.5, 31,
         "BasketballDunk Biking CricketBowling Fencing HorseRiding IceDancing Skiing SoccerJuggling Surfing "
         "TrampolineJumping VolleyballSpiking WalkingWithDog"},
        {jhmdb, 21, 0.75, 0,
         "brush_hair clap climb_stairs golf jump pick pour push shoot_ball shoot_bow sit swing_baseball throw walk wave"},
        {ucf, 24, 0.75, 0,
         "Basketball BasketballDunk Diving Fencing FloorGymnastics GolfSwing HorseRiding IceDancing RopeClimbing "
         "SalsaSpin SkateBoarding Skiing Skijet Surfing TennisSwing TrampolineJumping VolleyballSpiking WalkingWithDog"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ovClassSplit s;
        ck_assert_msg(ov_class_split_openmixer(cases[i].names, cases[i].n, cases[i].ratio, cases[i].index, &s) == 0, "%s",
                      ov_last_error());
        ck_assert_msg(!strcmp(base_of(&s), cases[i].base), "case %zu: %s", i, base_of(&s));
        ov_class_split_free(&s);
    }
    ovClassSplit s;
    ck_assert(ov_class_split_openmixer(jhmdb, 21, 0.5, 32, &s) == -1);
}
END_TEST

START_TEST(test_splits_files_random_cross) {
    ovClassSplit s, o;
    /* OpenMixer's vocab_closed_0.txt for J-HMDB (any order) gives the same split as the procedure */
    ck_assert_msg(ov_class_split_read(jhmdb, NULL, 21, FIXDIR "/splits/vocab_closed_0.txt", &s) == 0, "%s", ov_last_error());
    ck_assert(ov_class_split_openmixer(jhmdb, 21, 0.5, 0, &o) == 0);
    ck_assert(!memcmp(s.base, o.base, 21 * sizeof(bool)));
    ck_assert(ov_class_split_expect(&s, 10, 11) == 0);
    ck_assert(ov_class_split_expect(&s, 15, 6) == -1);
    const char *names[21];
    ck_assert_int_eq(ov_class_split_names(&s, false, names), 11);
    ck_assert_str_eq(names[0], "brush_hair");
    ov_class_split_free(&s);
    ov_class_split_free(&o);
    /* OV-AVA style: names and ids mixed in a JSON split */
    const char *ava[] = {"bend/bow (at the waist)", "dance", "lie/sleep", "sit", "watch (a person)"};
    const int ids[] = {1, 3, 8, 11, 80};
    ck_assert_msg(ov_class_split_read(ava, ids, 5, FIXDIR "/splits/ov_ava_tiny.json", &s) == 0, "%s", ov_last_error());
    ck_assert_str_eq(base_of(&s), "bend/bow (at the waist) dance sit");
    ov_class_split_free(&s);
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"{\"novel\": [\"x\"]}", "'x' is not a class of the vocabulary"},
        {"{\"base\": [1, 3], \"novel\": [8]}", "class 'sit' is in neither list"},
        {"{\"base\": [1, 1]}", "listed twice"},
        {"{\"base\": 3}", "\"base\" is a number, not a list"},
        {"{\"other\": []}", "needs a \"base\" or a \"novel\" list"},
        {"sit\nwalk\n", "s.txt:2: 'walk' is not a class"},
        {"# nothing\n", "lists no class"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert(ov_class_split_parse(ava, ids, 5, bad[i].text, strlen(bad[i].text), "s.txt", &s) == -1);
        ck_assert_msg(strstr(ov_last_error(), bad[i].why), "%zu: %s", i, ov_last_error());
    }
    /* seeded random: deterministic, the right sizes, different seeds differ */
    ck_assert(ov_class_split_random(jhmdb, 21, 0.5, 7, &s) == 0);
    ck_assert(ov_class_split_random(jhmdb, 21, 0.5, 7, &o) == 0);
    ck_assert(!memcmp(s.base, o.base, 21 * sizeof(bool)) && ov_class_split_count(&s, true) == 10);
    ov_class_split_free(&o);
    ck_assert(ov_class_split_random(jhmdb, 21, 0.5, 8, &o) == 0);
    ck_assert(memcmp(s.base, o.base, 21 * sizeof(bool)));
    ov_class_split_free(&o);
    ov_class_split_free(&s);
    ck_assert(ov_class_split_random(ucf, 24, 0.75, 1, &s) == 0 && ov_class_split_count(&s, true) == 18);
    ov_class_split_free(&s);
    /* UCF-JHMDB: 24 base then 21 novel */
    ck_assert(ov_class_split_cross(ucf, 24, jhmdb, 21, &s) == 0);
    ck_assert(s.n == 45 && ov_class_split_expect(&s, 24, 21) == 0 && s.base[23] && !s.base[24]);
    ck_assert_str_eq(s.names[24], "brush_hair");
    ov_class_split_free(&s);
    ck_assert(ov_class_split_cross(ucf, 2, ucf, 1, &s) == -1);
}
END_TEST

/* ---- vocabularies ---- */

START_TEST(test_vocab) {
    static const struct {
        const char *in, *out;
    } clean[] = {
        {"brush_hair", "brush hair"},   {"BasketballDunk", "basketball dunk"}, {"WalkingWithDog", "walking with dog"},
        {"TVShow", "TV show"},          {"climb-stairs", "climb stairs"},      {"_a__b_", "a b"},
        {"Skijet", "skijet"},           {"bend/bow (at the waist)", "bend/bow (at the waist)"},
        {"Hit2Ball", "hit2 ball"},
    };
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++) {
        char *c = ov_class_name_clean(clean[i].in);
        ck_assert_msg(!strcmp(c, clean[i].out), "'%s' -> '%s'", clean[i].in, c);
        free(c);
    }
    ovVocab v, sel;
    ck_assert(ov_vocab_from_names(ucf, 3, "a person {}.", true, &v) == 0);
    ck_assert_str_eq(v.e[1].prompts[0], "a person basketball dunk.");
    ck_assert_str_eq(v.e[1].name, "BasketballDunk");
    ov_vocab_free(&v);
    ck_assert(ov_vocab_from_names(ucf, 3, "no placeholder", true, &v) == -1);
    ck_assert(ov_vocab_from_names(ucf, 3, "{} {}", true, &v) == -1);
    /* OpenMixer's J-HMDB prompts: one sentence per class, fed as "a " + caption */
    ck_assert_msg(ov_vocab_read_json(FIXDIR "/vocab/vocab_gpt3.5.json", &v) == 0, "%s", ov_last_error());
    ck_assert(v.n == 3 && v.e[0].n == 1);
    ck_assert(ov_vocab_apply_template(&v, "a {}") == 0);
    ck_assert_str_eq(v.e[2].prompts[0], "a Clap: a person claps their hands together.");
    ck_assert(ov_vocab_select(&v, (const char *[]){"clap", "brush_hair"}, 2, &sel) == 0);
    ck_assert(sel.n == 2 && !strcmp(sel.e[0].name, "clap"));
    ov_vocab_free(&sel);
    ck_assert(ov_vocab_select(&v, jhmdb, 21, &sel) == -1);
    ck_assert_msg(strstr(ov_last_error(), "no prompt for class 'climb_stairs'"), "%s", ov_last_error());
    ov_vocab_free(&v);
    /* UCF's lists of prompts */
    ck_assert(ov_vocab_read_json(FIXDIR "/vocab/vocab_gpt4.json", &v) == 0);
    const ovVocabEntry *e = ov_vocab_find(&v, "Basketball");
    ck_assert(e && e->n == 2 && !strcmp(e->prompts[1], "a person shoots a basketball into a hoop"));
    ov_vocab_free(&v);
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"{\"a\": 3}", "class 'a' maps to a number"},
        {"{\"a\": []}", "class 'a' maps to an array, not a sentence or a non-empty list"},
        {"{\"a\": [\"x\", 2]}", "class 'a': prompt 1 is a number"},
        {"{\"a\": \"x\", \"a\": \"y\"}", "class 'a' is listed twice"},
        {"{}", "no classes"},
        {"[\"a\"]", "not an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert(ov_vocab_parse_json(bad[i].text, strlen(bad[i].text), "v.json", &v) == -1);
        ck_assert_msg(strstr(ov_last_error(), bad[i].why) && !strncmp(ov_last_error(), "v.json", 6), "%zu: %s", i, ov_last_error());
    }
}
END_TEST

/* ---- mutations ---- */

static int p_hcstvg(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovRegionTexts r;
    int rc = ov_hcstvg_parse((const char *)t, n, name, &r);
    if (!rc) ov_region_texts_free(&r);
    return rc;
}

/* VidOR files from the fixture folder, through the fetch callback. */
static char *fetch_fixture(void *ctx, const char *vid, size_t *n) {
    (void)ctx;
    char path[256];
    snprintf(path, sizeof path, FIXDIR "/vidstg/vidor/%s",
             !strcmp(vid, "5678") ? "validation/0001/5678.json" : "training/0000/2401075277.json");
    uint8_t *d;
    if (ov_read_file(path, &d, n)) return NULL;
    return (char *)d;
}

static int p_vidstg(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovRegionTexts r;
    int rc = ov_vidstg_parse((const char *)t, n, name, fetch_fixture, NULL, &r);
    if (!rc) ov_region_texts_free(&r);
    return rc;
}

/* A mutated VidOR file under an intact annotation file. */
static const uint8_t *g_vidor;
static size_t g_vidor_n;
static char *fetch_mutated(void *ctx, const char *vid, size_t *n) {
    (void)ctx;
    (void)vid;
    char *c = malloc(g_vidor_n + 1);
    memcpy(c, g_vidor, g_vidor_n);
    *n = g_vidor_n;
    return c;
}
static int p_vidor(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)name, (void)ctx;
    g_vidor = t;
    g_vidor_n = n;
    uint8_t *ann;
    size_t an;
    ck_assert(ov_read_file(FIXDIR "/vidstg/val_annotations.json", &ann, &an) == 0);
    ovRegionTexts r;
    int rc = ov_vidstg_parse((const char *)ann, an, "mut", fetch_mutated, NULL, &r);
    if (!rc) ov_region_texts_free(&r);
    free(ann);
    if (rc && !strncmp(ov_last_error(), "VidOR", 5)) ov_error("mut: %s", ov_last_error()); /* named by video */
    return rc;
}

static int p_vocab(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovVocab v;
    int rc = ov_vocab_parse_json((const char *)t, n, name, &v);
    if (!rc) ov_vocab_free(&v);
    return rc;
}

static int p_split(const uint8_t *t, size_t n, const char *name, void *ctx) {
    (void)ctx;
    static const char *ava[] = {"bend/bow (at the waist)", "dance", "lie/sleep", "sit", "watch (a person)"};
    static const int ids[] = {1, 3, 8, 11, 80};
    ovClassSplit s;
    int rc = ov_class_split_parse(ava, ids, 5, (const char *)t, n, name, &s);
    if (!rc) ov_class_split_free(&s);
    return rc;
}

START_TEST(test_mutations_never_crash) {
    static const ovMutFile files[] = {
        {"hcstvg/valv2.json", p_hcstvg},   {"hcstvg/test_v1.json", p_hcstvg},
        {"vidstg/val_annotations.json", p_vidstg}, {"vidstg/vidor/training/0000/2401075277.json", p_vidor},
        {"vocab/vocab_gpt4.json", p_vocab}, {"splits/ov_ava_tiny.json", p_split},
        {NULL, NULL},
    };
    int ok = 0, rejected = 0;
    /* the alphabet: JSON punctuation, a NUL, number and escape characters */
    ovMutRun r = {.trials = 300, .stream = 2000, .stream_step = 1, .nul = true,
                  .how = {.truncate_every = 4, .max_flips = 3, OV_MUT_ALPHABET("{}[]\",:0-9e.\\ \0tn\0", 2)}};
    ov_mutations_run_files(&r, FIXDIR, files, &ok, &rejected);
    ck_assert_msg(rejected > 800 && ok > 100, "ok %d rejected %d", ok, rejected);
}
END_TEST

int main(void) {
    Suite *s = suite_create("datasets_text");
    TCase *tc = tcase_create("text");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_sentence_split);
    tcase_add_test(tc, test_hcstvg);
    tcase_add_test(tc, test_vidstg);
    tcase_add_test(tc, test_pyrandom);
    tcase_add_test(tc, test_splits_openmixer);
    tcase_add_test(tc, test_splits_files_random_cross);
    tcase_add_test(tc, test_vocab);
    tcase_add_test(tc, test_mutations_never_crash);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
