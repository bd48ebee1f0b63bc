"""Max, min and average pooling: the public functions and their one private route."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from . import _config, _layout, _threads, _validate
from ._docstrings import docfiller

__all__ = ["avg_pool", "max_pool", "min_pool"]

Sizes = tuple[int, int, int, int]  # window rows and columns, stride rows and columns


def pooled_length(n: int, size: int, stride: int, ceil_mode: bool) -> int:
    """Number of pooling windows along an axis of length ``n`` (torch's rule, no padding)."""
    if not ceil_mode:
        return (n - size) // stride + 1 if n >= size else 0
    if n == 0:
        return 0
    count = max(-(-(n - size) // stride), 0) + 1
    return count - 1 if (count - 1) * stride >= n else count


def checked(image: object, size: object, stride: object, ceil_mode: object, axes: object,
            workers: object = 1) -> tuple[np.ndarray, Sizes, bool, tuple[int, int], int]:
    """The arguments every pooling function shares, checked."""
    arr = _validate.image(image)
    sr, sc = _validate.pair(size, "size")
    tr, tc = (sr, sc) if stride is None else _validate.pair(stride, "stride")
    ceil = _validate.boolean(ceil_mode, "ceil_mode")
    ax = _validate.axes(axes, arr.ndim)
    return arr, (sr, sc, tr, tc), ceil, ax, _validate.workers(workers)


def out_dtype(image: np.dtype, kind: str, dtype: np.dtype | None) -> np.dtype:
    """The result's dtype: the image's for max and min (native byte order); for avg,
    `dtype`, or by default float64 for bool and integer images and the image's own float
    type for float images."""
    if kind != "avg" or (dtype is None and image.kind == "f"):
        return image.newbyteorder("=")
    return np.dtype(np.float64) if dtype is None else dtype


_IMAGE_KIND = {np.dtype(code): i for i, code in enumerate(_config.BUILDS["baseline"].pool.IMAGE_KINDS)}
_MEAN_KIND = {np.dtype(code): i for i, code in enumerate(_config.BUILDS["baseline"].pool.MEAN_KINDS)}


def pool(image: np.ndarray, kind: Literal["max", "min", "avg"], sizes: Sizes, ceil: bool,
         axes: tuple[int, int], out: np.ndarray | None, workers: int,
         dtype: np.dtype | None = None) -> np.ndarray:
    """Pool with checked arguments: lay out the stacks and run the kernel of the build in
    force over bands of output rows.

    Max and min are exact in the image's own type. avg_pool's kernel writes float32 or
    float64; a float16 result is rounded once from the float64 mean, never through
    float32.
    """
    sr, sc, tr, tc = sizes
    shape = list(image.shape)
    shape[axes[0]] = pooled_length(shape[axes[0]], sr, tr, ceil)
    shape[axes[1]] = pooled_length(shape[axes[1]], sc, tc, ceil)
    out_shape = tuple(shape)
    dt = out_dtype(image.dtype, kind, dtype)
    out, dst = _layout.prepare_out(out, out_shape, dt, axes, image)
    if dst.size:
        src = _layout.as_stack(image, axes)
        if kind == "avg":
            work = dst.dtype if dst.dtype.itemsize >= 4 else np.dtype(np.float64)
        else:
            work = src.dtype  # bool pools as uint8
        aside = work != dst.dtype and dst.dtype.kind != "b"
        pooled = np.empty(dst.shape, dtype=work) if aside else dst if work == dst.dtype else dst.view(work)
        kernels = _config.current().build.pool
        args = (src, _IMAGE_KIND[src.dtype], pooled)
        if kind == "avg":
            task, args = kernels.avg_pool, (*args, _MEAN_KIND[work], *sizes)
        else:
            task, args = kernels.extreme_pool, (*args, *sizes, kind == "max")
        # A pooled pixel: about a sixth of a 3x3 convolution's work per window pixel.
        if workers == 1:  # one band: no split to plan
            task(*args, 0, dst.shape[0] * dst.shape[1])
        else:
            _threads.run_bands(task, args, dst.shape[0] * dst.shape[1], dst.size * sr * sc // 6, workers)
        if aside:
            with np.errstate(over="ignore"):  # a float16 mean beyond 65504 is inf, as documented
                np.copyto(dst, pooled, casting="unsafe")  # one rounding
    return _layout.finish(out, dst, out_shape, axes)


@docfiller
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
    %(pool_image)s
    %(pool_size)s
    %(pool_stride)s
    %(max_ceil_mode)s
    %(pool_axes)s
    %(pool_out)s
    %(workers)s

    Returns
    -------
    ndarray
        The pooled image, with the input's dtype in native byte order. NaN wins a
        window, as in ``numpy.max``. A window larger than the image gives an empty
        result.

    Raises
    ------
    %(pool_raises)s

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
    arr, sizes, ceil, ax, n = checked(image, size, stride, ceil_mode, axes, workers)
    return pool(arr, "max", sizes, ceil, ax, out, n)


@docfiller
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
    %(pool_image)s
    %(pool_size)s
    %(pool_stride)s
    %(min_ceil_mode)s
    %(pool_axes)s
    %(pool_out)s
    %(workers)s

    Returns
    -------
    ndarray
        The pooled image, with the input's dtype in native byte order. NaN wins a
        window, as in ``numpy.min``.

    Raises
    ------
    %(pool_raises)s

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
    arr, sizes, ceil, ax, n = checked(image, size, stride, ceil_mode, axes, workers)
    return pool(arr, "min", sizes, ceil, ax, out, n)


@docfiller
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
    %(pool_image)s
    %(pool_size)s
    %(pool_stride)s
    %(avg_ceil_mode)s
    %(avg_dtype)s
    %(pool_axes)s
    %(avg_out)s
    %(workers)s

    Returns
    -------
    ndarray
        The pooled image. NaN in a window gives NaN, and +inf with -inf too.

    Raises
    ------
    %(avg_raises)s

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
    arr, sizes, ceil, ax, n = checked(image, size, stride, ceil_mode, axes, workers)
    return pool(arr, "avg", sizes, ceil, ax, out, n, _validate.mean_dtype(dtype))
