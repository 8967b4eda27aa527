/* test_video.c: the two real videos of ../shared/data (README facts: internvid_example1.mp4 is
 * MPEG-4 Part 2, 40 frames of 640x480 at 5 fps; mmaction_test.mp4 is H.264 with B-frames, 300
 * frames of 340x256 at 30 fps): frame counts and sizes, random access returning the pixels of
 * sequential decoding (across keyframes, and for B-frames stored out of order), sequential reads
 * costing no seeks, clips with repeated frames; truncated copies written to /tmp: an mp4 with its
 * index at the end (a clear error), remuxed copies with the index first (mp4) or none (mkv) that
 * open with a counted short read and fail past it with a message naming the file; damaged bytes
 * never crash. Only a few dozen frames are decoded (OVAD_LONG_TESTS=1 checks every frame). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavformat/avformat.h>

#include "data/video.h"
#include "tensor/create.h"
#include "tensor/error.h"
#include "tests/check_util.h"

static char path_iv[1200], path_mm[1200];

static const char *shared(const char *file, char *buf) {
    const char *dir = ov_shared_data(file);
    if (!dir) return NULL;
    snprintf(buf, 1200, "%s/%s", dir, file);
    return buf;
}

/* Copies the first `keep` bytes of src (all of it when keep is 0 or larger) to dst. */
static size_t copy_prefix(const char *src, const char *dst, long keep_permille) {
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    ck_assert(in && out);
    fseek(in, 0, SEEK_END);
    size_t n = (size_t)ftell(in), keep = (size_t)((double)n * (double)keep_permille / 1000.0);
    fseek(in, 0, SEEK_SET);
    char *b = malloc(n);
    ck_assert_uint_eq(fread(b, 1, n, in), n);
    fwrite(b, 1, keep, out);
    free(b);
    fclose(in);
    fclose(out);
    return keep;
}

/* Remuxes the video stream of src into dst without decoding (mp4 with the index first when
 * faststart, or Matroska by the name), as a tool like ffmpeg -c copy would. */
static void remux(const char *src, const char *dst, bool faststart) {
    AVFormatContext *in = NULL, *out = NULL;
    ck_assert_int_ge(avformat_open_input(&in, src, NULL, NULL), 0);
    ck_assert_int_ge(avformat_find_stream_info(in, NULL), 0);
    int si = av_find_best_stream(in, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    ck_assert_int_ge(avformat_alloc_output_context2(&out, NULL, NULL, dst), 0);
    AVStream *os = avformat_new_stream(out, NULL);
    avcodec_parameters_copy(os->codecpar, in->streams[si]->codecpar);
    os->codecpar->codec_tag = 0;
    os->time_base = in->streams[si]->time_base;
    ck_assert_int_ge(avio_open(&out->pb, dst, AVIO_FLAG_WRITE), 0);
    AVDictionary *opt = NULL;
    if (faststart) av_dict_set(&opt, "movflags", "faststart", 0);
    ck_assert_int_ge(avformat_write_header(out, &opt), 0);
    av_dict_free(&opt);
    AVPacket *p = av_packet_alloc();
    while (av_read_frame(in, p) >= 0) {
        if (p->stream_index == si) {
            p->stream_index = 0;
            av_packet_rescale_ts(p, in->streams[si]->time_base, os->time_base);
            ck_assert_int_ge(av_interleaved_write_frame(out, p), 0);
        }
        av_packet_unref(p);
    }
    av_write_trailer(out);
    avio_closep(&out->pb);
    avformat_free_context(out);
    avformat_close_input(&in);
    av_packet_free(&p);
}

static size_t frame_bytes(const ovVideo *v) { return (size_t)(ov_video_width(v) * ov_video_height(v) * 3); }

/* Decodes frames [0, n) in order into a new buffer. */
static uint8_t *decode_prefix(ovVideo *v, int64_t n) {
    size_t fb = frame_bytes(v);
    uint8_t *all = malloc(fb * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        ck_assert_msg(ov_video_frame_into(v, i, all + fb * (size_t)i) == 0, "frame %lld: %s", (long long)i, ov_last_error());
    return all;
}

static void expect_frame(ovVideo *v, int64_t i, const uint8_t *want) {
    size_t fb = frame_bytes(v);
    uint8_t *got = malloc(fb);
    ck_assert_msg(ov_video_frame_into(v, i, got) == 0, "frame %lld: %s", (long long)i, ov_last_error());
    ck_assert_msg(memcmp(got, want, fb) == 0, "%s: frame %lld by random access differs from sequential decoding",
                  ov_video_path(v), (long long)i);
    free(got);
}

static bool long_tests(void) {
    const char *e = getenv("OVAD_LONG_TESTS");
    return e && *e && strcmp(e, "0");
}

START_TEST(test_internvid) {
    if (!shared("internvid_example1.mp4", path_iv)) return;
    ovVideo *v = ov_video_open(path_iv);
    ck_assert_msg(v, "%s", ov_last_error());
    ck_assert_int_eq(ov_video_frames(v), 40);
    ck_assert_int_eq(ov_video_width(v), 640);
    ck_assert_int_eq(ov_video_height(v), 480);
    ck_assert_double_eq_tol(ov_video_fps(v), 5.0, 1e-9);
    ck_assert_str_eq(ov_video_codec(v), "mpeg4");
    ck_assert(!ov_video_truncated(v, NULL));
    ck_assert_double_eq_tol(ov_video_time(v, 39), 7.8, 1e-9);
    /* all 40 in order: one seek (the first read), one decode per frame */
    uint8_t *all = decode_prefix(v, 40);
    int64_t dec, seeks;
    ov_video_stats(v, &dec, &seeks);
    ck_assert_int_eq(dec, 40);
    ck_assert_int_eq(seeks, 1);
    /* random access in a scrambled order, across the keyframes at 0, 12, 24, 36 */
    int64_t order[] = {37, 3, 12, 11, 25, 24, 0, 39, 13, 13, 35};
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) expect_frame(v, order[k], all + frame_bytes(v) * (size_t)order[k]);
    /* frames differ from each other (the decoder is not returning one picture) */
    ck_assert(memcmp(all, all + frame_bytes(v) * 20, frame_bytes(v)) != 0);
    ck_assert_int_eq(ov_video_frame_into(v, 40, all), -1);
    ck_assert_msg(strstr(ov_last_error(), "frame 40 is out of range") && strstr(ov_last_error(), path_iv), "%s",
                  ov_last_error());
    ck_assert_int_eq(ov_video_frame_into(v, -1, all), -1);
    free(all);
    ov_video_close(v);
}
END_TEST

START_TEST(test_mmaction_bframes) {
    if (!shared("mmaction_test.mp4", path_mm)) return;
    ovVideo *v = ov_video_open(path_mm);
    ck_assert_msg(v, "%s", ov_last_error());
    ck_assert_int_eq(ov_video_frames(v), 300);
    ck_assert_int_eq(ov_video_width(v), 340);
    ck_assert_int_eq(ov_video_height(v), 256);
    ck_assert_double_eq_tol(ov_video_fps(v), 30.0, 1e-9);
    ck_assert_str_eq(ov_video_codec(v), "h264");
    size_t fb = frame_bytes(v);
    int64_t n = long_tests() ? 300 : 12;
    uint8_t *all = decode_prefix(v, n);
    int64_t dec, seeks;
    ov_video_stats(v, &dec, &seeks);
    ck_assert_int_eq(seeks, 1);
    /* the B-frames are stored out of order: frame 1 is the third packet */
    int64_t order[] = {11, 1, 2, 0, 7, 5, 6};
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) expect_frame(v, order[k], all + fb * (size_t)order[k]);
    if (long_tests()) {
        for (int64_t i = 299; i >= 0; i -= 7) expect_frame(v, i, all + fb * (size_t)i);
    } else {
        /* from the second keyframe (235): in order, then by random access */
        uint8_t *late = malloc(fb * 5);
        for (int k = 0; k < 5; k++)
            ck_assert_msg(ov_video_frame_into(v, 235 + k, late + fb * (size_t)k) == 0, "%s", ov_last_error());
        expect_frame(v, 238, late + 3 * fb);
        expect_frame(v, 235, late);
        expect_frame(v, 236, late + fb);
        free(late);
    }
    /* the last frame decodes; the one after is out of range */
    uint8_t *last = malloc(fb);
    ck_assert_msg(ov_video_frame_into(v, 299, last) == 0, "%s", ov_last_error());
    ck_assert_int_eq(ov_video_frame_into(v, 300, last), -1);
    free(last);
    free(all);
    ov_video_close(v);
}
END_TEST

/* The fast conversion: close to the exact one, the same from read to read; widths that are not
 * a multiple of 16 (340) keep the exact path. */
START_TEST(test_fast_convert) {
    if (!shared("internvid_example1.mp4", path_iv) || !shared("mmaction_test.mp4", path_mm)) return;
    const char *paths[2] = {path_iv, path_mm};
    for (int k = 0; k < 2; k++) {
        ovVideo *exact = ov_video_open(paths[k]), *fast = ov_video_open(paths[k]);
        ck_assert(exact && fast);
        ov_video_set_fast_convert(fast, true);
        size_t fb = frame_bytes(exact);
        uint8_t *a = malloc(fb), *b = malloc(fb), *c = malloc(fb);
        for (int64_t i = 0; i < 4; i++) {
            ck_assert_int_eq(ov_video_frame_into(exact, i, a), 0);
            ck_assert_int_eq(ov_video_frame_into(fast, i, b), 0);
            int worst = 0;
            double sum = 0;
            for (size_t j = 0; j < fb; j++) {
                worst = abs(a[j] - b[j]) > worst ? abs(a[j] - b[j]) : worst;
                sum += abs(a[j] - b[j]);
            }
            if (k == 1) ck_assert_int_eq(worst, 0);
            /* the SIMD converter takes the nearest chroma sample, not a bicubic one: colour edges move */
            ck_assert_msg(worst <= 12 && sum / (double)fb < 1.0, "%s frame %lld: fast conversion %d levels off (%.2f mean)",
                          paths[k], (long long)i, worst, sum / (double)fb);
        }
        ck_assert_int_eq(ov_video_frame_into(fast, 30, c), 0);
        ck_assert_int_eq(ov_video_frame_into(fast, 3, a), 0);
        ck_assert(memcmp(a, b, fb) == 0);
        free(a);
        free(b);
        free(c);
        ov_video_close(exact);
        ov_video_close(fast);
    }
}
END_TEST

START_TEST(test_clip_tensor) {
    if (!shared("internvid_example1.mp4", path_iv)) return;
    ov_scope_begin();
    ovVideo *v = ov_video_open(path_iv);
    ck_assert_msg(v, "%s", ov_last_error());
    int64_t idx[] = {5, 5, 2, 9, 2};
    ovTensor *clip = ov_video_read_frames(v, 5, idx);
    ck_assert_msg(clip, "%s", ov_last_error());
    ck_assert(clip->ndim == 4 && clip->shape[0] == 5 && clip->shape[1] == 480 && clip->shape[2] == 640 &&
              clip->shape[3] == 3 && clip->dtype == OV_U8);
    int64_t dec;
    ov_video_stats(v, &dec, NULL);
    ck_assert_int_eq(dec, 10); /* frames 0..9 once each: repeats are copies */
    for (int k = 0; k < 5; k++) {
        ovTensor *f = ov_video_frame(v, idx[k]);
        ck_assert(f && f->ndim == 3);
        ck_assert(memcmp(ov_data_ptr(f), (uint8_t *)ov_data_ptr(clip) + (size_t)k * 480 * 640 * 3, 480 * 640 * 3) == 0);
    }
    /* a clip with a bad index fails whole and leaves nothing behind */
    size_t before = ov_scope_count(ov_scope_current());
    int64_t bad[] = {1, 41};
    ck_assert_ptr_null(ov_video_read_frames(v, 2, bad));
    ck_assert_uint_eq(ov_scope_count(ov_scope_current()), before);
    ov_video_close(v);
    ov_scope_end();
}
END_TEST

START_TEST(test_bad_and_truncated) {
    ov_tmpdir_make("video");
    ck_assert_ptr_null(ov_video_open(ov_tmp("missing.mp4")));
    ck_assert_msg(strstr(ov_last_error(), "missing.mp4") && strstr(ov_last_error(), "cannot open"), "%s", ov_last_error());
    FILE *f = fopen(ov_tmp("text.mp4"), "w");
    fputs("not a video at all", f);
    fclose(f);
    ck_assert_ptr_null(ov_video_open(ov_tmp("text.mp4")));
    ck_assert_msg(strstr(ov_last_error(), "text.mp4"), "%s", ov_last_error());
    if (!shared("mmaction_test.mp4", path_mm) || !shared("internvid_example1.mp4", path_iv)) {
        ov_tmpdir_remove();
        return;
    }
    /* the real files keep their index (moov) at the end: a cut copy cannot be opened */
    copy_prefix(path_mm, ov_tmp("cut.mp4"), 500);
    ck_assert_ptr_null(ov_video_open(ov_tmp("cut.mp4")));
    ck_assert_msg(strstr(ov_last_error(), "cut.mp4") && strstr(ov_last_error(), "moov atom not found"), "%s",
                  ov_last_error());
    /* index first (faststart mp4) or no frame count (Matroska): a cut copy opens with the frames
     * that are complete, and they are the original's frames */
    const char *srcs[] = {path_mm, path_iv};
    const char *names[] = {"mm_fast.mp4", "mm.mkv", "iv_fast.mp4"};
    int which[] = {0, 0, 1};
    for (int k = 0; k < 3; k++) {
        bool mkv = strstr(names[k], ".mkv") != NULL;
        remux(srcs[which[k]], ov_tmp(names[k]), !mkv);
        ovVideo *full = ov_video_open(ov_tmp(names[k]));
        ck_assert_msg(full, "%s", ov_last_error());
        ck_assert_int_eq(ov_video_frames(full), which[k] ? 40 : 300);
        ck_assert(!ov_video_truncated(full, NULL));
        for (int permille = 400; permille <= 970; permille += 570) {
            char cutname[64];
            snprintf(cutname, sizeof cutname, "cut%d_%s", permille, names[k]);
            copy_prefix(ov_tmp(names[k]), ov_tmp(cutname), permille);
            ovVideo *v = ov_video_open(ov_tmp(cutname));
            ck_assert_msg(v, "%s", ov_last_error());
            int64_t declared, n = ov_video_frames(v);
            ck_assert_msg(ov_video_truncated(v, &declared), "%s not seen as truncated", cutname);
            ck_assert_msg(n > 0 && n < ov_video_frames(full) && declared >= ov_video_frames(full) - 2,
                          "%s: %lld frames of %lld declared", cutname, (long long)n, (long long)declared);
            /* the readable frames are the right pictures */
            int64_t probe[] = {0, 2, n - 1};
            size_t fb = frame_bytes(v);
            uint8_t *a = malloc(fb), *b = malloc(fb);
            for (int j = 0; j < 3; j++) {
                ck_assert_msg(ov_video_frame_into(v, probe[j], a) == 0, "%s frame %lld: %s", cutname, (long long)probe[j],
                              ov_last_error());
                ck_assert_int_eq(ov_video_frame_into(full, probe[j], b), 0);
                ck_assert_msg(memcmp(a, b, fb) == 0, "%s: frame %lld differs from the complete file's", cutname,
                              (long long)probe[j]);
            }
            /* past the cut: a counted short read, with a message naming the file and both counts */
            ck_assert_int_eq(ov_video_frame_into(v, n, a), -1);
            ck_assert_msg(strstr(ov_last_error(), cutname) && strstr(ov_last_error(), "truncated"), "%s", ov_last_error());
            free(a);
            free(b);
            ov_video_close(v);
        }
        ov_video_close(full);
    }
    /* damaged bytes in the middle of a file: every frame read either works or fails cleanly */
    uint8_t *buf;
    FILE *in = fopen(ov_tmp("iv_fast.mp4"), "rb");
    fseek(in, 0, SEEK_END);
    size_t n = (size_t)ftell(in);
    fseek(in, 0, SEEK_SET);
    buf = malloc(n);
    ck_assert_uint_eq(fread(buf, 1, n, in), n);
    fclose(in);
    ovGenerator g = ov_generator(9);
    ov_scope_begin();
    ovTensor *pos = ov_randint(OV_SHAPE(400), (int64_t)n / 10, (int64_t)n, &g);
    for (int k = 0; k < 400; k++) buf[(size_t)ov_get_flat(pos, k)] ^= 0xA5;
    ov_scope_end();
    FILE *out = fopen(ov_tmp("damaged.mp4"), "wb");
    fwrite(buf, 1, n, out);
    fclose(out);
    free(buf);
    ovVideo *v = ov_video_open(ov_tmp("damaged.mp4"));
    if (v) {
        uint8_t *px = malloc(frame_bytes(v));
        for (int64_t i = 0; i < ov_video_frames(v); i += 3)
            if (ov_video_frame_into(v, i, px)) ck_assert_msg(strstr(ov_last_error(), "damaged.mp4"), "%s", ov_last_error());
        free(px);
        ov_video_close(v);
    } else {
        ck_assert_msg(strstr(ov_last_error(), "damaged.mp4"), "%s", ov_last_error());
    }
    ov_tmpdir_remove();
}
END_TEST

int main(void) {
    Suite *s = suite_create("video");
    TCase *tc = tcase_create("video");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_internvid);
    tcase_add_test(tc, test_mmaction_bframes);
    tcase_add_test(tc, test_fast_convert);
    tcase_add_test(tc, test_clip_tensor);
    tcase_add_test(tc, test_bad_and_truncated);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
