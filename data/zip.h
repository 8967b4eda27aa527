/* zip.h: a read-only zip archive reader (PKWARE APPNOTE.TXT), enough for torch.save files and
 * the zips that Python's zipfile writes: the central directory (found from the end-of-central-
 * directory record, or its zip64 twin for archives over 4 GiB or 65535 entries), zip64 extra
 * fields, data offsets taken from each local header (torch pads the local extra field so that
 * storages start 64-byte aligned), stored and deflated entries (zlib), and a CRC-32 check of
 * everything read. Encrypted, multi-disk and other compression methods are refused by name.
 *
 * Every fault is reported as "NAME: what" through ov_last_error(), naming the entry when one
 * is at fault. */
#ifndef OV_ZIP_H
#define OV_ZIP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ovZip ovZip;

/* Maps the file and reads its central directory; NULL with ov_last_error() on any fault. */
ovZip *ov_zip_open(const char *path);
/* The same over bytes the caller keeps alive until ov_zip_close (`name` is for messages). */
ovZip *ov_zip_open_mem(const void *data, size_t size, const char *name);
void ov_zip_close(ovZip *z);

int ov_zip_count(const ovZip *z);
const char *ov_zip_entry_name(const ovZip *z, int i);
uint64_t ov_zip_entry_size(const ovZip *z, int i); /* uncompressed */
int ov_zip_entry_method(const ovZip *z, int i);    /* 0 stored, 8 deflated */
int ov_zip_find(const ovZip *z, const char *name); /* first entry of that name, or -1 */
const char *ov_zip_name(const ovZip *z);

/* 0 when entry i can be read (stored or deflated, not encrypted), else -1 with ov_last_error().
 * The size of a readable entry is bounded by the file's (deflate expands at most 1032 times). */
int ov_zip_check(const ovZip *z, int i);
/* Entry i uncompressed into dst (ov_zip_entry_size bytes), CRC checked. 0, or -1 with
 * ov_last_error(). */
int ov_zip_read_into(ovZip *z, int i, void *dst);
/* Entry i in a malloc'd buffer (one byte longer, NUL-terminated); NULL on a fault. */
void *ov_zip_read(ovZip *z, int i, size_t *size);

#endif
