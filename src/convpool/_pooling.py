"""Max, min and average pooling: the public functions and their one private route
(the windows' geometry and checks: _windows.py; max_unpool: _unpool.py)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from . import _config, _layout, _threads, _validate
from ._docstrings import docfiller
from ._windows import PLAIN, Options, Sizes, checked, options, pooled_length, windows

__all__ = ["avg_pool", "max_pool", "min_pool"]


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
         dtype: np.dtype | None = None, opt: Options = PLAIN,
         indices: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Pool with checked arguments: lay out the stacks and run the kernel of the build in
    force over bands of output rows. With `indices` (max and min), return the values and
    each window's index of its winner in its image plane.

    Max and min are exact in the image's own type. avg_pool's kernel writes float32 or
    float64; a float16 result is rounded once from the float64 mean, never through
    float32.
    """
    sr, sc, tr, tc = sizes
    if opt is PLAIN:  # the defaults: no call more than they need
        ho, wo = pooled_length(image.shape[axes[0]], sr, tr, ceil), pooled_length(image.shape[axes[1]], sc, tc, ceil)
        pr = pc = 0
    else:
        (ho, wo), (pr, pc) = windows(image.shape, sizes, ceil, axes, opt)
    shape = list(image.shape)
    shape[axes[0]], shape[axes[1]] = ho, wo
    out_shape = tuple(shape)
    dt = out_dtype(image.dtype, kind, dtype)
    out, dst = _layout.prepare_out(out, out_shape, dt, axes, image)
    at = _layout.prepare_out(None, out_shape, np.dtype(np.int64), axes, image)[1] if indices else None
    if dst.size:
        src = _layout.as_stack(image, axes)
        if kind == "avg":
            work = dst.dtype if dst.dtype.itemsize >= 4 else np.dtype(np.float64)
        else:
            work = src.dtype  # bool pools as uint8
        aside = work != dst.dtype and dst.dtype.kind != "b"
        pooled = np.empty(dst.shape, work) if aside else dst if work == dst.dtype else dst.view(work)
        kernels = _config.current().build.pool
        image_kind = _IMAGE_KIND[src.dtype]
        dr, dc = opt.dilation
        # Flat tuples (no unpacking): a small call costs their building.
        args: tuple
        if kind == "avg":
            task = kernels.avg_pool
            args = (src, image_kind, pooled, _MEAN_KIND[work], sr, sc, tr, tc, pr, pc,
                    opt.count_include_pad and opt.padding != "same", opt.divisor)
        elif indices:
            task, args = kernels.arg_pool, (src, image_kind, pooled, at, sr, sc, tr, tc, pr, pc, dr, dc, kind == "max")
        else:
            task, args = kernels.extreme_pool, (src, image_kind, pooled, sr, sc, tr, tc, pr, pc, dr, dc, kind == "max")
        # A pooled pixel: about a sixth of a 3x3 convolution's work per window pixel.
        rows = _layout.row_count(dst)
        if workers == 1:  # one band: no split to plan
            task(*args, 0, rows)
        else:
            _threads.run_bands(task, args, rows, dst.size * sr * sc // 6, workers)
        if aside:
            with np.errstate(over="ignore"):  # a float16 mean beyond 65504 is inf, as documented
                np.copyto(dst, pooled, casting="unsafe")  # one rounding
    result = _layout.finish(out, dst, out_shape, axes)
    if indices:
        return result, _layout.finish(None, at, out_shape, axes)
    return result


@docfiller
def max_pool(
    image: npt.ArrayLike,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    axes: tuple[int, int] | None = None,
    out: np.ndarray | None = None,
    workers: int = 1,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Max pooling: the largest pixel of each ``size x size`` window.

    The window's top-left corner steps by `stride` (default `size`), so the default is
    the codelab's 2x2 max pooling that halves each side. The output has
    ``(M - size) // stride + 1`` rows (likewise columns): odd sizes drop the last
    row/column instead of failing as the codelab's loop does, unless `ceil_mode`. With
    PyTorch's `padding` and `dilation`, ``(M + 2 * padding - (size - 1) * dilation - 1)
    // stride + 1``; with ``padding="same"``, ``ceil(M / stride)``. The arguments are
    ``torch.nn.functional.max_pool2d``'s, by name (`size` is its ``kernel_size``).

    Parameters
    ----------
    %(pool_image)s
    %(pool_size)s
    %(pool_stride)s
    %(pool_padding)s
    %(pool_dilation)s
    %(max_ceil_mode)s
    %(return_indices)s
    %(pool_axes)s
    %(pool_out)s
    %(workers)s

    Returns
    -------
    ndarray, or (ndarray, ndarray) with `return_indices`
        The pooled image, with the input's dtype in native byte order (and the int64
        indices of the same shape). NaN wins a
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
    >>> convpool.max_pool(image, 3, stride=2, padding=1)
    array([[ 6,  8,  9],
           [16, 18, 19],
           [21, 23, 24]], dtype=uint8)
    >>> values, indices = convpool.max_pool(image, 3, stride=2, padding="same", return_indices=True)
    >>> indices
    array([[ 6,  8,  9],
           [16, 18, 19],
           [21, 23, 24]])
    """
    arr, sizes, ceil, ax, n = checked(image, size, stride, ceil_mode, axes, workers)
    opt = options(sizes, ceil, padding, dilation)
    indices = (return_indices if return_indices.__class__ is bool
               else _validate.boolean(return_indices, "return_indices"))
    return pool(arr, "max", sizes, ceil, ax, out, n, None, opt, indices)


@docfiller
def min_pool(
    image: npt.ArrayLike,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    axes: tuple[int, int] | None = None,
    out: np.ndarray | None = None,
    workers: int = 1,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Min pooling: the smallest pixel of each ``size x size`` window.

    The mirror image of :func:`convpool.max_pool`, with the same arguments and output
    sizes; in `ceil_mode` the missing pixels of a partial window count as the dtype's
    maximum (or +inf).

    Parameters
    ----------
    %(pool_image)s
    %(pool_size)s
    %(pool_stride)s
    %(pool_padding)s
    %(pool_dilation)s
    %(min_ceil_mode)s
    %(return_indices)s
    %(pool_axes)s
    %(pool_out)s
    %(workers)s

    Returns
    -------
    ndarray, or (ndarray, ndarray) with `return_indices`
        The pooled image, with the input's dtype in native byte order (and the int64
        indices of the same shape). NaN wins a
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
    opt = options(sizes, ceil, padding, dilation)
    indices = (return_indices if return_indices.__class__ is bool
               else _validate.boolean(return_indices, "return_indices"))
    return pool(arr, "min", sizes, ceil, ax, out, n, None, opt, indices)


@docfiller
def avg_pool(
    image: npt.ArrayLike,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] | str = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
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
    The arguments are ``torch.nn.functional.avg_pool2d``'s, by name (`size` is its
    ``kernel_size``): `count_include_pad` and `divisor_override` say what a window
    reaching into the `padding` is divided by.

    Parameters
    ----------
    %(pool_image)s
    %(pool_size)s
    %(pool_stride)s
    %(avg_padding)s
    %(avg_ceil_mode)s
    %(count_include_pad)s
    %(divisor_override)s
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
    >>> convpool.avg_pool(image, 2, padding=1)
    array([[ 0.  ,  0.75,  1.75],
           [ 3.75,  9.  , 11.  ],
           [ 8.75, 19.  , 21.  ]])
    >>> convpool.avg_pool(image, 2, padding=1, count_include_pad=False)[0]
    array([0. , 1.5, 3.5])
    """
    arr, sizes, ceil, ax, n = checked(image, size, stride, ceil_mode, axes, workers)
    opt = options(sizes, ceil, padding, 1, count_include_pad, divisor_override)
    return pool(arr, "avg", sizes, ceil, ax, out, n, _validate.mean_dtype(dtype), opt)
