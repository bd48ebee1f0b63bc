"""Convolution: :func:`convpool.convolve` and its one private route.

Validate the arguments, take the checked kernel (:mod:`convpool._kernel`) and its plan
(:mod:`convpool._plan`), lay out the stacks, and run the plan in bands; column tiles of
very wide images and the border strips of SciPy's modes are steps of that route.
"""

from __future__ import annotations

import functools
from typing import Literal

import numpy as np
import numpy.typing as npt

from . import _borders, _config, _layout, _plan, _threads, _validate, kernels
from ._docstrings import docfiller
from ._kernel import Kernel, checked_kernel

__all__ = ["convolve"]

Mode = Literal[
    "keep", "valid", "reflect", "mirror", "nearest", "constant", "wrap",
    "grid-mirror", "grid-constant", "grid-wrap",
]


def _convert(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Input values as the output dtype, by the kernels' rule (the codelab's margin): the
    integer types clamp to their range and truncate toward zero, NaN becomes 0."""
    v = values.astype(np.float64)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        v = np.trunc(np.where(np.isnan(v), 0.0, np.clip(v, info.min, info.max)))
    with np.errstate(over="ignore", invalid="ignore"):
        return v.astype(dtype)


def _tiles(run: _plan.Run, kernel_shape: tuple[int, int], max_columns: int, src: np.ndarray, weight: float,
           dst: np.ndarray, keep: bool, start: int, stop: int) -> None:
    """A plan's ``run`` over output rows ``start..stop`` of the stack, in column tiles.

    The kernels' scratch grows with the row width, so rows wider than ``max_columns``
    are cut into column tiles computed in "valid" mode, with the margin converted here.
    Every pixel is computed by the same kernel from the same values, so the results do
    not change.
    """
    src, dst = _layout.three_d(src), _layout.three_d(dst)
    h, width = src.shape[1], src.shape[2]
    kh, kw = kernel_shape
    if kh > h or kw > width:  # all margin
        run(src.view(np.uint8), weight, dst.view(np.uint8), keep, start, stop)
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
            run(src[n : n + 1, a - ar : b - ar + kh - 1, c0 : c1 + kw - 1], weight,
                dst[n : n + 1, a:b, ac + c0 : ac + c1], False, 0, b - a)


def _run(src: np.ndarray, kernel: Kernel, weight: float, dst: np.ndarray, keep: bool, workers: int,
         settings: _config.Settings) -> None:
    """Correlate the stack ``src`` into the stack ``dst`` by the kernel's plan, in bands
    (of column tiles, for images wider than ``settings.max_columns``)."""
    plan = _plan.plan(kernel, src.dtype, dst.dtype, settings.build)
    run = plan.run
    if src.shape[-1] > settings.max_columns:
        run = functools.partial(_tiles, run, kernel.shape, settings.max_columns)
    rows = _layout.row_count(dst)
    if workers == 1:  # one band: no split to plan
        run(src, weight, dst, keep, 0, rows)
    else:
        _threads.run_bands(run, (src, weight, dst, keep), rows, dst.size * plan.cost // 6, workers)


def correlate(image: np.ndarray, kernel: Kernel, weight: float, mode: str, dtype: np.dtype,
              axes: tuple[int, int], out: np.ndarray | None, workers: int, cval: float) -> np.ndarray:
    """convolve with checked arguments: its one route."""
    keep = mode != "valid"
    kh, kw = kernel.shape
    out_shape = image.shape
    h, w = out_shape[axes[0]], out_shape[axes[1]]
    if not keep:
        shape = list(out_shape)
        shape[axes[0]] = max(h - kh + 1, 0)
        shape[axes[1]] = max(w - kw + 1, 0)
        out_shape = tuple(shape)
    out, dst = _layout.prepare_out(out, out_shape, dtype, axes, image)
    if dst.size:
        src = _layout.as_stack(image, axes)
        settings = _config.current()
        if mode == "keep" and (kh > h or kw > w):
            dst[...] = _convert(src, dst.dtype)  # the kernel covers no pixel: all margin
        elif mode == "keep" or mode == "valid":
            _run(src, kernel, weight, dst, keep, workers, settings)
        else:  # the border strips are computed apart, each in "valid" mode
            _borders.correlate(src, dst, (kh, kw), _borders.canonical(mode), cval,
                               lambda s, d: _run(s, kernel, weight, d, False, workers, settings),
                               settings.padded_whole)
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
    For a kernel with a non-integer tap the AVX2 and AVX-512 builds add each tap with one
    fused multiply-add (one rounding instead of two), within the tolerance stated below.
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
