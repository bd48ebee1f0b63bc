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
    # The integer twin of _to_uint8 for weight 1: no rounding is involved. Written as
    # one expression, so that the compiler emits vector min/max and a saturating pack.
    # (narrowed once, at the end).
    v = 0 if v < 0 else (255 if v > 255 else v)
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


cdef inline void _row_taps2(double* acc, double* acc2, const double* s, const double* k,
                            const double* q, Py_ssize_t kw, Py_ssize_t n) noexcept nogil:
    # _row_taps for two output rows at once: one image row adds its taps to output row
    # o with kernel row k and to output row o + 1 with the kernel row above, q. Each
    # pixel is loaded once for both, which halves the loads per multiply; each sum still
    # takes its taps in the reference's order.
    cdef Py_ssize_t c, j
    cdef double k0, k1, k2, k3, k4, k5, k6, q0, q1, q2, q3, q4, q5, q6, a, b, x
    if kw == 3:
        k0 = k[0]; k1 = k[1]; k2 = k[2]
        q0 = q[0]; q1 = q[1]; q2 = q[2]
        for c in range(n):
            a = acc[c]
            b = acc2[c]
            x = s[c]
            a = a + k0 * x
            b = b + q0 * x
            x = s[c + 1]
            a = a + k1 * x
            b = b + q1 * x
            x = s[c + 2]
            acc[c] = a + k2 * x
            acc2[c] = b + q2 * x
    elif kw == 5:
        k0 = k[0]; k1 = k[1]; k2 = k[2]; k3 = k[3]; k4 = k[4]
        q0 = q[0]; q1 = q[1]; q2 = q[2]; q3 = q[3]; q4 = q[4]
        for c in range(n):
            a = acc[c]
            b = acc2[c]
            x = s[c]
            a = a + k0 * x
            b = b + q0 * x
            x = s[c + 1]
            a = a + k1 * x
            b = b + q1 * x
            x = s[c + 2]
            a = a + k2 * x
            b = b + q2 * x
            x = s[c + 3]
            a = a + k3 * x
            b = b + q3 * x
            x = s[c + 4]
            acc[c] = a + k4 * x
            acc2[c] = b + q4 * x
    elif kw == 7:
        k0 = k[0]; k1 = k[1]; k2 = k[2]; k3 = k[3]; k4 = k[4]; k5 = k[5]; k6 = k[6]
        q0 = q[0]; q1 = q[1]; q2 = q[2]; q3 = q[3]; q4 = q[4]; q5 = q[5]; q6 = q[6]
        for c in range(n):
            a = acc[c]
            b = acc2[c]
            x = s[c]
            a = a + k0 * x
            b = b + q0 * x
            x = s[c + 1]
            a = a + k1 * x
            b = b + q1 * x
            x = s[c + 2]
            a = a + k2 * x
            b = b + q2 * x
            x = s[c + 3]
            a = a + k3 * x
            b = b + q3 * x
            x = s[c + 4]
            a = a + k4 * x
            b = b + q4 * x
            x = s[c + 5]
            a = a + k5 * x
            b = b + q5 * x
            x = s[c + 6]
            acc[c] = a + k6 * x
            acc2[c] = b + q6 * x
    else:
        _row_taps(acc, s, k, kw, n)
        _row_taps(acc2, s, q, kw, n)


def correlate_float(const image_t[:, :, :] image, const double[:, ::1] kernel,
                    double weight, out_t[:, :, :] out, bint keep,
                    Py_ssize_t row_start, Py_ssize_t row_stop):
    """Cross-correlate in float64, adding the taps of each pixel in row-major order.

    That order is the reference's, so every result is bit-identical to it. Image rows
    are converted to float64 once and kept in a ring of ``kh + 1`` rows, so each pixel
    is converted once, not once per tap. Interior output rows go in pairs, which share
    their image rows (see _row_taps2).
    """
    cdef Py_ssize_t h = image.shape[1], w = image.shape[2]
    cdef Py_ssize_t kh = kernel.shape[0], kw = kernel.shape[1]
    cdef Py_ssize_t ho = out.shape[1], wo = out.shape[2]
    cdef Py_ssize_t ar = kh // 2, ac = kw // 2
    cdef Py_ssize_t wv = w - kw + 1
    cdef Py_ssize_t nslot = kh + 1
    cdef Py_ssize_t g, n, r, top, i, c, c0, row, slot, blk, b, nb, rows, e
    cdef double* acc
    cdef double* acc2
    cdef double* ring = NULL
    cdef Py_ssize_t* ring_row = NULL
    cdef const double* srow
    cdef const image_t* src
    cdef out_t* dst
    if row_stop <= row_start or wo == 0:
        return
    with nogil:
        acc = <double*>malloc(2 * _BLOCK * sizeof(double))
        acc2 = acc + _BLOCK
        if image_t is not double:
            ring = <double*>malloc(max(nslot * w, 1) * sizeof(double))
            ring_row = <Py_ssize_t*>malloc(nslot * sizeof(Py_ssize_t))
        if acc == NULL or (image_t is not double and (ring == NULL or ring_row == NULL)):
            free(acc)
            free(ring)
            free(ring_row)
            with gil:
                raise MemoryError()
        if image_t is not double:
            for i in range(nslot):
                ring_row[i] = -1
        g = row_start
        while g < row_stop:
            n = g // ho
            r = g - n * ho
            if keep:
                if _margin_row(r, h, kh, ar, w, kw):
                    _copy_margin(&out[n, r, 0], &image[n, r, 0], w)
                    g += 1
                    continue
                top = r - ar
                c0 = ac
            else:
                top = r
                c0 = 0
            # Two output rows when the next one is in this band, of this image, and
            # interior too (margin rows come only at an image's top and bottom).
            rows = 1
            if (kh > 1 and g + 1 < row_stop and r + 1 < ho
                    and not (keep and _margin_row(r + 1, h, kh, ar, w, kw))):
                rows = 2
            if image_t is not double:
                for i in range(kh + rows - 1):
                    row = n * h + top + i
                    slot = row % nslot
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
                    acc2[c] = 0.0
                for i in range(kh + rows - 1):
                    if image_t is double:
                        srow = &image[n, top + i, 0]
                    else:
                        srow = ring + ((n * h + top + i) % nslot) * w
                    if rows == 1:
                        _row_taps(acc, srow + b, &kernel[i, 0], kw, nb)
                    elif i == 0:
                        _row_taps(acc, srow + b, &kernel[0, 0], kw, nb)
                    elif i == kh:
                        _row_taps(acc2, srow + b, &kernel[kh - 1, 0], kw, nb)
                    else:
                        _row_taps2(acc, acc2, srow + b, &kernel[i, 0], &kernel[i - 1, 0], kw, nb)
                _store(&out[n, r, 0] + c0 + b, acc, weight, nb)
                if rows == 2:
                    _store(&out[n, r + 1, 0] + c0 + b, acc2, weight, nb)
            if keep:
                for e in range(r, r + rows):
                    dst = &out[n, e, 0]
                    src = &image[n, e, 0]
                    _copy_margin(dst, src, ac)
                    _copy_margin(dst + ac + wv, src + ac + wv, w - ac - wv)
            g += rows
        free(acc)
        free(ring)
        free(ring_row)


# Taps per pass of the integer path: up to nine (a whole 3x3 kernel) are summed in
# registers and stored once; a kernel with more nonzero taps takes several passes that
# carry their sums in a buffer.
cdef enum:
    _PASS = 9


cdef inline acc_t _tap_sum(const int_image_t* p0, const int_image_t* p1, const int_image_t* p2, const int_image_t* p3, const int_image_t* p4, const int_image_t* p5, const int_image_t* p6, const int_image_t* p7, const int_image_t* p8,
                           acc_t k0, acc_t k1, acc_t k2, acc_t k3, acc_t k4, acc_t k5, acc_t k6, acc_t k7, acc_t k8,
                           Py_ssize_t c, int m) noexcept nogil:
    # The sum of the first m taps at output pixel c. Called with a literal m, so the
    # compiler drops the tests and vectorises the caller's loop over c. Products are
    # computed in C's int (or wider) and the sum narrowed to acc_t: the caller has
    # proved that every sum fits, so the result is exact.
    cdef acc_t s = <acc_t>(k0 * p0[c])
    if m > 1:
        s = <acc_t>(s + k1 * p1[c])
    if m > 2:
        s = <acc_t>(s + k2 * p2[c])
    if m > 3:
        s = <acc_t>(s + k3 * p3[c])
    if m > 4:
        s = <acc_t>(s + k4 * p4[c])
    if m > 5:
        s = <acc_t>(s + k5 * p5[c])
    if m > 6:
        s = <acc_t>(s + k6 * p6[c])
    if m > 7:
        s = <acc_t>(s + k7 * p7[c])
    if m > 8:
        s = <acc_t>(s + k8 * p8[c])
    return s


cdef inline void _pass(const char* anchor, const Py_ssize_t* offset, const acc_t* coef,
                       Py_ssize_t m, const acc_t* acc_in, acc_t* acc_out, out_t* dst,
                       Py_ssize_t n, const int_image_t* kind) noexcept nogil:
    # One pass of m <= _PASS taps over n output pixels: start from acc_in (or 0), then
    # store the sums into acc_out, or (acc_out NULL: uint8 output of weight 1) clamp
    # them into dst. acc_in is only ever given with m == _PASS. Every loop below names
    # m as a literal, so each compiles to its own vectorised loop with no tests inside.
    cdef Py_ssize_t c, t
    cdef const int_image_t* p[_PASS]
    cdef acc_t k[_PASS]
    for t in range(_PASS):
        p[t] = <const int_image_t*>(anchor + offset[t if t < m else 0])
        k[t] = coef[t] if t < m else 0
    cdef const int_image_t *p0 = p[0], *p1 = p[1], *p2 = p[2], *p3 = p[3], *p4 = p[4]
    cdef const int_image_t *p5 = p[5], *p6 = p[6], *p7 = p[7], *p8 = p[8]
    cdef acc_t k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4]
    cdef acc_t k5 = k[5], k6 = k[6], k7 = k[7], k8 = k[8]
    if acc_in != NULL:
        if acc_out != NULL:
            for c in range(n):
                acc_out[c] = <acc_t>(acc_in[c] + _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 9))
        elif out_t is uint8_t:
            for c in range(n):
                dst[c] = _clamp(<acc_t>(acc_in[c] + _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 9)))
    elif acc_out != NULL:
        if m == 1:
            for c in range(n):
                acc_out[c] = _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 1)
        elif m == 2:
            for c in range(n):
                acc_out[c] = _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 2)
        elif m == 3:
            for c in range(n):
                acc_out[c] = _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 3)
        elif m == 4:
            for c in range(n):
                acc_out[c] = _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 4)
        elif m == 5:
            for c in range(n):
                acc_out[c] = _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 5)
        elif m == 6:
            for c in range(n):
                acc_out[c] = _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 6)
        elif m == 7:
            for c in range(n):
                acc_out[c] = _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 7)
        elif m == 8:
            for c in range(n):
                acc_out[c] = _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 8)
        else:
            for c in range(n):
                acc_out[c] = _tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 9)
    elif out_t is uint8_t:
        if m == 1:
            for c in range(n):
                dst[c] = _clamp(_tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 1))
        elif m == 2:
            for c in range(n):
                dst[c] = _clamp(_tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 2))
        elif m == 3:
            for c in range(n):
                dst[c] = _clamp(_tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 3))
        elif m == 4:
            for c in range(n):
                dst[c] = _clamp(_tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 4))
        elif m == 5:
            for c in range(n):
                dst[c] = _clamp(_tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 5))
        elif m == 6:
            for c in range(n):
                dst[c] = _clamp(_tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 6))
        elif m == 7:
            for c in range(n):
                dst[c] = _clamp(_tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 7))
        elif m == 8:
            for c in range(n):
                dst[c] = _clamp(_tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 8))
        else:
            for c in range(n):
                dst[c] = _clamp(_tap_sum(p0, p1, p2, p3, p4, p5, p6, p7, p8, k0, k1, k2, k3, k4, k5, k6, k7, k8, c, 9))


cdef inline void _int_run(const char* anchor, const Py_ssize_t* offset, const acc_t* coef,
                          Py_ssize_t nt, acc_t* acc, out_t* dst, Py_ssize_t n,
                          bint direct, double weight, const int_image_t* kind) noexcept nogil:
    # n output pixels in a row of memory: output pixel c sums coef[t] * pixel at
    # anchor + offset[t] bytes, c pixels on, over the nt nonzero taps. The first pass
    # takes nt % _PASS taps (or _PASS), every later pass _PASS, carrying the sums in acc;
    # the last pass of uint8 output with weight 1 clamps and stores directly, otherwise
    # the sums go through float64 as in the reference.
    cdef Py_ssize_t t0 = 0, m = nt - (nt - 1) // _PASS * _PASS
    cdef const acc_t* acc_in = NULL
    while t0 < nt:
        _pass(anchor, offset + t0, coef + t0, m, acc_in,
              NULL if direct and t0 + m == nt else acc, dst, n, kind)
        acc_in = acc
        t0 += m
        m = _PASS
    if not direct:
        _store_int(dst, acc, weight, n)


# Output pixels per run of the integer path's contiguous-image case (int16 sums: 16 KiB).
cdef enum:
    _RUN = 8192


cdef int _correlate_int(const int_image_t[:, :, :] image, const int64_t[:, ::1] kernel,
                        double weight, out_t[:, :, :] out, bint keep,
                        Py_ssize_t row_start, Py_ssize_t row_stop, acc_t zero) except -1 nogil:
    # The nonzero taps, in passes of up to _PASS (see _int_run); for uint8 output and
    # weight 1 the last pass clamps and stores directly, otherwise the exact integer
    # sums go through float64 as in the reference.
    # When image and output rows are contiguous ("keep" mode), several interior rows
    # form one run of memory: the run crosses the margins, which are then rewritten, so
    # small images pay no per-row loop overhead.
    cdef Py_ssize_t h = image.shape[1], w = image.shape[2]
    cdef Py_ssize_t kh = kernel.shape[0], kw = kernel.shape[1]
    cdef Py_ssize_t ho = out.shape[1], wo = out.shape[2]
    cdef Py_ssize_t ar = kh // 2, ac = kw // 2
    cdef Py_ssize_t wv = w - kw + 1
    cdef Py_ssize_t rs = image.strides[1]
    cdef Py_ssize_t g, n, r, r1, top, i, j, c0, nt, chunk, length
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
    coef = <acc_t*>malloc(max(kh * kw, 1) * sizeof(acc_t))
    offset = <Py_ssize_t*>malloc(max(kh * kw, 1) * sizeof(Py_ssize_t))
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
    if nt == 0:  # an all-zero kernel: one zero tap
        coef[0] = 0
        offset[0] = 0
        nt = 1
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
            _int_run(<const char*>&image[n, r - ar, 0], offset, coef, nt, acc,
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
        _int_run(<const char*>&image[n, top, 0], offset, coef, nt, acc,
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
