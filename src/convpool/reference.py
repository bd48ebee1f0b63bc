"""The codelab's loops in plain Python: slow, obvious, and the oracle for the fast kernels.

:func:`codelab_convolution` and :func:`codelab_pooling` are the codelab's own loops,
transcribed with its clamping and with the maximum of the four pixels (its notebook
sorted them in descending order and took the first). :func:`convolve` and
:func:`max_pool` are the same arithmetic written for the conventions of
:func:`convpool.convolve` and :func:`convpool.max_pool` (row/column order, any kernel
size, margin, dtype, stride): the fast functions must return exactly what they return.

The codelab's loop reads ``i[x + c - 1, y + r - 1] * filter[r][c]`` with ``x`` the row,
so it applies the kernel transposed::

    codelab_convolution(image, filter, weight)
        == convpool.convolve(image, numpy.transpose(filter), weight)

Arithmetic is in Python floats (float64), never in the image's dtype: under NumPy 2 the
codelab's loop run on a uint8 image overflows for negative or large filter values.

Everything here takes seconds per 512 x 512 image; use it to check, not to compute.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["avg_pool", "codelab_convolution", "codelab_pooling", "convolve", "max_pool", "min_pool"]


def _store_uint8(v: float) -> int:
    # The codelab clamps to 0..255, then its integer image truncates the float.
    if v != v:  # NaN
        return 0
    if v < 0:
        v = 0.0
    if v > 255:
        v = 255.0
    return int(v)


def _store_int(dtype: np.dtype):
    """The codelab's rule on another integer range: clamp, then truncate toward zero."""
    info = np.iinfo(dtype)

    def store(v: float) -> int:
        if v != v:  # NaN
            return 0
        return int(min(max(v, float(info.min)), float(info.max)))

    return store


def codelab_convolution(
    image: npt.ArrayLike, filter: npt.ArrayLike, weight: float = 1
) -> np.ndarray:
    """The codelab's 3x3 convolution loop, as written (kernel applied transposed).

    Parameters
    ----------
    image : array_like of shape (M, N), uint8
        The image (the codelab uses ``ascent``).
    filter : array_like of shape (3, 3)
        The codelab's ``filter``, a list of three lists.
    weight : float, optional
        The codelab's ``weight``.

    Returns
    -------
    ndarray of shape (M, N), uint8
        A copy of the image with every pixel but the 1-pixel margin replaced.

    Examples
    --------
    >>> import numpy as np
    >>> from convpool import reference
    >>> image = np.arange(16, dtype=np.uint8).reshape(4, 4)
    >>> reference.codelab_convolution(image, [[0, 0, 0], [0, 0, 1], [0, 0, 0]])
    array([[ 0,  1,  2,  3],
           [ 4,  9, 10,  7],
           [ 8, 13, 14, 11],
           [12, 13, 14, 15]], dtype=uint8)
    """
    i = np.asarray(image)
    f = np.asarray(filter, dtype=np.float64).tolist()
    i_transformed = np.copy(i)
    size_x = i_transformed.shape[0]
    size_y = i_transformed.shape[1]
    for x in range(1, size_x - 1):
        for y in range(1, size_y - 1):
            output_pixel = 0.0
            output_pixel = output_pixel + (float(i[x - 1, y - 1]) * f[0][0])
            output_pixel = output_pixel + (float(i[x, y - 1]) * f[0][1])
            output_pixel = output_pixel + (float(i[x + 1, y - 1]) * f[0][2])
            output_pixel = output_pixel + (float(i[x - 1, y]) * f[1][0])
            output_pixel = output_pixel + (float(i[x, y]) * f[1][1])
            output_pixel = output_pixel + (float(i[x + 1, y]) * f[1][2])
            output_pixel = output_pixel + (float(i[x - 1, y + 1]) * f[2][0])
            output_pixel = output_pixel + (float(i[x, y + 1]) * f[2][1])
            output_pixel = output_pixel + (float(i[x + 1, y + 1]) * f[2][2])
            output_pixel = output_pixel * weight
            if output_pixel < 0:
                output_pixel = 0
            if output_pixel > 255:
                output_pixel = 255
            i_transformed[x, y] = int(output_pixel)
    return i_transformed


def codelab_pooling(image: npt.ArrayLike) -> np.ndarray:
    """The codelab's 2x2 max-pooling loop, as written.

    Like the codelab's loop it needs even sizes (odd sizes raise ``IndexError``) and
    returns float64, the dtype of its ``np.zeros`` result.

    Examples
    --------
    >>> import numpy as np
    >>> from convpool import reference
    >>> reference.codelab_pooling(np.arange(16).reshape(4, 4))
    array([[ 5.,  7.],
           [13., 15.]])
    """
    i_transformed = np.asarray(image)
    size_x = i_transformed.shape[0]
    size_y = i_transformed.shape[1]
    new_x = int(size_x / 2)
    new_y = int(size_y / 2)
    newImage = np.zeros((new_x, new_y))
    for x in range(0, size_x, 2):
        for y in range(0, size_y, 2):
            pixels = []
            pixels.append(i_transformed[x, y])
            pixels.append(i_transformed[x + 1, y])
            pixels.append(i_transformed[x, y + 1])
            pixels.append(i_transformed[x + 1, y + 1])
            pixels.sort(reverse=True)
            newImage[int(x / 2), int(y / 2)] = pixels[0]
    return newImage


def _extend(x: int, n: int, mode: str) -> int | None:
    """Index that coordinate ``x`` reads in an axis of length ``n``; None for `cval`."""
    if 0 <= x < n:
        return x
    if mode in ("constant", "grid-constant"):
        return None
    if mode == "nearest":
        return 0 if x < 0 else n - 1
    if mode in ("wrap", "grid-wrap"):
        return x % n
    if mode in ("reflect", "grid-mirror"):  # d c b a | a b c d | d c b a, period 2n
        x = x % (2 * n)
        return x if x < n else 2 * n - 1 - x
    if mode == "mirror":  # d c b | a b c d | c b a, period 2n - 2
        if n == 1:
            return 0
        x = x % (2 * n - 2)
        return x if x < n else 2 * n - 2 - x
    raise ValueError(f"unknown mode {mode!r}")


def convolve(
    image: npt.ArrayLike,
    kernel: npt.ArrayLike,
    weight: float = 1.0,
    *,
    mode: str = "keep",
    dtype: npt.DTypeLike = np.uint8,
    cval: float = 0.0,
) -> np.ndarray:
    """What :func:`convpool.convolve` computes, for one 2-D image, in plain Python.

    For each output pixel: ``s = 0.0``, then ``s = s + kernel[i][j] * image[...]`` over
    the nonzero taps in row-major order (a zero tap reads no pixel, so an infinite or NaN
    pixel under it changes nothing), ``v = weight * s``, then for the integer types the
    codelab's clamp to the type's range (0..255 for uint8) and truncation toward zero
    (NaN -> 0); float32 rounds ``v`` to nearest. In mode
    ``"keep"`` the uncovered margin is the input value, converted the same way. The
    extension modes (``"reflect"``, ``"mirror"``, ``"nearest"``, ``"constant"``,
    ``"wrap"`` and SciPy's ``grid-`` synonyms) read pixels beyond the edge where
    SciPy's ``ndimage`` does (``float(cval)`` for ``"constant"``).

    Examples
    --------
    >>> from convpool import reference
    >>> reference.convolve([[1, 2], [3, 4]], [[1, 1]], mode="valid")
    array([[3],
           [7]], dtype=uint8)
    >>> reference.convolve([[1, 2], [3, 4]], [[1, 1, 1]], mode="wrap")
    array([[ 5,  4],
           [11, 10]], dtype=uint8)
    """
    arr = np.asarray(image)
    rows = arr.tolist()
    k = np.asarray(kernel, dtype=np.float64).tolist()
    out_dtype = np.dtype(dtype)
    store = float if out_dtype.kind == "f" else _store_int(out_dtype)
    h, w = arr.shape
    kh, kw = len(k), len(k[0])
    ar, ac = kh // 2, kw // 2
    if mode == "keep":
        result = [[store(float(rows[r][c])) for c in range(w)] for r in range(h)]
        r_out = range(ar, h - (kh - 1 - ar))
        c_out = range(ac, w - (kw - 1 - ac))
        shift_r, shift_c = 0, 0
    elif mode == "valid":
        ho, wo = max(h - kh + 1, 0), max(w - kw + 1, 0)
        result = [[0] * wo for _ in range(ho)]
        r_out, c_out = range(ar, ar + ho), range(ac, ac + wo)
        shift_r, shift_c = ar, ac
    else:
        result = [[0] * w for _ in range(h)]
        r_out, c_out = range(h), range(w)
        shift_r, shift_c = 0, 0
    for r in r_out:
        for c in c_out:
            s = 0.0
            for i in range(kh):
                for j in range(kw):
                    if k[i][j] == 0:  # a zero tap reads no pixel: 0 * inf would be NaN
                        continue
                    y = _extend(r + i - ar, h, mode)
                    x = _extend(c + j - ac, w, mode)
                    pixel = float(cval) if y is None or x is None else float(rows[y][x])
                    s = s + k[i][j] * pixel
            result[r - shift_r][c - shift_c] = store(weight * s)
    if mode == "valid":
        shape: tuple[int, int] = (max(h - kh + 1, 0), max(w - kw + 1, 0))
    else:
        shape = (h, w)
    with np.errstate(over="ignore"):  # float32 results beyond its range become +-inf
        return np.array(result, dtype=out_dtype).reshape(shape)


def _window_starts(n: int, size: int, stride: int, ceil_mode: bool) -> list[int]:
    """First index of each window along an axis of length ``n``."""
    starts = []
    start = 0
    while start < n:
        if start + size <= n:
            starts.append(start)  # a whole window
        elif ceil_mode:
            starts.append(start)  # the partial window that reaches past the edge
            break
        else:
            break
        if start + size >= n:
            break  # this window reaches the edge: no later window is needed
        start += stride
    return starts


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def _starts(image: npt.ArrayLike, size, stride, ceil_mode: bool) -> tuple[list[int], list[int]]:
    h, w = np.shape(image)
    sr, sc = _pair(size)
    tr, tc = (sr, sc) if stride is None else _pair(stride)
    return _window_starts(h, sr, tr, ceil_mode), _window_starts(w, sc, tc, ceil_mode)


def _pool(image: npt.ArrayLike, size, stride, ceil_mode: bool, pick) -> list[list]:
    arr = np.asarray(image)
    sr, sc = _pair(size)
    rows = arr.tolist()
    h, w = arr.shape
    row_starts, col_starts = _starts(arr, size, stride, ceil_mode)
    result = []
    for r0 in row_starts:
        line = []
        for c0 in col_starts:
            pixels = [rows[r][c] for r in range(r0, min(r0 + sr, h)) for c in range(c0, min(c0 + sc, w))]
            line.append(pick(pixels))
        result.append(line)
    return result


def _shape(result: list[list], image: npt.ArrayLike, size, stride, ceil_mode: bool) -> tuple[int, int]:
    row_starts, col_starts = _starts(image, size, stride, ceil_mode)
    return len(row_starts), len(col_starts)


def max_pool(
    image: npt.ArrayLike,
    size: int | tuple[int, int] = 2,
    stride: int | tuple[int, int] | None = None,
    ceil_mode: bool = False,
) -> np.ndarray:
    """What :func:`convpool.max_pool` computes, for one 2-D image, in plain Python.

    The maximum of each ``size x size`` window (or ``(rows, cols)``), windows
    ``stride`` apart (default ``size``); NaN wins, as in ``numpy.max``. Windows that
    fit in the image, and with ``ceil_mode`` also the one after them, which reaches past
    the edge and pools the pixels there are.

    Examples
    --------
    >>> import numpy as np
    >>> from convpool import reference
    >>> reference.max_pool(np.arange(9).reshape(3, 3))
    array([[4]])
    >>> reference.max_pool(np.arange(9).reshape(3, 3), (1, 2), stride=(2, 1))
    array([[1, 2],
           [7, 8]])
    >>> reference.max_pool(np.arange(9).reshape(3, 3), ceil_mode=True)
    array([[4, 5],
           [7, 8]])
    """

    def pick(pixels: list) -> object:
        m = pixels[0]
        for x in pixels:
            if x > m or x != x:
                m = x
        return m

    result = _pool(image, size, stride, ceil_mode, pick)
    dtype = np.asarray(image).dtype.newbyteorder("=")
    return np.array(result, dtype=dtype).reshape(_shape(result, image, size, stride, ceil_mode))


def min_pool(
    image: npt.ArrayLike, size: int = 2, stride: int | None = None, ceil_mode: bool = False
) -> np.ndarray:
    """What :func:`convpool.min_pool` computes: :func:`max_pool` with the minimum.

    Examples
    --------
    >>> import numpy as np
    >>> from convpool import reference
    >>> reference.min_pool(np.arange(9).reshape(3, 3), ceil_mode=True)
    array([[0, 2],
           [6, 8]])
    """

    def pick(pixels: list) -> object:
        m = pixels[0]
        for x in pixels:
            if x < m or x != x:
                m = x
        return m

    result = _pool(image, size, stride, ceil_mode, pick)
    dtype = np.asarray(image).dtype.newbyteorder("=")
    return np.array(result, dtype=dtype).reshape(_shape(result, image, size, stride, ceil_mode))


def avg_pool(
    image: npt.ArrayLike,
    size: int = 2,
    stride: int | None = None,
    ceil_mode: bool = False,
    dtype: npt.DTypeLike | None = None,
) -> np.ndarray:
    """What :func:`convpool.avg_pool` computes, for one 2-D image, in plain Python.

    ``s = 0.0``, then ``s = s + float(pixel)`` over the window's pixels (those that
    exist) in row-major order, then ``s / count`` rounded to `dtype` (default float64
    for bool and integer images, the image's float type otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> from convpool import reference
    >>> reference.avg_pool(np.arange(9).reshape(3, 3), ceil_mode=True)
    array([[2. , 3.5],
           [6.5, 8. ]])
    """

    def pick(pixels: list) -> float:
        s = 0.0
        for x in pixels:
            s = s + float(x)
        return s / len(pixels)

    arr = np.asarray(image)
    if dtype is None:
        dtype = arr.dtype.newbyteorder("=") if arr.dtype.kind == "f" else np.float64
    result = _pool(arr, size, stride, ceil_mode, pick)
    with np.errstate(over="ignore"):  # float16/32 means beyond their range become +-inf
        return np.array(result, dtype=np.float64).astype(dtype).reshape(_shape(result, arr, size, stride, ceil_mode))
