/* pth.h: PyTorch checkpoints (.pth/.pt written by torch.save) read without Python. In the zip
 * format of PyTorch >= 1.6 the archive (data/zip.h) holds <folder>/data.pkl, a pickle
 * (data/pickle.h) in which every tensor is a call torch._utils._rebuild_tensor_v2(storage, offset,
 * size, stride, ...) and every storage a persistent id ('storage', torch.FloatStorage, key, device,
 * numel) whose bytes are <folder>/data/<key>. The legacy format (PyTorch < 1.6, or
 * _use_new_zipfile_serialization=False) has the same pickle with the storages after it. See
 * specs/engine-anchors.md §5.2.
 *
 * Tensors come back as views (offset, sizes, strides as saved, so permuted and sliced views keep
 * their layout) of one CPU tensor per storage, shared as in the file. Storage types: Float,
 * Half, BFloat16, Long, Int, Byte, Bool as themselves; Double is converted to f32 (ovad has no
 * f64) and counted in ovPthInfo. Nested dicts (and lists) are flattened to dotted names, or one
 * entry is selected; an nn.Module pickled whole (torch.save(model)) gives the names of its
 * state_dict(), read from its _parameters, _buffers and _modules. Non-tensor values (numbers, strings, argparse.Namespace configs, any other
 * object) are skipped; nothing in the file is ever executed. Errors name the file and the fault. */
#ifndef OV_PTH_H
#define OV_PTH_H

#include "data/pickle.h"
#include "tensor/dict.h"

typedef struct {
    char entry[256];  /* the dotted path of the dict the tensors came from ("" = the whole file) */
    char folder[256]; /* the archive's top folder ("archive", or the stem of the saved name) */
    int protocol;     /* of the pickle */
    int n_tensors;
    int n_f64;        /* float64 tensors converted to f32 */
    int n_skipped;    /* non-tensor values left out */
} ovPthInfo;

/* The tensors of a torch.save file, in the current scope. `entry`: a dotted path of dict keys to
 * load (e.g. "model" for ViCLIP's {'model': state_dict, 'optimizer': ...}), or NULL/"" for
 * automatic: the top dict when it holds tensors itself, else the first of 'model', 'state_dict',
 * 'module' that holds tensors, else everything. NULL with ov_last_error() on any fault.
 * `info` may be NULL. */
ovTensorDict *ov_pth_load(const char *path, const char *entry);
ovTensorDict *ov_pth_load_ex(const char *path, const char *entry, ovPthInfo *info);

/* Either format, told apart by content: safetensors (entry must be empty) or a torch zip. */
ovTensorDict *ov_weights_load(const char *path, const char *entry, ovPthInfo *info);
/* 1 for a torch.save file (zip or legacy), 0 for anything else, -1 when it cannot be read. */
int ov_ckpt_is_torch(const char *path);
/* 0 when the file starts like a torch.save or a safetensors file; else -1 with a message saying
 * what it is (a bare pickle, a tar archive, something else). */
int ov_ckpt_check_format(const char *path);

/* The layer under ov_pth_load, for other containers and for fuzzing: tensors from a parsed
 * torch pickle whose storages are read through `storage`: called with dst NULL it sets *nbytes
 * to the size of storage `key`; with dst it fills nbytes bytes there. Returns 0 or -1 with
 * ov_last_error(). `source` names the file in messages. */
typedef int (*ovPthStorageFn)(void *ctx, const char *key, uint64_t *nbytes, void *dst);
/* Bytes per element of a storage type (the GLOBAL torch.FloatStorage ...), 0 when unknown. */
size_t ov_pth_storage_itemsize(const ovPkValue *type);
ovTensorDict *ov_pth_from_pickle(const ovPkValue *root, const char *entry, const char *source,
                                 ovPthStorageFn storage, void *ctx, ovPthInfo *info);

#endif
