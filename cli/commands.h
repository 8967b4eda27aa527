/* commands.h: the subcommands of `ovad`; each lives in cli/<name>.c and gets argv from its name on. */
#ifndef OV_COMMANDS_H
#define OV_COMMANDS_H

#include <stdio.h>

typedef struct {
    const char *name;
    const char *help;
    int (*run)(int argc, char **argv);
} ovCommand;

int cmd_op(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_tokenize(int argc, char **argv);
int cmd_ckpt(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_demo(int argc, char **argv);
/* `ovad data stats` (cli/data_stats.c); argv[0] is the subcommand's own name ("stats"). */
int ov_cli_data_stats(int argc, char **argv);

#endif
