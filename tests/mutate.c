/* mutate.c: damaged copies of valid files for the parser suites (see mutate.h). */
#define _GNU_SOURCE
#include "tests/mutate.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernels/philox.h"
#include "tensor/error.h"
#include "tensor/file.h"

/* Trial t draws its decision from Philox block 8t of the stream and flip j from block 8t + 1 + j. */
size_t ov_mutate(uint8_t *dst, const uint8_t *src, size_t n, int trial, uint64_t stream, const ovMutation *m) {
    memcpy(dst, src, n);
    if (n == 0) return 0;
    ck_assert_msg(m->max_flips >= 1 && m->max_flips <= 7, "max_flips %d is not in 1..7", m->max_flips);
    uint64_t block = (uint64_t)trial * 8;
    ovPhilox4 r = ov_philox4x32(block, stream);
    if (m->truncate_every > 0 && trial % m->truncate_every == 0) return r.v[0] % n;
    size_t lo = m->from < n ? m->from : 0, span = n - lo;
    if (m->focus_n > 0 && trial % 2 == 0) {
        long at = m->focus_at < 0 ? (long)n + m->focus_at : m->focus_at;
        lo = at < 0 ? 0 : (size_t)at < n ? (size_t)at : n - 1;
        span = m->focus_n < n - lo ? m->focus_n : n - lo;
    }
    int flips = 1 + (int)(r.v[1] % (uint32_t)m->max_flips);
    for (int j = 0; j < flips; j++) {
        ovPhilox4 q = ov_philox4x32(block + 1 + (uint64_t)j, stream);
        bool pick = m->alphabet && q.v[2] % (uint32_t)m->alphabet_odds == 0;
        dst[lo + q.v[0] % span] = pick ? (uint8_t)m->alphabet[q.v[1] % (uint32_t)m->alphabet_n] : (uint8_t)q.v[1];
    }
    return n;
}

/* One damaged copy through the parser; 0 when it was accepted. */
static int run_trial(const ovMutRun *r, const uint8_t *scratch, size_t len, int trial) {
    const char *label = r->label ? r->label : "?";
    if (r->as_file) {
        int fd = memfd_create("mut", 0);
        ck_assert_msg(fd >= 0, "memfd_create failed");
        ck_assert_msg(write(fd, scratch, len) == (ssize_t)len, "writing the memory file failed");
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        int rc = r->parse(scratch, len, path, r->ctx);
        if (rc) ck_assert_msg(strstr(ov_last_error(), path), "%s, trial %d: the error does not name %s: %s", label, trial, path, ov_last_error());
        close(fd);
        return rc;
    }
    /* exactly len bytes (and the NUL), so that ASan sees a read past the end */
    size_t size = len + (r->nul ? 1 : 0);
    uint8_t *copy = malloc(size ? size : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, scratch, len);
    if (r->nul) copy[len] = 0;
    const char *name = r->name ? r->name : "mut", *expect = r->expect ? r->expect : name;
    int rc = r->parse(copy, len, name, r->ctx);
    free(copy);
    if (rc)
        ck_assert_msg(!strncmp(ov_last_error(), expect, strlen(expect)), "%s, trial %d: the error does not start with '%s': %s",
                      label, trial, expect, ov_last_error());
    return rc;
}

void ov_mutations_run(const ovMutRun *r, const uint8_t *src, size_t n, int *ok, int *rejected) {
    ck_assert_msg(n > 0, "%s: nothing to mutate", r->label ? r->label : "?");
    uint8_t *scratch = malloc(n);
    ck_assert_ptr_nonnull(scratch);
    for (int trial = 0; trial < r->trials; trial++) {
        size_t len = ov_mutate(scratch, src, n, trial, r->stream, &r->how);
        if (run_trial(r, scratch, len, trial) == 0) (*ok)++;
        else (*rejected)++;
    }
    free(scratch);
}

void ov_mutations_run_file(const ovMutRun *r, const char *path, int *ok, int *rejected) {
    uint8_t *src;
    size_t n;
    ck_assert_msg(ov_read_file(path, &src, &n) == 0, "missing fixture: %s", ov_last_error());
    ovMutRun named = *r;
    if (!named.label) named.label = path;
    ov_mutations_run(&named, src, n, ok, rejected);
    free(src);
}

void ov_mutations_run_files(const ovMutRun *r, const char *dir, const ovMutFile *files, int *ok, int *rejected) {
    for (int i = 0; files[i].file; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].file);
        ovMutRun each = *r;
        each.stream = r->stream + (uint64_t)i * r->stream_step;
        if (files[i].parse) each.parse = files[i].parse;
        ov_mutations_run_file(&each, path, ok, rejected);
    }
}
