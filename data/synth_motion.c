/* synth_motion.c: the actions of the synthetic dataset as joint angles over time, and the
 * stick figure they pose.
 *
 * The body is a 3-D skeleton one unit tall (legs 0.5, torso 0.3, head above), posed by angles:
 * each limb segment's direction is a forward raise `a` (0 hangs down, 90 points forward, 180 up)
 * and a sideways raise `b` (outwards, mirrored between the left and right limbs). It is seen from
 * a yaw angle (three-quarter view, so both sideways and forward motion show) and projected
 * orthographically; falling adds a rotation in the image plane about the feet.
 *
 * Each action is a periodic function of the phase phi = phase + 2 pi tempo t (falling is a single
 * fall at a time drawn per actor), built so that most single frames could belong to several
 * actions: a crouch is also the landing of a jump, arms swing in walking, running and jumping,
 * one raised arm is both waving and the start of a spin. What tells the actions apart is how the
 * joints move: the head goes up and down in jumping and crouching (above and below standing),
 * the hands meet and part in clapping, the width of the figure pulses in spinning, one foot rises
 * quickly in kicking, a fist shoots forward in punching. */
#include <math.h>

#include "data/synth_internal.h"

#define DEG (M_PI / 180.0)

typedef struct {
    double lift; /* root height above the ground (jumps), body units */
    double lean; /* torso pitch forward */
    double yaw;  /* view angle */
    double tilt; /* image-plane rotation about the feet, > 0 towards +x */
    /* [0] left, [1] right limb */
    double arm_a[2], arm_b[2], fore_a[2], fore_b[2];
    double leg_a[2], leg_b[2], shin_a[2];
} Pose;

static double pos(double v) { return v > 0 ? v : 0; }
static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

static void neutral(Pose *p, double yaw) {
    *p = (Pose){.yaw = yaw};
    for (int i = 0; i < 2; i++) {
        p->arm_b[i] = 8 * DEG;
        p->fore_a[i] = 8 * DEG;
        p->fore_b[i] = 6 * DEG;
        p->leg_b[i] = 4 * DEG;
    }
}

/* The pose of actor a at frame t (angles in radians). */
static void pose_at(const ovSynthActor *a, int t, Pose *p) {
    double phi = a->phase + 2 * M_PI * a->tempo * t, s = sin(phi), c = cos(phi);
    int k = a->limb, o = 1 - a->limb; /* the active limb and the other one */
    double facing = a->yaw >= 0 ? 1 : -1;
    neutral(p, a->yaw);
    switch (a->attr[OV_SYNTH_ACTION]) {
    case OV_SYNTH_WAVING: /* upper arm out to the side, forearm up, swinging from side to side */
        p->arm_b[k] = (100 + 6 * s) * DEG;
        p->fore_b[k] = (168 + 34 * s) * DEG;
        break;
    case OV_SYNTH_JUMPING: { /* flight in the first half cycle, a crouch on landing in the second */
        double up = pos(s), down = pos(-s);
        p->lift = 0.22 * up;
        p->lean = 12 * down * DEG;
        for (int i = 0; i < 2; i++) {
            p->leg_a[i] = 40 * down * DEG;
            p->shin_a[i] = -40 * down * DEG;
            p->arm_a[i] = (25 + 120 * up) * DEG;
            p->fore_a[i] = (35 + 120 * up) * DEG;
        }
        break;
    }
    case OV_SYNTH_WALKING:
    case OV_SYNTH_RUNNING: {
        /* legs swing in antiphase, the swinging knee bends, arms counter-swing. Running has the
         * wider swing (and a faster cadence, set with the tempo); the elbow bend and forward lean
         * come from the actor's carriage, not from the action, so a frame in mid-stride does not
         * tell walking from running */
        int run = a->attr[OV_SYNTH_ACTION] == OV_SYNTH_RUNNING;
        double leg = run ? 42 : 24, arm = run ? 38 : 20, bend = run ? 55 : 28;
        for (int i = 0; i < 2; i++) {
            double si = i ? -s : s, ci = i ? -c : c;
            p->leg_a[i] = leg * si * DEG;
            p->shin_a[i] = p->leg_a[i] - (2 + 16 * a->carriage + bend * pos(ci)) * DEG;
            p->arm_a[i] = -arm * si * DEG;
            p->fore_a[i] = p->arm_a[i] + (15 + 70 * a->carriage) * DEG;
        }
        p->lean = (2 + 10 * a->carriage) * DEG;
        p->lift = run ? 0.05 * fabs(s) : 0.0;
        break;
    }
    case OV_SYNTH_CLAPPING: { /* arms forward, hands meet in front and part again */
        double open = (1 + s) / 2;
        for (int i = 0; i < 2; i++) {
            p->arm_a[i] = 75 * DEG;
            p->arm_b[i] = (-10 + 48 * open) * DEG;
            p->fore_a[i] = 90 * DEG;
            p->fore_b[i] = (-20 + 48 * open) * DEG;
        }
        break;
    }
    case OV_SYNTH_CROUCHING: { /* down into a deep squat and back up, arms forward for balance */
        double q = (1 - c) / 2;
        p->lean = 28 * q * DEG;
        for (int i = 0; i < 2; i++) {
            p->leg_a[i] = 75 * q * DEG;
            p->shin_a[i] = -62 * q * DEG;
            p->arm_a[i] = 70 * q * DEG;
            p->fore_a[i] = 80 * q * DEG;
        }
        break;
    }
    case OV_SYNTH_SPINNING: /* turns about the vertical axis with the arms out */
        p->yaw = a->yaw + facing * (phi - a->phase);
        for (int i = 0; i < 2; i++) {
            p->arm_b[i] = (82 + 6 * s) * DEG;
            p->fore_b[i] = p->arm_b[i];
            p->leg_b[i] = 7 * DEG;
        }
        break;
    case OV_SYNTH_FALLING: { /* stands (swaying a little), then topples over forwards and lies still */
        double u = a->fall_frames > 0 ? clamp01((t - a->fall_start) / a->fall_frames) : 0;
        p->tilt = facing * (4 * s * (1 - u) + 86 * u * u) * DEG;
        for (int i = 0; i < 2; i++) {
            p->arm_a[i] = 110 * u * DEG;
            p->fore_a[i] = 120 * u * DEG;
            p->leg_a[i] = 18 * u * DEG;
            p->shin_a[i] = -6 * u * DEG;
        }
        break;
    }
    case OV_SYNTH_KICKING: { /* one leg chambers and snaps forward, quickly, then rests */
        double q = (1 - c) / 2, p2 = q * q;
        p->leg_a[k] = 85 * p2 * DEG;
        p->shin_a[k] = p->leg_a[k] - 80 * 4 * p2 * (1 - p2) * DEG;
        p->leg_a[o] = -6 * p2 * DEG;
        p->shin_a[o] = -14 * p2 * DEG;
        p->lean = -10 * p2 * DEG;
        for (int i = 0; i < 2; i++) p->arm_b[i] = (8 + 36 * p2) * DEG;
        break;
    }
    case OV_SYNTH_PUNCHING: { /* fists up by the chin; each arm in turn shoots forward */
        for (int i = 0; i < 2; i++) {
            double punch = pos(i == k ? s : -s);
            punch *= punch;
            p->arm_a[i] = (45 + 45 * punch) * DEG;
            p->arm_b[i] = (15 - 10 * punch) * DEG;
            p->fore_a[i] = (150 - 60 * punch) * DEG;
            p->fore_b[i] = 4 * DEG;
        }
        p->lean = 6 * DEG;
        break;
    }
    }
}

/* Unit direction of a segment raised forward by a and sideways by b (see the file comment). */
static void dir(double a, double b, double v[3]) {
    v[0] = sin(b);
    v[1] = -cos(b) * cos(a);
    v[2] = cos(b) * sin(a);
}

static void along(double *out, const double *from, double len, double a, double b) {
    double v[3];
    dir(a, b, v);
    for (int i = 0; i < 3; i++) out[i] = from[i] + len * v[i];
}

void ov_synth_pose_units(const ovSynthActor *a, int t, double *x, double *y, double *depth) {
    Pose p;
    pose_at(a, t, &p);
    double J[OV_SYNTH_NJOINTS][3] = {{0}};
    /* legs first (relative to the pelvis), so the pelvis can be set where the lowest foot
     * touches the ground */
    for (int i = 0; i < 2; i++) {
        double side = i ? -1 : 1;
        int hip = i ? OV_SYNTH_J_HIP_R : OV_SYNTH_J_HIP_L;
        J[hip][0] = side * 0.045;
        along(J[hip + 1], J[hip], 0.25, p.leg_a[i], side * p.leg_b[i]);
        along(J[hip + 2], J[hip + 1], 0.25, p.shin_a[i], side * p.leg_b[i]);
    }
    double low = fmin(J[OV_SYNTH_J_FOOT_L][1], J[OV_SYNTH_J_FOOT_R][1]);
    double pelvis = p.lift - low;
    for (int j = OV_SYNTH_J_HIP_L; j <= OV_SYNTH_J_FOOT_R; j++) J[j][1] += pelvis;
    double P[3] = {0, pelvis, 0}, u[3] = {0, cos(p.lean), sin(p.lean)};
    for (int i = 0; i < 3; i++) {
        J[OV_SYNTH_J_PELVIS][i] = P[i];
        J[OV_SYNTH_J_NECK][i] = P[i] + 0.30 * u[i];
        J[OV_SYNTH_J_HEAD][i] = P[i] + 0.41 * u[i];
    }
    for (int i = 0; i < 2; i++) {
        double side = i ? -1 : 1;
        int sh = i ? OV_SYNTH_J_SHOULDER_R : OV_SYNTH_J_SHOULDER_L;
        for (int d = 0; d < 3; d++) J[sh][d] = P[d] + 0.26 * u[d];
        J[sh][0] += side * 0.07;
        along(J[sh + 1], J[sh], 0.16, p.arm_a[i], side * p.arm_b[i]);
        along(J[sh + 2], J[sh + 1], 0.15, p.fore_a[i], side * p.fore_b[i]);
    }
    /* view: a rotation about the vertical axis. The skeleton's +x is its left side and +z its
     * front; at yaw 0 it faces the viewer, at yaw > 0 it turns to face right */
    double cy = cos(p.yaw), sy = sin(p.yaw);
    for (int j = 0; j < OV_SYNTH_NJOINTS; j++) {
        x[j] = J[j][0] * cy + J[j][2] * sy;
        y[j] = J[j][1];
        depth[j] = -J[j][0] * sy + J[j][2] * cy;
    }
    if (p.tilt != 0) {
        double px = (x[OV_SYNTH_J_FOOT_L] + x[OV_SYNTH_J_FOOT_R]) / 2, ct = cos(p.tilt), st = sin(p.tilt);
        for (int j = 0; j < OV_SYNTH_NJOINTS; j++) {
            double dx = x[j] - px, dy = y[j];
            x[j] = px + dx * ct + dy * st;
            y[j] = -dx * st + dy * ct;
        }
    }
}

void ov_synth_figure(const ovSynthActor *a, int t, ovSynthFigure *f) {
    double x[OV_SYNTH_NJOINTS], y[OV_SYNTH_NJOINTS], d[OV_SYNTH_NJOINTS];
    ov_synth_pose_units(a, t, x, y, d);
    double H = a->height, cx = a->x0 + a->vx * t;
    for (int j = 0; j < OV_SYNTH_NJOINTS; j++) {
        f->x[j] = cx + H * x[j];
        f->y[j] = a->ground - H * y[j];
        f->depth[j] = d[j];
    }
    static const struct {
        int a, b;
        double r;
        int limb; /* shaded by the depth of its first joint */
    } parts[] = {
        {OV_SYNTH_J_PELVIS, OV_SYNTH_J_NECK, 0.045, 0},
        {OV_SYNTH_J_HIP_L, OV_SYNTH_J_HIP_R, 0.03, 0},
        {OV_SYNTH_J_SHOULDER_L, OV_SYNTH_J_SHOULDER_R, 0.03, 0},
        {OV_SYNTH_J_HEAD, OV_SYNTH_J_HEAD, OV_SYNTH_HEAD_R, 0},
        {OV_SYNTH_J_SHOULDER_L, OV_SYNTH_J_ELBOW_L, 0.032, 1},
        {OV_SYNTH_J_ELBOW_L, OV_SYNTH_J_HAND_L, 0.03, 1},
        {OV_SYNTH_J_SHOULDER_R, OV_SYNTH_J_ELBOW_R, 0.032, 1},
        {OV_SYNTH_J_ELBOW_R, OV_SYNTH_J_HAND_R, 0.03, 1},
        {OV_SYNTH_J_HIP_L, OV_SYNTH_J_KNEE_L, 0.036, 1},
        {OV_SYNTH_J_KNEE_L, OV_SYNTH_J_FOOT_L, 0.033, 1},
        {OV_SYNTH_J_HIP_R, OV_SYNTH_J_KNEE_R, 0.036, 1},
        {OV_SYNTH_J_KNEE_R, OV_SYNTH_J_FOOT_R, 0.033, 1},
    };
    int n = (int)(sizeof parts / sizeof parts[0]);
    f->nparts = n;
    for (int i = 0; i < n; i++) {
        f->part[i].a = parts[i].a;
        f->part[i].b = parts[i].b;
        f->part[i].radius = fmax(parts[i].r * H, OV_SYNTH_MIN_R);
        /* limbs on the far side are darker (at most 22%), so crossing limbs stay readable */
        double dp = d[parts[i].a] - d[OV_SYNTH_J_PELVIS];
        f->part[i].shade = parts[i].limb ? fmin(1.0, fmax(0.78, 0.9 + 3.0 * dp)) : 1.0;
        f->part[i].depth = parts[i].limb ? (d[parts[i].a] + d[parts[i].b]) / 2 : 0.0;
    }
    /* back to front; insertion sort keeps the body before limbs of equal depth */
    for (int i = 1; i < n; i++) {
        __typeof__(f->part[0]) cur = f->part[i];
        int j = i - 1;
        while (j >= 0 && f->part[j].depth > cur.depth) {
            f->part[j + 1] = f->part[j];
            j--;
        }
        f->part[j + 1] = cur;
    }
}
