"""SciPy's border modes for :func:`convpool.convolve`, without a padded copy of a large image.

The covered interior is computed by the ordinary "valid" kernel straight from the image
into the output; only the border strips (``kh - 1`` rows and ``kw - 1`` columns in all)
are computed from small padded strips built with an index map per mode, by the same
kernel. Small images (``Settings.padded_whole``) are padded whole instead, one call where
the strips take five. Every output pixel is thus the same sum of the same values in the
same order as :func:`convpool.reference.convolve` computes, so results are bit-identical
to it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from . import _layout

# convpool's (SciPy's) name -> the name numpy.pad uses for the same extension.
NUMPY_PAD = {
    "reflect": "symmetric",
    "mirror": "reflect",
    "nearest": "edge",
    "wrap": "wrap",
    "constant": "constant",
}
# The names SciPy's filters accept as synonyms.
SYNONYMS = {"grid-mirror": "reflect", "grid-constant": "constant", "grid-wrap": "wrap"}
MODES = tuple(NUMPY_PAD) + tuple(SYNONYMS)


def canonical(mode: str) -> str:
    """The mode's own name for a SciPy synonym (``"grid-wrap"`` -> ``"wrap"``)."""
    return SYNONYMS.get(mode, mode)


def index_map(mode: str, n: int, coords: np.ndarray) -> np.ndarray:
    """Where each coordinate (possibly outside ``0..n-1``) reads in an axis of length ``n``.

    Coordinates farther out than one period repeat the pattern, as SciPy (and
    ``numpy.pad``) extend images smaller than the kernel. ``"constant"`` clips: the
    caller puts `cval` where ``coords`` is outside.
    """
    if mode in ("nearest", "constant"):
        return np.clip(coords, 0, n - 1)
    if mode == "wrap":
        return coords % n
    if mode == "reflect":  # d c b a | a b c d | d c b a
        y = coords % (2 * n)
        return np.where(y >= n, 2 * n - 1 - y, y)
    # mirror: d c b | a b c d | c b a; a single pixel mirrors onto itself.
    if n == 1:
        return np.zeros_like(coords)
    y = coords % (2 * n - 2)
    return np.where(y >= n, 2 * n - 2 - y, y)


def strip_dtype(dtype: np.dtype, mode: str, cval: float) -> np.dtype:
    """The dtype of the padded strips: the image's, unless it cannot hold `cval` exactly.

    float64 then: the kernels convert every pixel to float64 anyway, so a float64 strip
    gives the same sums (and for integer images the integer path is exact only where
    float64 is exact too), and float64 holds `cval` as the reference uses it.
    """
    if mode != "constant":
        return dtype
    if dtype.kind == "f":
        with np.errstate(over="ignore"):  # a cval beyond float32 becomes inf: not exact
            exact = float(dtype.type(cval)) == cval
    else:
        info = np.iinfo(dtype)
        exact = cval == math.floor(cval) and info.min <= cval <= info.max
    return dtype if exact else np.dtype(np.float64)


def padded(stack: np.ndarray, rows: range, cols: range, mode: str, cval: float, dtype: np.dtype) -> np.ndarray:
    """The extended image at padded coordinates ``rows x cols`` (image coordinates, which
    may lie outside it) of each image of a stack, as a C-contiguous block of ``dtype``."""
    h, w = stack.shape[1], stack.shape[2]
    if mode == "constant":  # cval around the part of the image inside the block
        block = np.full((len(stack), len(rows), len(cols)), cval, dtype)
        r0, r1 = max(rows.start, 0), min(rows.stop, h)
        c0, c1 = max(cols.start, 0), min(cols.stop, w)
        if r1 > r0 and c1 > c0:
            block[:, r0 - rows.start : r1 - rows.start, c0 - cols.start : c1 - cols.start] = stack[:, r0:r1, c0:c1]
        return block
    # A take along each axis, the one that leaves fewer pixels first (a strip beside the
    # interior takes its few columns of every row first: no copy of the image): a third
    # to a quarter of the time of one index with both (32 x 32 to 256 x 256 images).
    r, c = _index(mode, h, rows.start, rows.stop), _index(mode, w, cols.start, cols.stop)
    if len(r) * w <= h * len(c):
        block = stack.take(r, axis=1).take(c, axis=2)
    else:
        block = stack.take(c, axis=2).take(r, axis=1)
    return np.ascontiguousarray(block, dtype=dtype)


@functools.lru_cache(maxsize=256)
def _index(mode: str, n: int, start: int, stop: int) -> np.ndarray:
    """index_map of the coordinates start..stop - 1, kept for the next image of that size
    (read-only)."""
    index = index_map(mode, n, np.arange(start, stop))
    index.flags.writeable = False
    return index


def correlate(
    stack: np.ndarray,
    out: np.ndarray,
    kernel_shape: tuple[int, int],
    mode: str,
    cval: float,
    valid: Callable[[np.ndarray, np.ndarray], None],
    whole: int,
) -> None:
    """Fill ``out`` (N, H, W) with the correlation of ``stack`` extended by ``mode``.

    ``valid(image, out)`` correlates a stack in "valid" mode into ``out``; it is called
    on the image for the interior and on small padded strips for the borders, or once on
    the whole padded stack where that has at most ``whole`` pixels.
    """
    stack, out = _layout.three_d(stack), _layout.three_d(out)
    _, h, w = stack.shape
    kh, kw = kernel_shape
    ar, ac = kh // 2, kw // 2
    dtype = strip_dtype(stack.dtype, mode, cval)
    rows = range(-ar, h + kh - 1 - ar)  # padded coordinates, in image coordinates
    cols = range(-ac, w + kw - 1 - ac)

    def strip(r0: int, r1: int, c0: int, c1: int) -> None:
        # Output rows r0..r1, columns c0..c1 need padded rows r0..r1 + kh - 1 (likewise columns).
        if r1 > r0 and c1 > c0:
            valid(padded(stack, rows[r0 : r1 + kh - 1], cols[c0 : c1 + kw - 1], mode, cval, dtype),
                  out[:, r0:r1, c0:c1])

    if h < 2 * kh or w < 2 * kw or len(stack) * len(rows) * len(cols) <= whole:
        strip(0, h, 0, w)  # a small image: padding it whole costs less than four more calls
        return
    hv, wv = h - kh + 1, w - kw + 1
    valid(stack, out[:, ar : ar + hv, ac : ac + wv])
    strip(0, ar, 0, w)
    strip(ar + hv, h, 0, w)
    strip(ar, ar + hv, 0, ac)
    strip(ar, ar + hv, ac + wv, w)
