/* dict.h: an ordered list of named tensors (a state_dict): what checkpoint readers produce and
 * module loaders consume. Names are copied; tensors are referenced (they live in their scopes).
 * The dict itself is a scope object, freed with the scope it was made in. */
#ifndef OV_DICT_H
#define OV_DICT_H

#include "tensor/tensor.h"

typedef struct {
    ovObj obj; /* scope membership; must be first */
    int n, cap;
    char **names;
    ovTensor **tensors;
} ovTensorDict;

ovTensorDict *ov_dict_new(void);
/* Appends (name, t); a name already present is replaced in place (its position kept). */
void ov_dict_set(ovTensorDict *d, const char *name, ovTensor *t);
ovTensor *ov_dict_get(const ovTensorDict *d, const char *name); /* NULL when absent */
int ov_dict_find(const ovTensorDict *d, const char *name);      /* index or -1 */

/* Every tensor of a safetensors file (views of the mapped file); NULL + ov_last_error() on a
 * malformed file. */
ovTensorDict *ov_dict_load_safetensors(const char *path);
/* Writes the dict (with optional metadata pairs) through ov_st_save. */
int ov_dict_save_safetensors(const ovTensorDict *d, const char *path, int n_meta, const char *const *keys,
                             const char *const *values);

#endif
