/* video_decode.c: decoding frame i of an indexed video (see video.h): seek to the last keyframe at
 * or before it, decode forward until the picture whose timestamp is frame i's comes out, convert
 * it to RGB. The decoder stays where it stopped, so a later frame of the same stretch only costs
 * the decodes between the two. */
#include "data/video_internal.h"

#include <stdlib.h>
#include <string.h>

#include <libavutil/imgutils.h>

#include "tensor/create.h"
#include "tensor/error.h"

/* Position in v->keys of the last keyframe at or before frame t (0 when none is). */
static int64_t key_before(const ovVideo *v, int64_t t) {
    int64_t lo = 0, hi = v->nkeys - 1, best = 0;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (v->keys[mid] <= t) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

/* Seeks to keyframe k by its presentation time, which is what av_seek_frame takes (mov converts
 * it to its decode-time index itself). A demuxer may still land on a later keyframe: the caller
 * sees that from the first picture and retries with an earlier one. */
static int seek_key(ovVideo *v, int64_t k) {
    int ret;
    if (v->nkeys == 0)
        ret = av_seek_frame(v->fmt, v->si, v->pts[0], AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_ANY);
    else
        ret = av_seek_frame(v->fmt, v->si, v->pts[v->keys[k]], AVSEEK_FLAG_BACKWARD);
    if (ret < 0) return ov_error("%s: seeking failed: %s", v->path, ov_video_ff_detail(ret));
    avcodec_flush_buffers(v->dec);
    v->need_seek = false;
    v->draining = false;
    v->last = -1;
    v->seeks++;
    return 0;
}

/* The next picture into v->frame: 1, or 0 when the stream is over. Packets the decoder rejects
 * are passed over: their pictures are missing and the caller notices the gap. */
static int decode_next(ovVideo *v) {
    for (;;) {
        int ret = avcodec_receive_frame(v->dec, v->frame);
        if (ret == 0) {
            v->decoded++;
            return 1;
        }
        if (ret == AVERROR_EOF || v->draining) return 0;
        for (;;) {
            ret = av_read_frame(v->fmt, v->pkt);
            if (ret < 0) { /* end of file, or the cut of a truncated one: flush what is buffered */
                avcodec_send_packet(v->dec, NULL);
                v->draining = true;
                break;
            }
            if (v->pkt->stream_index != v->si) {
                av_packet_unref(v->pkt);
                continue;
            }
            avcodec_send_packet(v->dec, v->pkt);
            av_packet_unref(v->pkt);
            break;
        }
    }
}

static enum AVPixelFormat plain_format(enum AVPixelFormat f, int *full_range) {
    /* the yuvj* formats are yuv* with full-range samples; naming them so keeps swscale quiet */
    switch (f) {
    case AV_PIX_FMT_YUVJ420P: *full_range = 1; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: *full_range = 1; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: *full_range = 1; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: *full_range = 1; return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: *full_range = 1; return AV_PIX_FMT_YUV411P;
    default: return f;
    }
}

static int convert(ovVideo *v, int64_t t, uint8_t *dst) {
    AVFrame *f = v->frame;
    int full = f->color_range == AVCOL_RANGE_JPEG;
    enum AVPixelFormat fmt = plain_format((enum AVPixelFormat)f->format, &full);
    /* swscale's SIMD converters (used without ACCURATE_RND) only fill whole blocks of 8 pixels and
     * leave the last columns of other widths unwritten, so they are only taken for widths that are
     * a multiple of 16 */
    bool fast = v->fast_convert && f->width % 16 == 0 && f->width == v->w && f->height == v->h;
    v->sws = sws_getCachedContext(v->sws, f->width, f->height, fmt, (int)v->w, (int)v->h, AV_PIX_FMT_RGB24,
                                  SWS_BICUBIC | (fast ? 0 : SWS_ACCURATE_RND | SWS_BITEXACT), NULL, NULL, NULL);
    if (!v->sws)
        return ov_error("%s: frame %lld: cannot convert %s pictures of %dx%d to RGB", v->path, (long long)t,
                        av_get_pix_fmt_name(fmt) ? av_get_pix_fmt_name(fmt) : "unknown", f->width, f->height);
    const int *coef = sws_getCoefficients(SWS_CS_DEFAULT);
    sws_setColorspaceDetails(v->sws, coef, full, coef, 1, 0, 1 << 16, 1 << 16);
    /* swscale writes whole aligned blocks: convert into padded rows, then pack them */
    int ls = (int)((v->w * 3 + 63) & ~63);
    uint8_t *tmp = av_malloc((size_t)ls * (size_t)(v->h + 1) + 64);
    if (!tmp) return ov_error("%s: out of memory", v->path);
    uint8_t *planes[4] = {tmp, NULL, NULL, NULL};
    int lines[4] = {ls, 0, 0, 0};
    sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, planes, lines);
    for (int64_t y = 0; y < v->h; y++) memcpy(dst + y * v->w * 3, tmp + y * ls, (size_t)v->w * 3);
    av_free(tmp);
    return 0;
}

static int64_t frame_pts(const AVFrame *f) { return f->pts != AV_NOPTS_VALUE ? f->pts : f->best_effort_timestamp; }

int ov_video_frame_into(ovVideo *v, int64_t t, uint8_t *dst) {
    if (t < 0 || t >= v->n) {
        if (v->truncated && t >= v->n && t < v->declared)
            return ov_error("%s: frame %lld is past the end: the file is truncated and holds %lld readable frames of "
                            "the %lld its container declares",
                            v->path, (long long)t, (long long)v->n, (long long)v->declared);
        return ov_error("%s: frame %lld is out of range: the video has %lld frames", v->path, (long long)t,
                        (long long)v->n);
    }
    if (!v->need_seek && v->last == t) return convert(v, t, dst);
    int64_t k = key_before(v, t);
    /* decoding on is cheaper than seeking when no keyframe lies between the decoder and t */
    bool seek = v->need_seek || v->last < 0 || t < v->last || (v->nkeys && v->keys[k] > v->last + 1);
    for (int attempt = 0;; attempt++) {
        if (seek && seek_key(v, k)) return -1;
        bool first = seek; /* the first picture after a seek tells whether the seek landed early enough */
        int64_t prev = v->last;
        while (decode_next(v) == 1) {
            int64_t i = ov_video_lookup(v, frame_pts(v->frame));
            if (i < 0) continue; /* a picture outside the index (a leading picture of a cut GOP) */
            v->last = i;
            if (i == t) return convert(v, t, dst);
            if (i > t) {
                if (first && k > 0 && attempt < 3) goto earlier;
                v->need_seek = true;
                return ov_error("%s: frame %lld could not be decoded (the decoder went from frame %lld to %lld)",
                                v->path, (long long)t, (long long)prev, (long long)i);
            }
            prev = i;
            first = false;
        }
        v->need_seek = true;
        v->last = -1;
        return ov_error("%s: frame %lld could not be decoded: the stream ended after frame %lld%s", v->path,
                        (long long)t, (long long)prev, v->truncated ? " (the file is truncated)" : "");
    earlier: /* the keyframe's seek landed after t: start from an earlier one */
        k = attempt < 2 ? k - 1 : 0;
        seek = true;
    }
}

ovTensor *ov_video_frame(ovVideo *v, int64_t i) {
    ovScope *scope = ov_scope_new("video");
    ov_scope_push(scope);
    ovTensor *out = ov_empty(3, (int64_t[]){v->h, v->w, 3}, OV_U8);
    ov_scope_pop(scope);
    int rc = ov_video_frame_into(v, i, ov_data_ptr(out));
    if (rc == 0) ov_scope_move_graph(&out->obj, ov_scope_current());
    ov_scope_free(scope);
    return rc == 0 ? out : NULL;
}

typedef struct {
    int64_t frame;
    int slot;
} Want;

static int cmp_want(const void *a, const void *b) {
    const Want *x = a, *y = b;
    if (x->frame != y->frame) return (x->frame > y->frame) - (x->frame < y->frame);
    return (x->slot > y->slot) - (x->slot < y->slot);
}

ovTensor *ov_video_read_frames(ovVideo *v, int n, const int64_t *idx) {
    if (n < 1) {
        ov_error("%s: no frames asked for", v->path);
        return NULL;
    }
    Want *w = malloc(sizeof *w * (size_t)n);
    if (!w) {
        ov_error("%s: out of memory", v->path);
        return NULL;
    }
    for (int j = 0; j < n; j++) w[j] = (Want){idx[j], j};
    qsort(w, (size_t)n, sizeof *w, cmp_want);
    /* the frames go to a private scope that joins the caller's only when all were read */
    ovScope *scope = ov_scope_new("video");
    ov_scope_push(scope);
    ovTensor *out = ov_empty(4, (int64_t[]){n, v->h, v->w, 3}, OV_U8);
    ov_scope_pop(scope);
    uint8_t *base = ov_data_ptr(out);
    size_t fsz = (size_t)(v->h * v->w * 3);
    int rc = 0;
    for (int j = 0; j < n && rc == 0; j++) {
        uint8_t *dst = base + (size_t)w[j].slot * fsz;
        if (j > 0 && w[j].frame == w[j - 1].frame)
            memcpy(dst, base + (size_t)w[j - 1].slot * fsz, fsz);
        else
            rc = ov_video_frame_into(v, w[j].frame, dst);
    }
    free(w);
    if (rc == 0) ov_scope_move_graph(&out->obj, ov_scope_current());
    ov_scope_free(scope);
    return rc == 0 ? out : NULL;
}

void ov_video_set_fast_convert(ovVideo *v, bool fast) { v->fast_convert = fast; }
