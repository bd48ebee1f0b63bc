"""convpool's functions for dask arrays: images larger than memory, computed chunk by chunk.

Each function takes a dask array (or anything ``dask.array.asarray`` takes) and returns a
lazy dask array whose computed values are identical, pixel for pixel, to what the
in-memory function returns for the whole image, for any chunking. Install with
``pip install "convpool[dask]"``.

How the image border is handled as a whole, not per chunk:

- ``convolve``: every block is extended by the kernel's halo from its neighbours
  (``kh // 2`` rows above, ``kh - 1 - kh // 2`` below, likewise columns; none beyond
  the image) and computed in ``"keep"`` mode, then trimmed to its own pixels. A block
  at the image's edge thus keeps exactly the margin the whole image keeps. The
  extension modes first pad the whole dask array lazily (a few index-mapped rows and
  columns per side, so ``"wrap"`` reads the opposite edge), and ``"valid"`` crops.
- pooling: chunk boundaries are moved to multiples of the stride (rechunking where
  needed), so each window starts in exactly one block; a block reads the next
  ``span - stride`` rows/columns of its neighbour when windows overlap (``span`` is
  ``(size - 1) * dilation + 1``). `dilation`, `count_include_pad` and
  `divisor_override` work as in memory; `padding` (other than 0) and `return_indices`
  are refused with a ValueError: a block knows neither where the image's padding
  starts nor its pixels' indices in the image.

Chunks smaller than the halo are merged with their neighbours first. Non-spatial axes
(a stack ``(N, H, W)`` with ``axes=(-2, -1)``) get no halo: one task per block.
``conv2d`` computes whole images: its input is split along the batch axis only (any
other chunking is merged into one chunk first), one task per batch chunk.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt

try:
    import dask.array as da
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError('convpool.dask needs dask: pip install "convpool[dask]"') from exc

from . import _borders, _conv2d, _convolve, _kernel, _validate, kernels
from ._dask_chunks import as_dask, with_halo
from ._dask_pooling import avg_pool, max_pool, min_pool  # written there: pooling of dask arrays
from ._docstrings import docfiller

__all__ = ["avg_pool", "conv2d", "convolve", "max_pool", "min_pool"]


# ---------------------------------------------------------------- convolution


def _convolve_block(
    block: np.ndarray, *, location: list[tuple[int, int]], depth: dict, axes: tuple[int, int],
    kernel: _kernel.Kernel, weight: float, dtype: np.dtype, block_index: tuple[int, ...]
) -> np.ndarray:
    result = _convolve.correlate(block, kernel, weight, "keep", dtype, axes, None, 1, 0.0)
    index = [slice(None)] * block.ndim
    for a in axes:
        start, stop = location[a]
        before = depth[a][0] if isinstance(depth[a], tuple) else 0
        first = start - max(start - before, 0)  # the halo rows actually present above
        index[a] = slice(first, first + stop - start)
    return result[tuple(index)]


def _pad(x: da.Array, axes: tuple[int, int], kernel_shape: tuple[int, int], mode: str, cval: float) -> da.Array:
    """``x`` extended lazily by ``kh // 2`` rows above, ``kh - 1 - kh // 2`` below (and columns)."""
    native = np.dtype(np.uint8) if x.dtype.kind == "b" else x.dtype.newbyteorder("=")  # as the kernels read it
    dtype = _borders.strip_dtype(native, mode, cval)
    x = x.astype(dtype)
    for a, k in zip(axes, kernel_shape, strict=True):
        n = x.shape[a]
        before, after = k // 2, k - 1 - k // 2
        parts = []
        for coords in (np.arange(-before, 0), np.arange(n, n + after)):
            if mode == "constant":
                shape = list(x.shape)
                shape[a] = len(coords)
                chunks = list(x.chunks)
                chunks[a] = (len(coords),)
                parts.append(da.full(shape, cval, dtype=dtype, chunks=tuple(chunks)))
            else:
                parts.append(da.take(x, _borders.index_map(mode, n, coords), axis=a))
        x = da.concatenate([parts[0], x, parts[1]], axis=a)
    return x


@docfiller
def convolve(
    image: Any,
    kernel: kernels.Kernel | str | npt.ArrayLike,
    weight: float = 1.0,
    *,
    mode: _convolve.Mode = "keep",
    dtype: npt.DTypeLike = np.uint8,
    axes: tuple[int, int] | None = None,
    cval: float = 0.0,
) -> da.Array:
    """:func:`convpool.convolve` for a dask array, lazily, chunk by chunk.

    Same arguments and results as :func:`convpool.convolve` (`out` and `workers`
    aside: dask allocates the blocks and schedules them). Arguments are checked now,
    with the same errors; pixels are computed when the result is.

    Parameters
    ----------
    %(dask_conv_image)s
    %(conv_kernel)s
    %(conv_weight)s
    %(conv_mode)s
    %(conv_dtype)s
    %(conv_axes)s
    %(conv_cval)s

    Returns
    -------
    dask.array.Array
        The feature map; for `mode` other than ``"keep"``/``"valid"``, chunked like
        the image, otherwise possibly with small chunks merged into their neighbours.

    Raises
    ------
    TypeError, ValueError
        As :func:`convpool.convolve`.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> import convpool, convpool.dask
    >>> image = convpool.data.ascent()
    >>> lazy = convpool.dask.convolve(da.from_array(image, chunks=100), [[1, 0, -1]] * 3, mode="reflect")
    >>> bool((lazy.compute() == convpool.convolve(image, [[1, 0, -1]] * 3, mode="reflect")).all())
    True
    """
    x = as_dask(image)
    matrix, w = _validate.kernel_and_weight(kernel, weight)
    k = _kernel.checked_kernel(matrix).complete()  # kept in the graph: a private copy now
    mode = _validate.mode(mode)
    c = _validate.real(cval, "cval")
    dt = _validate.out_dtype(dtype)
    ax = _validate.axes(axes, x.ndim)
    kh, kw = k.shape
    if x.size == 0:
        return da.from_array(_convolve.correlate(np.empty(x.shape, x.dtype), k, w, mode, dt, ax, None, 1, c))
    base = _borders.canonical(mode)
    source = _pad(x, ax, (kh, kw), base, c) if base in _borders.NUMPY_PAD else x
    halo = {ax[0]: (kh // 2, kh - 1 - kh // 2), ax[1]: (kw // 2, kw - 1 - kw // 2)}
    block_function = functools.partial(_convolve_block, axes=ax, kernel=k, weight=w, dtype=dt)
    keep = with_halo(source, halo, {}, block_function, lambda chunks: chunks, dt)
    if mode == "keep":
        return keep
    index = [slice(None)] * x.ndim
    for a, k_side in zip(ax, (kh, kw), strict=True):
        n = x.shape[a]
        length = n if base in _borders.NUMPY_PAD else max(n - k_side + 1, 0)
        index[a] = slice(k_side // 2, k_side // 2 + length)
    return keep[tuple(index)]


# ---------------------------------------------------------------- filter banks


def conv2d(
    input: Any,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    dtype: npt.DTypeLike | None = None,
    data_format: str = "channels_first",
) -> da.Array:
    """:func:`convpool.conv2d` for a dask array of images, lazily, one task per chunk of
    the batch.

    Same arguments and results as :func:`convpool.conv2d` (`out` and `workers` aside).
    Each task filters whole images: the input's chunks along the channel and spatial
    axes are merged into one (``rechunk``) and only the batch axis stays chunked, as a
    filter needs every channel of its rows. Arguments are checked now, with the same
    errors, but for the sums of integer inputs reaching 2**53 where only the pixels show
    it: that ``ValueError`` comes when the result is computed.

    Parameters
    ----------
    input : dask.array.Array or array_like, of shape (N, C_in, H, W) or (C_in, H, W)
        Or channels last with `data_format`; real numbers.
    weight, bias, stride, padding, dilation, groups, dtype, data_format
        As :func:`convpool.conv2d`.

    Returns
    -------
    dask.array.Array
        The outputs, chunked along the batch axis as the input.

    Raises
    ------
    TypeError, ValueError
        As :func:`convpool.conv2d`.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> import convpool, convpool.dask
    >>> images = da.ones((10, 3, 8, 8), chunks=(4, 3, 8, 8))
    >>> lazy = convpool.dask.conv2d(images, np.ones((2, 3, 3, 3)), padding=1)
    >>> lazy.chunks[:2], float(lazy[0, 0, 0, 0].compute())
    (((4, 4, 2), (2,)), 12.0)
    """
    x = as_dask(input)
    w = _conv2d._weight(weight).copy()  # kept in the graph: private copies, checked now
    b = _conv2d._bias(bias, len(w)).copy()
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, dtype=dtype,
                  data_format=data_format)
    # Every check, and the result's shape and dtype per image, from an empty batch.
    per_image = x.shape[1:] if x.ndim == 4 else x.shape
    empty = np.empty((0, *per_image) if x.ndim in (3, 4) else (0,) * x.ndim, x.dtype)
    proto = _conv2d.conv2d(empty, w, b, **kwargs)
    dt = proto.dtype
    if x.ndim == 3:
        x = x.rechunk(-1)
        chunks = tuple((s,) for s in proto.shape[1:])
    else:
        x = x.rechunk({1: -1, 2: -1, 3: -1})
        chunks = (x.chunks[0], *((s,) for s in proto.shape[1:]))
    return da.map_blocks(lambda block: _conv2d.conv2d(block, w, b, **kwargs), x, chunks=chunks, dtype=dt,
                         meta=np.empty((0,) * len(chunks), dt))
