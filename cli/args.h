/* args.h: the number arguments of the subcommands, read whole: "12x", "", an overflow, NaN or a
 * value out of range is refused, with ov_last_error() naming the flag, what it wants and what it
 * got ("--steps wants an integer in [1, 10000000], not '12x'"); the command prints it. */
#ifndef OV_CLI_ARGS_H
#define OV_CLI_ARGS_H

#include <stdint.h>

/* 0, or -1 with ov_last_error(). Bounds are inclusive. */
int ov_arg_long(const char *flag, const char *s, long lo, long hi, long *out);
int ov_arg_u64(const char *flag, const char *s, uint64_t *out);
int ov_arg_double(const char *flag, const char *s, double lo, double hi, double *out);

#endif
