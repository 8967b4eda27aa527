/* numpy.h: numpy arrays inside pickles, turned into tensors by hooks on the pickle reader
 * (data/pickle.h), without numpy and without running anything from the file.
 *
 * numpy pickles an array as one of
 *   - numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b') followed by BUILD with the
 *     state (version, shape, dtype, is_fortran, raw bytes): every protocol below 5 (the raw
 *     bytes are a Python-2 str in the ACT ground truth, _codecs.encode(u'...', 'latin1') when
 *     Python 3 writes protocol 0-2, plain bytes from protocol 3 on);
 *   - numpy.core.numeric._frombuffer(buffer, dtype, shape, order): protocol 5;
 * and a dtype as numpy.dtype('f4', False, True) followed by BUILD with (version, byteorder, ...);
 * a numpy scalar (a numpy.int64 dict key, say) as numpy.core.multiarray.scalar(dtype, raw).
 * numpy >= 2 writes numpy._core instead of numpy.core; both are accepted.
 *
 * The hooks accept only those globals and the pure-data standard-library ones the pickle reader
 * already interprets (OrderedDict, set, frozenset, bytes, bytearray, _codecs.encode): anything
 * else fails the parse with the global's name. Arrays become contiguous CPU tensors in the scope
 * that is current during the parse (f4 -> f32, f8 -> f32 (rounded), f2 -> f16, i8/u4 -> i64,
 * i4/i2/i1/u2 -> i32, u1 -> u8, b1 -> bool; big-endian data is swapped, Fortran-order data
 * transposed into C order). Scalars become plain INT/FLOAT/BOOL pickle values. The state is
 * checked (raw length == prod(shape) * itemsize, a known dtype, shape entries in range) when the
 * BUILD runs, so a bad array fails the parse at its byte offset.
 *
 *     ovNumpy *np = ov_numpy_new();
 *     ovPkHooks h = ov_numpy_hooks(np);
 *     ov_scope_begin();
 *     ovPickle *pk = ov_pickle_load(path, &h);
 *     ... ov_numpy_array(np, value) gives the tensor of an array value ...
 *     ov_pickle_free(pk); ov_numpy_free(np);
 *     ov_scope_end();
 */
#ifndef OV_DATA_NUMPY_H
#define OV_DATA_NUMPY_H

#include <stdint.h>

#include "data/pickle.h"
#include "tensor/tensor.h"

typedef struct ovNumpy ovNumpy;

ovNumpy *ov_numpy_new(void);
void ov_numpy_free(ovNumpy *np); /* the tensors belong to their scope, not to np */
ovPkHooks ov_numpy_hooks(ovNumpy *np);

/* The tensor an array value was turned into, or NULL when v is not a (completed) numpy array. */
ovTensor *ov_numpy_array(const ovNumpy *np, const ovPkValue *v);
/* How many arrays the parse made. */
int ov_numpy_count(const ovNumpy *np);

/* Small helpers for walking pickled data. */
/* An INT/BOOL, or a FLOAT holding an integral value (ACT stores frame numbers as floats). */
int ov_pk_as_int(const ovPkValue *v, int64_t *out);
/* A LIST or TUPLE. */
int ov_pk_is_seq(const ovPkValue *v);

#endif
