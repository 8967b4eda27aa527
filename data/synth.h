/* synth.h: a synthetic open-vocabulary action-detection dataset for tests and demos.
 *
 * Each clip shows one to three articulated stick figures (head, torso, two arms and two legs
 * with elbows and knees; anti-aliased thick segments and a disc, in the actor's colour, seen in a
 * three-quarter view) on a procedurally textured background (noise, stripes, checks or a
 * gradient). Every actor performs one named action defined by how its joints move over time
 * (waving, jumping, walking, running, clapping, crouching, spinning, falling, kicking, punching),
 * while moving left, right or staying in place, slowly or quickly; actors may pass in front of
 * each other. Every frame has the exact box of every actor (the tight box of the pixels its
 * figure covers, occluded or not), and every actor a caption that names its attributes and
 * action ("a small red person jumping slowly to the left"); a clip's caption joins its actors'
 * captions from left to right.
 *
 * Open-vocabulary splits: chosen actions (novel classes) and chosen combinations of an action and
 * attribute values ("jumping+red", "waving+in-place", or attributes alone: "red+large") never
 * appear in the train split. Test clips show them on purpose: with probability novel_fraction
 * the first actor of a test clip is drawn from the held-out set.
 *
 * Everything is drawn from Philox streams keyed by (seed, clip index), so the dataset is the same
 * byte for byte for a given seed and options, whatever the number of threads.
 *
 * The output folder (synth_write.c) has the J-HMDB layout so that the J-HMDB reader reads it:
 *     Frames/<action>/<video>/%05d.png     frames 1..T, RGB
 *     synthetic-GT.pkl                     the ACT ground truth (datasets-and-eval.md §1.1, 1 split)
 *     captions.json                        per video: split, clip caption, per actor caption,
 *                                          attributes, novelty flags and box tube
 *     vocab.json                           {class: description} (OpenMixer's prompt format)
 *     openworld/vocab_open.txt             all classes, one a line (OpenMixer's split files)
 *     openworld/vocab_closed_0.txt         base classes; openworld/vocab_novel_0.txt novel ones
 * Video names are "<main action>_<index %05d>", keyed "<main action>/<name>" like J-HMDB; each
 * actor is one tube labelled with its own action. Boxes are 0-based inclusive pixel coordinates
 * (x2 <= W-1), frames 1-based, as in JHMDB-GT.pkl. */
#ifndef OV_DATA_SYNTH_H
#define OV_DATA_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

enum { OV_SYNTH_ACTION, OV_SYNTH_COLOUR, OV_SYNTH_SIZE, OV_SYNTH_DIRECTION, OV_SYNTH_SPEED, OV_SYNTH_NATTR };
enum { OV_SYNTH_MAX_ACTORS = 3, OV_SYNTH_MAX_VALUES = 16, OV_SYNTH_MAX_COMBOS = 64 };

/* Actions (motion programs), in the default label order. */
enum {
    OV_SYNTH_WAVING, OV_SYNTH_JUMPING, OV_SYNTH_WALKING, OV_SYNTH_RUNNING, OV_SYNTH_CLAPPING,
    OV_SYNTH_CROUCHING, OV_SYNTH_SPINNING, OV_SYNTH_FALLING, OV_SYNTH_KICKING, OV_SYNTH_PUNCHING,
    OV_SYNTH_NACTIONS
};
enum { OV_SYNTH_LEFT, OV_SYNTH_RIGHT, OV_SYNTH_IN_PLACE };
enum { OV_SYNTH_SLOW, OV_SYNTH_FAST };
/* Backgrounds. FLAT (one colour) is not in the default set; tests use it to see the figures. */
enum { OV_SYNTH_BG_NOISE, OV_SYNTH_BG_STRIPES, OV_SYNTH_BG_CHECKS, OV_SYNTH_BG_GRADIENT, OV_SYNTH_BG_FLAT,
       OV_SYNTH_NBG };

/* The names of each attribute's values ("waving"..., "red"..., "small"..., "left", "right",
 * "in-place", "slow", "fast") and of the backgrounds. */
int ov_synth_nvalues(int attr);
const char *ov_synth_value_name(int attr, int value);
const char *ov_synth_attr_name(int attr); /* "action", "colour", "size", "direction", "speed" */
const char *ov_synth_bg_name(int bg);

typedef struct {
    int videos;               /* clips (default 200) */
    int frames;               /* frames per clip (16) */
    int width, height;        /* pixels (128 x 128) */
    int actors_min, actors_max; /* per clip, 1..3 (1, 3) */
    uint64_t seed;
    double test_fraction;     /* share of clips in the test split (0.25) */
    double novel_fraction;    /* chance that a test clip's first actor shows held-out content (0.5) */
    /* Comma-separated value names; NULL or "" for the defaults. */
    const char *actions;      /* the classes, in label order (default: all ten) */
    const char *colours;      /* the values drawn (default: every colour), likewise: */
    const char *sizes, *directions, *speeds;
    const char *backgrounds;  /* "noise,stripes,checks,gradient" (default) or "flat" */
    const char *holdout_actions; /* novel classes: in no train clip */
    const char *holdout_combos;  /* "jumping+red,waving+in-place": no train actor has all the values of one */
} ovSynthOptions;

/* The defaults above. */
ovSynthOptions ov_synth_defaults(void);

typedef struct {
    int attr[OV_SYNTH_NATTR]; /* value of each attribute (attr[OV_SYNTH_ACTION] is the action id) */
    int label;                /* index of the action in the dataset's labels */
    bool novel_action;        /* its action is held out */
    bool novel_combo;         /* it matches a held-out combination */
    /* motion, drawn when the clip is planned */
    double height;            /* body height, pixels */
    double x0, ground;        /* pixel column of the body's root and row of the ground at frame 0 */
    double vx;                /* pixels per frame, signed */
    double yaw;               /* view angle at frame 0: > 0 faces right */
    double tempo;             /* action cycles per frame */
    double phase;             /* radians at frame 0 */
    int limb;                 /* 0/1: the arm or leg that waves, kicks or punches first */
    double carriage;          /* 0..1: elbow bend and forward lean when walking or running */
    double fall_start, fall_frames; /* falling: when it starts and how long it takes */
    float colour[3];          /* RGB 0..255 */
    char caption[128];
    float *boxes;             /* [frames][4] x1 y1 x2 y2 (inclusive), set by rendering; x1 < 0: not visible */
} ovSynthActor;

typedef struct {
    char name[48];            /* "jumping_00012" */
    char key[80];             /* "jumping/jumping_00012" */
    int label;                /* main (first actor's) action, as a label index */
    bool test;
    int nactors;
    ovSynthActor actor[OV_SYNTH_MAX_ACTORS]; /* left to right at frame 0 */
    int order[OV_SYNTH_MAX_ACTORS];          /* drawing order, back to front */
    int background;
    float bg_colour[2][3];
    double bg_param[4];
    uint64_t bg_seed;
    char caption[512];
} ovSynthVideo;

typedef struct {
    ovSynthOptions opt;       /* the list strings point into the caller's options */
    int nlabels;
    int label_action[OV_SYNTH_NACTIONS]; /* action id of each label */
    bool label_novel[OV_SYNTH_NACTIONS];
    int nvalues[OV_SYNTH_NATTR];          /* enabled values of each attribute ... */
    int values[OV_SYNTH_NATTR][OV_SYNTH_MAX_VALUES]; /* ... and which */
    int nbg, bgs[OV_SYNTH_NBG];
    int ncombos;
    int combo[OV_SYNTH_MAX_COMBOS][OV_SYNTH_NATTR]; /* -1: any value */
    int nvideos, ntrain, ntest;
    ovSynthVideo *videos;
} ovSynthDataset;

/* Validates the options and draws every clip's content (actors, attributes, motion, captions,
 * split); pixels and boxes come from rendering. 0 (ov_synth_free releases the dataset), or -1
 * with ov_last_error() saying which option is wrong (nothing is left to free). */
int ov_synth_plan(const ovSynthOptions *opt, ovSynthDataset *ds);
void ov_synth_free(ovSynthDataset *ds);

/* The background of clip v, the same on every frame (height*width*3 bytes, row-major RGB). */
void ov_synth_background(const ovSynthDataset *ds, int v, uint8_t *rgb);
/* Renders frame t of clip v into rgb (height*width*3 bytes) over `background` (from
 * ov_synth_background; NULL computes it) and sets the actors' boxes of that frame. Clips can be
 * rendered on several threads at once; the frames of one clip, one at a time. */
void ov_synth_render_frame(ovSynthDataset *ds, int v, int t, const uint8_t *background, uint8_t *rgb);

/* The figure of an actor at frame t, in pixels (y down): the joints, and the segments and head
 * disc it is drawn from. */
enum {
    OV_SYNTH_J_HEAD, OV_SYNTH_J_NECK, OV_SYNTH_J_PELVIS,
    OV_SYNTH_J_SHOULDER_L, OV_SYNTH_J_ELBOW_L, OV_SYNTH_J_HAND_L, OV_SYNTH_J_SHOULDER_R, OV_SYNTH_J_ELBOW_R,
    OV_SYNTH_J_HAND_R, OV_SYNTH_J_HIP_L, OV_SYNTH_J_KNEE_L, OV_SYNTH_J_FOOT_L, OV_SYNTH_J_HIP_R,
    OV_SYNTH_J_KNEE_R, OV_SYNTH_J_FOOT_R, OV_SYNTH_NJOINTS
};
enum { OV_SYNTH_MAX_PARTS = 16 };
typedef struct {
    double x[OV_SYNTH_NJOINTS], y[OV_SYNTH_NJOINTS];
    double depth[OV_SYNTH_NJOINTS]; /* towards the viewer */
    int nparts;
    struct {
        int a, b;      /* joints (a == b: a disc) */
        double radius; /* pixels */
        double shade;  /* colour multiplier: parts further away are darker */
        double depth;
    } part[OV_SYNTH_MAX_PARTS]; /* back to front */
} ovSynthFigure;

void ov_synth_figure(const ovSynthActor *a, int t, ovSynthFigure *f);

typedef struct {
    int videos, train, test, frames, width, height;
    long tubes, boxes;
    double seconds;
} ovSynthSummary;

/* Plans, renders and writes the dataset into out (layout above). Everything is written into a
 * temporary folder beside out and renamed at the end, so a failed run leaves nothing behind; an
 * existing out is an error unless replace is set. 0, or -1 with ov_last_error(). */
int ov_synth_write(const ovSynthOptions *opt, const char *out, bool replace, ovSynthSummary *summary);

#endif
