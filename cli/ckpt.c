/* ckpt.c: `ovad ckpt`: list the tensors of a checkpoint (safetensors, or a PyTorch .pth/.pt
 * written by torch.save) and convert one to safetensors, without Python (nn/pth.h). */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "nn/pth.h"
#include "tensor/error.h"
#include "tensor/safetensors.h"
#include "tensor/scope.h"

static const char *usage_text =
    "usage: ovad ckpt ls FILE [--entry PATH]\n"
    "       ovad ckpt convert IN OUT.safetensors [--entry PATH]\n"
    "\n"
    "FILE/IN is a .safetensors file or a PyTorch .pth/.pt file written by torch.save (the zip\n"
    "format, or the legacy one of PyTorch < 1.6). `ls` prints every tensor: name, dtype, shape.\n"
    "`convert` writes the tensors to OUT as safetensors. Nested dicts are flattened to dotted\n"
    "names; --entry PATH loads only the dict at that dotted path (e.g. --entry model for\n"
    "{'model': state_dict, ...}); without it the top dict is used when it holds tensors, else the\n"
    "one under 'model', 'state_dict' or 'module'. A model pickled whole gives its state_dict.\n"
    "float64 tensors are converted to f32; non-tensor values are skipped, never run.\n"
    "Exit status: 0 done, 1 the file could not be read or written, 2 bad usage.\n";

static void print_notes(const char *path, const ovPthInfo *info, bool torch) {
    if (!torch) return;
    if (info->entry[0]) fprintf(stderr, "%s: tensors from entry '%s'\n", path, info->entry);
    if (info->n_f64) fprintf(stderr, "%s: %d float64 tensor(s) converted to f32\n", path, info->n_f64);
    if (info->n_skipped) fprintf(stderr, "%s: %d non-tensor value(s) skipped\n", path, info->n_skipped);
}

static void print_row(int width, const char *name, ovDType dt, int ndim, const int64_t *shape, double *elems) {
    char sh[256];
    ov_shape_str(ndim, shape, sh, sizeof sh);
    printf("%-*s  %-4s  %s\n", width, name, ov_dtype_name(dt), sh);
    *elems += (double)ov_numel_shape(ndim, shape);
}

/* safetensors: straight from the header, no data read. */
static int ls_safetensors(const char *path) {
    ovSafetensors *st = ov_st_open(path);
    if (!st) {
        fprintf(stderr, "ovad ckpt: %s\n", ov_last_error());
        return 1;
    }
    int width = 4;
    for (int i = 0; i < ov_st_count(st); i++) width = (int)(strlen(ov_st_name(st, i)) > (size_t)width ? strlen(ov_st_name(st, i)) : (size_t)width);
    double elems = 0, bytes = 0;
    for (int i = 0; i < ov_st_count(st); i++) {
        ovDType dt;
        int nd;
        int64_t shape[OV_MAX_DIMS];
        ov_st_info(st, i, &dt, &nd, shape);
        double before = elems;
        print_row(width, ov_st_name(st, i), dt, nd, shape, &elems);
        bytes += (elems - before) * (double)ov_dtype_size(dt);
    }
    printf("# %d tensors, %.0f elements, %.2f MiB\n", ov_st_count(st), elems, bytes / 1048576.0);
    for (int i = 0; i < ov_st_meta_count(st); i++)
        printf("# metadata %s: %s\n", ov_st_meta_key(st, i), ov_st_meta(st, ov_st_meta_key(st, i)));
    ov_st_close(st);
    return 0;
}

static int ls(const char *path, const char *entry) {
    int torch = ov_ckpt_is_torch(path);
    if (torch == 0 && !(entry && *entry)) {
        if (ov_ckpt_check_format(path)) {
            fprintf(stderr, "ovad ckpt: %s\n", ov_last_error());
            return 1;
        }
        return ls_safetensors(path);
    }
    ov_scope_begin();
    ovPthInfo info;
    ovTensorDict *d = ov_weights_load(path, entry, &info);
    if (!d) {
        fprintf(stderr, "ovad ckpt: %s\n", ov_last_error());
        ov_scope_end();
        return 1;
    }
    int width = 4;
    for (int i = 0; i < d->n; i++) width = (int)(strlen(d->names[i]) > (size_t)width ? strlen(d->names[i]) : (size_t)width);
    double elems = 0, bytes = 0;
    for (int i = 0; i < d->n; i++) {
        const ovTensor *t = d->tensors[i];
        print_row(width, d->names[i], t->dtype, t->ndim, t->shape, &elems);
        bytes += (double)ov_nbytes(t);
    }
    printf("# %d tensors, %.0f elements, %.2f MiB\n", d->n, elems, bytes / 1048576.0);
    print_notes(path, &info, torch == 1);
    ov_scope_end();
    return 0;
}

static int convert(const char *in, const char *out, const char *entry) {
    ov_scope_begin();
    ovPthInfo info;
    int rc = 1;
    ovTensorDict *d = ov_weights_load(in, entry, &info);
    if (!d) {
        fprintf(stderr, "ovad ckpt: %s\n", ov_last_error());
        goto done;
    }
    const char *base = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
    const char *keys[] = {"format", "source", "entry"}, *vals[] = {"pt", base, info.entry};
    if (ov_dict_save_safetensors(d, out, info.entry[0] ? 3 : 2, keys, vals) != 0) {
        fprintf(stderr, "ovad ckpt: %s\n", ov_last_error());
        goto done;
    }
    double bytes = 0;
    for (int i = 0; i < d->n; i++) bytes += (double)ov_nbytes(d->tensors[i]);
    printf("%s: %d tensors, %.2f MiB\n", out, d->n, bytes / 1048576.0);
    print_notes(in, &info, ov_ckpt_is_torch(in) == 1);
    rc = 0;
done:
    ov_scope_end();
    return rc;
}

int cmd_ckpt(int argc, char **argv) {
    const char *entry = NULL, *pos[3];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--entry")) {
            if (i + 1 == argc) {
                fprintf(stderr, "ovad ckpt: --entry needs a value\n\n%s", usage_text);
                return 2;
            }
            entry = argv[++i];
        } else if (!strncmp(argv[i], "--entry=", 8)) {
            entry = argv[i] + 8;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "ovad ckpt: unknown option '%s'\n\n%s", argv[i], usage_text);
            return 2;
        } else if (npos < 3) {
            pos[npos++] = argv[i];
        } else {
            fprintf(stderr, "ovad ckpt: too many arguments\n\n%s", usage_text);
            return 2;
        }
    }
    if (npos == 2 && !strcmp(pos[0], "ls")) return ls(pos[1], entry);
    if (npos == 3 && !strcmp(pos[0], "convert")) return convert(pos[1], pos[2], entry);
    if (npos >= 1 && strcmp(pos[0], "ls") && strcmp(pos[0], "convert"))
        fprintf(stderr, "ovad ckpt: unknown subcommand '%s'\n\n", pos[0]);
    fputs(usage_text, stderr);
    return 2;
}
