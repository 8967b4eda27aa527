/* zip.c: the zip reader of zip.h. Layout (APPNOTE.TXT 4.3): local header + data per entry,
 * then the central directory, then the end-of-central-directory record (EOCD, 22 bytes plus a
 * comment of up to 65535 bytes), preceded in zip64 archives by the zip64 EOCD record and its
 * locator. Sizes and offsets of 0xFFFFFFFF in the directory mean "see the zip64 extra field".
 * Like PyTorch's reader (miniz) the sizes come from the central directory; the data starts after
 * the local header, whose extra field length may differ from the directory's (torch pads it). */
#include "data/zip.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tensor/error.h"
#include "tensor/file.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define MAX_RATIO 1032 /* deflate cannot expand data by more than this */

typedef struct {
    char *name;
    uint64_t csize, usize, local, data;
    uint32_t crc;
    int method;
    unsigned flags;
} Entry;

struct ovZip {
    char *name;
    const unsigned char *p;
    size_t n;
    void *map;
    Entry *e;
    int count;
};

static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t u64(const unsigned char *p) { return u32(p) | (uint64_t)u32(p + 4) << 32; }

/* Does [off, off + len) lie inside the archive? (overflow-safe) */
static bool inside(const ovZip *z, uint64_t off, uint64_t len) { return off <= z->n && len <= z->n - off; }

void ov_zip_close(ovZip *z) {
    if (!z) return;
    for (int i = 0; i < z->count; i++) free(z->e[i].name);
    free(z->e);
    if (z->map) munmap(z->map, z->n);
    free(z->name);
    free(z);
}

/* The zip64 extra field (id 1) holds, in this order, each of these whose 32-bit field is full. */
static int zip64_extra(ovZip *z, Entry *e, const unsigned char *x, size_t xlen, bool want_u, bool want_c,
                       bool want_off) {
    while (xlen >= 4) {
        unsigned id = u16(x), len = u16(x + 2);
        if (len > xlen - 4) return ov_error("%s: entry '%s': an extra field runs past its record", z->name, e->name);
        if (id == 1) {
            const unsigned char *f = x + 4;
            unsigned left = len;
            uint64_t *dst[3] = {want_u ? &e->usize : NULL, want_c ? &e->csize : NULL, want_off ? &e->local : NULL};
            for (int k = 0; k < 3; k++) {
                if (!dst[k]) continue;
                if (left < 8) return ov_error("%s: entry '%s': the zip64 extra field is too short", z->name, e->name);
                *dst[k] = u64(f);
                f += 8, left -= 8;
            }
            return 0;
        }
        x += 4 + len, xlen -= 4 + len;
    }
    return ov_error("%s: entry '%s': sizes say zip64 but there is no zip64 extra field", z->name, e->name);
}

/* The data of entry e starts after its local header. */
static int locate_data(ovZip *z, Entry *e) {
    if (!inside(z, e->local, 30) || u32(z->p + e->local) != SIG_LOCAL)
        return ov_error("%s: entry '%s': no local header at offset %" PRIu64 " (corrupt archive)", z->name, e->name,
                        e->local);
    const unsigned char *h = z->p + e->local;
    uint64_t nlen = u16(h + 26), xlen = u16(h + 28);
    if (!inside(z, e->local + 30, nlen + xlen))
        return ov_error("%s: entry '%s': its local header runs past the end of the file", z->name, e->name);
    if (nlen != strlen(e->name) || memcmp(h + 30, e->name, nlen))
        return ov_error("%s: entry '%s': the local header names another file (corrupt archive)", z->name, e->name);
    e->data = e->local + 30 + nlen + xlen;
    if (!inside(z, e->data, e->csize))
        return ov_error("%s: entry '%s': its %" PRIu64 " bytes of data run past the end of the file (truncated?)",
                        z->name, e->name, e->csize);
    return 0;
}

static int read_directory(ovZip *z, uint64_t cd_off, uint64_t cd_size, uint64_t count) {
    if (count > cd_size / 46) /* each record takes at least 46 bytes */
        return ov_error("%s: the directory claims %" PRIu64 " entries in %" PRIu64 " bytes (corrupt archive)", z->name,
                        count, cd_size);
    z->e = calloc(count + 1, sizeof(Entry));
    if (!z->e) return ov_error("%s: out of memory", z->name);
    uint64_t at = cd_off, end = cd_off + cd_size;
    for (uint64_t i = 0; i < count; i++) {
        if (end - at < 46 || u32(z->p + at) != SIG_CENTRAL)
            return ov_error("%s: directory record %" PRIu64 " at offset %" PRIu64 " is damaged (corrupt archive)",
                            z->name, i, at);
        const unsigned char *h = z->p + at;
        uint64_t nlen = u16(h + 28), xlen = u16(h + 30), clen = u16(h + 32);
        if (end - at - 46 < nlen + xlen + clen)
            return ov_error("%s: directory record %" PRIu64 " runs past the directory (corrupt archive)", z->name, i);
        Entry *e = &z->e[z->count];
        e->name = malloc(nlen + 1);
        if (!e->name) return ov_error("%s: out of memory", z->name);
        memcpy(e->name, h + 46, nlen);
        e->name[nlen] = 0;
        z->count++;
        if (memchr(h + 46, 0, nlen)) return ov_error("%s: directory record %" PRIu64 ": a name with a NUL byte", z->name, i);
        e->flags = u16(h + 8);
        e->method = u16(h + 10);
        e->crc = u32(h + 16);
        e->csize = u32(h + 20);
        e->usize = u32(h + 24);
        e->local = u32(h + 42);
        bool wu = e->usize == 0xffffffffu, wc = e->csize == 0xffffffffu, wo = e->local == 0xffffffffu;
        if ((wu || wc || wo) && zip64_extra(z, e, h + 46 + nlen, (size_t)xlen, wu, wc, wo)) return -1;
        /* sizes bound every allocation a reader makes: check them before anyone trusts them */
        if (e->method == 0 && e->csize != e->usize)
            return ov_error("%s: entry '%s' is stored but its sizes differ (%" PRIu64 " vs %" PRIu64 ")", z->name,
                            e->name, e->csize, e->usize);
        if (e->method == 8 && e->usize / MAX_RATIO > e->csize + 1)
            return ov_error("%s: entry '%s' claims %" PRIu64 " bytes from %" PRIu64 " deflated (corrupt archive)",
                            z->name, e->name, e->usize, e->csize);
        if (locate_data(z, e)) return -1;
        at += 46 + nlen + xlen + clen;
    }
    return 0;
}

/* Finds the EOCD (the last one whose comment fits), then the zip64 records when present. */
static int read_archive(ovZip *z) {
    if (z->n < 22) return ov_error("%s: not a zip archive (%zu bytes is shorter than any zip)", z->name, z->n);
    size_t lo = z->n - 22 > 65535 ? z->n - 22 - 65535 : 0, pos = z->n - 22 + 1;
    bool found = false;
    while (pos-- > lo) {
        if (u32(z->p + pos) == SIG_EOCD && pos + 22 + u16(z->p + pos + 20) <= z->n) {
            found = true;
            break;
        }
    }
    if (!found) {
        if (u32(z->p) == SIG_LOCAL)
            return ov_error("%s: a zip archive without its end-of-central-directory record (truncated?)", z->name);
        return ov_error("%s: not a zip archive (no end-of-central-directory record)", z->name);
    }
    const unsigned char *r = z->p + pos;
    uint64_t disk = u16(r + 4), cd_disk = u16(r + 6), count = u16(r + 10), cd_size = u32(r + 12), cd_off = u32(r + 16);
    uint64_t dir_end = pos; /* the directory must end before the records that follow it */
    if (pos >= 20 && u32(z->p + pos - 20) == SIG_LOCATOR64) {
        const unsigned char *loc = z->p + pos - 20;
        uint64_t off64 = u64(loc + 8);
        if (u32(loc + 4) != 0 || u32(loc + 16) > 1) return ov_error("%s: multi-disk zip archives are not supported", z->name);
        if (off64 > pos - 20 || pos - 20 - off64 < 56 || u32(z->p + off64) != SIG_EOCD64)
            return ov_error("%s: the zip64 end-of-central-directory record is missing or damaged", z->name);
        const unsigned char *r64 = z->p + off64;
        disk = u32(r64 + 16), cd_disk = u32(r64 + 20), count = u64(r64 + 32), cd_size = u64(r64 + 40), cd_off = u64(r64 + 48);
        dir_end = off64;
    } else if (count == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu) {
        return ov_error("%s: the directory needs zip64 records that are missing (corrupt archive)", z->name);
    }
    if (disk != 0 || cd_disk != 0) return ov_error("%s: multi-disk zip archives are not supported", z->name);
    if (cd_off > dir_end || cd_size > dir_end - cd_off)
        return ov_error("%s: the central directory [%" PRIu64 ", +%" PRIu64 ") lies outside the archive (truncated?)",
                        z->name, cd_off, cd_size);
    return read_directory(z, cd_off, cd_size, count);
}

static ovZip *zip_new(const char *name) {
    ovZip *z = calloc(1, sizeof *z);
    if (!z) ov_panic("zip: out of memory");
    z->name = strdup(name);
    if (!z->name) ov_panic("zip: out of memory");
    return z;
}

ovZip *ov_zip_open_mem(const void *data, size_t size, const char *name) {
    ovZip *z = zip_new(name);
    z->p = data;
    z->n = size;
    if (read_archive(z)) {
        ov_zip_close(z);
        return NULL;
    }
    return z;
}

ovZip *ov_zip_open(const char *path) {
    ovZip *z = zip_new(path);
    int fd = ov_open_regular(path, &z->n);
    if (fd < 0) goto fail;
    if (z->n >= 22) {
        void *m = mmap(NULL, z->n, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            ov_error("%s: cannot map the file: %s", path, strerror(errno));
            close(fd);
            goto fail;
        }
        z->map = m;
        z->p = m;
    }
    close(fd);
    if (read_archive(z) == 0) return z;
fail:
    ov_zip_close(z);
    return NULL;
}

int ov_zip_count(const ovZip *z) { return z->count; }
const char *ov_zip_entry_name(const ovZip *z, int i) { return z->e[i].name; }
uint64_t ov_zip_entry_size(const ovZip *z, int i) { return z->e[i].usize; }
int ov_zip_entry_method(const ovZip *z, int i) { return z->e[i].method; }
const char *ov_zip_name(const ovZip *z) { return z->name; }

int ov_zip_find(const ovZip *z, const char *name) {
    for (int i = 0; i < z->count; i++)
        if (!strcmp(z->e[i].name, name)) return i;
    return -1;
}

static int inflate_into(ovZip *z, const Entry *e, unsigned char *dst) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return ov_error("%s: entry '%s': zlib would not start", z->name, e->name);
    const unsigned char *src = z->p + e->data;
    uint64_t in_left = e->csize, out_left = e->usize;
    unsigned char spare[64]; /* catches output beyond the promised size */
    bool over = false;
    const char *fault = NULL;
    char msg[160];
    for (;;) {
        if (!zs.avail_in && in_left) { /* zlib counts in 32 bits: feed at most 1 GiB at a time */
            zs.next_in = (unsigned char *)src;
            zs.avail_in = (uInt)(in_left < (1u << 30) ? in_left : (1u << 30));
            src += zs.avail_in, in_left -= zs.avail_in;
        }
        if (!zs.avail_out) {
            if (out_left) {
                zs.next_out = dst;
                zs.avail_out = (uInt)(out_left < (1u << 30) ? out_left : (1u << 30));
                dst += zs.avail_out, out_left -= zs.avail_out;
            } else {
                zs.next_out = spare;
                zs.avail_out = sizeof spare;
                over = true;
            }
        }
        int rc = inflate(&zs, Z_NO_FLUSH);
        if (over && zs.avail_out < sizeof spare) {
            fault = "inflates to more bytes than the directory says";
            break;
        }
        if (rc == Z_STREAM_END) break;
        if (rc == Z_BUF_ERROR && !zs.avail_in && !in_left) {
            fault = "the deflated data ends early (truncated?)";
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(msg, sizeof msg, "corrupt deflated data (%s)", zs.msg ? zs.msg : "zlib error");
            fault = msg;
            break;
        }
    }
    uint64_t total = zs.total_out;
    inflateEnd(&zs);
    if (fault) return ov_error("%s: entry '%s': %s", z->name, e->name, fault);
    if (total != e->usize)
        return ov_error("%s: entry '%s' inflates to %" PRIu64 " bytes, the directory says %" PRIu64, z->name, e->name,
                        total, e->usize);
    return 0;
}

static uint32_t crc_of(const unsigned char *p, uint64_t n) {
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n) {
        uInt k = (uInt)(n < (1u << 30) ? n : (1u << 30));
        crc = crc32(crc, p, k);
        p += k, n -= k;
    }
    return (uint32_t)crc;
}

int ov_zip_check(const ovZip *z, int i) {
    const Entry *e = &z->e[i];
    if (e->flags & 1) return ov_error("%s: entry '%s' is encrypted", z->name, e->name);
    if (e->method != 0 && e->method != 8)
        return ov_error("%s: entry '%s' uses compression method %d (only stored and deflate are read)", z->name, e->name,
                        e->method);
    return 0;
}

int ov_zip_read_into(ovZip *z, int i, void *dst) {
    const Entry *e = &z->e[i];
    if (ov_zip_check(z, i)) return -1;
    if (e->method == 0) {
        if (e->usize) memcpy(dst, z->p + e->data, e->usize);
    } else if (inflate_into(z, e, dst)) {
        return -1;
    }
    uint32_t crc = crc_of(dst, e->usize);
    if (crc != e->crc)
        return ov_error("%s: entry '%s' fails its CRC-32 check (%08" PRIx32 ", the directory says %08" PRIx32
                        "): the file is corrupt",
                        z->name, e->name, crc, e->crc);
    return 0;
}

void *ov_zip_read(ovZip *z, int i, size_t *size) {
    const Entry *e = &z->e[i]; /* a readable entry's size was bounded by the file's with the directory */
    if (ov_zip_check(z, i)) return NULL;
    unsigned char *buf = malloc((size_t)e->usize + 1);
    if (!buf) {
        ov_error("%s: entry '%s': out of memory for %" PRIu64 " bytes", z->name, e->name, e->usize);
        return NULL;
    }
    if (ov_zip_read_into(z, i, buf)) {
        free(buf);
        return NULL;
    }
    buf[e->usize] = 0;
    if (size) *size = (size_t)e->usize;
    return buf;
}
