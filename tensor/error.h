/* error.h: the two kinds of failure in ovad.
 *
 * 1. Bad input from outside (a file, a command line): the function returns -1 (or NULL) and
 *    ov_last_error() says what was wrong, naming the file and the position. Nothing is printed.
 * 2. A programming error inside model code (shape, dtype or device mismatch): ov_panic() formats a
 *    message that names the op, the tensors and their shapes, and the module path (ov_path_push),
 *    then hands it to the current trap. With no trap set it prints the message and aborts.
 *    A caller that wants to recover (a test, the `ovad op` command) sets a trap:
 *
 *        ovTrap trap;
 *        if (OV_TRY(&trap)) { ... code that may panic ...; ov_trap_pop(&trap); }
 *        else { report ov_last_error(); }   // the trap is already popped here
 *
 *    Tensors made before the panic belong to the current scope and are freed when it closes.
 *    A panic restores what the trap saw: scope depth (closing newer scopes), module path, and the
 *    thread state (no-grad depth, default device). */
#ifndef OV_ERROR_H
#define OV_ERROR_H

#include <setjmp.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#define OV_NORETURN [[noreturn]]
#else
#define OV_NORETURN _Noreturn
#endif

#define OV_ERRMSG_MAX 1024

/* Sets the message returned by ov_last_error() and returns -1 (so `return ov_error(...)` works). */
int ov_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ov_last_error(void);
void ov_clear_error(void);

/* Per-thread execution state that a panic restores to what its trap saw. Owned by the layers
 * above (grad_mode.h, tensor.h) and kept here so that traps can save it. */
typedef struct {
    int no_grad_depth;  /* autograd: nested no-grad scopes */
    int default_device; /* tensor: where ov_empty allocates (an ovDevice) */
} ovThreadState;
ovThreadState *ov_thread_state(void);

typedef struct ovTrap {
    jmp_buf env;
    struct ovTrap *prev;
    int scope_depth; /* scope depth when the trap was set; scopes opened since are closed on panic */
    int path_depth;  /* module path depth when the trap was set */
    ovThreadState state;
} ovTrap;

ovTrap *ov_trap_push(ovTrap *t);
void ov_trap_pop(ovTrap *t);
#define OV_TRY(trap) (setjmp(ov_trap_push(trap)->env) == 0)

/* Programming error: message goes to the innermost trap, or stderr + abort(). Never returns. */
OV_NORETURN void ov_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Inside a trap's failure branch: after cleaning up, passes the same message on to the next trap. */
OV_NORETURN void ov_rethrow(void);

/* Module path shown in panic messages, e.g. "decoder.stages.2.attn". Push/pop around a forward. */
void ov_path_push(const char *name);
void ov_path_pop(void);
const char *ov_path(void);



#ifdef __cplusplus
}
#endif

#endif
