"""Max, min and average pooling: one argument check and layout, three kernels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _filters
from ._filters import (
    _as_stack,
    _check_axes,
    _check_bool,
    _check_image,
    _check_pair,
    _check_workers,
    _finish,
    _pooled_length,
    _prepare_out,
    _run_bands,
)

__all__ = ["avg_pool", "max_pool", "min_pool"]

_MEAN_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


def _pooled(
    image: Any,
    size: Any,
    stride: Any,
    ceil_mode: Any,
    axes: Any,
    out: Any,
    workers: Any,
    out_dtype: Callable[[np.dtype], np.dtype],
    run: Callable[[np.ndarray, np.ndarray, tuple[int, int, int, int], bool, int, int], None],
    work_dtype: Callable[[np.dtype, np.dtype], np.dtype],
) -> np.ndarray:
    """Check the arguments, lay out the stacks and run ``run(src, dst, sizes, ceil, start,
    stop)`` over bands of output rows; ``run`` calls a kernel of ``_filters._pool``, the
    build chosen for this CPU, looked up at each call.

    ``work_dtype(src_dtype, out_dtype)`` is the dtype the kernel writes; when it is not
    the output's, the kernel writes aside and the result is converted once.
    """
    arr = _check_image(image)
    sr, sc = _check_pair(size, "size")
    tr, tc = (sr, sc) if stride is None else _check_pair(stride, "stride")
    ceil = _check_bool(ceil_mode, "ceil_mode")
    ax = _check_axes(axes, arr.ndim, "image")
    nworkers = _check_workers(workers)

    shape = list(arr.shape)
    shape[ax[0]] = _pooled_length(shape[ax[0]], sr, tr, ceil)
    shape[ax[1]] = _pooled_length(shape[ax[1]], sc, tc, ceil)
    out_shape = tuple(shape)
    dt = out_dtype(arr.dtype)
    out, dst = _prepare_out(out, out_shape, dt, ax, arr)
    if dst.size:
        src = _as_stack(arr, ax)
        work = work_dtype(src.dtype, dst.dtype)
        aside = work != dst.dtype and dst.dtype.kind != "b"
        if aside:
            pooled = np.empty(dst.shape, dtype=work)
        else:
            pooled = dst.view(work)  # bool pools as uint8
        sizes = (sr, sc, tr, tc)
        _run_bands(
            lambda start, stop: run(src, pooled, sizes, ceil, start, stop),
            dst.shape[0] * dst.shape[1],
            dst.size * sr * sc // 6,  # a pooled pixel: about a sixth of a 3x3 convolution's
            nworkers,
        )
        if aside:
            np.copyto(dst, pooled, casting="unsafe")  # one rounding, or exact for min/max
    return _finish(out, dst, out_shape, ax)


def max_pool(
    image: npt.ArrayLike,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    ceil_mode: bool = False,
    axes: tuple[int, int] | None = None,
    out: np.ndarray | None = None,
    workers: int = 1,
) -> np.ndarray:
    """Max pooling: the largest pixel of each ``size x size`` window.

    The window's top-left corner steps by `stride` (default `size`), so the default is
    the codelab's 2x2 max pooling that halves each side. The output has
    ``(M - size) // stride + 1`` rows (likewise columns): odd sizes drop the last
    row/column instead of failing as the codelab's loop does, unless `ceil_mode`.

    Parameters
    ----------
    image : array_like of shape (M, N), or N-D with `axes`
        Real numbers (bool, any integer width, float16/32/64), any layout or byte order.
    size : int or pair of int, optional
        Window size, ``(rows, cols)`` or one int for both; default 2.
    stride : int or pair of int, optional
        Step between windows; default `size` (windows that tile the image).
    ceil_mode : bool, optional
        If True, windows that run past the bottom/right edge are pooled too, over the
        pixels that exist (the missing ones count as the dtype's minimum, or -inf), as
        ``torch.nn.functional.max_pool2d(ceil_mode=True)`` with no padding does: the
        output has ``ceil((M - size) / stride) + 1`` rows, less one if that last window
        would start past the edge; an image smaller than the window gives one row.
    axes : pair of int, optional
        The two spatial axes of an N-D image; every 2-D slice is pooled.
    out : ndarray, optional
        Preallocated writeable result of the right shape and of the image's dtype
        (native byte order); it is returned.
    workers : int, optional
        Threads to use (``-1``: all cores). Results never depend on it.

    Returns
    -------
    ndarray
        The pooled image, with the input's dtype in native byte order. NaN wins a
        window, as in ``numpy.max``. A window larger than the image gives an empty
        result.

    Raises
    ------
    TypeError
        If `image` is not real-valued, `size`/`stride` are not ints or pairs of ints,
        `ceil_mode` is not a bool, `axes` or `workers` is not an int (pair), or `out`
        is not an ndarray of the image's dtype.
    ValueError
        If `image` is not 2-D and no `axes` are given, `size` or `stride` is below 1,
        `axes` are out of range or equal, `workers` is 0 or below -1, or `out` has the
        wrong shape or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> import convpool
    >>> image = np.arange(25, dtype=np.uint8).reshape(5, 5)
    >>> convpool.max_pool(image)
    array([[ 6,  8],
           [16, 18]], dtype=uint8)
    >>> convpool.max_pool(image, 3, stride=1).shape
    (3, 3)
    >>> convpool.max_pool(image, ceil_mode=True)
    array([[ 6,  8,  9],
           [16, 18, 19],
           [21, 23, 24]], dtype=uint8)
    """

    def run(src: np.ndarray, dst: np.ndarray, sizes: tuple[int, int, int, int], ceil: bool, start: int,
            stop: int) -> None:
        if ceil:
            _filters._pool.extreme_pool(src, dst, *sizes, True, start, stop)
        else:
            _filters._pool.max_pool(src, dst, *sizes, start, stop)

    return _pooled(
        image, size, stride, ceil_mode, axes, out, workers,
        out_dtype=lambda dt: dt.newbyteorder("="),
        run=run,
        work_dtype=lambda src_dt, out_dt: src_dt,  # exact: a maximum is one of the inputs
    )


def min_pool(
    image: npt.ArrayLike,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    ceil_mode: bool = False,
    axes: tuple[int, int] | None = None,
    out: np.ndarray | None = None,
    workers: int = 1,
) -> np.ndarray:
    """Min pooling: the smallest pixel of each ``size x size`` window.

    The mirror image of :func:`convpool.max_pool`, with the same arguments and output
    sizes; in `ceil_mode` the missing pixels of a partial window count as the dtype's
    maximum (or +inf).

    Parameters
    ----------
    image : array_like of shape (M, N), or N-D with `axes`
        Real numbers (bool, any integer width, float16/32/64), any layout or byte order.
    size : int or pair of int, optional
        Window size, ``(rows, cols)`` or one int for both; default 2.
    stride : int or pair of int, optional
        Step between windows; default `size`.
    ceil_mode : bool, optional
        If True, windows that run past the bottom/right edge are pooled too, over the
        pixels that exist (as in :func:`convpool.max_pool`).
    axes : pair of int, optional
        The two spatial axes of an N-D image; every 2-D slice is pooled.
    out : ndarray, optional
        Preallocated writeable result of the right shape and of the image's dtype
        (native byte order); it is returned.
    workers : int, optional
        Threads to use (``-1``: all cores). Results never depend on it.

    Returns
    -------
    ndarray
        The pooled image, with the input's dtype in native byte order. NaN wins a
        window, as in ``numpy.min``.

    Raises
    ------
    TypeError
        If `image` is not real-valued, `size`/`stride` are not ints or pairs of ints,
        `ceil_mode` is not a bool, `axes` or `workers` is not an int (pair), or `out`
        is not an ndarray of the image's dtype.
    ValueError
        If `image` is not 2-D and no `axes` are given, `size` or `stride` is below 1,
        `axes` are out of range or equal, `workers` is 0 or below -1, or `out` has the
        wrong shape or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> import convpool
    >>> image = np.arange(25, dtype=np.uint8).reshape(5, 5)
    >>> convpool.min_pool(image)
    array([[ 0,  2],
           [10, 12]], dtype=uint8)
    >>> convpool.min_pool(image, ceil_mode=True)
    array([[ 0,  2,  4],
           [10, 12, 14],
           [20, 22, 24]], dtype=uint8)
    """

    def run(src: np.ndarray, dst: np.ndarray, sizes: tuple[int, int, int, int], ceil: bool, start: int,
            stop: int) -> None:
        _filters._pool.extreme_pool(src, dst, *sizes, False, start, stop)

    return _pooled(
        image, size, stride, ceil_mode, axes, out, workers,
        out_dtype=lambda dt: dt.newbyteorder("="),
        run=run,
        work_dtype=lambda src_dt, out_dt: src_dt,  # exact: a minimum is one of the inputs
    )


def avg_pool(
    image: npt.ArrayLike,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    ceil_mode: bool = False,
    dtype: npt.DTypeLike | None = None,
    axes: tuple[int, int] | None = None,
    out: np.ndarray | None = None,
    workers: int = 1,
) -> np.ndarray:
    """Average pooling: the mean of each ``size x size`` window.

    Each mean is the window's pixels summed in float64 in row-major order, divided by
    their count and rounded once to the output dtype, so it is exact to the last bit of
    that computation (for integer images up to 2**53 per window sum, exactly the mean
    rounded to the output type). Output sizes are those of :func:`convpool.max_pool`.

    Parameters
    ----------
    image : array_like of shape (M, N), or N-D with `axes`
        Real numbers (bool, any integer width, float16/32/64), any layout or byte order.
    size : int or pair of int, optional
        Window size, ``(rows, cols)`` or one int for both; default 2.
    stride : int or pair of int, optional
        Step between windows; default `size`.
    ceil_mode : bool, optional
        If True, windows that run past the bottom/right edge are pooled too, as the
        mean of the pixels that exist, as ``torch.nn.functional.avg_pool2d`` with
        ``ceil_mode=True`` and no padding does.
    dtype : {None, numpy.float16, numpy.float32, numpy.float64}, optional
        Output type. Default: float64 for bool and integer images (a mean is rarely an
        integer, and float64 holds every mean of 8-, 16- and 32-bit pixels to full
        precision), the image's own float type for float images (as NumPy's ``mean``
        and torch's ``avg_pool2d`` keep it).
    axes : pair of int, optional
        The two spatial axes of an N-D image; every 2-D slice is pooled.
    out : ndarray, optional
        Preallocated writeable result of the right shape and of the output dtype
        (native byte order); it is returned.
    workers : int, optional
        Threads to use (``-1``: all cores). Results never depend on it.

    Returns
    -------
    ndarray
        The pooled image. NaN in a window gives NaN, and +inf with -inf too.

    Raises
    ------
    TypeError
        If `image` is not real-valued, `size`/`stride` are not ints or pairs of ints,
        `ceil_mode` is not a bool, `dtype` is not a float type, `axes` or `workers` is
        not an int (pair), or `out` is not an ndarray of the output dtype.
    ValueError
        If `image` is not 2-D and no `axes` are given, `size` or `stride` is below 1,
        `axes` are out of range or equal, `workers` is 0 or below -1, or `out` has the
        wrong shape or is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> import convpool
    >>> image = np.arange(25, dtype=np.uint8).reshape(5, 5)
    >>> convpool.avg_pool(image)
    array([[ 3.,  5.],
           [13., 15.]])
    >>> convpool.avg_pool(image, ceil_mode=True)[:, 2]
    array([ 6.5, 16.5, 24. ])
    >>> convpool.avg_pool(image.astype(np.float32), 5).dtype
    dtype('float32')
    """
    if dtype is None:
        chosen = None
    else:
        try:
            chosen = np.dtype(dtype)
        except TypeError:
            chosen = None
        if chosen is None or chosen not in _MEAN_DTYPES:
            raise TypeError(
                f"`dtype` must be None, numpy.float16, numpy.float32 or numpy.float64, got {dtype!r}"
            )

    def out_dtype(dt: np.dtype) -> np.dtype:
        if chosen is not None:
            return chosen
        return dt.newbyteorder("=") if dt.kind == "f" else np.dtype(np.float64)

    def run(src: np.ndarray, dst: np.ndarray, sizes: tuple[int, int, int, int], ceil: bool, start: int,
            stop: int) -> None:
        _filters._pool.avg_pool(src, dst, *sizes, start, stop)

    return _pooled(
        image, size, stride, ceil_mode, axes, out, workers,
        out_dtype=out_dtype,
        run=run,
        # float16 is rounded once from the float64 mean, never through float32.
        work_dtype=lambda src_dt, out_dt: out_dt if out_dt.itemsize >= 4 else np.dtype(np.float64),
    )
