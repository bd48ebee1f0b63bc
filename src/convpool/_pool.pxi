# Pooling kernels behind convpool.max_pool, min_pool and avg_pool, compiled twice: into
# ``_pool`` with the baseline flags and into ``_pool_avx2`` with AVX2 enabled.
#
# They trust their arguments: the Python layer (``_pooling.py``) lays images out as
# native-endian stacks ``(N, H, W)`` whose last axis has unit stride (rows may be any
# distance apart, so slices need no copy; the views are declared strided and each row is
# then walked through a plain pointer), allocates the output and splits the work into
# bands of output rows (output row ``g`` is row ``g % Ho`` of image ``g // Ho``).

from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc

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


cdef inline pixel_t _max(pixel_t a, pixel_t b) noexcept nogil:
    # NaN wins, as in numpy.max: keep a if it is NaN or not smaller, else take b. Of two
    # equal values (0.0 and -0.0) the first is kept, so floats are folded in the
    # reference's row-major order.
    if pixel_t is float or pixel_t is double:
        if a >= b or a != a:
            return a
        return b
    else:
        return a if a >= b else b


cdef inline uint16_t _max16(uint16_t a, uint16_t b) noexcept nogil:
    return a if a >= b else b


cdef inline void _max_of_pairs(const uint16_t* pairs, uint8_t* dst, Py_ssize_t n) noexcept nogil:
    # dst[c] = the larger byte of pairs[c], whichever byte order the machine has: uint8
    # pixels read two at a time, so whole vectors load and the bytes part by a shift and
    # a mask, where strided byte loads would need shuffles.
    cdef Py_ssize_t c
    cdef uint16_t x
    for c in range(n):
        x = pairs[c]
        dst[c] = <uint8_t>_max16(x & 0xFF, x >> 8)


cdef inline void _max_of_pairs_and(const uint16_t* pairs, const uint8_t* other, uint8_t* dst,
                                   Py_ssize_t n) noexcept nogil:
    # dst[c] = max(other[c], the larger byte of pairs[c]).
    cdef Py_ssize_t c
    cdef uint16_t x
    for c in range(n):
        x = pairs[c]
        dst[c] = <uint8_t>_max16(other[c], _max16(x & 0xFF, x >> 8))


def max_pool(const pixel_t[:, :, :] image, pixel_t[:, :, :] out,
             Py_ssize_t size_r, Py_ssize_t size_c,
             Py_ssize_t stride_r, Py_ssize_t stride_c,
             Py_ssize_t row_start, Py_ssize_t row_stop):
    """Maximum of each ``size_r x size_c`` window, windows ``stride`` apart.

    Integer windows take the maximum down the rows first, over contiguous columns, then
    across (order does not matter for integers); float windows keep row-major order.
    Each image row is read from start to end before the next, one sequential stream that
    the CPU prefetches well (reading two rows side by side, as a 2x2 window does, was
    markedly slower here). 2x2 windows of uint8 two apart (the codelab's pooling) go
    across first instead, each row read as pixel pairs (_max_of_pairs), when the rows
    start at even addresses; other 2x2 windows two apart take one pass over two rows.
    """
    cdef Py_ssize_t ho = out.shape[1], wo = out.shape[2]
    cdef Py_ssize_t span = (wo - 1) * stride_c + size_c
    cdef Py_ssize_t g, n, r, i, j, c
    cdef const pixel_t* src
    cdef const pixel_t* below
    cdef const pixel_t* col
    cdef pixel_t* colmax = NULL
    cdef pixel_t* dst
    cdef pixel_t m
    cdef bint two = size_r == 2 and size_c == 2 and stride_r == 2 and stride_c == 2
    cdef bint pairs = False
    if pixel_t is uint8_t:
        pairs = two
        two = False
    if row_stop <= row_start or wo == 0:
        return
    with nogil:
        if not two and size_r > 1 and pixel_t is not float and pixel_t is not double:
            colmax = <pixel_t*>malloc(span * sizeof(pixel_t))
            if colmax == NULL:
                with gil:
                    raise MemoryError()
        for g in range(row_start, row_stop):
            n = g // ho
            r = g - n * ho
            dst = &out[n, r, 0]
            src = &image[n, r * stride_r, 0]
            if pixel_t is uint8_t:
                if pairs:
                    below = &image[n, r * stride_r + 1, 0]
                    if (<size_t>src) % 2 == 0 and (<size_t>below) % 2 == 0:
                        _max_of_pairs(<const uint16_t*>src, colmax, wo)
                        _max_of_pairs_and(<const uint16_t*>below, colmax, dst, wo)
                        continue
            if two:
                below = &image[n, r * stride_r + 1, 0]
                for c in range(wo):
                    if pixel_t is float or pixel_t is double:
                        m = _max(_max(_max(src[2 * c], src[2 * c + 1]), below[2 * c]), below[2 * c + 1])
                    else:
                        m = _max(_max(src[2 * c], src[2 * c + 1]), _max(below[2 * c], below[2 * c + 1]))
                    dst[c] = m
            elif pixel_t is float or pixel_t is double:
                for c in range(wo):
                    m = src[c * stride_c]
                    for j in range(1, size_c):
                        m = _max(m, src[c * stride_c + j])
                    dst[c] = m
                for i in range(1, size_r):
                    src = &image[n, r * stride_r + i, 0]
                    for c in range(wo):
                        m = dst[c]
                        for j in range(size_c):
                            m = _max(m, src[c * stride_c + j])
                        dst[c] = m
            else:
                col = src
                if size_r > 1:
                    for c in range(span):
                        colmax[c] = src[c]
                    for i in range(1, size_r):
                        src = &image[n, r * stride_r + i, 0]
                        for c in range(span):
                            colmax[c] = _max(colmax[c], src[c])
                    col = colmax
                if pixel_t is uint8_t:
                    if pairs:  # colmax comes from malloc: aligned for uint16 loads
                        _max_of_pairs(<const uint16_t*>colmax, dst, wo)
                        continue
                for c in range(wo):
                    m = col[c * stride_c]
                    for j in range(1, size_c):
                        m = _max(m, col[c * stride_c + j])
                    dst[c] = m
        free(colmax)


# ---------------------------------------------------------------- windows clipped at the edge
# The kernels below serve min_pool, avg_pool and max_pool(ceil_mode=True): a window that
# runs past the bottom/right edge pools the pixels that exist (output sizes are the
# wrapper's business; every window starts inside the image).

ctypedef fused mean_t:
    float
    double


cdef inline pixel_t _min(pixel_t a, pixel_t b) noexcept nogil:
    # NaN wins, as in numpy.min: keep a if it is NaN or not larger, else take b.
    if pixel_t is float or pixel_t is double:
        if a <= b or a != a:
            return a
        return b
    else:
        return a if a <= b else b


def extreme_pool(const pixel_t[:, :, :] image, pixel_t[:, :, :] out,
                 Py_ssize_t size_r, Py_ssize_t size_c,
                 Py_ssize_t stride_r, Py_ssize_t stride_c, bint find_max,
                 Py_ssize_t row_start, Py_ssize_t row_stop):
    """Maximum (or minimum) of each window, windows clipped at the image's edge."""
    cdef Py_ssize_t h = image.shape[1], w = image.shape[2]
    cdef Py_ssize_t ho = out.shape[1], wo = out.shape[2]
    cdef Py_ssize_t g, n, r, r0, nr, i, j, c, c0, nc
    cdef const pixel_t* src
    cdef pixel_t* dst
    cdef pixel_t m
    if row_stop <= row_start or wo == 0:
        return
    with nogil:
        for g in range(row_start, row_stop):
            n = g // ho
            r = g - n * ho
            r0 = r * stride_r
            nr = min(size_r, h - r0)
            dst = &out[n, r, 0]
            for i in range(nr):
                src = &image[n, r0 + i, 0]
                for c in range(wo):
                    c0 = c * stride_c
                    nc = min(size_c, w - c0)
                    m = dst[c] if i > 0 else src[c0]
                    if find_max:
                        for j in range(nc):
                            m = _max(m, src[c0 + j])
                    else:
                        for j in range(nc):
                            m = _min(m, src[c0 + j])
                    dst[c] = m


def avg_pool(const pixel_t[:, :, :] image, mean_t[:, :, :] out,
             Py_ssize_t size_r, Py_ssize_t size_c,
             Py_ssize_t stride_r, Py_ssize_t stride_c,
             Py_ssize_t row_start, Py_ssize_t row_stop):
    """Mean of each window: the pixels that exist summed in float64 in row-major order,
    divided by their count, rounded once to the output type."""
    cdef Py_ssize_t h = image.shape[1], w = image.shape[2]
    cdef Py_ssize_t ho = out.shape[1], wo = out.shape[2]
    cdef Py_ssize_t g, n, r, r0, nr, i, j, c, c0, nc
    cdef const pixel_t* src
    cdef mean_t* dst
    cdef double s
    cdef double* acc
    if row_stop <= row_start or wo == 0:
        return
    with nogil:
        acc = <double*>malloc(wo * sizeof(double))
        if acc == NULL:
            with gil:
                raise MemoryError()
        for g in range(row_start, row_stop):
            n = g // ho
            r = g - n * ho
            r0 = r * stride_r
            nr = min(size_r, h - r0)
            for c in range(wo):
                acc[c] = 0.0
            for i in range(nr):
                src = &image[n, r0 + i, 0]
                for c in range(wo):
                    c0 = c * stride_c
                    nc = min(size_c, w - c0)
                    s = acc[c]
                    for j in range(nc):
                        s = s + <double>src[c0 + j]
                    acc[c] = s
            dst = &out[n, r, 0]
            for c in range(wo):
                nc = min(size_c, w - c * stride_c)
                dst[c] = <mean_t>(acc[c] / <double>(nr * nc))
        free(acc)
