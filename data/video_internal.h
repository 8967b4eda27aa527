/* video_internal.h: the ovVideo handle shared by video.c (open, index) and video_decode.c. */
#ifndef OV_DATA_VIDEO_INTERNAL_H
#define OV_DATA_VIDEO_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>

#include "data/video.h"


struct ovVideo {
    char *path;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVStream *st;
    int si;
    AVPacket *pkt;
    AVFrame *frame; /* the decoder's last picture */
    struct SwsContext *sws;
    int64_t n;       /* frames */
    int64_t *pts;    /* [n] presentation timestamps, ascending: frame i has pts[i] */
    int64_t *keys;   /* [nkeys] frame numbers of the keyframes, ascending */
    int64_t nkeys;
    int64_t w, h;
    double fps;
    bool truncated;
    bool fast_convert;
    int64_t declared;
    /* decoder position */
    bool need_seek;  /* the demuxer is not where the decoder left off */
    bool draining;   /* the end of the file was sent to the decoder */
    int64_t last;    /* frame number of `frame`, or -1 */
    int64_t decoded, seeks;
};

/* Frame number of a timestamp, or -1 when it is not a frame of the index. */
int64_t ov_video_lookup(const ovVideo *v, int64_t pts);
/* "error text (FFmpeg's last logged error)" for an AVERROR code, for messages. */
const char *ov_video_ff_detail(int averr);
void ov_video_log_init(void);

#endif
