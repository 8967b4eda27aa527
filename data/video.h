/* video.h: video files through FFmpeg (libavformat, libavcodec, libswscale) with frame-accurate
 * access by index: frame i is the i-th picture in presentation order (sorted timestamps), the
 * way decord, PyAV and torchvision.io.read_video number frames, whatever the order the codec
 * stores them in (H.264 B-frames come out of the file out of order).
 *
 * Opening scans the packets once (demuxing only, no decoding) to list every frame's timestamp and
 * the keyframes. Reading frame i seeks to the last keyframe at or before it and decodes forward;
 * the decoder is kept where it stopped, so reading frames in increasing order costs one decode
 * per frame and no seeks. Pictures are converted to RGB24 by libswscale with bicubic chroma
 * upsampling and the colour matrix FFmpeg assumes by default (BT.601; full range for JPEG-range
 * streams), as OpenCV's and PyAV's readers do; bit-exact flags make the result CPU independent.
 *
 * A truncated file opens with the frames that are complete (ov_video_truncated() says so and how
 * many the container declared); asking for a frame past them is an error that names the file and
 * both counts. A handle is used by one thread at a time: give each loader worker its own. */
#ifndef OV_DATA_VIDEO_H
#define OV_DATA_VIDEO_H

#include <stdbool.h>
#include <stdint.h>

#include "tensor/tensor.h"

typedef struct ovVideo ovVideo;

/* NULL with ov_last_error() naming the file when it cannot be opened, has no video stream, no
 * decoder for its codec, or no readable frame. */
ovVideo *ov_video_open(const char *path);
void ov_video_close(ovVideo *v);

const char *ov_video_path(const ovVideo *v);
int64_t ov_video_frames(const ovVideo *v); /* readable frames */
int64_t ov_video_width(const ovVideo *v);
int64_t ov_video_height(const ovVideo *v);
double ov_video_fps(const ovVideo *v);     /* average frame rate the container states, or frames/duration */
const char *ov_video_codec(const ovVideo *v);
/* True when the file ends before the frames its container declares; *declared gets that count
 * (estimated from the stated duration when the container keeps no count; 0 when unknown). */
bool ov_video_truncated(const ovVideo *v, int64_t *declared);
/* Timestamp of frame i in seconds from the stream's start. */
double ov_video_time(const ovVideo *v, int64_t i);

/* Frame i (0-based) as u8 [H,W,3] RGB in the current scope; NULL with ov_last_error(). */
ovTensor *ov_video_frame(ovVideo *v, int64_t i);
/* Same into a packed h*w*3 buffer. */
int ov_video_frame_into(ovVideo *v, int64_t i, uint8_t *dst);
/* The frames idx[0..n) (any order, repeats allowed: a padded clip) as u8 [n,H,W,3]; each distinct
 * frame is decoded once, in increasing order. */
ovTensor *ov_video_read_frames(ovVideo *v, int n, const int64_t *idx);

/* Colour conversion: exact by default (bicubic chroma, accurate rounding, bit-exact: the same
 * pixels on every CPU). fast uses swscale's SIMD converters, 2-4x quicker: nearest chroma samples
 * (a few levels off along colour edges, under one level on average) and results that may depend on
 * the CPU's instruction set, though the same from read to read. They only handle widths that are a
 * multiple of 16; other videos keep the exact path. */
void ov_video_set_fast_convert(ovVideo *v, bool fast);

/* Work done so far, for tests and benchmarks: frames decoded and seeks made. */
void ov_video_stats(const ovVideo *v, int64_t *decoded, int64_t *seeks);

#endif
