"""Parameter text shared by the public docstrings, written once (as scipy.ndimage's
``_ni_docstrings``).

A docstring names an entry on a line of its own, ``%(pool_size)s``, indented as the
entry should be; :func:`docfiller` replaces that line with the entry's text, every line
indented the same. Only such whole lines are replaced, so a ``%`` elsewhere in a
docstring stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["docdict", "docfiller"]

F = TypeVar("F", bound=Callable[..., object])

_REAL = "Real numbers (bool, any integer width, float16/32/64), any layout or byte order."
_DASK_IMAGE = """\
image : dask.array.Array or array_like, of shape (M, N), or N-D with `axes`
    A dask array, or anything ``dask.array.asarray`` takes, of real numbers (bool, any
    integer width, float16/32/64)."""
_AXES = """\
axes : pair of int, optional
    The two spatial axes of an N-D image; every 2-D slice is {what} (``(-2, -1)`` for
    a stack, ``(0, 1)`` for ``(H, W, C)``)."""
_WORKERS = """\
workers : int, optional
    Threads to use (``-1``: all cores). Results never depend on it."""
_POOL_TYPE_ERRORS = (
    "If `image` is not real-valued (or is a masked array or matrix), `size`/`stride`/\n"
    "    `dilation`/`padding` are not ints or pairs of ints (or a word, for `padding`),\n"
    "    `ceil_mode` is not a bool, "
)
_POOL_VALUE_ERROR = """\
ValueError
    If `image` is not 2-D and no `axes` are given, `size`, `stride` or `dilation` is
    below 1 (or above 2**63 - 1), `padding` is negative, beyond half the window or an
    unknown word, `ceil_mode` is True with ``padding="same"``, a dilated window would
    take no pixel of the image, `axes` are out of range or equal, `workers` is 0 or
    below -1, or `out` has the wrong shape or is read-only."""

docdict: dict[str, str] = {
    # ---------------------------------------------------------------- pooling
    "pool_image": "image : array_like of shape (M, N), or N-D with `axes`\n    " + _REAL,
    "dask_pool_image": _DASK_IMAGE,
    "dask_pool_padding": """\
padding : 0 or 'valid', optional
    No padding: a chunk does not know where the image's padding would start (a
    ValueError says so).""",
    "dask_return_indices": """\
return_indices : False, optional
    Not with dask: a chunk's indices would be its own, not the image's (a
    ValueError says so); pool the image in memory for them.""",
    "pool_size": """\
size : int or pair of int, optional
    Window size, ``(rows, cols)`` or one int for both; default 2.""",
    "pool_stride": """\
stride : int or pair of int, optional
    Step between windows' top-left corners; default `size` (windows that tile the
    image).""",
    "max_ceil_mode": """\
ceil_mode : bool, optional
    If True, windows that run past the bottom/right edge are pooled too, over the
    pixels that exist (the missing ones count as the dtype's minimum, or -inf), as
    ``torch.nn.functional.max_pool2d(ceil_mode=True)`` with no padding does: the
    output has ``ceil((M - size) / stride) + 1`` rows, less one if that last window
    would start past the edge; an image smaller than the window gives one row.""",
    "min_ceil_mode": """\
ceil_mode : bool, optional
    If True, windows that run past the bottom/right edge are pooled too, over the
    pixels that exist (the missing ones count as the dtype's maximum, or +inf), with
    the output sizes of :func:`convpool.max_pool`.""",
    "avg_ceil_mode": """\
ceil_mode : bool, optional
    If True, windows that run past the bottom/right edge are pooled too, as the mean
    of the pixels that exist, as ``torch.nn.functional.avg_pool2d`` with
    ``ceil_mode=True`` and no padding does.""",
    "avg_dtype": """\
dtype : {None, numpy.float16, numpy.float32, numpy.float64}, optional
    Output type. Default: float64 for bool and integer images (a mean is rarely an
    integer, and float64 holds every mean of 8-, 16- and 32-bit pixels to full
    precision), the image's own float type for float images (as NumPy's ``mean`` and
    torch's ``avg_pool2d`` keep it).""",
    "pool_padding": """\
padding : int, pair of int or {'same', 'valid'}, optional
    Rows and columns of padding on each side of the image (torch's ``padding``): 0 to
    half the window (``size // 2`` per axis). The padded pixels never win a window:
    a window that reaches into the padding pools the pixels of the image in it (as if
    the padding were -inf for max, +inf for min). ``"same"`` is Keras's and
    TensorFlow's: ``ceil(M / stride)`` rows (likewise columns), padded by
    ``max((rows - 1) * stride + span - M, 0)`` in all, the smaller half before (``span``
    is ``(size - 1) * dilation + 1``); ``"valid"`` is 0. Default 0.""",
    "pool_dilation": """\
dilation : int or pair of int, optional
    Step between the pixels a window takes, ``(rows, cols)`` or one int for both, at
    least 1 (torch's ``dilation``): a window spans ``(size - 1) * dilation + 1``
    pixels. Default 1.""",
    "return_indices": """\
return_indices : bool, optional
    If True, also return each window's winner's index in its image plane:
    ``row * N + column`` (N the image's columns), as int64, in
    ``torch.nn.functional.max_pool2d(return_indices=True)``'s layout, which
    :func:`convpool.max_unpool` takes. Of equal values the first in row-major window
    order wins; of NaN too, the first NaN (torch's CPU kernel gives the last).""",
    "avg_padding": """\
padding : int, pair of int or {'same', 'valid'}, optional
    Rows and columns of padding on each side of the image (torch's ``padding``): 0 to
    half the window (``size // 2`` per axis); `count_include_pad` says whether padded
    pixels count in the mean. ``"same"`` is Keras's and TensorFlow's: ``ceil(M /
    stride)`` rows (likewise columns), padded by ``max((rows - 1) * stride + size - M,
    0)`` in all, the smaller half before, each mean over the image's pixels only (as
    TensorFlow, whatever `count_include_pad` says); ``"valid"`` is 0. Default 0.""",
    "count_include_pad": """\
count_include_pad : bool, optional
    With numeric `padding`, whether the padded pixels (zeros) count in a window's
    mean, as torch's ``avg_pool2d``: a window is divided by its pixels up to the far
    edge of the padding (in `ceil_mode` not what the last window reaches beyond it).
    False divides by the image's pixels in the window. Default True, as torch.""",
    "divisor_override": """\
divisor_override : int, optional
    If given (non-zero), every window's sum is divided by it instead of a count, as
    torch's ``avg_pool2d(divisor_override=...)``.""",
    "pool_axes": _AXES.format(what="pooled"),
    "pool_out": """\
out : ndarray, optional
    Preallocated writeable result of the right shape and of the image's dtype (native
    byte order); it is returned.""",
    "avg_out": """\
out : ndarray, optional
    Preallocated writeable result of the right shape and of the output dtype (native
    byte order); it is returned.""",
    "workers": _WORKERS,
    "pool_raises": f"""\
TypeError
    {_POOL_TYPE_ERRORS}`axes` or `workers` is not an int
    (pair), or `out` is not an ndarray of the image's dtype.
{_POOL_VALUE_ERROR}""",
    "avg_raises": f"""\
TypeError
    {_POOL_TYPE_ERRORS}`dtype` is not a float type, `axes` or
    `workers` is not an int (pair), or `out` is not an ndarray of the output dtype.
{_POOL_VALUE_ERROR}""",
    # ---------------------------------------------------------------- convolution
    "conv_image": """\
image : array_like of shape (M, N), or N-D with `axes`
    Real numbers: bool, any integer width, float16, float32 or float64; any memory
    layout or byte order. A Pillow image works through ``numpy.asarray``.""",
    "dask_conv_image": _DASK_IMAGE,
    "conv_kernel": """\
kernel : array_like of shape (kh, kw), convpool.kernels.Kernel or str
    The filter, real and finite, at least 1 x 1; the codelab's list of lists works
    as written. A named kernel, :class:`~convpool.kernels.Kernel`
    (``convpool.kernels.GAUSSIAN_5X5``) or its name as :func:`convpool.kernels.get`
    takes it (``"gaussian_5x5"``, ``"sobel-vertical"``), gives its matrix and its
    weight. Integer-valued kernels on integer images run on an exact integer path.""",
    "conv_weight": """\
weight : float, optional
    Finite factor applied to the sum (the codelab's ``weight``), default 1.0: any
    real scalar (Python, NumPy, or a 0-d array). With a named kernel it multiplies
    the kernel's own weight (``1/256`` for ``"gaussian_5x5"``).""",
    "conv_mode": """\
mode : str, optional
    ``"keep"`` (default) returns the image's shape and leaves the margin the kernel
    cannot cover (``kh // 2`` rows on top, ``kh - 1 - kh // 2`` at the bottom,
    likewise columns) as the input values, converted like the results; a kernel
    larger than the image leaves it all as margin. ``"valid"`` returns only the
    covered interior, shape ``(M - kh + 1, N - kw + 1)`` (0 where negative).
    SciPy's extension modes return the image's shape with every pixel computed,
    the image extended beyond its edge as ``scipy.ndimage.correlate`` does:
    ``"reflect"`` (``d c b a | a b c d | d c b a``), ``"mirror"``
    (``d c b | a b c d | c b a``), ``"nearest"`` (``a a a a | a b c d | d d d d``),
    ``"constant"`` (``k k k k | a b c d | k k k k`` with ``k = cval``) and
    ``"wrap"`` (``a b c d | a b c d | a b c d``); ``"grid-mirror"``,
    ``"grid-constant"`` and ``"grid-wrap"`` are SciPy's synonyms of
    ``"reflect"``, ``"constant"`` and ``"wrap"``. Images smaller than the kernel
    repeat the pattern, as SciPy does.""",
    "conv_dtype": """\
dtype : {numpy.uint8, numpy.uint16, numpy.int16, numpy.float32, numpy.float64}, optional
    Output type (``None`` is refused: NumPy would read it as float64). The integer
    types clamp and truncate as above: ``uint16`` for 16-bit images (microscopy,
    medical), ``int16`` for signed responses (OpenCV's ``CV_16S``). The float types
    return ``v`` unclamped (negative responses kept; float32 rounds to nearest and
    overflows to +-inf).""",
    "conv_axes": _AXES.format(what="filtered"),
    "conv_cval": """\
cval : float, optional
    The value beyond the edge in ``mode="constant"`` (default 0.0); finite.
    Ignored by the other modes.""",
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)%\((?P<name>\w+)\)s[ \t]*$")


def fill(doc: str) -> str:
    """`doc` with each placeholder line replaced by its entry, indented as the line."""
    lines = []
    for line in doc.splitlines():
        match = _PLACEHOLDER.match(line)
        if match is None:
            lines.append(line)
            continue
        indent = match["indent"]
        lines.extend(indent + text if text else text for text in docdict[match["name"]].splitlines())
    return "\n".join(lines) + ("\n" if doc.endswith("\n") else "")


def docfiller(f: F) -> F:
    """Decorator: fill the placeholders of `f`'s docstring (none under ``python -OO``)."""
    if f.__doc__:
        f.__doc__ = fill(f.__doc__)
    return f
