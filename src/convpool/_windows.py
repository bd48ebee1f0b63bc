"""Pooling windows: their options, checked, and their count and place along each axis
(PyTorch's rules, and TensorFlow's for ``padding="same"``)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _validate

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
