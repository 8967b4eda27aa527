/* transform.h: clip transforms that move the boxes with the pixels, and the normalisation that
 * turns a clip into the f32 [C,T,H,W] tensor the video models take.
 *
 * A clip is T RGB frames (u8 [T,H,W,3]) plus its boxes (f32 [N,4], x1,y1,x2,y2 in pixels of those
 * frames). Each transform replaces clip->frames and clip->boxes with new tensors made in the
 * current scope (the old ones stay in theirs), so a chain of transforms in one loader scope needs
 * no frees. Boxes are continuous pixel coordinates: resizing by s maps x to s*x.
 *
 * Geometry follows the reference code: the short-side size rule and the flip are STMixer/OpenMixer's
 * cv2_transform.py; the bilinear resize samples at pixel centres (src = (dst + 0.5) * in/out - 0.5,
 * clamped at 0, no antialiasing) as cv2.resize INTER_LINEAR and torch.nn.functional.interpolate(
 * mode="bilinear", align_corners=False) do, computed in float like PyTorch and rounded to the
 * nearest level (OpenCV's 11-bit fixed point can differ by one level). Colour jitter follows
 * torchvision's ColorJitter on float images (its tensor functions), normalisation OpenMixer's
 * (optionally with its BGR-order quirk). */
#ifndef OV_DATA_TRANSFORM_H
#define OV_DATA_TRANSFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "data/rng.h"
#include "tensor/tensor.h"

typedef struct {
    ovTensor *frames; /* u8 [T,H,W,3] RGB, contiguous */
    ovTensor *boxes;  /* f32 [N,4] xyxy pixels, contiguous, or NULL */
    int64_t h, w;     /* the frames' content size; smaller than their H,W after ov_clip_pad */
} ovClip;

/* Wraps frames (u8 [T,H,W,3] or one u8 [H,W,3] image as T = 1) and optional boxes (f32 [N,4])
 * into a clip, copying them contiguous when they are views. */
int ov_clip_init(ovClip *c, ovTensor *frames, ovTensor *boxes);

/* ---- geometry ---- */

/* Output size for a short side of `short_side` (OpenMixer's random_short_side_scale_jitter): the
 * short side becomes short_side and the long one int(long * short_side / short + 0.5), so 320x240
 * gives 341x256 and 427x320; an image whose short side already equals short_side is kept. With
 * max_long > 0 a long side that would exceed it is capped and the short side scaled down to match
 * (maskrcnn-benchmark's rule; OpenMixer's 1333 never binds at J-HMDB/UCF sizes). */
void ov_resize_short_size(int64_t h, int64_t w, int short_side, int max_long, int64_t *oh, int64_t *ow);
/* Bilinear resize of every frame to oh x ow; boxes scale by ow/w and oh/h. */
int ov_clip_resize(ovClip *c, int64_t oh, int64_t ow);
int ov_clip_resize_short(ovClip *c, int short_side, int max_long);
/* Keeps the window [y, y+h) x [x, x+w); boxes shift by (-x, -y) and are clipped to the window. */
int ov_clip_crop(ovClip *c, int64_t y, int64_t x, int64_t h, int64_t w);

/* Where a flipped box lands: OpenMixer's cv2_transform.flip_boxes maps x to W - x - 1 (treating
 * coordinates as pixel indices); W - x is the exact mirror of continuous coordinates. */
typedef enum { OV_FLIP_BOXES_OPENMIXER = 1, OV_FLIP_BOXES_EXACT = 0 } ovFlipBoxes;
/* Mirrors every frame left-right; x1' = W - x2 - k, x2' = W - x1 - k with k = 1 or 0. */
int ov_clip_flip(ovClip *c, ovFlipBoxes mode);

/* Zero-pads H and W up to multiples of `multiple` (bottom and right, as OpenMixer's collate);
 * clip->h and clip->w keep the content size, boxes are unchanged. */
int ov_clip_pad(ovClip *c, int multiple);

/* ---- colour ---- */

/* torchvision's adjust_brightness/contrast/saturation/hue applied in `order` (a permutation of
 * 0 brightness, 1 contrast, 2 saturation, 3 hue; n_order entries), each frame on its own (the
 * contrast mean is per frame, as torchvision computes it per image), in float on [0, 1] with
 * clamping after each step, and rounded to u8 once at the end. A factor of 1 (hue 0) is a no-op. */
typedef struct {
    double brightness, contrast, saturation, hue;
    int order[4];
    int n_order;
} ovColorAdjust;
int ov_clip_color(ovClip *c, const ovColorAdjust *a);

/* torchvision.transforms.ColorJitter(brightness, contrast, saturation, hue): factors uniform in
 * [max(0, 1 - b), 1 + b] (hue in [-h, h]) and a random order, drawn once per clip so all frames
 * change alike; a zero parameter leaves that property alone. */
typedef struct {
    double brightness, contrast, saturation, hue;
} ovColorJitter;
ovColorAdjust ov_color_jitter_draw(const ovColorJitter *j, ovDataRng *rng);
int ov_clip_color_jitter(ovClip *c, const ovColorJitter *j, ovDataRng *rng);

/* ---- normalisation ---- */

typedef struct {
    float mean[3], std[3]; /* per RGB channel, on pixel values scaled by 1/255 */
    /* OpenMixer applies mean/std while the frames are still BGR and flips to RGB afterwards, so R
     * gets mean[2]/std[2] and B gets mean[0]/std[0]; released checkpoints expect that. */
    bool bgr_quirk;
} ovNorm;

ovNorm ov_norm_clip(void);     /* CLIP / CLIP-ViP: (0.48145466, 0.4578275, 0.40821073) / (0.26862954, 0.26130258, 0.27577711) */
ovNorm ov_norm_imagenet(void); /* ViCLIP (InternVideo "vit" branch): (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225) */
ovNorm ov_norm_kinetics(void); /* SlowFast / STMixer: 0.45 / 0.225 */
ovNorm ov_norm_openmixer(void); /* CLIP statistics with the BGR quirk */

/* f32 [3,T,Hp,Wp] (C,T,H,W): (x/255 - mean)/std over the frames' content, zero beyond it; Hp, Wp
 * are the content size rounded up to `pad_multiple` (0 or 1: no padding), zeros written after
 * normalising as OpenMixer's collate pads. */
ovTensor *ov_clip_normalize(const ovClip *c, const ovNorm *n, int pad_multiple);

/* ---- a whole pipeline ---- */

/* The per-sample augmentation of a detector's loader, in OpenMixer's order: resize by a short
 * side drawn from short_sides (one entry: fixed), flip with probability flip_prob, colour jitter,
 * normalise (padding to pad_multiple). Draws are made in a fixed order from rng, so a sample's
 * result depends only on its rng. */
typedef struct {
    int short_sides[8];
    int n_short;     /* 0: keep the size */
    int max_long;    /* 0: no cap */
    double flip_prob;
    ovFlipBoxes flip_boxes;
    ovColorJitter jitter;
    ovNorm norm;
    int pad_multiple;
} ovClipTransform;

/* OpenMixer's training (short side 256 or 320, flip 0.5) and test (256) transforms. */
ovClipTransform ov_clip_transform_openmixer(bool train);
/* Applies t to c (frames and boxes updated) and returns the normalised tensor; *flipped, when not
 * NULL, says whether the flip was drawn. */
ovTensor *ov_clip_transform(const ovClipTransform *t, ovClip *c, ovDataRng *rng, bool *flipped);

#endif
