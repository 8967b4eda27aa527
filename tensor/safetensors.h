/* safetensors.h: the native tensor file format (huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end)}, optional
 * "__metadata__": {str: str}}, then the data, row-major little-endian, offsets relative to 8+N.
 *
 * Reading maps the file (copy-on-write) and hands out tensors whose storage points into the map,
 * so loading a checkpoint costs no copy; the map stays alive while any such tensor does.
 * Every fault of a malformed file is reported with the file name and what was wrong. */
#ifndef OV_SAFETENSORS_H
#define OV_SAFETENSORS_H

#include "tensor/tensor.h"

typedef struct ovSafetensors ovSafetensors;

/* Opens and validates the file; NULL with ov_last_error() on any fault. */
ovSafetensors *ov_st_open(const char *path);
void ov_st_close(ovSafetensors *st);

int ov_st_count(const ovSafetensors *st);
const char *ov_st_name(const ovSafetensors *st, int i); /* in file order */
int ov_st_find(const ovSafetensors *st, const char *name); /* index or -1 */
/* Dtype and shape of entry i without making a tensor. */
void ov_st_info(const ovSafetensors *st, int i, ovDType *dtype, int *ndim, int64_t *shape);
/* Entry i as a tensor in the current scope (shares the mapped memory). */
ovTensor *ov_st_tensor(ovSafetensors *st, int i);
/* By name; NULL with ov_last_error() when absent. */
ovTensor *ov_st_get(ovSafetensors *st, const char *name);

/* __metadata__ entries. */
int ov_st_meta_count(const ovSafetensors *st);
const char *ov_st_meta_key(const ovSafetensors *st, int i);
const char *ov_st_meta(const ovSafetensors *st, const char *key); /* NULL when absent */
const char *ov_st_path(const ovSafetensors *st);

/* Writes tensors (any layout; stored contiguous) under names, plus metadata pairs. The file is
 * written to a temporary name beside the target and renamed, so a crash never leaves half a file.
 * Returns 0, or -1 with ov_last_error(). */
int ov_st_save(const char *path, int n, const char *const *names, ovTensor *const *tensors, int n_meta,
               const char *const *keys, const char *const *values);

#endif
