/* op.h: the op table entry (DESIGN.md, "The spine: one op table").
 *
 * Every operation is one ovOpDef: its name, tensor arguments, attributes with defaults, a shape
 * rule (check), a forward per implementation, a backward, and a generator of test cases. The
 * public C function of an op (autograd/ops.h) fills an ovOpCall and calls ov_apply; ov_apply
 * validates, runs the forward and records a tape node when a gradient is needed. The `ovad op`
 * command and the test suite walk the same table. */
#ifndef OV_OP_H
#define OV_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "tensor/tensor.h"

#define OV_MAX_ARGS 8     /* declared tensor arguments of one op */
#define OV_MAX_INPUTS 64  /* tensors in one call once a variadic argument is expanded */
#define OV_MAX_ATTRS 12
#define OV_MAX_INTS 16    /* elements of an int-list attribute (pad takes 2 per dim) */
#define OV_MAX_OUTPUTS 64
#define OV_MAX_SAVED 8

/* Which kernels run: the naive CPU reference, the fast CPU kernels, or CUDA. */
typedef enum { OV_IMPL_REF = 0, OV_IMPL_FAST, OV_IMPL_CUDA, OV_IMPL_COUNT } ovImpl;

/* What a tensor argument accepts. */
typedef enum {
    OV_ARG_FLOAT, /* F32 (other float dtypes must be converted with ov_to first) */
    OV_ARG_INDEX, /* I64 indices */
    OV_ARG_BOOL,  /* BOOL mask */
    OV_ARG_ANY,   /* any dtype (views, copies, conversions) */
} ovArgKind;

enum {
    OV_ARG_OPTIONAL = 1 << 0, /* may be NULL */
    OV_ARG_VARIADIC = 1 << 1, /* last argument only: one or more tensors */
    OV_ARG_NO_GRAD = 1 << 2,  /* no gradient flows to this float argument (e.g. boxes of roi_align) */
};

typedef struct {
    const char *name;
    ovArgKind kind;
    unsigned flags;
} ovArgDef;

typedef enum {
    OV_ATTR_INT,
    OV_ATTR_FLOAT,
    OV_ATTR_BOOL,
    OV_ATTR_INTS,  /* list of ints, e.g. dims=0,2 */
    OV_ATTR_FLOATS,/* list of floats, e.g. scale=2,1.5 (stored in fv) */
    OV_ATTR_ENUM,  /* one of `choices` ("nearest|bilinear|..."), stored as its index */
    OV_ATTR_DTYPE, /* f32, bf16, ... stored as ovDType */
} ovAttrType;

typedef struct {
    const char *name;
    ovAttrType type;
    const char *def;     /* default as text; NULL = required; "none" = optional, unset */
    const char *choices; /* OV_ATTR_ENUM: "a|b|c" */
} ovAttrDef;

typedef struct {
    bool set; /* false for an optional attribute left at "none" */
    int64_t i;
    double f;
    int n; /* number of list elements */
    int64_t v[OV_MAX_INTS];
    double fv[OV_MAX_INTS];
} ovAttrVal;

typedef struct ovOpDef ovOpDef;
typedef struct ovNode ovNode;

typedef struct ovOpCall {
    ovOpDef *op;
    int n_in;
    ovTensor *in[OV_MAX_INPUTS];
    ovAttrVal attr[OV_MAX_ATTRS];
    ovImpl impl; /* set by ov_apply */
} ovOpCall;

/* Extra tensors a forward keeps for its backward (e.g. layer norm's mean and rstd). */
typedef struct {
    int n;
    ovTensor *t[OV_MAX_SAVED];
} ovSaved;

struct ovNode {
    ovObj obj; /* scope membership; must be first */
    ovOpCall call;
    int n_out;
    ovTensor *out[OV_MAX_OUTPUTS];
    ovSaved saved;
    uint64_t seq;                          /* creation order: backward runs in decreasing seq */
    uint64_t version[OV_MAX_INPUTS + OV_MAX_OUTPUTS + OV_MAX_SAVED]; /* storage versions at record */
    bool needs_grad[OV_MAX_INPUTS];
    ovTensor **gacc; /* gradients accumulated for each output during backward */
    uint64_t mark;   /* backward traversal epoch */
};

/* Case generator for the test suite: builds the k-th test case (inputs in the current scope) and
 * returns true, or returns false when there is no k-th case. */
typedef bool (*ovMakeCase)(int k, ovOpCall *c);

struct ovOpDef {
    const char *name;
    const char *doc; /* one line */
    ovArgDef args[OV_MAX_ARGS];
    ovAttrDef attrs[OV_MAX_ATTRS];
    const char *outputs; /* "out" or "values,indices" (informational; a variadic op says "outs...") */
    unsigned flags;
    int code; /* family-specific selector (e.g. which unary function), read by shared forwards */
    /* Shape rule: panics (ov_op_fail) if the call is invalid. Runs after the generic checks. */
    void (*check)(const ovOpCall *c);
    /* Runs the op; writes the outputs and returns how many. `save` is NULL unless recording. */
    int (*forward)(const ovOpCall *c, ovTensor **out, ovSaved *save);
    /* Computes gin[i] for every input with n->needs_grad[i], from gout[k] (NULL = zero gradient).
     * Runs with gradient recording off. */
    void (*backward)(ovNode *n, ovTensor **gout, ovTensor **gin);
    ovMakeCase make_case;
    /* Test tolerances (0 = default): ref vs fast in units of FLT_EPSILON relative to the output
     * scale; finite-difference step and tolerance; PyTorch fixture tolerance. */
    double fast_tol, grad_eps, grad_tol, torch_tol;
    /* filled on first use */
    int n_args, n_attrs;
    ovAttrVal defaults[OV_MAX_ATTRS];
    bool ready;
};

enum {
    OV_OP_NO_GRAD = 1 << 0,  /* not differentiable (comparisons, argmax, sort indices...) */
    OV_OP_VIEW = 1 << 1,     /* outputs share storage with input 0 */
    OV_OP_INTERNAL = 1 << 2, /* a backward kernel exposed as an op (tested like one, not listed) */
    OV_OP_RANDOM = 1 << 3,   /* draws random numbers (dropout): gradcheck reuses the seed */
    OV_OP_CUDA = 1 << 4,     /* runs on CUDA tensors (kernels in kernels/cuda/, or no kernel at all) */
};

/* ---- calling ---- */
ovOpCall ov_call(ovOpDef *op);                  /* defaults filled, no inputs */
int ov_apply(ovOpCall *c, ovTensor **out);      /* returns the number of outputs */
ovTensor *ov_apply1(ovOpCall *c);               /* for single-output ops */
int ov_op_arg_index(const ovOpDef *op, const char *name);
int ov_op_attr_index(const ovOpDef *op, const char *name);
void ov_op_prepare(ovOpDef *op);                /* parses defaults (done by ov_call too) */

/* Index of the first tensor of argument `arg` in c->in, and how many tensors it has. */
int ov_call_arg_start(const ovOpCall *c, int arg);
int ov_call_arg_count(const ovOpCall *c, int arg);

/* ---- implementation selection ---- */
/* Which CPU kernels run (OV_IMPL_FAST by default); the tests switch to OV_IMPL_REF. */
void ov_set_cpu_impl(ovImpl impl);
ovImpl ov_cpu_impl(void);

/* ---- errors from shape rules ---- */
/* Panics with "op 'name': <message>; inputs: a='x' [2,3] f32, ..." */
_Noreturn void ov_op_fail(const ovOpCall *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- attributes as text (CLI, fixtures) ---- */
int ov_attr_parse(const ovAttrDef *d, const char *text, ovAttrVal *out); /* 0, or -1 + ov_error */
void ov_attr_format(const ovAttrDef *d, const ovAttrVal *v, char *buf, size_t n);
/* "softmax(x: float, mask: float?, *, dim: int = -1) -> out" */
void ov_op_signature(const ovOpDef *op, char *buf, size_t n);

/* ---- the table ---- */
int ov_op_count(void);
ovOpDef *ov_op_at(int i);
ovOpDef *ov_op_find(const char *name);

#endif
