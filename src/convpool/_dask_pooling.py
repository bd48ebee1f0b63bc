"""Pooling of dask arrays: :func:`convpool.dask.max_pool`, ``min_pool`` and ``avg_pool``
(how chunks and windows meet: convpool.dask's module docstring)."""

from __future__ import annotations

import functools
from typing import Any

import dask.array as da
import numpy as np
import numpy.typing as npt

from . import _pooling, _validate, _windows
from ._dask_chunks import as_dask, with_halo
from ._docstrings import docfiller

__all__ = ["avg_pool", "max_pool", "min_pool"]


def _window_counts(chunks: tuple[int, ...], stride: int, total: int) -> tuple[int, ...]:
    """Windows starting in each chunk (chunks start at multiples of `stride`), `total` in all."""
    counts, start = [], 0
    for c in chunks:
        first = min(start // stride, total)
        last = min(-(-(start + c) // stride), total)
        counts.append(last - first)
        start += c
    return tuple(counts)


def _pool_block(
    block: np.ndarray, *, block_index: tuple[int, ...], axes: tuple[int, int], kind: str,
    sizes: _windows.Sizes, ceil_mode: bool, counts: dict[int, tuple[int, ...]],
    dtype: np.dtype | None, opt: _windows.Options, location: list[tuple[int, int]], depth: dict
) -> np.ndarray:
    # The block's windows come first: it starts at a multiple of the stride. In ceil
    # mode a block inside the image may add a partial window at the end of its halo,
    # which the crop drops; only a block at the image's end keeps its partial windows.
    result = _pooling.pool(block, kind, sizes, ceil_mode, axes, None, 1, dtype, opt)
    index = [slice(None)] * block.ndim
    for a in axes:
        index[a] = slice(0, counts[a][block_index[a]])
    return result[tuple(index)]


def _pool(x: Any, kind: str, size: Any, stride: Any, ceil_mode: Any, axes: Any, dtype: Any = None, *,
          padding: Any = 0, dilation: Any = 1, return_indices: Any = False, count_include_pad: Any = True,
          divisor_override: Any = None) -> da.Array:
    x = as_dask(x)
    _, sizes, ceil, ax, _ = _windows.checked(np.empty((0,) * x.ndim, x.dtype), size, stride, ceil_mode, axes)
    opt = _windows.options(sizes, ceil, padding, dilation, count_include_pad, divisor_override)
    if opt.padding != (0, 0):
        # A chunk would need to know where the image's padding starts: each block's
        # windows would start off the stride's multiples.
        raise ValueError(
            f"`padding` must be 0 or 'valid' in convpool.dask, got {padding!r}: pool in memory "
            "(convpool's functions), or pad the dask array first"
        )
    if _validate.boolean(return_indices, "return_indices"):
        raise ValueError(
            "`return_indices` must be False in convpool.dask: a chunk's indices would be "
            "those of its own pixels, not the image's; use convpool.max_pool in memory"
        )
    mean = _validate.mean_dtype(dtype) if kind == "avg" else None
    out_dtype = _pooling.out_dtype(x.dtype, kind, mean)
    sr, sc, tr, tc = sizes
    dr, dc = opt.dilation
    totals = {
        ax[0]: _windows.pooled_length(x.shape[ax[0]], sr, tr, ceil, 0, dr),
        ax[1]: _windows.pooled_length(x.shape[ax[1]], sc, tc, ceil, 0, dc),
    }
    if x.size == 0:
        return da.from_array(_pooling.pool(np.empty(x.shape, x.dtype), kind, sizes, ceil, ax, None, 1, mean, opt))
    # A window spans (size - 1) * dilation + 1 pixels.
    halo = {ax[0]: (0, max((sr - 1) * dr + 1 - tr, 0)), ax[1]: (0, max((sc - 1) * dc + 1 - tc, 0))}
    strides = {ax[0]: tr, ax[1]: tc}
    counts: dict[int, tuple[int, ...]] = {}

    def out_chunks(chunks: tuple[tuple[int, ...], ...]) -> tuple[tuple[int, ...], ...]:
        for a in ax:
            counts[a] = _window_counts(chunks[a], strides[a], totals[a])
        return tuple(counts.get(a, c) for a, c in enumerate(chunks))

    block_function = functools.partial(
        _pool_block, axes=ax, kind=kind, sizes=sizes, ceil_mode=ceil, counts=counts, dtype=mean, opt=opt,
    )
    return with_halo(x, halo, strides, block_function, out_chunks, out_dtype)


@docfiller
def max_pool(
    image: Any,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    axes: tuple[int, int] | None = None,
) -> da.Array:
    """:func:`convpool.max_pool` for a dask array, lazily, chunk by chunk.

    Same arguments (`out` and `workers` aside), errors and results as
    :func:`convpool.max_pool`. Chunk boundaries move to multiples of `stride`.

    Parameters
    ----------
    %(dask_pool_image)s
    %(pool_size)s
    %(pool_stride)s
    %(dask_pool_padding)s
    %(pool_dilation)s
    %(max_ceil_mode)s
    %(dask_return_indices)s
    %(pool_axes)s

    Returns
    -------
    dask.array.Array
        The pooled image.

    Raises
    ------
    TypeError, ValueError
        As :func:`convpool.max_pool`.

    Examples
    --------
    >>> import dask.array as da
    >>> import convpool, convpool.dask
    >>> image = convpool.data.ascent()
    >>> lazy = convpool.dask.max_pool(da.from_array(image, chunks=99), 3, ceil_mode=True)
    >>> lazy.shape, bool((lazy.compute() == convpool.max_pool(image, 3, ceil_mode=True)).all())
    ((171, 171), True)
    """
    return _pool(image, "max", size, stride, ceil_mode, axes, padding=padding, dilation=dilation,
                 return_indices=return_indices)


@docfiller
def min_pool(
    image: Any,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    axes: tuple[int, int] | None = None,
) -> da.Array:
    """:func:`convpool.min_pool` for a dask array, lazily, chunk by chunk.

    Parameters
    ----------
    %(dask_pool_image)s
    %(pool_size)s
    %(pool_stride)s
    %(dask_pool_padding)s
    %(pool_dilation)s
    %(min_ceil_mode)s
    %(dask_return_indices)s
    %(pool_axes)s

    Returns
    -------
    dask.array.Array
        The pooled image.

    Raises
    ------
    TypeError, ValueError
        As :func:`convpool.min_pool`.

    Examples
    --------
    >>> import dask.array as da
    >>> import convpool, convpool.dask
    >>> convpool.dask.min_pool(da.arange(16, chunks=5).reshape(4, 4)).compute()
    array([[ 0,  2],
           [ 8, 10]])
    """
    return _pool(image, "min", size, stride, ceil_mode, axes, padding=padding, dilation=dilation,
                 return_indices=return_indices)


@docfiller
def avg_pool(
    image: Any,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] | str = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    dtype: npt.DTypeLike | None = None,
    axes: tuple[int, int] | None = None,
) -> da.Array:
    """:func:`convpool.avg_pool` for a dask array, lazily, chunk by chunk.

    Parameters
    ----------
    %(dask_pool_image)s
    %(pool_size)s
    %(pool_stride)s
    %(dask_pool_padding)s
    %(avg_ceil_mode)s
    count_include_pad : bool, optional
        As :func:`convpool.avg_pool` (without padding it changes nothing).
    %(divisor_override)s
    %(avg_dtype)s
    %(pool_axes)s

    Returns
    -------
    dask.array.Array
        The pooled image.

    Raises
    ------
    TypeError, ValueError
        As :func:`convpool.avg_pool`.

    Examples
    --------
    >>> import dask.array as da
    >>> import convpool, convpool.dask
    >>> convpool.dask.avg_pool(da.arange(16, chunks=5).reshape(4, 4)).compute()
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    return _pool(image, "avg", size, stride, ceil_mode, axes, dtype, padding=padding,
                 count_include_pad=count_include_pad, divisor_override=divisor_override)
