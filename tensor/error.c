/* error.c: last-error message, panic traps and the module path (see error.h). */
#include "tensor/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tensor/scope.h"

static _Thread_local char last_error[2 * OV_ERRMSG_MAX]; /* room for a message plus the module path */
static _Thread_local ovTrap *trap_top;
static _Thread_local char module_path[512];
static _Thread_local size_t path_len_stack[64]; /* length of module_path before each push */
static _Thread_local int path_depth;
static _Thread_local ovThreadState thread_state;

ovThreadState *ov_thread_state(void) { return &thread_state; }

int ov_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return -1;
}

const char *ov_last_error(void) { return last_error; }

void ov_clear_error(void) { last_error[0] = 0; }

ovTrap *ov_trap_push(ovTrap *t) {
    t->prev = trap_top;
    t->scope_depth = ov_scope_depth();
    t->path_depth = path_depth;
    t->state = thread_state;
    trap_top = t;
    return t;
}

void ov_trap_pop(ovTrap *t) {
    if (trap_top == t) trap_top = t->prev;
}

/* Hands last_error to the innermost trap (or prints it and aborts). */
static _Noreturn void raise_last_error(void) {
    ovTrap *t = trap_top;
    if (t) {
        trap_top = t->prev;
        while (path_depth > t->path_depth) ov_path_pop();
        thread_state = t->state;
        /* Scopes opened after the trap belong to the abandoned computation: close them now. */
        while (ov_scope_depth() > t->scope_depth) ov_scope_end();
        longjmp(t->env, 1);
    }
    fprintf(stderr, "ovad: %s\n", last_error);
    abort();
}

_Noreturn void ov_panic(const char *fmt, ...) {
    char msg[OV_ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (module_path[0])
        snprintf(last_error, sizeof last_error, "%s (in module %s)", msg, module_path);
    else
        snprintf(last_error, sizeof last_error, "%s", msg);
    raise_last_error();
}

_Noreturn void ov_rethrow(void) { raise_last_error(); }

void ov_path_push(const char *name) {
    size_t n = strlen(module_path);
    if (path_depth < 64) path_len_stack[path_depth] = n;
    path_depth++;
    if (n && n + 1 < sizeof module_path) module_path[n++] = '.';
    snprintf(module_path + n, sizeof module_path - n, "%s", name);
}

void ov_path_pop(void) {
    if (path_depth == 0) return;
    path_depth--;
    if (path_depth < 64) module_path[path_len_stack[path_depth]] = 0;
}

const char *ov_path(void) { return module_path; }
