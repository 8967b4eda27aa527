/* module.h: modules and their parameters (torch.nn.Module's registry, in C).
 *
 * A layer is a C struct whose first member is an ovModule, made with ov_module_new inside its
 * parent; parameters are registered under local names, and a parameter's full name is the dotted
 * path from the root (`blocks.3.attn.in_proj_weight`), the key it has in upstream checkpoints:
 *
 *     typedef struct { ovModule m; ovTensor *weight, *bias; } ovLinear;
 *     ovLinear *l = ov_module_new(parent, "c_fc", sizeof *l, "Linear");
 *     l->weight = ov_param(&l->m, "weight", OV_SHAPE(out, in));
 *
 * Modules, parameters and their gradients live in the root module's scope (ov_module_root makes
 * it), which ov_module_free releases, so model code has no free() calls. Forward passes make
 * their tensors in the caller's scope as usual and push the module path for error messages. */
#ifndef OV_MODULE_H
#define OV_MODULE_H

#include <stdbool.h>
#include <stdio.h>

#include "tensor/create.h"
#include "tensor/tensor.h"

#define OV_MODULE_NAME_MAX 64

typedef struct ovModule ovModule;

typedef struct {
    char name[OV_MODULE_NAME_MAX]; /* local name */
    ovTensor *t;
    bool is_buffer;                /* persistent state that is not trained (e.g. position_ids) */
} ovParamSlot;

struct ovModule {
    char name[OV_MODULE_NAME_MAX]; /* local name ("" for the root) */
    const char *type;              /* "Linear", "MultiheadAttention", ... for summaries */
    ovModule *parent;
    ovModule **children;
    int n_children, cap_children;
    ovParamSlot *params;
    int n_params, cap_params;
    bool training;
    ovScope *scope;                /* the root's scope, shared by the whole tree */
    ovGenerator init_gen;          /* seeds initialisers (inherited from the root's seed) */
    /* Optional: prints the layer's configuration in summaries ("in=768, out=3072"). */
    void (*describe)(const ovModule *m, char *buf, size_t n);
};

/* A root module of `size` bytes (first member ovModule) with its own scope; `seed` seeds every
 * initialiser in the tree (each module derives its generator from the seed and its path). */
void *ov_module_root(size_t size, const char *type, uint64_t seed);
/* A child module of `size` bytes registered under `name` in parent. */
void *ov_module_new(ovModule *parent, const char *name, size_t size, const char *type);
/* Frees the whole tree (root only): modules, parameters, gradients. */
void ov_module_free(ovModule *root);

/* Parameters: made in the tree's scope, f32, requires_grad, initialised by the caller (see
 * nn/init.h). Buffers are saved and loaded but never trained. */
ovTensor *ov_param(ovModule *m, const char *name, int ndim, const int64_t *shape);
ovTensor *ov_buffer(ovModule *m, const char *name, ovTensor *value);

/* Lookup by full dotted name, and the full name of a module or of parameter i of m. */
ovTensor *ov_module_get(ovModule *root, const char *full_name);
void ov_module_path(const ovModule *m, char *buf, size_t n);

/* Visits every parameter (and buffer when with_buffers) of the tree in registration order, with
 * its full name. */
typedef void (*ovParamVisitor)(const char *full_name, ovTensor *t, bool is_buffer, void *ctx);
void ov_module_visit(ovModule *root, bool with_buffers, ovParamVisitor fn, void *ctx);
int ov_module_count(ovModule *root, bool trainable_only); /* number of parameter tensors */
int64_t ov_module_numel(ovModule *root, bool trainable_only);

/* train/eval mode of the whole subtree (dropout, drop-path). */
void ov_module_train(ovModule *m, bool on);
/* Freezes (requires_grad off) or unfreezes every parameter whose full name starts with prefix
 * ("" = all); returns how many tensors changed. */
int ov_module_freeze(ovModule *root, const char *prefix, bool frozen);
/* Sets every parameter gradient to zero (the gradient tensors are kept and reused). */
void ov_module_zero_grad(ovModule *root);

/* A printed tree: each module with its type and configuration, each parameter with its shape and
 * whether it trains, then the trainable and frozen totals. */
void ov_module_summary(ovModule *root, FILE *f);

/* Forward passes push the module's path for error messages (ov_panic names it). */
void ov_module_enter(const ovModule *m);
void ov_module_leave(const ovModule *m);

#endif
