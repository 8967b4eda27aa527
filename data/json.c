/* json.c: cJSON with file/line/column errors and typed getters (json.h). */
#include "data/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/error.h"
#include "tensor/file.h"

/* Whether [p, e) is at most one unfinished token (a number, a literal, a string without its
 * closing quote) and white space: where a parse failing there means the text was cut short. */
static bool only_last_token(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    if (p < e && *p == '"') return !memchr(p + 1, '"', (size_t)(e - p - 1));
    while (p < e && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || *p == '.' || *p == '-' || *p == '+' ||
                     *p == 'E'))
        p++;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    return p == e;
}

cJSON *ov_json_parse(const char *text, size_t len, const char *name) {
    const char *end = NULL, *stop = text + len;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    bool trailing = false;
    if (root) {
        /* only white space may follow the value */
        const char *p = end;
        while (p < stop && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
        if (p == stop || (p + 1 == stop && *p == 0)) return root;
        cJSON_Delete(root);
        end = p;
        trailing = true;
    }
    if (!end || end < text || end > stop) end = stop;
    long line = 1, col = 1;
    for (const char *p = text; p < end; p++) {
        if (*p == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    char near[24];
    size_t k = 0;
    for (const char *p = end; p < stop && k + 1 < sizeof near && *p != '\n'; p++) near[k++] = (*p >= 32 && *p < 127) ? *p : '?';
    near[k] = 0;
    if (trailing) ov_error("%s:%ld:%ld: text after the JSON value: '%s'", name, line, col, near);
    else if (only_last_token(end, stop)) ov_error("%s:%ld:%ld: invalid JSON: the text ends early", name, line, col);
    else ov_error("%s:%ld:%ld: invalid JSON near '%s'", name, line, col, near);
    return NULL;
}

cJSON *ov_json_read(const char *path) {
    uint8_t *data;
    size_t n;
    if (ov_read_file(path, &data, &n)) return NULL;
    cJSON *j = ov_json_parse((const char *)data, n, path);
    free(data);
    return j;
}

const cJSON *ov_json_get(const cJSON *obj, const char *key) {
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

const char *ov_json_str(const cJSON *v) { return cJSON_IsString(v) ? v->valuestring : NULL; }

int ov_json_num(const cJSON *v, double *out) {
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) return -1;
    *out = v->valuedouble;
    return 0;
}

int ov_json_int(const cJSON *v, long lo, long hi, long *out) {
    double d;
    if (ov_json_num(v, &d) || d != floor(d) || d < (double)lo || d > (double)hi) return -1;
    *out = (long)d;
    return 0;
}

const char *ov_json_what(const cJSON *v) {
    if (!v) return "missing";
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    return "invalid";
}
