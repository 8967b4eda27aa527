/* json.h: the few cJSON helpers the dataset readers share: a parse whose error names the file,
 * the line and the column, and typed getters that say what they found instead. */
#ifndef OV_DATA_JSON_H
#define OV_DATA_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* NULL after ov_error("NAME:LINE:COL: invalid JSON ...") when text[0, len) is not one JSON value. */
cJSON *ov_json_parse(const char *text, size_t len, const char *name);
/* Reads and parses a file. */
cJSON *ov_json_read(const char *path);

const cJSON *ov_json_get(const cJSON *obj, const char *key); /* NULL when absent or obj is not an object */
const char *ov_json_str(const cJSON *v);                     /* NULL unless a string */
/* A finite number, or an integer within [lo, hi] (integral value). 0, or -1 (no error set). */
int ov_json_num(const cJSON *v, double *out);
int ov_json_int(const cJSON *v, long lo, long hi, long *out);
/* What a value is, for messages: "a string", "an array", "missing", ... */
const char *ov_json_what(const cJSON *v);

#endif
