"""Convolution kernels behind :func:`convpool.convolve`.

They trust their arguments: the Python layer (``_filters.py``) checks every value, lays
images out as native-endian stacks ``(N, H, W)`` whose last axis has unit stride (rows may be any
distance apart, so slices need no copy; the views are declared strided and each row is
then walked through a plain pointer), allocates the
output and splits the work into bands of output rows. An output row ``g`` of the stack is
row ``g % Ho`` of image ``g // Ho``.
"""

from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc

ctypedef fused image_t:
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

ctypedef fused int_image_t:
    uint8_t
    int8_t
    uint16_t
    int16_t
    uint32_t
    int32_t
    int64_t

ctypedef fused out_t:
    uint8_t
    float
    double

# Output columns accumulated at a time: the scratch row stays small (and in cache)
# however wide the image; a row-wide buffer once took 16 bytes per pixel.
cdef enum:
    _TILE = 4096


cdef inline uint8_t _to_uint8(double v) noexcept nogil:
    # Clamp to 0..255, then truncate toward zero as the codelab's integer store does.
    # NaN fails the first test and becomes 0.
    if not v > 0.0:
        return 0
    if v >= 255.0:
        return 255
    return <uint8_t>v


cdef inline void _store(out_t* dst, const double* acc, double weight,
                        Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t c
    for c in range(n):
        if out_t is uint8_t:
            dst[c] = _to_uint8(weight * acc[c])
        else:
            dst[c] = <out_t>(weight * acc[c])


cdef inline void _copy_margin(out_t* dst, const image_t* src, Py_ssize_t n) noexcept nogil:
    # The codelab's margin keeps the input value, converted like any other result.
    cdef Py_ssize_t c
    for c in range(n):
        if out_t is uint8_t:
            dst[c] = _to_uint8(<double>src[c])
        else:
            dst[c] = <out_t>(<double>src[c])


cdef inline bint _margin_row(Py_ssize_t r, Py_ssize_t h, Py_ssize_t kh, Py_ssize_t ar,
                             Py_ssize_t w, Py_ssize_t kw) noexcept nogil:
    return r < ar or r - ar + kh > h or kw > w


def correlate_float(const image_t[:, :, :] image, const double[:, ::1] kernel,
                    double weight, out_t[:, :, :] out, bint keep,
                    Py_ssize_t row_start, Py_ssize_t row_stop):
    """Cross-correlate in float64, adding the taps of each pixel in row-major order.

    That order is the reference's, so every result is bit-identical to it.
    """
    cdef Py_ssize_t h = image.shape[1], w = image.shape[2]
    cdef Py_ssize_t kh = kernel.shape[0], kw = kernel.shape[1]
    cdef Py_ssize_t ho = out.shape[1], wo = out.shape[2]
    cdef Py_ssize_t ar = kh // 2, ac = kw // 2
    cdef Py_ssize_t wv = w - kw + 1
    cdef Py_ssize_t g, n, r, top, i, j, c, c0, t, tn
    cdef double kv
    cdef double* acc
    cdef const image_t* src
    cdef out_t* dst
    if row_stop <= row_start or wo == 0:
        return
    with nogil:
        acc = <double*>malloc(_TILE * sizeof(double))
        if acc == NULL:
            with gil:
                raise MemoryError()
        for g in range(row_start, row_stop):
            n = g // ho
            r = g - n * ho
            dst = &out[n, r, 0]
            if keep:
                if _margin_row(r, h, kh, ar, w, kw):
                    _copy_margin(dst, &image[n, r, 0], w)
                    continue
                top = r - ar
                c0 = ac
                src = &image[n, r, 0]
                _copy_margin(dst, src, ac)
                _copy_margin(dst + ac + wv, src + ac + wv, w - ac - wv)
            else:
                top = r
                c0 = 0
            t = 0
            while t < wv:
                tn = min(_TILE, wv - t)
                for c in range(tn):
                    acc[c] = 0.0
                for i in range(kh):
                    for j in range(kw):
                        kv = kernel[i, j]
                        src = &image[n, top + i, j + t]
                        for c in range(tn):
                            acc[c] = acc[c] + kv * <double>src[c]
                _store(dst + c0 + t, acc, weight, tn)
                t += _TILE
        free(acc)


def correlate_int(const int_image_t[:, :, :] image, const int64_t[:, ::1] kernel,
                  double weight, out_t[:, :, :] out, bint keep,
                  Py_ssize_t row_start, Py_ssize_t row_stop):
    """Cross-correlate an integer image with an integer kernel, exactly, in int64.

    The caller guarantees ``sum(|kernel|) * max|pixel| < 2**53``: every partial sum
    is then an integer that float64 holds exactly, so the result equals the float64
    reference bit for bit. Zero taps are skipped (they add exactly 0 here).
    """
    cdef Py_ssize_t h = image.shape[1], w = image.shape[2]
    cdef Py_ssize_t kh = kernel.shape[0], kw = kernel.shape[1]
    cdef Py_ssize_t ho = out.shape[1], wo = out.shape[2]
    cdef Py_ssize_t ar = kh // 2, ac = kw // 2
    cdef Py_ssize_t wv = w - kw + 1
    cdef Py_ssize_t g, n, r, top, i, j, c, c0, t, tn
    cdef int64_t kv
    cdef int64_t* acc
    cdef double* facc
    cdef const int_image_t* src
    cdef out_t* dst
    if row_stop <= row_start or wo == 0:
        return
    with nogil:
        acc = <int64_t*>malloc(_TILE * sizeof(int64_t))
        facc = <double*>malloc(_TILE * sizeof(double))
        if acc == NULL or facc == NULL:
            free(acc)
            free(facc)
            with gil:
                raise MemoryError()
        for g in range(row_start, row_stop):
            n = g // ho
            r = g - n * ho
            dst = &out[n, r, 0]
            if keep:
                if _margin_row(r, h, kh, ar, w, kw):
                    _copy_margin(dst, &image[n, r, 0], w)
                    continue
                top = r - ar
                c0 = ac
                src = &image[n, r, 0]
                _copy_margin(dst, src, ac)
                _copy_margin(dst + ac + wv, src + ac + wv, w - ac - wv)
            else:
                top = r
                c0 = 0
            t = 0
            while t < wv:
                tn = min(_TILE, wv - t)
                for c in range(tn):
                    acc[c] = 0
                for i in range(kh):
                    for j in range(kw):
                        kv = kernel[i, j]
                        if kv == 0:
                            continue
                        src = &image[n, top + i, j + t]
                        for c in range(tn):
                            acc[c] = acc[c] + kv * <int64_t>src[c]
                for c in range(tn):
                    facc[c] = <double>acc[c]
                _store(dst + c0 + t, facc, weight, tn)
                t += _TILE
        free(acc)
        free(facc)
