# Convolution kernels behind convpool.convolve, compiled twice: into ``_conv`` with the
# baseline flags and into ``_conv_avx2`` with AVX2 enabled. Both must give identical
# results; only the instructions the compiler picks differ.
#
# They trust their arguments: the Python layer (``_filters.py``) checks every value, lays
# images out as native-endian stacks ``(N, H, W)`` whose last axis has unit stride (rows
# may be any distance apart, so slices need no copy; the views are declared strided and
# each row is then walked through a plain pointer), allocates the output and splits the
# work into bands of output rows. An output row ``g`` of the stack is row ``g % Ho`` of
# image ``g // Ho``.
#
# Every inner loop runs over contiguous columns with the taps outside it, so the compiler
# vectorises it: 16 uint8 pixels per AVX2 instruction on the int16 path.

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

# The images the int16 and int32 paths serve: the wrapper picks them only when
# sum(|kernel|) * max|pixel| fits the accumulator, which needs narrow pixels.
ctypedef fused int8_image_t:
    uint8_t
    int8_t

ctypedef fused int16_image_t:
    uint8_t
    int8_t
    uint16_t
    int16_t

ctypedef fused acc_t:
    int16_t
    int32_t
    int64_t

ctypedef fused out_t:
    uint8_t
    float
    double


cdef inline uint8_t _to_uint8(double v) noexcept nogil:
    # Clamp to 0..255, then truncate toward zero as the codelab's integer store does.
    # NaN fails the first test and becomes 0.
    if not v > 0.0:
        return 0
    if v >= 255.0:
        return 255
    return <uint8_t>v


cdef inline uint8_t _clamp(acc_t v) noexcept nogil:
    # The integer twin of _to_uint8 for weight 1: no rounding is involved.
    if v < 0:
        return 0
    if v > 255:
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


cdef inline void _store_int(out_t* dst, const acc_t* acc, double weight,
                            Py_ssize_t n) noexcept nogil:
    # acc holds exact integers below 2**53, so <double>acc equals the reference's sum.
    cdef Py_ssize_t c
    for c in range(n):
        if out_t is uint8_t:
            dst[c] = _to_uint8(weight * <double>acc[c])
        else:
            dst[c] = <out_t>(weight * <double>acc[c])


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


# Columns per block of the float path: 4 KiB of float64 sums.
cdef enum:
    _BLOCK = 512


cdef inline void _row_taps(double* acc, const double* s, const double* k,
                           Py_ssize_t kw, Py_ssize_t n) noexcept nogil:
    # Add one kernel row's taps to acc, left to right. The common widths keep the sum
    # in a register across the row's taps (one load and store of acc per kernel row,
    # not per tap); the order of the additions is the reference's in every branch.
    cdef Py_ssize_t c, j
    cdef double k0, k1, k2, k3, k4, k5, k6, a
    if kw == 3:
        k0 = k[0]; k1 = k[1]; k2 = k[2]
        for c in range(n):
            a = acc[c] + k0 * s[c]
            a = a + k1 * s[c + 1]
            acc[c] = a + k2 * s[c + 2]
    elif kw == 5:
        k0 = k[0]; k1 = k[1]; k2 = k[2]; k3 = k[3]; k4 = k[4]
        for c in range(n):
            a = acc[c] + k0 * s[c]
            a = a + k1 * s[c + 1]
            a = a + k2 * s[c + 2]
            a = a + k3 * s[c + 3]
            acc[c] = a + k4 * s[c + 4]
    elif kw == 7:
        k0 = k[0]; k1 = k[1]; k2 = k[2]; k3 = k[3]; k4 = k[4]; k5 = k[5]; k6 = k[6]
        for c in range(n):
            a = acc[c] + k0 * s[c]
            a = a + k1 * s[c + 1]
            a = a + k2 * s[c + 2]
            a = a + k3 * s[c + 3]
            a = a + k4 * s[c + 4]
            a = a + k5 * s[c + 5]
            acc[c] = a + k6 * s[c + 6]
    else:
        for j in range(kw):
            k0 = k[j]
            for c in range(n):
                acc[c] = acc[c] + k0 * s[c + j]


def correlate_float(const image_t[:, :, :] image, const double[:, ::1] kernel,
                    double weight, out_t[:, :, :] out, bint keep,
                    Py_ssize_t row_start, Py_ssize_t row_stop):
    """Cross-correlate in float64, adding the taps of each pixel in row-major order.

    That order is the reference's, so every result is bit-identical to it. Image rows
    are converted to float64 once and kept in a ring of ``kh`` rows, so each pixel is
    converted once, not once per tap.
    """
    cdef Py_ssize_t h = image.shape[1], w = image.shape[2]
    cdef Py_ssize_t kh = kernel.shape[0], kw = kernel.shape[1]
    cdef Py_ssize_t ho = out.shape[1], wo = out.shape[2]
    cdef Py_ssize_t ar = kh // 2, ac = kw // 2
    cdef Py_ssize_t wv = w - kw + 1
    cdef Py_ssize_t g, n, r, top, i, c, c0, row, slot, blk, b, nb
    cdef double* acc
    cdef double* ring = NULL
    cdef Py_ssize_t* ring_row = NULL
    cdef const double* srow
    cdef const image_t* src
    cdef out_t* dst
    if row_stop <= row_start or wo == 0:
        return
    with nogil:
        acc = <double*>malloc(_BLOCK * sizeof(double))
        if image_t is not double:
            ring = <double*>malloc(max(kh * w, 1) * sizeof(double))
            ring_row = <Py_ssize_t*>malloc(kh * sizeof(Py_ssize_t))
        if acc == NULL or (image_t is not double and (ring == NULL or ring_row == NULL)):
            free(acc)
            free(ring)
            free(ring_row)
            with gil:
                raise MemoryError()
        if image_t is not double:
            for i in range(kh):
                ring_row[i] = -1
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
            if image_t is not double:
                for i in range(kh):
                    row = n * h + top + i
                    slot = row % kh
                    if ring_row[slot] != row:
                        src = &image[n, top + i, 0]
                        for c in range(w):
                            ring[slot * w + c] = <double>src[c]
                        ring_row[slot] = row
            # Columns in blocks, all kernel rows per block: the block's sums and source
            # stay in the L1 cache between kernel rows.
            for blk in range((wv + _BLOCK - 1) // _BLOCK):
                b = blk * _BLOCK
                nb = min(_BLOCK, wv - b)
                for c in range(nb):
                    acc[c] = 0.0
                for i in range(kh):
                    if image_t is double:
                        srow = &image[n, top + i, 0]
                    else:
                        srow = ring + ((n * h + top + i) % kh) * w
                    _row_taps(acc, srow + b, &kernel[i, 0], kw, nb)
                _store(dst + c0 + b, acc, weight, nb)
        free(acc)
        free(ring)
        free(ring_row)


cdef inline void _int_run(const char* anchor, const Py_ssize_t* offset, const acc_t* coef,
                          Py_ssize_t ngroups, acc_t* acc, out_t* dst, Py_ssize_t n,
                          bint direct, double weight, const int_image_t* kind) noexcept nogil:
    # n output pixels in a row of memory: output pixel c sums coef[t] * pixel at
    # anchor + offset[t] bytes, c pixels on. Taps go three per pass, so the sums are
    # loaded and stored once per three taps; the last pass of uint8 output with
    # weight 1 clamps and stores directly.
    cdef Py_ssize_t t, c
    cdef acc_t k0, k1, k2
    cdef const int_image_t* p0
    cdef const int_image_t* p1
    cdef const int_image_t* p2
    for t in range(ngroups):
        k0 = coef[3 * t]
        k1 = coef[3 * t + 1]
        k2 = coef[3 * t + 2]
        p0 = <const int_image_t*>(anchor + offset[3 * t])
        p1 = <const int_image_t*>(anchor + offset[3 * t + 1])
        p2 = <const int_image_t*>(anchor + offset[3 * t + 2])
        if direct and t == ngroups - 1:
            if out_t is uint8_t:
                if t == 0:
                    for c in range(n):
                        dst[c] = _clamp(<acc_t>(k0 * p0[c] + k1 * p1[c] + k2 * p2[c]))
                else:
                    for c in range(n):
                        dst[c] = _clamp(<acc_t>(acc[c] + k0 * p0[c] + k1 * p1[c] + k2 * p2[c]))
        elif t == 0:
            for c in range(n):
                acc[c] = <acc_t>(k0 * p0[c] + k1 * p1[c] + k2 * p2[c])
        else:
            for c in range(n):
                acc[c] = <acc_t>(acc[c] + k0 * p0[c] + k1 * p1[c] + k2 * p2[c])
    if not direct:
        _store_int(dst, acc, weight, n)


# Output pixels per run of the integer path's contiguous-image case (int16 sums: 16 KiB).
cdef enum:
    _RUN = 8192


cdef int _correlate_int(const int_image_t[:, :, :] image, const int64_t[:, ::1] kernel,
                        double weight, out_t[:, :, :] out, bint keep,
                        Py_ssize_t row_start, Py_ssize_t row_stop, acc_t zero) except -1 nogil:
    # The nonzero taps, three per pass (the last group padded with zero taps, which add
    # exactly 0); for uint8 output and weight 1 the last pass clamps and stores
    # directly, otherwise the exact integer sums go through float64 as in the reference.
    # When image and output rows are contiguous ("keep" mode), several interior rows
    # form one run of memory: the run crosses the margins, which are then rewritten, so
    # small images pay no per-row loop overhead.
    cdef Py_ssize_t h = image.shape[1], w = image.shape[2]
    cdef Py_ssize_t kh = kernel.shape[0], kw = kernel.shape[1]
    cdef Py_ssize_t ho = out.shape[1], wo = out.shape[2]
    cdef Py_ssize_t ar = kh // 2, ac = kw // 2
    cdef Py_ssize_t wv = w - kw + 1
    cdef Py_ssize_t rs = image.strides[1]
    cdef Py_ssize_t g, g1, n, r, r1, top, i, j, c0, t, nt, ngroups, chunk, length
    cdef acc_t* acc
    cdef acc_t* coef
    cdef Py_ssize_t* offset
    cdef const int_image_t* src
    cdef out_t* dst
    cdef bint direct = out_t is uint8_t and weight == 1.0
    cdef bint flat = (keep and kh <= h and kw <= w
                      and rs == w * <Py_ssize_t>sizeof(int_image_t)
                      and out.strides[1] == w * <Py_ssize_t>sizeof(out_t))
    if row_stop <= row_start or wo == 0:
        return 0
    # Rows per run: enough for about _RUN pixels.
    chunk = max(1, _RUN // w) if flat else 1
    acc = <acc_t*>malloc(max(chunk * w, 1) * sizeof(acc_t))
    coef = <acc_t*>malloc((kh * kw + 3) * sizeof(acc_t))
    offset = <Py_ssize_t*>malloc((kh * kw + 3) * sizeof(Py_ssize_t))
    if acc == NULL or coef == NULL or offset == NULL:
        free(acc)
        free(coef)
        free(offset)
        with gil:
            raise MemoryError()
    nt = 0
    for i in range(kh):
        for j in range(kw):
            if kernel[i, j] != 0:
                coef[nt] = <acc_t>kernel[i, j]
                offset[nt] = i * rs + j * <Py_ssize_t>sizeof(int_image_t)
                nt += 1
    if nt == 0:
        coef[0] = 0
        offset[0] = 0
        nt = 1
    ngroups = (nt + 2) // 3
    for t in range(nt, ngroups * 3):
        coef[t] = 0
        offset[t] = offset[0]
    g = row_start
    while g < row_stop:
        n = g // ho
        r = g - n * ho
        dst = &out[n, r, 0]
        if keep and _margin_row(r, h, kh, ar, w, kw):
            _copy_margin(dst, &image[n, r, 0], w)
            g += 1
            continue
        if flat:
            # Interior rows r..r1-1 of image n within the band, as one run.
            r1 = min(r + chunk, h - (kh - 1 - ar), r + row_stop - g)
            length = (r1 - 1 - r) * w + wv
            _int_run(<const char*>&image[n, r - ar, 0], offset, coef, ngroups, acc,
                     dst + ac, length, direct, weight, <const int_image_t*>NULL)
            for i in range(r, r1):
                src = &image[n, i, 0]
                dst = &out[n, i, 0]
                _copy_margin(dst, src, ac)
                _copy_margin(dst + ac + wv, src + ac + wv, w - ac - wv)
            g += r1 - r
            continue
        if keep:
            top = r - ar
            c0 = ac
            src = &image[n, r, 0]
            _copy_margin(dst, src, ac)
            _copy_margin(dst + ac + wv, src + ac + wv, w - ac - wv)
        else:
            top = r
            c0 = 0
        _int_run(<const char*>&image[n, top, 0], offset, coef, ngroups, acc,
                 dst + c0, wv, direct, weight, <const int_image_t*>NULL)
        g += 1
    free(acc)
    free(coef)
    free(offset)
    return 0


def correlate_int16(const int8_image_t[:, :, :] image, const int64_t[:, ::1] kernel,
                    double weight, out_t[:, :, :] out, bint keep,
                    Py_ssize_t row_start, Py_ssize_t row_stop):
    """Exact integer correlation accumulating in int16.

    The caller guarantees ``sum(|kernel|) * max|pixel| <= 32767``, so no partial sum
    can overflow.
    """
    with nogil:
        _correlate_int(image, kernel, weight, out, keep, row_start, row_stop, <int16_t>0)


def correlate_int32(const int16_image_t[:, :, :] image, const int64_t[:, ::1] kernel,
                    double weight, out_t[:, :, :] out, bint keep,
                    Py_ssize_t row_start, Py_ssize_t row_stop):
    """Exact integer correlation accumulating in int32.

    The caller guarantees ``sum(|kernel|) * max|pixel| <= 2**31 - 1``.
    """
    with nogil:
        _correlate_int(image, kernel, weight, out, keep, row_start, row_stop, <int32_t>0)


def correlate_int(const int_image_t[:, :, :] image, const int64_t[:, ::1] kernel,
                  double weight, out_t[:, :, :] out, bint keep,
                  Py_ssize_t row_start, Py_ssize_t row_stop):
    """Cross-correlate an integer image with an integer kernel, exactly, in int64.

    The caller guarantees ``sum(|kernel|) * max|pixel| < 2**53``: every partial sum
    is then an integer that float64 holds exactly, so the result equals the float64
    reference bit for bit.
    """
    with nogil:
        _correlate_int(image, kernel, weight, out, keep, row_start, row_stop, <int64_t>0)
