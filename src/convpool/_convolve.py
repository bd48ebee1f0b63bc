"""Convolution: :func:`convpool.convolve` and its one private route.

Validate the arguments, plan (which compiled kernel, which taps and accumulator), lay
out the stacks, and run in bands; column tiles of very wide images and the border strips
of SciPy's modes are steps of that route.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import _borders, _config, _layout, _threads, _validate, kernels
from ._docstrings import docfiller

__all__ = ["convolve"]

Mode = Literal[
    "keep", "valid", "reflect", "mirror", "nearest", "constant", "wrap",
    "grid-mirror", "grid-constant", "grid-wrap",
]
# Largest magnitude that float64 holds as an exact integer.
_EXACT = 2**53


class Kernel:
    """A checked kernel: its shape now; its float64 values, integer taps (where every
    value is an integer of magnitude below 2**53 in all), nonzero count and accumulator
    per image kind on first use.

    A call whose kernel covers no pixel ("keep" mode, a kernel larger than the image)
    then costs only the check of the kernel, not a conversion of every tap.
    """

    def __init__(self, source: np.ndarray) -> None:
        self.shape: tuple[int, int] = source.shape
        self._source = source  # checked: real, 2-D, non-empty, finite

    @functools.cached_property
    def values(self) -> np.ndarray:
        """float64, read-only, C order: a private copy."""
        values = np.array(self._source, dtype=np.float64, order="C", copy=True)
        values.flags.writeable = False
        self._source = values  # the caller's array is no longer referenced
        return values

    @functools.cached_property
    def integral(self) -> bool:
        """Whether every tap is an integer: the kernels whose results are the reference's
        bit for bit on every path (the others promise the tolerance rule)."""
        v = self.values
        return bool((v == np.trunc(v)).all())

    @functools.cached_property
    def taps(self) -> np.ndarray | None:
        """int64, read-only, where the kernel runs on the integer paths."""
        v = self.values
        with np.errstate(over="ignore"):  # a sum beyond float64's range is no integer kernel
            exact = self.integral and float(np.abs(v).sum()) < _EXACT
        if not exact:
            return None
        taps = v.astype(np.int64)
        taps.flags.writeable = False
        return taps

    @functools.cached_property
    def nonzero(self) -> int:
        """Nonzero taps, at least 1: a measure of the work per pixel."""
        return max(1, int(np.count_nonzero(self.values)))

    @functools.cached_property
    def accumulators(self) -> tuple[int, ...]:
        """For each image kind, the integer path's accumulator bits (0: float64)."""
        return tuple(_accumulator(self.taps, dt) for dt in _IMAGE_KIND)

    @functools.cached_property
    def pairs(self) -> np.ndarray | None:
        """The taps as the uint8 pair path takes them, where it can (see _pairs)."""
        return _pairs(self.taps)

    @functools.cached_property
    def factors(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The kernel as ``outer(column, row)``, for the separable paths, or None.

        Integer-valued kernels: integer factors, found exactly (the row is a nonzero row
        of the kernel divided by its gcd, so every other row is an integer multiple of it;
        the product is then checked in Python's integers), the column with no common
        factor and its first nonzero tap positive, so that its sums are the smallest; none
        where the taps are beyond the integer paths (``taps`` is None), since two float64
        passes sum in another order than the reference and an integer-valued kernel's
        promise is the reference's pixels bit for bit. Kernels with a non-integer tap:
        float64 factors when the product equals the kernel within 1e-13 of each tap,
        zeros exactly (rank 1, a Gaussian from a sigma for one), the column scaled to at
        most 1 in magnitude. As int64 / float64 arrays of shape (1, n).
        """
        if not self.integral:
            return _float_factors(self.values)
        taps = self.taps
        return None if taps is None else _integer_factors(taps)

    def complete(self) -> Kernel:
        """Every field made now (a kernel kept for later: cached, or in a dask graph)."""
        self.accumulators, self.nonzero, self.pairs, self.factors  # noqa: B018
        return self


def _integer_factors(taps: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    rows = np.flatnonzero(taps.any(axis=1))
    if len(rows) == 0:
        return None
    row = taps[rows[0]]
    row = row // int(np.gcd.reduce(row))
    j = int(np.flatnonzero(row)[0])
    if np.any(taps[:, j] % row[j]):
        return None
    column = taps[:, j] // row[j]
    if not (np.outer(column.astype(object), row.astype(object)) == taps.astype(object)).all():
        return None
    common = int(np.gcd.reduce(column)) * (1 if column[np.flatnonzero(column)[0]] > 0 else -1)
    return _frozen(column // common), _frozen(row * common)


def _float_factors(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    i, j = np.unravel_index(int(np.argmax(np.abs(values))), values.shape)
    column, row = values[:, j] / values[i, j], values[i].copy()
    product = np.outer(column, row)
    if not ((product == 0) == (values == 0)).all():
        return None
    if not (np.abs(product - values) <= 1e-13 * np.abs(values)).all():
        return None
    return _frozen(column), _frozen(row)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a).reshape(1, -1)
    a.flags.writeable = False
    return a


def checked_kernel(kernel: Any) -> Kernel:
    """`kernel` checked, from the cache when it was seen before.

    The same small kernel applied again and again (the codelab's case) skips the
    conversion and checks, which cost more than filtering a small image. Keyed by dtype,
    shape and bytes, so only identical kernels share an entry; the entries are private
    copies, never the caller's array.
    """
    if isinstance(kernel, np.ndarray) and type(kernel) is not np.ndarray:
        _validate.no_subclass(kernel, "kernel")  # before asarray drops a mask
    try:
        k = np.asarray(kernel)
        key = (k.dtype, k.shape, k.tobytes()) if k.size <= _CACHE_MAX_TAPS else None
    except (ValueError, TypeError):  # ragged lists and the like: the check says what is wrong
        k, key = kernel, None
    if key is not None:
        hit = _CACHE.get(key)
        if hit is not None:  # only checked kernels are stored
            return hit
    k = _validate.kernel(k)
    _validate.finite(k, "kernel")
    checked = Kernel(k)
    if key is not None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = checked.complete()
    return checked


_CACHE: dict[tuple[np.dtype, tuple[int, ...], bytes], Kernel] = {}
_CACHE_SIZE = 64
_CACHE_MAX_TAPS = 1024


def _accumulator(taps: np.ndarray | None, dtype: np.dtype) -> int:
    """The integer path's accumulator bits for an image of ``dtype``, or 0 for float64.

    Integer-valued kernels on integer images accumulate in the narrowest exact
    accumulator the kernels are compiled with for that image: int16 when
    ``sum(|k|) * max|pixel of dtype|`` fits it, else int32, else int64 while that bound
    stays below 2**53 (where float64 is exact as well); everything else runs in float64.
    """
    if taps is None or dtype.kind not in "iu":
        return 0
    bits = 8 * dtype.itemsize
    bound = int(np.abs(taps).sum()) * (2**bits - 1 if dtype.kind == "u" else 2 ** (bits - 1))
    for acc, limit in ((16, 2**15 - 1), (32, 2**31 - 1), (64, _EXACT - 1)):
        if bound <= limit and dtype.str[1:] in _INT_IMAGES[acc]:
            return acc
    return 0


def _pairs(taps: np.ndarray | None) -> np.ndarray | None:
    """The kernel as horizontal tap pairs for uint8 images, or None if a pair is too large.

    A pair ``(k[i, j], k[i, j + 1])`` (the second 0 past the last column) adds
    ``x0 * k0 + x1 * k1`` in int16: exact while both are int8 and ``|k0| + |k1| <= 128``
    (``255 * 128`` fits int16). Pairs are grouped in row-major order so that each
    group's ``sum(|k|) * 255`` fits int16; the groups are summed in int32, which the
    whole kernel's bound fits (``sum(|k|) * 255 < 2**31`` for any kernel of int8 taps
    up to 2**16 pairs). Rows: ``(kh, kw, 0, 0, 0)``, then ``(row, column, k0, k1, group)``
    for each pair with a nonzero tap; int64.
    """
    if taps is None or taps.size > 2**16:
        return None
    kh, kw = taps.shape
    padded = np.zeros((kh, kw + kw % 2), np.int64)
    padded[:, :kw] = taps
    k0, k1 = padded[:, 0::2], padded[:, 1::2]
    if min(k0.min(), k1.min()) < -128 or max(k0.max(), k1.max()) > 127 or (np.abs(k0) + np.abs(k1)).max() > 128:
        return None
    rows = [(kh, kw, 0, 0, 0)]
    group, room = 0, 128
    for i in range(kh):
        for j in range(k0.shape[1]):
            a, b = int(k0[i, j]), int(k1[i, j])
            if a == 0 and b == 0:
                continue
            if abs(a) + abs(b) > room:
                group, room = group + 1, 128
            room -= abs(a) + abs(b)
            rows.append((i, 2 * j, a, b, group))
    if len(rows) == 1:  # an all-zero kernel: one zero pair
        rows.append((0, 0, 0, 0, 0))
    pairs = np.array(rows, np.int64)
    pairs.flags.writeable = False
    return pairs


def takes_pairs(kernel: Kernel, dtype: np.dtype, build: _config.Build) -> bool:
    """Whether :func:`convolve` runs ``kernel`` on an image of ``dtype`` on the uint8
    pair path under ``build``: in builds that sum pairs in one instruction (AVX2),
    kernels of small taps whose sums leave int16 (which the pair path sums in int16
    groups carried in int32), and those with many taps."""
    bits = plan(kernel, dtype)
    return (build.conv.PAIRS and dtype == np.uint8 and kernel.pairs is not None
            and (bits == 32 or (bits == 16 and kernel.nonzero >= _PAIRS_MIN_TAPS)))


# Nonzero taps from which the int16 path's kernels run faster as pairs (measured on a
# Zen 4 at 2048 x 2048: 7x7 kernels about even, 9x9 in 0.8 x the time).
_PAIRS_MIN_TAPS = 36


def _sum_kind(factor: np.ndarray, dtype: np.dtype) -> int | None:
    """The separable integer path's sum type for ``factor`` over pixels of ``dtype``
    (an index of SUM_KINDS), by the bound of ``_accumulator``; None where none holds it.

    uint16 holds sums that are never negative (nonnegative taps on unsigned pixels) up
    to 65535: the binomial 5 x 5 sums to 256 * 255, beyond int16.
    """
    bits = 8 * dtype.itemsize
    bound = int(np.abs(factor).sum()) * (2**bits - 1 if dtype.kind == "u" else 2 ** (bits - 1))
    limits = {"i2": 2**15 - 1, "u2": 2**16 - 1, "i4": 2**31 - 1, "i8": _EXACT - 1}
    if not (dtype.kind == "u" and (factor >= 0).all()):
        del limits["u2"]
    for kind, code in enumerate(_KERNELS.SUM_KINDS):
        if code in limits and bound <= limits[code] and dtype.str[1:] in _KERNELS.SUM_IMAGES[code]:
            return kind
    return None


# The two passes cost about their taps plus two (the store and reload of the column
# sums); the 2-D paths their nonzero taps. Measured on AVX2 (Zen 4, one thread,
# 2048 x 2048 uint8, separable / 2-D time): 3 x 3 Sobel (3 + 2 taps against 6) 1.15,
# so it stays 2-D; the 3 x 3 binomial (3 + 3 against 9) 0.72, box 0.87; 5 x 5 binomial
# 0.16 (the 2-D sums leave int16), box 0.60; a 3 x 3 float Gaussian on float32 0.53.
_SEPARABLE_OVERHEAD = 2


def plan_separable(kernel: Kernel, dtype: np.dtype) -> tuple[str, tuple[Any, ...], int] | None:
    """The separable path for ``kernel`` on an image of the kernels' ``dtype``: the
    kernel's name, its arguments after the image kind, and its taps per pixel; None
    where the 2-D paths run.

    Integer kernels that are an exact outer product of integer vectors, on integer
    images whose sums the integer types hold: two exact integer passes (the column sums
    in the type that holds them, the row sums in the one that holds the kernel's),
    equal to the reference bit for bit. Kernels with a non-integer tap that are rank 1
    (``Kernel.factors``): two float64 passes, within the tolerance of non-integer
    kernels. Integer-valued kernels never take the float passes, whose order is not the
    reference's: on float images, and where their sums are beyond the integer paths
    (taps summing to 2**53 or more), they keep the 2-D float path, which is
    bit-identical to the reference.
    """
    factors = kernel.factors
    if factors is None:
        return None
    column, row = factors
    taps = int(np.count_nonzero(column) + np.count_nonzero(row))
    if taps + _SEPARABLE_OVERHEAD >= kernel.nonzero:
        return None
    if not kernel.integral:
        return "correlate_sep_float", (column, row), 3 * taps
    if kernel.taps is None or not kernel.accumulators[_IMAGE_KIND[dtype]]:
        return None
    first, second = _sum_kind(column, dtype), _sum_kind(kernel.taps, dtype)
    if first is None or second is None:
        return None
    return "correlate_sep_int", (column, row, first, second), taps


def plan(kernel: Kernel, dtype: np.dtype) -> int:
    """The accumulator bits :func:`convolve` uses for ``kernel`` on an image of the
    kernels' ``dtype`` (0: the float64 path)."""
    return kernel.accumulators[_IMAGE_KIND[dtype]]


# Every build compiles the same kinds: the baseline's lists stand for all.
_KERNELS = _config.BUILDS["baseline"].conv
_IMAGE_KIND = {np.dtype(code): i for i, code in enumerate(_KERNELS.IMAGE_KINDS)}
_OUT_KIND = {np.dtype(code): i for i, code in enumerate(_KERNELS.OUT_KINDS)}
_INT_IMAGES = _KERNELS.INT_IMAGES


def _convert(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Input values as the output dtype, by the kernels' rule (the codelab's margin): the
    integer types clamp to their range and truncate toward zero, NaN becomes 0."""
    v = values.astype(np.float64)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        v = np.trunc(np.where(np.isnan(v), 0.0, np.clip(v, info.min, info.max)))
    with np.errstate(over="ignore", invalid="ignore"):
        return v.astype(dtype)


def _tiles(fn: Callable[..., None], args: tuple[Any, ...], out_kind: int, src: np.ndarray,
           dst: np.ndarray, kernel_shape: tuple[int, int], keep: bool, max_columns: int,
           start: int, stop: int) -> None:
    """The kernel ``fn(image, *args, out, out_kind, keep, start, stop)`` over output rows
    ``start..stop`` of the stack, in column tiles.

    The kernels' scratch grows with the row width, so rows wider than ``max_columns``
    are cut into column tiles computed in "valid" mode, with the margin converted here.
    Every pixel is computed by the same kernel from the same values, so the results do
    not change.
    """
    h, width = src.shape[1], src.shape[2]
    kh, kw = kernel_shape
    if kh > h or kw > width:  # all margin
        fn(src.view(np.uint8), *args, dst.view(np.uint8), out_kind, keep, start, stop)
        return
    ho = dst.shape[1]
    ar, ac = (kh // 2, kw // 2) if keep else (0, 0)
    hv, wv = h - kh + 1, width - kw + 1
    for n in range(start // ho, (stop - 1) // ho + 1):
        r0, r1 = max(start - n * ho, 0), min(stop - n * ho, ho)
        if keep:
            for r in [*range(r0, min(r1, ar)), *range(max(r0, ar + hv), r1)]:
                dst[n, r] = _convert(src[n, r], dst.dtype)
            a, b = max(r0, ar), min(r1, ar + hv)  # interior rows of this band
            if a >= b:
                continue
            dst[n, a:b, :ac] = _convert(src[n, a:b, :ac], dst.dtype)
            dst[n, a:b, ac + wv :] = _convert(src[n, a:b, ac + wv :], dst.dtype)
        else:
            a, b = r0, r1
        for c0 in range(0, wv, max_columns):
            c1 = min(c0 + max_columns, wv)
            fn(src[n : n + 1, a - ar : b - ar + kh - 1, c0 : c1 + kw - 1], *args,
               dst[n : n + 1, a:b, ac + c0 : ac + c1], out_kind, False, 0, b - a)


def _run(src: np.ndarray, kernel: Kernel, weight: float, dst: np.ndarray, keep: bool, workers: int,
         settings: _config.Settings) -> None:
    """Correlate the stack ``src`` into the stack ``dst``: plan, then run in bands (of
    column tiles, for images wider than ``settings.max_columns``)."""
    image_kind = _IMAGE_KIND[src.dtype]
    bits = kernel.accumulators[image_kind]
    separable = plan_separable(kernel, src.dtype)
    if separable is not None:  # two 1-D passes (kernel.factors)
        name, sep_args, taps = separable
        fn, args = getattr(settings.build.conv, name), (image_kind, *sep_args, weight)
        work = dst.size * taps // 6
    elif takes_pairs(kernel, src.dtype, settings.build):
        fn, args = settings.build.conv.correlate_pairs, (kernel.pairs, weight)
    elif bits:
        fn, args = settings.build.conv.correlate_int, (image_kind, kernel.taps, bits, weight)
    else:
        # Non-integer kernels promise the tolerance, not the reference's roundings.
        fn, args = settings.build.conv.correlate_float, (image_kind, kernel.values, weight, not kernel.integral)
    # A convolution's work in pixels of the codelab's 3x3 filters on the int16 path (six
    # nonzero taps): the integer paths skip zero taps, and a float64 tap costs about
    # three integer ones.
    if separable is None:
        work = dst.size * kernel.nonzero * (1 if bits else 3) // 6
    out_kind = _OUT_KIND[dst.dtype]
    if src.shape[2] <= settings.max_columns:
        task, task_args = fn, (src, *args, dst, out_kind, keep)
    else:
        task, task_args = _tiles, (fn, args, out_kind, src, dst, kernel.shape, keep, settings.max_columns)
    if workers == 1:  # one band: no split to plan
        task(*task_args, 0, dst.shape[0] * dst.shape[1])
    else:
        _threads.run_bands(task, task_args, dst.shape[0] * dst.shape[1], work, workers)


def correlate(image: np.ndarray, kernel: Kernel, weight: float, mode: str, dtype: np.dtype,
              axes: tuple[int, int], out: np.ndarray | None, workers: int, cval: float) -> np.ndarray:
    """convolve with checked arguments: its one route."""
    keep = mode != "valid"
    kh, kw = kernel.shape
    out_shape = image.shape
    if not keep:
        shape = list(out_shape)
        shape[axes[0]] = max(shape[axes[0]] - kh + 1, 0)
        shape[axes[1]] = max(shape[axes[1]] - kw + 1, 0)
        out_shape = tuple(shape)
    out, dst = _layout.prepare_out(out, out_shape, dtype, axes, image)
    if dst.size:
        src = _layout.as_stack(image, axes)
        settings = _config.current()
        if mode == "keep" and (kh > src.shape[1] or kw > src.shape[2]):
            dst[...] = _convert(src, dst.dtype)  # the kernel covers no pixel: all margin
        elif mode == "keep" or mode == "valid":
            _run(src, kernel, weight, dst, keep, workers, settings)
        else:  # the border strips are computed apart, each in "valid" mode
            _borders.correlate(src, dst, (kh, kw), _borders.canonical(mode), cval,
                               lambda s, d: _run(s, kernel, weight, d, False, workers, settings))
    return _layout.finish(out, dst, out_shape, axes)


@docfiller
def convolve(
    image: npt.ArrayLike,
    kernel: kernels.Kernel | str | npt.ArrayLike,
    weight: float = 1.0,
    *,
    mode: Mode = "keep",
    dtype: npt.DTypeLike = np.uint8,
    axes: tuple[int, int] | None = None,
    out: np.ndarray | None = None,
    workers: int = 1,
    cval: float = 0.0,
) -> np.ndarray:
    """Pass a kernel over an image and make a feature map, as the codelab does.

    Each output pixel is the cross-correlation (no kernel flip, NumPy's row/column
    order, as in ``scipy.ndimage.correlate`` and ``cv2.filter2D``)::

        s[r, c] = sum_{i, j} kernel[i, j] * image[r + i - kh // 2, c + j - kw // 2]
        v[r, c] = weight * s[r, c]

    summed in float64 over the nonzero taps in row-major order: a zero tap reads no
    pixel, so an infinite or NaN pixel under it changes nothing (as in SciPy and OpenCV).
    For a kernel with a non-integer tap the AVX2 build adds each tap with one fused
    multiply-add (one rounding instead of two), within the tolerance stated below.
    For ``dtype=uint8`` ``v`` is clamped to 0..255 and truncated toward zero (99.9
    becomes 99; OpenCV would round to 100), as the codelab stores its float into the
    integer image; NaN becomes 0. ``uint16`` and ``int16`` follow the same rule on their
    own ranges (0..65535, -32768..32767).

    Parameters
    ----------
    %(conv_image)s
    %(conv_kernel)s
    %(conv_weight)s
    %(conv_mode)s
    %(conv_dtype)s
    %(conv_axes)s
    out : ndarray, optional
        Preallocated writeable result of the right shape and dtype; it is returned.
        It may overlap `image`: the result is then computed aside and copied in.
    %(workers)s
    %(conv_cval)s

    Returns
    -------
    ndarray
        The feature map (`out` if given). For `axes` other than the last two, a view
        whose spatial axes are moved back into place.

    Raises
    ------
    TypeError
        If `image` or `kernel` is not real-valued (complex, object, arrays of strings)
        or is a masked array or matrix, `weight` or `cval` is not a real number, `dtype`
        is not one of the five above, `axes` or `workers` is not an int (pair; a set has
        no order), or `out` is not an ndarray of `dtype`.
    ValueError
        If `image` is not 2-D and no `axes` are given, `kernel` is not 2-D, empty or
        not finite or is a name no kernel has (the message lists the names), `weight` or
        `cval` is not finite, `mode` is unknown, `axes` are out of range or equal,
        `workers` is 0 or below -1, or `out` has the wrong shape or is read-only.

    Notes
    -----
    The codelab's own loop indexes ``i[x + c - 1, y + r - 1]`` with ``x`` the row, so it
    applies ``numpy.transpose(kernel)``; :func:`convpool.reference.codelab_convolution`
    reproduces it. Empty images give empty results. The input is never modified.

    Separable kernels run as two 1-D passes (a column pass, then a row pass), where
    that saves more than two taps per pixel (a 3 x 3 Sobel stays on the 2-D path):
    integer kernels that are exactly an outer product of two integer vectors (the
    binomial and integer Gaussian blurs, boxes), on integer images of up to 32 bits,
    with exact integer sums, so the results are the same bit for bit; kernels with a
    non-integer tap whose every tap equals the product of a column and a row within
    1e-13 of it, zeros exactly (a Gaussian from a sigma), in float64, within the
    tolerance of non-integer kernels: 1 in integer outputs, else
    ``1e-12 * |weight| * sum(|kernel|) * max(|image|)`` plus the output's rounding.

    Examples
    --------
    >>> import numpy as np
    >>> import convpool
    >>> image = np.array([[10, 10, 10, 10],
    ...                   [10, 50, 50, 10],
    ...                   [10, 50, 50, 10],
    ...                   [10, 10, 10, 10]], dtype=np.uint8)
    >>> edges = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    >>> convpool.convolve(image, edges)
    array([[10, 10, 10, 10],
           [10,  0,  0, 10],
           [10,  0,  0, 10],
           [10, 10, 10, 10]], dtype=uint8)
    >>> convpool.convolve(image, edges, dtype=np.float32, mode="valid")
    array([[-80., -80.],
           [-80., -80.]], dtype=float32)
    >>> convpool.convolve(image, edges, mode="nearest")
    array([[ 0, 40, 40,  0],
           [40,  0,  0, 40],
           [40,  0,  0, 40],
           [ 0, 40, 40,  0]], dtype=uint8)

    A named kernel brings its weight (``1/16`` here); `weight` multiplies it:

    >>> convpool.convolve(image, "gaussian_3x3", mode="valid")
    array([[32, 32],
           [32, 32]], dtype=uint8)
    >>> convpool.convolve(image, convpool.kernels.GAUSSIAN_3X3, 0.5, mode="valid")
    array([[16, 16],
           [16, 16]], dtype=uint8)
    """
    arr = _validate.image(image)
    matrix, w = _validate.kernel_and_weight(kernel, weight)
    checked = checked_kernel(matrix)
    m = _validate.mode(mode)
    c = _validate.real(cval, "cval")
    dt = _validate.out_dtype(dtype)
    ax = _validate.axes(axes, arr.ndim)
    return correlate(arr, checked, w, m, dt, ax, out, _validate.workers(workers), c)
