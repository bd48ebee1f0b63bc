"""A filter bank over a batch of multichannel images: :func:`convpool.conv2d`, PyTorch's
``F.conv2d`` (and Keras's ``conv`` in ``channels_last``), exact where convolve is.

Validate, lay the input out as an ``(N, C, H, W)`` view, allocate the output, and run
the compiled kernel (``conv2d_bank`` of ``_bank.pxi.in``) in bands of output rows.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import _config, _plan, _threads, _validate

__all__ = ["conv2d"]

# Sums of integer products are exact in float64 while they stay below this bound.
_EXACT = 2**53
_FORMATS = ("channels_first", "channels_last")
# Padded sizes stay below this, so that no index the kernel computes overflows int64.
_LIMIT = 2**62


def _padding(value: Any, size: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """The zeros before and after the rows and the columns, ``((top, bottom), (left, right))``."""
    pad = _validate.padding(value)
    if pad == "same":
        rows, cols = (_validate.same_padding(n, (k - 1) * d + 1, s)
                      for n, k, s, d in zip(size, kernel, stride, dilation, strict=True))
        return rows, cols
    return (pad[0], pad[0]), (pad[1], pad[1])


def _weight(value: Any) -> np.ndarray:
    """The weight as C-contiguous float64 (C_out, C_in / groups, kh, kw)."""
    _validate.no_subclass(value, "weight")
    try:
        w = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"`weight` must be a rectangular 4-D array of numbers: {exc}") from None
    if w.dtype.kind not in "biuf" or (w.dtype.kind == "f" and w.dtype.itemsize > 8):
        raise TypeError(f"`weight` must hold real numbers, got dtype {w.dtype}")
    if w.ndim != 4:
        raise ValueError(f"`weight` must be 4-D (C_out, C_in / groups, kh, kw), got shape {w.shape}")
    if 0 in w.shape[1:]:
        raise ValueError(f"`weight` must have at least one input channel, row and column, got shape {w.shape}")
    if w.size:
        _validate.finite(w, "weight")
    return np.ascontiguousarray(w, dtype=np.float64)


def _bias(value: Any, c_out: int) -> np.ndarray:
    if value is None:
        return np.zeros(c_out)
    _validate.no_subclass(value, "bias")
    b = np.asarray(value)
    if b.dtype.kind not in "biuf" or (b.dtype.kind == "f" and b.dtype.itemsize > 8):
        raise TypeError(f"`bias` must hold real numbers, got dtype {b.dtype}")
    if b.shape != (c_out,):
        raise ValueError(f"`bias` must have shape ({c_out},), one value per output channel, got {b.shape}")
    if b.size:
        _validate.finite(b, "bias")
    return np.ascontiguousarray(b, dtype=np.float64)


def _check_exact(x: np.ndarray, w: np.ndarray) -> None:
    """Refuse integer-valued weights on integer inputs whose sums could reach 2**53,
    where float64 would round them (no exact wider route: see conv2d's Notes)."""
    if x.dtype.kind not in "biu" or x.size == 0 or w.size == 0 or not np.array_equal(w, np.trunc(w)):
        return
    rows = np.abs(w).reshape(w.shape[0], -1)
    info = np.iinfo(x.dtype) if x.dtype.kind != "b" else np.iinfo(np.uint8)
    top = max(-int(info.min), int(info.max))
    if float(rows.sum(axis=1).max()) * top < _EXACT / 2:
        return  # far from the bound, whatever the rounding of the float sum
    largest = max(int(sum(int(v) for v in row)) for row in rows)  # exact integers
    if largest * top < _EXACT:
        return
    top = max(-int(x.min()), int(x.max()))  # the pixels themselves, not their type's range
    if largest * top >= _EXACT:
        raise ValueError(
            f"`weight` and `input` reach 2**53: sum(|weight|) of a filter ({largest}) times "
            f"max|input| ({top}) is beyond float64's exact integers; scale them down or pass a "
            "float input (summed in float64, not exact)"
        )


def _input(arr: np.ndarray) -> np.ndarray:
    """The (N, C, H, W) view as the kernel takes it: native, aligned, of a kernel's dtype."""
    dt = arr.dtype
    if dt.kind == "b":
        arr = arr.view(np.uint8)
    elif dt.kind == "f" and dt.itemsize == 2:
        arr = arr.astype(np.float32)  # exact
    elif not dt.isnative:
        arr = arr.astype(dt.newbyteorder("="))
    if not arr.flags.aligned:
        arr = arr.copy()
    return arr




def _rows(kernel: Any, x: np.ndarray, kind: int, w: np.ndarray, b: np.ndarray, geometry: tuple[int, ...],
          dst: np.ndarray, out_kind: int, tile: int, start: int, stop: int) -> None:
    """Output rows ``start..stop`` (over N * Ho) in column tiles of at most ``tile``: the
    kernel's scratch grows with the columns it computes at once."""
    wo = dst.shape[3]
    for c0 in range(0, wo, tile):
        kernel(x, kind, w, b, *geometry, dst, out_kind, c0, min(c0 + tile, wo), start, stop)


def conv2d(
    input: npt.ArrayLike,
    weight: npt.ArrayLike,
    bias: npt.ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | Literal["valid", "same"] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    dtype: npt.DTypeLike | None = None,
    data_format: Literal["channels_first", "channels_last"] = "channels_first",
    out: np.ndarray | None = None,
    workers: int = 1,
) -> np.ndarray:
    """Apply a bank of filters to a batch of multichannel images, as PyTorch's
    ``torch.nn.functional.conv2d``.

    Each output is a cross-correlation (no kernel flip), over the input zero-padded by
    `padding`::

        out[n, o, r, c] = bias[o] + sum_{k, i, j} weight[o, k, i, j]
                          * input[n, g * C_in / groups + k, r * sh + i * dh, c * sw + j * dw]

    with ``g = o // (C_out / groups)`` the group of filter ``o``, summed in float64 in the
    order of ``k, i, j`` (the AVX2 and AVX-512 builds add each product with one fused
    multiply-add), the bias added once, last, then stored by the rule of
    :func:`convpool.convolve`: float32 rounds the float64 result once (at least as
    accurate as PyTorch's float32 sums), the integer types clamp to their range and
    truncate toward zero (NaN becomes 0).

    Parameters
    ----------
    input : array_like of shape (N, C_in, H, W) or (C_in, H, W)
        Real numbers (bool, any integer width, float16/32/64), any layout or byte
        order; ``(N, H, W, C_in)`` or ``(H, W, C_in)`` with
        ``data_format="channels_last"``.
    weight : array_like of shape (C_out, C_in / groups, kh, kw)
        The filters, real and finite, in PyTorch's layout whatever `data_format`: a
        Keras kernel ``k`` of shape (kh, kw, C_in, C_out) is ``k.transpose(3, 2, 0, 1)``
        (any strides work).
    bias : array_like of shape (C_out,), optional
        Finite values added to each output channel.
    stride : int or pair of int, optional
        Step between the windows, ``(rows, cols)`` or one int for both; at least 1.
    padding : int, pair of int, "valid" or "same", optional
        Zero rows above and below, zero columns left and right (``(rows, cols)`` or one
        int for both), default 0; ``"valid"`` is 0. ``"same"`` follows TensorFlow for
        every stride: ``ceil(H / sh)`` output rows, the zeros needed for them split with
        the smaller half before (at stride 1 that is PyTorch's ``"same"``; at stride 2
        it pads as ``F.pad`` with the extra zero after).
    dilation : int or pair of int, optional
        Step between a filter's taps in the input; at least 1.
    groups : int, optional
        Split the input channels and the filters into this many independent banks;
        it must divide ``C_in`` and ``C_out``.
    dtype : {None, numpy.uint8, numpy.uint16, numpy.int16, numpy.float32, numpy.float64}, optional
        Output type; ``None`` gives float32 for a float32 input, float64 otherwise.
    data_format : {"channels_first", "channels_last"}, optional
        Where the channels are in `input` and in the result (Keras's names).
    out : ndarray, optional
        Preallocated writeable result of the result's shape and dtype; it is returned.
    workers : int, optional
        Threads to use (``-1``: all cores). Results never depend on it.

    Returns
    -------
    ndarray of shape (N, C_out, Ho, Wo), or (C_out, Ho, Wo), or channels last
        ``Ho = floor((H + pad_top + pad_bottom - dh * (kh - 1) - 1) / sh) + 1`` (0 where
        the padded input is smaller than the filter), likewise ``Wo``.

    Raises
    ------
    TypeError
        If `input`, `weight` or `bias` is not real-valued, `stride`, `dilation`,
        `padding` or `groups` is not an int (pair), `dtype` is not one of the above, or
        `out` is not an ndarray of the result's dtype.
    ValueError
        If `input` is not 3-D or 4-D, `weight` is not 4-D or has an empty axis but the
        first, `weight` or `bias` is not finite, the channels do not match
        (``C_in != weight.shape[1] * groups``), `groups` is below 1 or does not divide
        both channel counts, `bias` has the wrong length, `stride` or `dilation` is below
        1, `padding` is negative, an unknown word or pads beyond 2**62, `data_format` is
        unknown, the sums of an integer input could reach 2**53 (see Notes), `workers` is
        0 or below -1, or `out` has the wrong shape or is read-only. ``MemoryError`` where
        the result or the kernel's scratch cannot be allocated.

    Notes
    -----
    Integer-valued weights on bool or integer inputs give exact results, as
    :func:`convpool.convolve`: while ``sum(|weight[o]|) * max|input|`` stays below 2**53
    every product and partial sum is an exact float64 integer, whatever the order.
    Where that bound reaches 2**53 (64-bit pixels, or huge weights) the call is refused
    with a ``ValueError`` rather than rounded (the bound is first taken from the input's
    dtype, then, if that fails, from its actual values). Other inputs are summed in
    float64, within ``1e-12 * sum(|weight[o]|) * max|input|`` of the exact sum.

    Examples
    --------
    >>> import numpy as np
    >>> import convpool
    >>> image = np.arange(16, dtype=np.uint8).reshape(1, 1, 4, 4)
    >>> filters = np.array([[[[0, 1, 0], [1, -4, 1], [0, 1, 0]]],
    ...                     [[[0, 0, 0], [0, 1, 0], [0, 0, 0]]]])
    >>> convpool.conv2d(image, filters, bias=[0.5, 0.0])
    array([[[[ 0.5,  0.5],
             [ 0.5,  0.5]],
    <BLANKLINE>
            [[ 5. ,  6. ],
             [ 9. , 10. ]]]])
    >>> convpool.conv2d(image, filters[1:], stride=2, padding="same").shape
    (1, 1, 2, 2)
    """
    arr = _validate.image(input, "input")
    if arr.ndim not in (3, 4):
        raise ValueError(f"`input` must be 4-D (N, C, H, W) or 3-D (C, H, W), got shape {arr.shape}")
    if not isinstance(data_format, str) or data_format not in _FORMATS:
        raise ValueError(f"`data_format` must be 'channels_first' or 'channels_last', got {data_format!r}")
    last = data_format == "channels_last"
    x = arr if arr.ndim == 4 else arr[None]
    if last:
        x = x.transpose(0, 3, 1, 2)
    w = _weight(weight)
    if not _validate._is_int(groups):
        raise TypeError(f"`groups` must be an int, got {type(groups).__name__}")
    c_in, c_out = x.shape[1], w.shape[0]
    if groups < 1 or c_in % groups or c_out % groups:
        raise ValueError(f"`groups` must be at least 1 and divide C_in ({c_in}) and C_out ({c_out}), got {groups}")
    if c_in != w.shape[1] * groups:
        raise ValueError(
            f"`input` has {c_in} channels but `weight` expects {w.shape[1] * groups} "
            f"(weight.shape[1] = {w.shape[1]} times groups = {groups})"
        )
    b = _bias(bias, c_out)
    sh, sw = _validate.pair(stride, "stride")
    dh, dw = _validate.pair(dilation, "dilation")
    kh, kw = w.shape[2], w.shape[3]
    h, width = x.shape[2], x.shape[3]
    (pt, pb), (pl, pr) = _padding(padding, (h, width), (kh, kw), (sh, sw), (dh, dw))
    if h + pt + pb >= _LIMIT or width + pl + pr >= _LIMIT:
        raise ValueError(f"`padding` must leave the padded input below 2**62 rows and columns, got {padding!r}")
    ho = max((h + pt + pb - dh * (kh - 1) - 1) // sh + 1, 0)
    wo = max((width + pl + pr - dw * (kw - 1) - 1) // sw + 1, 0)
    dt = (np.dtype(np.float32) if x.dtype == np.float32 else np.dtype(np.float64)) if dtype is None \
        else _validate.out_dtype(dtype)
    n_workers = _validate.workers(workers)
    _check_exact(x, w)

    shape = (x.shape[0], ho, wo, c_out) if last else (x.shape[0], c_out, ho, wo)
    if arr.ndim == 3:
        shape = shape[1:]
    if out is None:
        result = np.empty(shape, dt)
        direct = True
    else:
        result = _validate.out_array(out, shape, dt)
        direct = bool(result.flags.aligned) and not np.may_share_memory(result, arr)
    target = result if direct else np.empty(shape, dt)
    dst = target if arr.ndim == 4 else target[None]
    if last:
        dst = dst.transpose(0, 3, 1, 2)
    if dst.size:
        src = _input(x)
        settings = _config.current()
        kernel = settings.build.conv.conv2d_bank
        # A single output row or column reads the same pixels at any stride: 1 keeps the
        # kernel's index arithmetic within the padded input.
        geometry = (groups, sh if ho > 1 else 1, sw if wo > 1 else 1, dh, dw, pt, pl)
        # Column tiles keep the kernel's scratch (every input channel of a group, its
        # rows of the filter, its stride phases) near max_columns float64 values a row.
        tile = max(1, settings.max_columns // (w.shape[1] * ((kh - 1) * dh + 1) * sw))
        args = (kernel, src, _plan.IMAGE_KIND[src.dtype], w, b, geometry, dst, _plan.OUT_KIND[dt], tile)
        rows = dst.shape[0] * ho
        if n_workers == 1:
            _rows(*args, 0, rows)
        else:  # a float64 multiply-add costs about a sixth of a codelab pixel (run_bands' unit)
            _threads.run_bands(_rows, args, rows, dst.size * math.prod(w.shape[1:]) // 6, n_workers)
    if not direct:
        np.copyto(result, target)
    return result
