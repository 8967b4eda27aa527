/* args.c: whole-string number parsing for the subcommands' flags (args.h). */
#include "cli/args.h"

#include <errno.h>
#include <stdlib.h>

#include "tensor/error.h"

int ov_arg_long(const char *flag, const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return ov_error("%s wants an integer in [%ld, %ld], not '%s'", flag, lo, hi, s);
    *out = v;
    return 0;
}

int ov_arg_u64(const char *flag, const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-') /* strtoull reads "-1" as 2^64 - 1 */
        return ov_error("%s wants a non-negative integer, not '%s'", flag, s);
    *out = v;
    return 0;
}

int ov_arg_double(const char *flag, const char *s, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo && v <= hi)) /* the negated test refuses NaN */
        return ov_error("%s wants a number in [%g, %g], not '%s'", flag, lo, hi, s);
    *out = v;
    return 0;
}
