/* file.h: reading a whole file into memory, the one way the project does it (images, annotation
 * CSVs, JSON, checkpoints that are not mapped), and opening the files that are mapped. */
#ifndef OV_FILE_H
#define OV_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads all of path into a malloc'd buffer followed by a NUL byte (so text can be parsed as a
 * string); *n gets the byte count without the NUL. Returns 0, or -1 with ov_last_error() naming
 * the file. The caller frees *data. */
int ov_read_file(const char *path, uint8_t **data, size_t *n);

/* Opens a regular file for reading (the files that are mapped: safetensors, zip archives): its
 * descriptor, with *size its length, or -1 with ov_last_error() naming the file. */
int ov_open_regular(const char *path, size_t *size);

#endif
