/* image.h: still images in and out: PNG (libpng) and JPEG (libjpeg-turbo) decoded to u8 [H,W,3]
 * RGB tensors, the pixels PIL's Image.open(path).convert("RGB") gives (palettes expanded, grey
 * replicated, alpha dropped; the same libjpeg settings), except that 16-bit samples keep their high
 * byte as OpenCV's imread does (PIL clips them at 255); and PNG writing.
 *
 * Bad files are bad input, never a crash: a missing, truncated or corrupt file returns NULL/-1
 * with ov_last_error() naming the file and the fault; the decoders' error handlers jump back and
 * free everything they had allocated. A JPEG that ends early is an error, although libjpeg itself
 * only warns and fills the missing rows with grey. */
#ifndef OV_DATA_IMAGE_H
#define OV_DATA_IMAGE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "tensor/tensor.h"

typedef enum { OV_IMAGE_UNKNOWN = 0, OV_IMAGE_PNG, OV_IMAGE_JPEG } ovImageFormat;

/* The format from the first bytes (never from the file name). */
ovImageFormat ov_image_sniff(const void *data, size_t n);

/* Reads the file into a u8 [H,W,3] RGB tensor in the current scope. */
ovTensor *ov_image_read(const char *path);
/* Same from memory; `name` is used in error messages. */
ovTensor *ov_image_decode(const void *data, size_t n, const char *name);
/* Decodes into dst, a contiguous u8 buffer of h*w*3 bytes, when the image is exactly h x w;
 * otherwise fails saying both sizes (frames of one clip must share a size). */
int ov_image_decode_into(const void *data, size_t n, const char *name, int64_t h, int64_t w, uint8_t *dst);
/* Height and width from the header alone. */
int ov_image_size(const void *data, size_t n, const char *name, int64_t *h, int64_t *w);

/* Writes a u8 tensor [H,W] (grey), [H,W,1], [H,W,3] (RGB) or [H,W,4] (RGBA) as an 8-bit PNG.
 * The file appears complete or not at all (written beside the target, then renamed). */
int ov_image_write_png(const char *path, const ovTensor *img);

/* Per-format decoders (image_png.c, image_jpeg.c). Once the header is read they ask `alloc` for
 * an h*w*3 buffer (it returns NULL, with ov_error set, to refuse the size), then decode into it.
 * 0, or -1 with ov_last_error() naming `name`. */
typedef uint8_t *(*ovImageAlloc)(void *ctx, int64_t h, int64_t w);
int ov_png_decode(const uint8_t *data, size_t n, const char *name, ovImageAlloc alloc, void *ctx);
int ov_jpeg_decode(const uint8_t *data, size_t n, const char *name, ovImageAlloc alloc, void *ctx);
/* Writes h rows of w pixels of c channels (1, 3 or 4), packed row-major, as an 8-bit PNG to f. */
int ov_png_encode(FILE *f, const char *name, const uint8_t *px, int64_t h, int64_t w, int c);

#endif
