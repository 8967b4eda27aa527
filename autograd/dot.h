/* dot.h: Graphviz picture of the graph behind some tensors: op nodes (boxes, with their
 * attributes) and tensors (ellipses: name or #id, shape, dtype; leaves that require grad are
 * filled). Render with `dot -Tsvg graph.dot -o graph.svg`. */
#ifndef OV_DOT_H
#define OV_DOT_H

#include <stdio.h>

#include "tensor/tensor.h"

void ov_graph_dot(FILE *f, int n_roots, ovTensor **roots);
/* Writes to a file; returns 0, or -1 with ov_last_error() naming the file. */
int ov_graph_dot_file(const char *path, int n_roots, ovTensor **roots);

#endif
