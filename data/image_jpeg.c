/* image_jpeg.c: JPEG decoding with libjpeg(-turbo) to 8-bit RGB, with the library defaults that
 * PIL and OpenCV also use (accurate integer IDCT, fancy chroma upsampling), so the pixels agree
 * with theirs. libjpeg's fatal errors arrive through error_exit, which jumps back here; its
 * warnings are counted, and the one that says the data ended early makes the read fail: libjpeg
 * would otherwise return a picture whose missing rows are grey. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>
#include <jerror.h>

#include "data/image.h"
#include "tensor/error.h"

typedef struct {
    struct jpeg_error_mgr mgr; /* must be first: libjpeg hands back this pointer */
    jmp_buf env;
    int truncated;
    char msg[JMSG_LENGTH_MAX];
} JpegErr;

static void on_error_exit(j_common_ptr cinfo) {
    JpegErr *e = (JpegErr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->msg);
    longjmp(e->env, 1);
}

static void on_message(j_common_ptr cinfo, int level) {
    JpegErr *e = (JpegErr *)cinfo->err;
    if (level >= 0) return; /* trace messages */
    e->mgr.num_warnings++;
    if (e->mgr.msg_code == JWRN_JPEG_EOF) e->truncated = 1;
}

int ov_jpeg_decode(const uint8_t *data, size_t n, const char *name, ovImageAlloc alloc, void *ctx) {
    struct jpeg_decompress_struct cinfo;
    JpegErr err = {.truncated = 0};
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = on_error_exit;
    err.mgr.emit_message = on_message;
    volatile int refused = 0;
    if (setjmp(err.env)) {
        jpeg_destroy_decompress(&cinfo);
        if (refused) return -1;
        /* a fatal error after the data ran out is a symptom of the cut, not the cause */
        if (err.truncated) return ov_error("%s: truncated JPEG: the data ends early (%s)", name, err.msg);
        return ov_error("%s: corrupt JPEG: %s", name, err.msg);
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)n);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.image_width > (1u << 15) || cinfo.image_height > (1u << 15)) {
        snprintf(err.msg, sizeof err.msg, "image of %ux%u pixels is larger than 32768 a side", cinfo.image_width,
                 cinfo.image_height);
        longjmp(err.env, 1);
    }
    /* grey converts to RGB in libjpeg-turbo; CMYK/YCCK cannot and end in error_exit */
    cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_components != 3) {
        snprintf(err.msg, sizeof err.msg, "decoder gives %d components, not RGB", cinfo.output_components);
        longjmp(err.env, 1);
    }
    int64_t w = cinfo.output_width, h = cinfo.output_height;
    uint8_t *dst = alloc(ctx, h, w);
    if (!dst) {
        refused = 1;
        longjmp(err.env, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = dst + (size_t)cinfo.output_scanline * (size_t)w * 3;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    if (err.truncated) {
        snprintf(err.msg, sizeof err.msg, "missing rows would be grey");
        longjmp(err.env, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}
