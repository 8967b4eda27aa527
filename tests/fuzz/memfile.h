/* memfile.h: a fuzz input as a file, for the readers that open a path: a memory file (memfd)
 * named by /proc/self/fd/N, faster than a file on disk and gone when closed. memfd_create needs
 * _GNU_SOURCE defined before the first system header. */
#ifndef OV_FUZZ_MEMFILE_H
#define OV_FUZZ_MEMFILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data to a new memory file and puts its path in path[64]; returns the descriptor to
 * close when done, or -1. */
static inline int ov_fuzz_memfile(const uint8_t *data, size_t size, const char *name, char path[64]) {
    int fd = memfd_create(name, 0);
    if (fd < 0) return -1;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return -1;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
