"""Max unpooling, the inverse of :func:`convpool.max_pool` with ``return_indices``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import _layout, _validate

__all__ = ["max_unpool"]


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
        along a non-spatial axis, `axes` are out of range or equal (or missing for
        N-D `values`), or the output planes `size`, `stride` or `output_size` call for
        would hold more bytes than any array can.

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
    if planes_in[0] * oh * ow * vals.itemsize > np.iinfo(np.intp).max:
        said = (f"`output_size` {output_size!r}" if output_size is not None
                else f"`size` {size!r}" if stride is None else f"`stride` {stride!r}")
        raise ValueError(f"{said} gives output planes of {oh} x {ow}, more bytes than any array can hold")
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
