/* main.c: the `ovad` command: dispatches to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const ovCommand commands[] = {
    {"op", "run one op of the table on tensors from a safetensors file (--list: every signature)", cmd_op},
    {"bench", "benchmarks: GFLOP/s or GB/s against a baseline run in the same process (ovad bench --help)", cmd_bench},
    {"tokenize", "CLIP BPE token ids of texts, framed for clip, viclip, clipvip or openmixer (ovad tokenize --help)",
     cmd_tokenize},
    {"encode", "runs a video encoder (ViCLIP, CLIP-ViP, CLIP) on a clip and dumps its intermediates (ovad encode --help)",
     cmd_encode},
    {"eval", "frame-mAP / video-mAP of a detections CSV against a dataset's ground truth (ovad eval --help)", cmd_eval},
    {"ckpt", "list the tensors of a .safetensors/.pth/.pt checkpoint, or convert one to safetensors", cmd_ckpt},
    {"data", "datasets: write the synthetic dataset (data synth), print a dataset's numbers (data stats)", cmd_data},
    {"demo", "pretrain a micro ViCLIP from scratch on synthetic clips, report held-out retrieval (ovad demo --help)",
     cmd_demo},
};

static void usage(FILE *f) {
    fprintf(f, "usage: ovad COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n`ovad COMMAND --help` describes a command.\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "ovad: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
