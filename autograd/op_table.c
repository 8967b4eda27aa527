/* op_table.c: the one op table, assembled from the op families in autograd/ops/. Each family file
 * exports a NULL-terminated list; adding an op to a family's list registers it everywhere (public
 * API aside): `ovad op`, `ovad op --list`, and every test that walks the table. */
#include <string.h>

#include "autograd/op.h"
#include "autograd/ops/families.h"

static ovOpDef *const *const families[] = {
#define OV_FAMILY(name) ov_ops_##name,
    OV_FAMILIES
#undef OV_FAMILY
};

static ovOpDef *table[512];
static int table_n = -1;

static void build(void) {
    if (table_n >= 0) return;
    table_n = 0;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
        for (int i = 0; families[f][i]; i++) {
            ov_op_prepare(families[f][i]);
            table[table_n++] = families[f][i];
        }
}

int ov_op_count(void) {
    build();
    return table_n;
}

ovOpDef *ov_op_at(int i) {
    build();
    return i >= 0 && i < table_n ? table[i] : NULL;
}

ovOpDef *ov_op_find(const char *name) {
    build();
    for (int i = 0; i < table_n; i++)
        if (strcmp(table[i]->name, name) == 0) return table[i];
    return NULL;
}
