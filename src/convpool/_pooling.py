"""Max, min and average pooling: the public functions and their one private route."""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from . import _config, _layout, _threads, _validate
from ._docstrings import docfiller

__all__ = ["avg_pool", "max_pool", "max_unpool", "min_pool"]

Sizes = tuple[int, int, int, int]  # window rows and columns, stride rows and columns


class Options(NamedTuple):
    """The windows' options beyond size and stride, checked: `padding` per axis or
    ``"same"``, `dilation` per axis, and avg_pool's divisor (torch's
    `count_include_pad` and `divisor_override`, 0 for none)."""

    padding: tuple[int, int] | str = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    count_include_pad: bool = True
    divisor: int = 0


PLAIN = Options()


def pooled_length(n: int, size: int, stride: int, ceil_mode: bool, padding: int = 0, dilation: int = 1) -> int:
    """Number of pooling windows along an axis of length ``n`` padded by `padding` on
    both sides (torch's rule: in `ceil_mode` a last window that would start in the
    right padding, or past the edge, is dropped)."""
    if padding or dilation != 1:
        return _padded_length(n, (size - 1) * dilation + 1, stride, ceil_mode, padding)
    if not ceil_mode:
        return (n - size) // stride + 1 if n >= size else 0
    if n == 0:
        return 0
    count = max(-(-(n - size) // stride), 0) + 1
    return count - 1 if (count - 1) * stride >= n else count


def _padded_length(n: int, span: int, stride: int, ceil_mode: bool, padding: int) -> int:
    """pooled_length of windows spanning `span` pixels, the axis padded by `padding`."""
    if n == 0:
        return 0
    padded = n + 2 * padding
    if not ceil_mode:
        return (padded - span) // stride + 1 if padded >= span else 0
    count = max(-(-(padded - span) // stride), 0) + 1
    return count - 1 if (count - 1) * stride >= n + padding else count


def _axis(n: int, size: int, stride: int, ceil: bool, padding: int | str, dilation: int, axis: str) -> tuple[int, int]:
    """Windows along an axis of `n` pixels: their count and the padding before the first
    (``"same"``: TensorFlow's rule, :func:`convpool._validate.same_padding`)."""
    if padding == "same":
        count = -(-n // stride)
        before = _validate.same_padding(n, (size - 1) * dilation + 1, stride)[0]
    else:
        count, before = pooled_length(n, size, stride, ceil, padding, dilation), padding
    # A window starting in the padding has a tap in the image unless its taps, dilation
    # apart, step over the whole image: only the windows starting before the image can
    # miss it (the others start inside it).
    for c in range(min(count, -(-before // stride))):
        x0 = c * stride - before
        if x0 % dilation >= n:  # the first tap at or past 0
            raise ValueError(
                f"`dilation` {dilation} with `padding` {padding!r} leaves {axis} window {c} no pixel of the "
                f"image (an axis of {n}): its taps fall in the padding only"
            )
    return count, before


def windows(shape: tuple[int, ...], sizes: Sizes, ceil: bool, axes: tuple[int, int],
            opt: Options) -> tuple[tuple[int, int], tuple[int, int]]:
    """The output's rows and columns, and the padding before the first row and column."""
    sr, sc, tr, tc = sizes
    pr, pc = (opt.padding, opt.padding) if isinstance(opt.padding, str) else opt.padding
    dr, dc = opt.dilation
    ho, before_r = _axis(shape[axes[0]], sr, tr, ceil, pr, dr, "row")
    wo, before_c = _axis(shape[axes[1]], sc, tc, ceil, pc, dc, "column")
    return (ho, wo), (before_r, before_c)


def checked(image: object, size: object, stride: object, ceil_mode: object, axes: object,
            workers: object = 1) -> tuple[np.ndarray, Sizes, bool, tuple[int, int], int]:
    """The arguments every pooling function shares, checked."""
    arr = _validate.image(image)
    sr, sc = _validate.pair(size, "size")
    tr, tc = (sr, sc) if stride is None else _validate.pair(stride, "stride")
    ceil = _validate.boolean(ceil_mode, "ceil_mode")
    ax = _validate.axes(axes, arr.ndim)
    return arr, (sr, sc, tr, tc), ceil, ax, _validate.workers(workers)


def options(sizes: Sizes, ceil: bool, padding: object, dilation: object = 1, count_include_pad: object = True,
            divisor_override: object = None) -> Options:
    """The options beyond size and stride, checked against the sizes."""
    if padding.__class__ is int and padding == 0 and dilation.__class__ is int and dilation == 1 and (
            count_include_pad is True and divisor_override is None):
        return PLAIN  # the defaults, at once: small images' calls cost their checks
    pad = _validate.padding(padding, sizes[:2])
    if pad == "same" and ceil:
        raise ValueError("`ceil_mode` must be False with padding='same', whose output size is ceil(n / stride)")
    dil = _validate.pair(dilation, "dilation")
    if max((sizes[0] - 1) * dil[0], (sizes[1] - 1) * dil[1]) >= 2**62:  # the kernels' index arithmetic
        raise ValueError(f"`dilation` {dilation!r} with `size` {sizes[:2]} spans 2**62 pixels or more")
    return Options(
        pad,
        dil,
        _validate.boolean(count_include_pad, "count_include_pad"),
        _validate.divisor(divisor_override),
    )


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
        pooled = np.empty(dst.shape, dtype=work) if aside else dst if work == dst.dtype else dst.view(work)
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
        if workers == 1:  # one band: no split to plan
            task(*args, 0, dst.shape[0] * dst.shape[1])
        else:
            _threads.run_bands(task, args, dst.shape[0] * dst.shape[1], dst.size * sr * sc // 6, workers)
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


def max_unpool(
    values: npt.ArrayLike,
    indices: npt.ArrayLike,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    output_size: tuple[int, ...] | None = None,
    axes: tuple[int, int] | None = None,
) -> np.ndarray:
    """Max unpooling: each value put back at the index :func:`convpool.max_pool` gave
    it, zeros elsewhere, as ``torch.nn.functional.max_unpool2d``.

    `indices` are ``row * N + column`` in each output plane of N columns (the layout of
    ``max_pool(..., return_indices=True)`` and of torch). Where two windows share a
    winner both carry its value; of other repeated indices the last in row-major order
    is kept.

    Parameters
    ----------
    values : array_like of shape (M, N), or N-D with `axes`
        The pooled values: real numbers of any dtype, layout or byte order.
    indices : array_like of int
        Of `values`' shape: each value's index in its output plane.
    size : int or pair of int, optional
        The pooling window, ``(rows, cols)`` or one int for both; default 2.
    stride : int or pair of int, optional
        The pooling stride; default `size`.
    padding : int or pair of int, optional
        The pooling padding, 0 to ``size // 2`` per axis; default 0.
    output_size : pair of int or tuple of int, optional
        The output's rows and columns, or its whole shape. Default, per spatial axis:
        ``(n - 1) * stride - 2 * padding + size``, n the values' length along it (the
        input size of the pooling when it took every pixel).
    axes : pair of int, optional
        The two spatial axes of N-D `values` and `indices`; each 2-D slice is unpooled
        on its own (``(-2, -1)`` for a stack, ``(0, 1)`` for ``(H, W, C)``).

    Returns
    -------
    ndarray
        Of `values`' dtype (native byte order), zeros but at the indices.

    Raises
    ------
    TypeError
        If `values` is not real-valued, `indices` is not an integer array, `size`,
        `stride`, `padding` or `output_size` are not ints (pairs), or `axes` is not a
        pair of ints.
    ValueError
        If `indices` has another shape than `values` or an index is outside its output
        plane, `size` or `stride` is below 1, `padding` is negative or beyond half the
        window, `output_size` has the wrong length, a negative entry or another size
        along a non-spatial axis, or `axes` are out of range or equal (or missing for
        N-D `values`).

    Examples
    --------
    >>> import numpy as np
    >>> import convpool
    >>> image = np.array([[1, 5, 2, 0], [3, 4, 8, 6]], dtype=np.uint8)
    >>> values, indices = convpool.max_pool(image, return_indices=True)
    >>> values, indices
    (array([[5, 8]], dtype=uint8), array([[1, 6]]))
    >>> convpool.max_unpool(values, indices)
    array([[0, 5, 0, 0],
           [0, 0, 8, 0]], dtype=uint8)
    """
    vals = _validate.image(values, "values")
    idx = _validate.indices(indices, vals.shape)
    sr, sc = _validate.pair(size, "size")
    tr, tc = (sr, sc) if stride is None else _validate.pair(stride, "stride")
    pad = _validate.padding(padding, (sr, sc))
    if isinstance(pad, str):
        raise ValueError(f"`padding` of max_unpool must be an int or a pair of ints, got {padding!r}")
    ax = _validate.axes(axes, vals.ndim, "values")
    h, w = vals.shape[ax[0]], vals.shape[ax[1]]
    default = ((h - 1) * tr - 2 * pad[0] + sr, (w - 1) * tc - 2 * pad[1] + sc)
    oh, ow = _validate.output_size(output_size, vals.shape, ax, default)
    lead = tuple(s for i, s in enumerate(vals.shape) if i not in ax)
    planes_in = (_layout.lead_count(vals.shape, ax), h * w)  # explicit: -1 fails on 0 pixels
    flat_v = np.moveaxis(vals, ax, (-2, -1)).reshape(planes_in)
    flat_i = np.moveaxis(idx, ax, (-2, -1)).reshape(planes_in)
    if flat_i.size and (flat_i.min() < 0 or flat_i.max() >= oh * ow):
        raise ValueError(
            f"`indices` must be in 0..{oh * ow - 1} (an output plane of {oh} x {ow}), got "
            f"{flat_i.min()}..{flat_i.max()}"
        )
    planes = np.zeros((flat_v.shape[0], oh * ow), vals.dtype.newbyteorder("="))
    np.put_along_axis(planes, flat_i.astype(np.intp, copy=False), flat_v, axis=1)
    return np.moveaxis(planes.reshape((*lead, oh, ow)), (-2, -1), ax)
