/* pickle_write.h: a small writer of Python pickles (protocol 2) for the ground-truth files ovad
 * produces (the ACT schema of datasets-and-eval.md §1.1): None, bools, ints, floats, str, lists,
 * tuples, dicts and numpy float32 arrays.
 *
 * The bytes are what Python 3's pickle.dumps(obj, protocol=2) writes after pickletools.optimize:
 * str as BINUNICODE, containers opened empty and filled under a MARK (APPENDS / SETITEMS / TUPLE),
 * and a numpy array the way ndarray.__reduce__ gives it:
 *     numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')
 *     BUILD (1, shape, dtype('f4', False, True) + BUILD (3, '<', None, None, None, -1, -1, 0),
 *            False, raw little-endian bytes)
 * with bytes written as _codecs.encode(u'<one code point per byte>', 'latin1'), since protocol 2
 * has no bytes opcode. The globals, b'b' and the dtype are memoized once and fetched with BINGET
 * afterwards, as Python does, so every array shares one dtype object.
 *
 * Usage: open containers with *_begin, write their items (a dict alternates key, value), close
 * them with *_end, then ov_pkw_save. Mismatched begin/end is a programming error (ov_panic). */
#ifndef OV_DATA_PICKLE_WRITE_H
#define OV_DATA_PICKLE_WRITE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ovPickleWriter ovPickleWriter;

ovPickleWriter *ov_pkw_new(void);
void ov_pkw_free(ovPickleWriter *w);

void ov_pkw_none(ovPickleWriter *w);
void ov_pkw_bool(ovPickleWriter *w, int v);
void ov_pkw_int(ovPickleWriter *w, int64_t v);
void ov_pkw_float(ovPickleWriter *w, double v);
/* A Python 3 str from UTF-8 text (NUL-terminated, or n bytes). */
void ov_pkw_str(ovPickleWriter *w, const char *s);
void ov_pkw_str_n(ovPickleWriter *w, const char *s, size_t n);
/* Python 3 bytes (via _codecs.encode(..., 'latin1')). */
void ov_pkw_bytes(ovPickleWriter *w, const void *data, size_t n);

void ov_pkw_list_begin(ovPickleWriter *w);
void ov_pkw_list_end(ovPickleWriter *w);
void ov_pkw_tuple_begin(ovPickleWriter *w);
void ov_pkw_tuple_end(ovPickleWriter *w);
void ov_pkw_dict_begin(ovPickleWriter *w);
void ov_pkw_dict_end(ovPickleWriter *w);

/* A C-order numpy float32 array of the given shape (ndim >= 0; 0-dim holds one value). */
void ov_pkw_array_f32(ovPickleWriter *w, const float *data, int ndim, const int64_t *shape);

/* The finished pickle (PROTO 2 ... STOP): a view into the writer, valid until the next call.
 * Panics when a container is still open. */
const uint8_t *ov_pkw_bytes_out(ovPickleWriter *w, size_t *n);
/* Writes the finished pickle to path; 0, or -1 with ov_last_error() naming the file. */
int ov_pkw_save(ovPickleWriter *w, const char *path);

#endif
