/* video.c: opening a video and indexing its frames (see video.h). The index is built by demuxing
 * every packet once: presentation timestamps sorted give frame numbers, keyframe packets give
 * the places a decode can start. Decoding and colour conversion are in video_decode.c. */
#include "data/video_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/error.h"

/* ---- FFmpeg's log: kept for our error messages instead of printed ---- */

static _Thread_local char ff_last[256];
static int ff_print; /* OVAD_FFMPEG_LOG=1 prints FFmpeg's own messages too */

static void ff_log(void *avcl, int level, const char *fmt, va_list args) {
    if (ff_print) {
        va_list copy;
        va_copy(copy, args);
        av_log_default_callback(avcl, level, fmt, copy);
        va_end(copy);
    }
    if (level > AV_LOG_ERROR) return;
    char line[256];
    vsnprintf(line, sizeof line, fmt, args);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == ' ')) line[--n] = 0;
    if (n) snprintf(ff_last, sizeof ff_last, "%s", line);
}

static void ff_log_init(void) {
    const char *e = getenv("OVAD_FFMPEG_LOG");
    ff_print = e && *e && strcmp(e, "0");
    av_log_set_callback(ff_log);
}

void ov_video_log_init(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, ff_log_init);
}

const char *ov_video_ff_detail(int averr) {
    static _Thread_local char buf[512];
    char e[AV_ERROR_MAX_STRING_SIZE] = "";
    if (averr) av_strerror(averr, e, sizeof e);
    if (ff_last[0] && e[0])
        snprintf(buf, sizeof buf, "%s (%s)", e, ff_last);
    else
        snprintf(buf, sizeof buf, "%s", e[0] ? e : ff_last[0] ? ff_last : "unknown FFmpeg error");
    ff_last[0] = 0;
    return buf;
}

/* ---- the frame index ---- */

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int64_t ov_video_lookup(const ovVideo *v, int64_t pts) {
    int64_t lo = 0, hi = v->n - 1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (v->pts[mid] == pts) return mid;
        if (v->pts[mid] < pts)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

typedef struct {
    int64_t *a;
    int64_t n, cap;
} Vec;

static int vec_push(Vec *v, int64_t x) {
    if (v->n == v->cap) {
        int64_t cap = v->cap ? 2 * v->cap : 256;
        int64_t *a = realloc(v->a, (size_t)cap * sizeof *a);
        if (!a) return -1;
        v->a = a;
        v->cap = cap;
    }
    v->a[v->n++] = x;
    return 0;
}

/* Demuxes every packet of the stream. The file was cut when reading stops on an error, when the
 * demuxer marks a packet corrupt (short), when there are fewer packets than the container
 * declares, or (with no count, as in Matroska) when the frames span less time than the stated
 * duration. Then only frames whose timestamp is at most the last complete packet's decode
 * timestamp are kept: every missing packet decodes after that one and so shows later, and a
 * B-frame read before the cut could otherwise take the number of a missing frame. */
static int build_index(ovVideo *v) {
    Vec pts = {0}, kpts = {0};
    int64_t last_dts = INT64_MIN;
    bool bad = false, no_pts = false;
    int rc = 0, ret;
    while ((ret = av_read_frame(v->fmt, v->pkt)) >= 0) {
        AVPacket *p = v->pkt;
        if (p->stream_index == v->si) {
            /* a corrupt packet keeps its place in the numbering (its frame may fail to decode) */
            bool corrupt = p->flags & AV_PKT_FLAG_CORRUPT;
            if (corrupt) bad = true;
            if (!(p->flags & AV_PKT_FLAG_DISCARD) && p->size > 0) {
                int64_t t = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
                if (p->pts == AV_NOPTS_VALUE) no_pts = true;
                if (t == AV_NOPTS_VALUE) {
                    av_packet_unref(p);
                    rc = ov_error("%s: a video packet has no timestamp, so its frames cannot be numbered", v->path);
                    goto done;
                }
                if (vec_push(&pts, t)) goto oom;
                if (p->dts != AV_NOPTS_VALUE && !corrupt) last_dts = p->dts;
                if ((p->flags & AV_PKT_FLAG_KEY) && vec_push(&kpts, t)) goto oom;
            }
        }
        av_packet_unref(p);
    }
    if (ret != AVERROR_EOF) bad = true;
    if (no_pts && v->dec->has_b_frames) {
        rc = ov_error("%s: packets without presentation timestamps in a stream with B-frames", v->path);
        goto done;
    }
    qsort(pts.a, (size_t)pts.n, sizeof *pts.a, cmp_i64);
    int64_t n = 0; /* drop duplicate timestamps: one frame each */
    for (int64_t i = 0; i < pts.n; i++)
        if (i == 0 || pts.a[i] != pts.a[n - 1]) pts.a[n++] = pts.a[i];
    v->declared = v->st->nb_frames;
    if (v->declared > 0 && pts.n < v->declared) bad = true;
    if (v->declared <= 0 && n > 1 && v->fmt->duration > 0 &&
        v->fmt->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE) {
        /* no frame count (Matroska, WebM): compare the stated duration with the frames' span */
        double tb = av_q2d(v->st->time_base), step = (double)(pts.a[n - 1] - pts.a[0]) * tb / (double)(n - 1);
        double stated = (double)v->fmt->duration / AV_TIME_BASE, span = (double)(pts.a[n - 1] - pts.a[0]) * tb + step;
        if (step > 0) v->declared = (int64_t)(stated / step + 0.5);
        if (span < stated - 2 * step) bad = true;
    }
    if (bad) {
        v->truncated = true;
        if (last_dts != INT64_MIN)
            while (n > 0 && pts.a[n - 1] > last_dts) n--;
    }
    v->pts = pts.a;
    v->n = n;
    pts.a = NULL;
    /* keyframes as frame numbers */
    v->keys = malloc(sizeof *v->keys * (size_t)(kpts.n ? kpts.n : 1));
    if (!v->keys) goto oom;
    for (int64_t k = 0; k < kpts.n; k++) {
        int64_t i = ov_video_lookup(v, kpts.a[k]);
        if (i >= 0) v->keys[v->nkeys++] = i; /* else cut off */
    }
    goto done;
oom:
    rc = ov_error("%s: out of memory while indexing the frames", v->path);
done:
    free(pts.a);
    free(kpts.a);
    return rc;
}

/* ---- open / close ---- */

ovVideo *ov_video_open(const char *path) {
    ov_video_log_init();
    ovVideo *v = calloc(1, sizeof *v);
    if (!v) {
        ov_error("%s: out of memory", path);
        return NULL;
    }
    v->path = strdup(path ? path : "");
    v->last = -1;
    int ret;
    if ((ret = avformat_open_input(&v->fmt, path, NULL, NULL)) < 0) {
        ov_error("%s: cannot open the video: %s", path, ov_video_ff_detail(ret));
        goto fail;
    }
    if ((ret = avformat_find_stream_info(v->fmt, NULL)) < 0) {
        ov_error("%s: cannot read the stream information: %s", path, ov_video_ff_detail(ret));
        goto fail;
    }
    const AVCodec *codec = NULL;
    v->si = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (v->si == AVERROR_STREAM_NOT_FOUND) {
        ov_error("%s: the file has no video stream", path);
        goto fail;
    }
    if (v->si < 0 || !codec) {
        ov_error("%s: no decoder for the video stream's codec (%s)", path,
                 v->si >= 0 ? avcodec_get_name(v->fmt->streams[v->si]->codecpar->codec_id) : "unknown");
        goto fail;
    }
    v->st = v->fmt->streams[v->si];
    v->dec = avcodec_alloc_context3(codec);
    v->pkt = av_packet_alloc();
    v->frame = av_frame_alloc();
    if (!v->dec || !v->pkt || !v->frame) {
        ov_error("%s: out of memory", path);
        goto fail;
    }
    if ((ret = avcodec_parameters_to_context(v->dec, v->st->codecpar)) < 0 ||
        (v->dec->thread_count = 1, ret = avcodec_open2(v->dec, codec, NULL)) < 0) {
        ov_error("%s: cannot open the %s decoder: %s", path, codec->name, ov_video_ff_detail(ret));
        goto fail;
    }
    v->w = v->dec->width;
    v->h = v->dec->height;
    if (v->w <= 0 || v->h <= 0) {
        ov_error("%s: the video stream has no frame size", path);
        goto fail;
    }
    if (build_index(v)) goto fail;
    if (v->n == 0) {
        ov_error("%s: the video has no readable frame%s", path, v->truncated ? " (the file is truncated)" : "");
        goto fail;
    }
    qsort(v->keys, (size_t)v->nkeys, sizeof *v->keys, cmp_i64);
    AVRational r = v->st->avg_frame_rate.num > 0 ? v->st->avg_frame_rate : v->st->r_frame_rate;
    if (r.num > 0 && r.den > 0)
        v->fps = av_q2d(r);
    else if (v->n > 1)
        v->fps = (double)(v->n - 1) / ((double)(v->pts[v->n - 1] - v->pts[0]) * av_q2d(v->st->time_base));
    v->need_seek = true; /* the index scan read the whole file */
    return v;
fail:
    ov_video_close(v);
    return NULL;
}

void ov_video_close(ovVideo *v) {
    if (!v) return;
    sws_freeContext(v->sws);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    free(v->pts);
    free(v->keys);
    free(v->path);
    free(v);
}

const char *ov_video_path(const ovVideo *v) { return v->path; }
int64_t ov_video_frames(const ovVideo *v) { return v->n; }
int64_t ov_video_width(const ovVideo *v) { return v->w; }
int64_t ov_video_height(const ovVideo *v) { return v->h; }
double ov_video_fps(const ovVideo *v) { return v->fps; }
const char *ov_video_codec(const ovVideo *v) { return avcodec_get_name(v->st->codecpar->codec_id); }

bool ov_video_truncated(const ovVideo *v, int64_t *declared) {
    if (declared) *declared = v->declared;
    return v->truncated;
}

double ov_video_time(const ovVideo *v, int64_t i) {
    if (i < 0 || i >= v->n) return -1;
    return (double)(v->pts[i] - v->pts[0]) * av_q2d(v->st->time_base);
}

void ov_video_stats(const ovVideo *v, int64_t *decoded, int64_t *seeks) {
    if (decoded) *decoded = v->decoded;
    if (seeks) *seeks = v->seeks;
}
