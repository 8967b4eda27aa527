/* mat_check.h: a structural check of a MATLAB 5 MAT file before libmatio reads it.
 *
 * libmatio trusts the sizes a file declares: a flipped byte in a dimension makes it allocate (and
 * zero) gigabytes, or index past the cells of a struct array. So the readers first walk the file
 * here: the 128-byte header (version 0x0100, either byte order), every top-level element (inflating
 * compressed ones, at most 256 MiB in all), and every array inside: flags, dimensions (a product
 * below 2^40), name, and per class the data (numeric and char arrays must hold exactly one stored
 * value per element), the cells of cell arrays and the fields of struct arrays (each element's
 * fields present as sub-arrays, counted against the bytes left before anything is trusted).
 * Sparse, object, function and opaque arrays are refused (no dataset needs them), and so are MAT
 * 7.3 (HDF5) files. What passes has sizes consistent with its bytes, so libmatio's allocations are
 * bounded by the file's (inflated) size. */
#ifndef OV_DATA_MAT_CHECK_H
#define OV_DATA_MAT_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -1 after ov_error("NAME: byte N: what is wrong"). */
int ov_mat_check(const uint8_t *data, size_t n, const char *name);
int ov_mat_check_file(const char *path);

#endif
