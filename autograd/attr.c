/* attr.c: op attributes as text (for `ovad op`, fixtures and `ovad op --list`), and signatures. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autograd/op.h"
#include "tensor/error.h"

static int parse_int(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

/* Index of `text` among "a|b|c", or -1. */
static int choice_index(const char *choices, const char *text) {
    int idx = 0;
    const char *p = choices;
    size_t n = strlen(text);
    while (p && *p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, text, n) == 0) return idx;
        idx++;
        p = bar ? bar + 1 : NULL;
    }
    return -1;
}

int ov_attr_parse(const ovAttrDef *d, const char *text, ovAttrVal *out) {
    memset(out, 0, sizeof *out);
    if (strcmp(text, "none") == 0) {
        if (d->def && strcmp(d->def, "none") == 0) return 0; /* optional, left unset */
        return ov_error("attribute '%s' cannot be none", d->name);
    }
    out->set = true;
    switch (d->type) {
    case OV_ATTR_INT:
        if (parse_int(text, &out->i)) return ov_error("attribute '%s' expects an integer, got '%s'", d->name, text);
        return 0;
    case OV_ATTR_FLOAT: {
        char *end;
        out->f = strtod(text, &end);
        if (end == text || *end) return ov_error("attribute '%s' expects a number, got '%s'", d->name, text);
        return 0;
    }
    case OV_ATTR_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "True")) out->i = 1;
        else if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "False")) out->i = 0;
        else return ov_error("attribute '%s' expects true or false, got '%s'", d->name, text);
        return 0;
    case OV_ATTR_INTS:
    case OV_ATTR_FLOATS: {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", text);
        char *p = buf;
        size_t len = strlen(p);
        if (len && (p[0] == '[' || p[0] == '(')) {
            p++;
            len--;
            if (len && (p[len - 1] == ']' || p[len - 1] == ')')) p[--len] = 0;
        }
        out->n = 0;
        if (!*p) return 0;
        for (char *tok = strtok(p, ", "); tok; tok = strtok(NULL, ", ")) {
            if (out->n >= OV_MAX_INTS) return ov_error("attribute '%s': more than %d values", d->name, OV_MAX_INTS);
            if (d->type == OV_ATTR_INTS) {
                if (parse_int(tok, &out->v[out->n]))
                    return ov_error("attribute '%s' expects a list of integers like 0,2,1, got '%s'", d->name, text);
            } else {
                char *end;
                out->fv[out->n] = strtod(tok, &end);
                if (end == tok || *end)
                    return ov_error("attribute '%s' expects a list of numbers like 2,1.5, got '%s'", d->name, text);
            }
            out->n++;
        }
        return 0;
    }
    case OV_ATTR_ENUM: {
        int i = choice_index(d->choices, text);
        if (i < 0) return ov_error("attribute '%s' expects one of %s, got '%s'", d->name, d->choices, text);
        out->i = i;
        return 0;
    }
    case OV_ATTR_DTYPE: {
        for (int t = 0; t < OV_DTYPE_COUNT; t++)
            if (!strcmp(text, ov_dtype_name((ovDType)t))) {
                out->i = t;
                return 0;
            }
        return ov_error("attribute '%s' expects a dtype (f32, bf16, f16, i32, i64, u8, bool), got '%s'", d->name, text);
    }
    }
    return ov_error("attribute '%s' has an unknown type", d->name);
}

void ov_attr_format(const ovAttrDef *d, const ovAttrVal *v, char *buf, size_t n) {
    if (!v->set) {
        snprintf(buf, n, "none");
        return;
    }
    switch (d->type) {
    case OV_ATTR_INT: snprintf(buf, n, "%lld", (long long)v->i); break;
    case OV_ATTR_FLOAT: snprintf(buf, n, "%.9g", v->f); break;
    case OV_ATTR_BOOL: snprintf(buf, n, "%s", v->i ? "true" : "false"); break;
    case OV_ATTR_INTS: {
        size_t k = 0;
        buf[0] = 0;
        for (int i = 0; i < v->n && k < n; i++) k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "," : "", (long long)v->v[i]);
        break;
    }
    case OV_ATTR_FLOATS: {
        size_t k = 0;
        buf[0] = 0;
        for (int i = 0; i < v->n && k < n; i++) k += (size_t)snprintf(buf + k, n - k, "%s%.9g", i ? "," : "", v->fv[i]);
        break;
    }
    case OV_ATTR_ENUM: {
        const char *p = d->choices;
        for (int i = 0; i < v->i && p; i++) {
            p = strchr(p, '|');
            if (p) p++;
        }
        size_t len = p ? strcspn(p, "|") : 0;
        snprintf(buf, n, "%.*s", (int)len, p ? p : "?");
        break;
    }
    case OV_ATTR_DTYPE: snprintf(buf, n, "%s", ov_dtype_name((ovDType)v->i)); break;
    }
}

static const char *attr_type_name(const ovAttrDef *d) {
    switch (d->type) {
    case OV_ATTR_INT: return "int";
    case OV_ATTR_FLOAT: return "float";
    case OV_ATTR_BOOL: return "bool";
    case OV_ATTR_INTS: return "ints";
    case OV_ATTR_FLOATS: return "floats";
    case OV_ATTR_ENUM: return d->choices;
    case OV_ATTR_DTYPE: return "dtype";
    }
    return "?";
}

void ov_op_signature(const ovOpDef *op, char *buf, size_t n) {
    size_t k = (size_t)snprintf(buf, n, "%s(", op->name);
    for (int i = 0; i < OV_MAX_ARGS && op->args[i].name && k < n; i++) {
        const ovArgDef *a = &op->args[i];
        const char *kind = a->kind == OV_ARG_FLOAT ? "f32" : a->kind == OV_ARG_INDEX ? "i64" : a->kind == OV_ARG_BOOL ? "bool" : "any";
        k += (size_t)snprintf(buf + k, n - k, "%s%s%s: %s%s%s", i ? ", " : "", a->flags & OV_ARG_VARIADIC ? "*" : "",
                              a->name, kind, a->flags & OV_ARG_OPTIONAL ? "?" : "",
                              a->flags & OV_ARG_NO_GRAD ? " (no grad)" : "");
    }
    for (int i = 0; i < OV_MAX_ATTRS && op->attrs[i].name && k < n; i++) {
        const ovAttrDef *d = &op->attrs[i];
        k += (size_t)snprintf(buf + k, n - k, "%s%s: %s", i == 0 ? "; " : ", ", d->name, attr_type_name(d));
        if (d->def && k < n) k += (size_t)snprintf(buf + k, n - k, " = %s", d->def);
    }
    if (k < n) snprintf(buf + k, n - k, ") -> %s%s", op->outputs ? op->outputs : "out",
                        op->flags & OV_OP_NO_GRAD ? "  [no grad]" : "");
}
