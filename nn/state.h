/* state.h: a module's parameters as a state_dict, and loading a state_dict into a module by name
 * (torch's load_state_dict): strict or not, with a rename table for checkpoints whose keys differ
 * by a prefix (CLIP-ViP's `clipmodel.` prefix, OpenMixer's `visual_encoder.`), dtype conversion
 * from f16/bf16/f32 to the parameter's f32, and a report of every missing, unexpected and
 * shape-mismatched key. */
#ifndef OV_STATE_H
#define OV_STATE_H

#include <stdbool.h>
#include <stdio.h>

#include "nn/module.h"
#include "tensor/dict.h"

/* The module's parameters (and buffers) under their names relative to `root` (like PyTorch's
 * submodule.state_dict()); the tensors are the parameters themselves, not copies. Made in the
 * current scope. ov_module_load matches the same relative names. */
ovTensorDict *ov_module_state(ovModule *root, bool with_buffers);

typedef struct {
    const char *from; /* a checkpoint key prefix ... */
    const char *to;   /* ... replaced by this one ("" drops it) */
} ovRename;

typedef struct {
    bool strict;              /* any missing, unexpected or mismatched key fails the load */
    const ovRename *renames;  /* applied in order, first match wins */
    int n_renames;
    const char *skip_prefix;  /* keys starting with this are ignored (not "unexpected"); may be NULL */
} ovLoadOpts;

#define OV_LOAD_LIST_MAX 64
typedef struct {
    int loaded, n_missing, n_unexpected, n_mismatched;
    /* the first OV_LOAD_LIST_MAX of each, for the message */
    char missing[OV_LOAD_LIST_MAX][160], unexpected[OV_LOAD_LIST_MAX][160], mismatched[OV_LOAD_LIST_MAX][320];
} ovLoadReport;

/* Copies every matching tensor into its parameter (no autograd). Returns 0, or -1 with
 * ov_last_error() when strict and anything did not match (nothing is copied then), naming every
 * mismatch. `source` names the checkpoint in messages. The report may be NULL; NULL opts mean
 * strict with no renames. A mismatched key is reported as mismatched only (not also missing), and
 * a non-strict load skips it. Checkpoint dtypes convert to the parameter's within a kind (f32,
 * f16, bf16 into f32; i32, i64, u8 into integer buffers); anything else is a mismatch. */
int ov_module_load(ovModule *root, const ovTensorDict *sd, const ovLoadOpts *opts, const char *source,
                   ovLoadReport *report);
void ov_load_report_print(const ovLoadReport *r, FILE *f);

/* Moves every parameter and buffer (and existing gradient) of the tree to dev, in place: each
 * tensor keeps its identity (the layers' pointers stay valid) and gets a contiguous copy of its
 * data on dev. Parameters that shared one storage no longer do afterwards. */
void ov_module_to_device(ovModule *root, ovDevice dev);

#endif
