# The pixel types of convpool's kernels and their conversions, shared by the convolution
# (_conv.pxi.in) and pooling (_pool.pxi.in) kernels.
#
# The kernels take every image and output as a raw buffer (see Stack below) plus a dtype
# code, and cast the row pointers to one of these types; a fused function is compiled
# only for the types a kernel asks for.

from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t

ctypedef fused pixel_t:
    uint8_t
    int8_t
    uint16_t
    int16_t
    uint32_t
    int32_t
    uint64_t
    int64_t
    float
    double

# The integer path's accumulators.
ctypedef fused acc_t:
    int16_t
    int32_t
    int64_t

# What convolve stores.
ctypedef fused out_t:
    uint8_t
    uint16_t
    int16_t
    float
    double


cdef inline out_t _put(double v, out_t* kind) noexcept nogil:
    # A float64 result as the output type: the integer types clamp to their range, then
    # truncate toward zero (the codelab's store into its uint8 image); NaN becomes 0.
    # The float types round to nearest (float32 overflows to +-inf). ``kind`` only
    # chooses the specialisation.
    # Written as selects, not early returns, so that loops storing through it vectorise.
    cdef double lo, hi
    if out_t is float or out_t is double:
        return <out_t>v
    elif out_t is uint8_t:
        # One test for NaN and the low end: the common store of the float path.
        v = v if v > 0.0 else 0.0
        v = v if v < 255.0 else 255.0
        return <uint8_t><int32_t>v  # through int32: one vector conversion, then packs
    else:
        lo = 0.0 if out_t is uint16_t else -32768.0
        hi = 65535.0 if out_t is uint16_t else 32767.0
        v = v if v == v else 0.0
        v = v if v > lo else lo
        v = v if v < hi else hi
        return <out_t><int32_t>v


# ---------------------------------------------------------------- buffers
# The kernels take their arrays through the buffer protocol as raw pointers: a typed
# memoryview costs more to set up than filtering a 32 x 32 image. The Python layer
# passes native, aligned stacks (N, H, W) whose rows are contiguous, kernels as 2-D
# C-contiguous arrays, and writeable outputs; a 2-D array is taken as a stack of one.

from cpython.buffer cimport PyBUF_STRIDES, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer


cdef struct Stack:
    char* data
    Py_ssize_t shape[3]  # images, rows, pixels per row
    Py_ssize_t strides[3]  # in bytes


cdef inline char* _at(const Stack* s, Py_ssize_t n, Py_ssize_t r) noexcept nogil:
    # The first pixel of row r of image n.
    return s.data + n * s.strides[0] + r * s.strides[1]


cdef inline int _take(object obj, Py_buffer* buf, Stack* s, bint writable) except -1:
    cdef int i, lead
    PyObject_GetBuffer(obj, buf, PyBUF_STRIDES | (PyBUF_WRITABLE if writable else 0))
    if buf.ndim < 2 or buf.ndim > 3:
        PyBuffer_Release(buf)
        raise ValueError(f"the kernels take 2-D or 3-D arrays, got {buf.ndim}-D")
    lead = 3 - buf.ndim
    s.data = <char*>buf.buf
    s.shape[0] = 1
    s.strides[0] = 0
    for i in range(buf.ndim):
        s.shape[i + lead] = buf.shape[i]
        s.strides[i + lead] = buf.strides[i]
    return 0


cdef inline void _release(Py_buffer* bufs, int taken) noexcept:
    cdef int i
    for i in range(taken):
        PyBuffer_Release(&bufs[i])
