"""The public functions: argument checks, memory layout and threading around the kernels.

Every check and every allocation happens here; the Cython kernels in ``_conv.pxi`` and
``_pool.pxi`` trust what they are given. The kernels come in two builds of the same
source, baseline and AVX2; the AVX2 build is used when the CPU has it, unless the
environment variable ``CONVPOOL_DISABLE_AVX2=1`` asks for the baseline.
"""

from __future__ import annotations

import math
import numbers
import operator
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import ModuleType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import _borders
from . import _conv as _conv_baseline
from . import _pool as _pool_baseline

__all__ = ["convolve", "kernel_variant"]


def _load_kernels() -> tuple[str, ModuleType, ModuleType]:
    # The AVX2 modules may use AVX2 anywhere, their import included: ask the CPU first.
    if os.environ.get("CONVPOOL_DISABLE_AVX2", "") in ("", "0") and _conv_baseline.cpu_has_avx2():
        try:
            from . import _conv_avx2, _pool_avx2
        except ImportError:  # a build without the AVX2 variant (MSVC, non-x86)
            pass
        else:
            return "avx2", _conv_avx2, _pool_avx2
    return "baseline", _conv_baseline, _pool_baseline


#: Which build of the kernels runs: ``"avx2"`` or ``"baseline"``.
kernel_variant, _conv, _pool = _load_kernels()

_OUT_DTYPES = (np.dtype(np.uint8), np.dtype(np.float32), np.dtype(np.float64))
_MODES = ("keep", "valid", *_borders.MODES)
_FAST_MODES = ("keep", "valid")
# Largest magnitude that float64 holds as an exact integer.
_EXACT = 2**53
# Work per thread, in pixels of the codelab's 3x3 filters on the int16 path (see
# _conv_work), below which a call takes fewer threads than `workers`: handing a band to
# a pool thread and waiting for it took up to about 100 microseconds on a 2-core virtual
# machine, the time of some 2**19 such pixels on one core, so a band must be larger to
# gain. Results never depend on it.
_MIN_PIXELS_PER_THREAD = 1 << 20
Mode = Literal[
    "keep", "valid", "reflect", "mirror", "nearest", "constant", "wrap",
    "grid-mirror", "grid-constant", "grid-wrap",
]


# ---------------------------------------------------------------- argument checks


def _check_image(image: Any, name: str = "image") -> np.ndarray:
    if isinstance(image, np.ndarray):
        arr = image
    else:
        try:
            arr = np.asarray(image)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"`{name}` must be a rectangular array of numbers: {exc}") from None
    kind = arr.dtype.kind
    if kind not in "biuf" or (kind == "f" and arr.dtype.itemsize > 8):
        raise TypeError(
            f"`{name}` must hold real numbers (bool, integer or float16/32/64), "
            f"got dtype {arr.dtype}"
        )
    return arr


def _check_axes(axes: Any, ndim: int, name: str) -> tuple[int, int]:
    if axes is None:
        if ndim != 2:
            raise ValueError(
                f"`{name}` must be 2-D, got {ndim}-D; for an N-D array pass `axes` "
                "with its two spatial axes, e.g. axes=(-2, -1) for a stack (N, H, W) "
                "or axes=(0, 1) for a colour image (H, W, C)"
            )
        return (0, 1)
    if ndim < 2:
        raise ValueError(f"`{name}` must have at least 2 dimensions, got {ndim}-D")
    try:
        pair = tuple(axes)
    except TypeError:
        raise TypeError(f"`axes` must be a pair of ints, got {axes!r}") from None
    if len(pair) != 2 or not all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in pair):
        raise TypeError(f"`axes` must be a pair of ints, got {axes!r}")
    out = []
    for a in pair:
        a = operator.index(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"`axes` entry {a} is out of range for a {ndim}-D `{name}`")
        out.append(a % ndim)
    if out[0] == out[1]:
        raise ValueError(f"`axes` must name two different axes, got {axes!r}")
    return out[0], out[1]


def _check_workers(workers: Any) -> int:
    if type(workers) is int and workers >= 1:
        return workers
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral):
        raise TypeError(f"`workers` must be an int, got {type(workers).__name__}")
    workers = int(workers)
    if workers == -1:
        return os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"`workers` must be a positive int or -1 (all cores), got {workers}")
    return workers


def _check_pair(value: Any, name: str) -> tuple[int, int]:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        pair: tuple[Any, ...] = (value, value)
    elif isinstance(value, Sequence) and len(value) == 2:
        pair = tuple(value)
    else:
        raise TypeError(f"`{name}` must be an int or a pair of ints, got {value!r}")
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair):
        raise TypeError(f"`{name}` must be an int or a pair of ints, got {value!r}")
    r, c = int(pair[0]), int(pair[1])
    if r < 1 or c < 1:
        raise ValueError(f"`{name}` must be at least 1, got {value!r}")
    return r, c


def _check_kernel(kernel: Any) -> np.ndarray:
    try:
        k = np.asarray(kernel)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"`kernel` must be a rectangular 2-D array of numbers: {exc}") from None
    if k.dtype.kind not in "biuf" or (k.dtype.kind == "f" and k.dtype.itemsize > 8):
        raise TypeError(f"`kernel` must hold real numbers, got dtype {k.dtype}")
    if k.ndim != 2:
        raise ValueError(f"`kernel` must be 2-D, got shape {k.shape}")
    if k.size == 0:
        raise ValueError(f"`kernel` must have at least one element, got shape {k.shape}")
    if k.size <= _KERNEL_CACHE_MAX_TAPS:
        key = (k.dtype.str, k.shape, k.tobytes())
        hit = _KERNEL_CACHE.get(key)
        if hit is not None:
            return hit
    # Always a private copy: it is frozen and cached, and neither may touch the caller's array.
    k = np.array(k, dtype=np.float64, order="C", copy=True)
    if not np.isfinite(k).all():
        raise ValueError("`kernel` must be finite (no NaN or inf)")
    k.flags.writeable = False
    if k.size <= _KERNEL_CACHE_MAX_TAPS:
        if len(_KERNEL_CACHE) >= _KERNEL_CACHE_SIZE:
            _KERNEL_CACHE.clear()
        _KERNEL_CACHE[key] = k
    return k


# Checked float64 kernels by their bytes: the same small kernel applied again and again
# (the codelab's case) skips the conversion and checks, which cost more than filtering a
# small image. Keyed by dtype, shape and bytes, so only identical kernels share an entry.
_KERNEL_CACHE: dict[tuple[str, tuple[int, ...], bytes], np.ndarray] = {}
_KERNEL_CACHE_SIZE = 64
_KERNEL_CACHE_MAX_TAPS = 1024
# Integer taps for the integer paths, per checked kernel (by identity of the cached array).
_INT_TAPS: dict[int, tuple[np.ndarray, np.ndarray | None, int]] = {}


def _check_weight(weight: Any) -> float:
    if type(weight) is float and math.isfinite(weight):
        return weight  # the common call, checked in one step
    return _check_real(weight, "weight")


def _check_real(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number, got {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"`{name}` must be finite, got {v}")
    return v


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be a bool, got {type(value).__name__}")
    return bool(value)


def _pooled_length(n: int, size: int, stride: int, ceil_mode: bool) -> int:
    """Number of pooling windows along an axis of length ``n`` (torch's rule, no padding)."""
    if not ceil_mode:
        return (n - size) // stride + 1 if n >= size else 0
    if n == 0:
        return 0
    count = max(-(-(n - size) // stride), 0) + 1
    return count - 1 if (count - 1) * stride >= n else count


def _check_dtype(dtype: Any) -> np.dtype:
    dt = _DTYPES.get(dtype) if isinstance(dtype, type) else None
    if dt is not None:
        return dt
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt not in _OUT_DTYPES:
        raise TypeError(f"`dtype` must be numpy.uint8, numpy.float32 or numpy.float64, got {dtype!r}")
    return dt


_DTYPES = {np.uint8: _OUT_DTYPES[0], np.float32: _OUT_DTYPES[1], np.float64: _OUT_DTYPES[2]}


# ---------------------------------------------------------------- layout


# Native dtypes the kernels take as they are.
_KERNEL_DTYPES = frozenset(
    np.dtype(t)
    for t in (np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.uint64, np.int64, np.float32, np.float64)
)


def _as_stack(arr: np.ndarray, axes: tuple[int, int]) -> np.ndarray:
    """View (or, only where the kernels need it, copy) ``arr`` as a stack (N, H, W).

    The kernels take native-endian data of the types they were compiled for, with each
    row contiguous; rows may be any distance apart, so most slices need no copy.
    """
    if arr.ndim == 2 and axes == (0, 1):
        stack = arr[np.newaxis]
        if stack.dtype in _KERNEL_DTYPES and stack.strides[2] == stack.itemsize and stack.flags.aligned:
            return stack
    else:
        moved = np.moveaxis(arr, axes, (-2, -1))
        stack = moved.reshape((-1,) + moved.shape[-2:])
    dt = stack.dtype
    if dt.kind == "b":
        stack = stack.view(np.uint8)
    elif dt.kind == "f" and dt.itemsize == 2:
        stack = stack.astype(np.float32)  # exact: every float16 is a float32
    elif not dt.isnative:
        stack = stack.astype(dt.newbyteorder("="))
    if stack.strides[2] != stack.itemsize or not stack.flags.aligned:
        # Misaligned loads are undefined behaviour in C (and slow where they work).
        stack = stack.copy()
    return stack


def _prepare_out(
    out: Any, shape: tuple[int, ...], dtype: np.dtype, axes: tuple[int, int], image: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray]:
    """Check ``out`` and return ``(out, stack)``: the kernel writes into ``stack``.

    ``stack`` is a view of ``out`` when ``out`` can take the kernel's layout and shares
    no memory with ``image``; otherwise it is a fresh array that ``_finish`` copies
    into ``out``, so an overlapping ``out`` still gets the correct result.
    """
    ho, wo = shape[axes[0]], shape[axes[1]]
    if out is None:
        lead = 1 if len(shape) == 2 else _lead_count(shape, axes)
        return None, np.empty((lead, ho, wo), dtype=dtype)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"`out` must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"`out` must have shape {shape}, got {out.shape}")
    if out.dtype != dtype:
        raise TypeError(f"`out` must have dtype {dtype}, got {out.dtype}")
    if not out.flags.writeable:
        raise ValueError("`out` must be writeable, got a read-only array")
    moved = np.moveaxis(out, axes, (-2, -1))
    # An explicit count, not -1: NumPy cannot infer -1 when a spatial axis is 0.
    stack = moved.reshape((_lead_count(shape, axes), ho, wo))
    direct = (
        np.may_share_memory(stack, out)  # the reshape made no copy
        and stack.strides[2] == stack.itemsize
        and stack.flags.aligned
        and not np.may_share_memory(out, image)
    )
    if direct:
        return out, stack
    return out, np.empty((stack.shape[0], ho, wo), dtype=dtype)


def _lead_count(shape: tuple[int, ...], axes: tuple[int, int]) -> int:
    return math.prod(s for i, s in enumerate(shape) if i not in axes)


def _finish(out: np.ndarray | None, stack: np.ndarray, shape: tuple[int, ...], axes: tuple[int, int]) -> np.ndarray:
    if out is None and len(shape) == 2 and axes == (0, 1):
        return stack[0]
    moved_shape = tuple(s for i, s in enumerate(shape) if i not in axes) + (shape[axes[0]], shape[axes[1]])
    result = np.moveaxis(stack.reshape(moved_shape), (-2, -1), axes)
    if out is None:
        return result
    if not np.may_share_memory(result, out):
        np.copyto(out, result)
    return out


def _run_bands(task: Callable[[int, int], None], rows: int, pixels: int, workers: int) -> None:
    """Run ``task(start, stop)`` over output rows ``0..rows``, split across threads.

    The calling thread takes the first band, the shared pool the others. Pool tasks are
    only kernel calls and never wait on anything, so concurrent and nested callers
    cannot deadlock: at worst their bands queue.
    """
    bands = min(workers, rows, max(1, pixels // _MIN_PIXELS_PER_THREAD))
    if bands <= 1:
        task(0, rows)
        return
    edges = [rows * b // bands for b in range(bands + 1)]
    pool = _thread_pool()
    futures: list[Future[None]] = [pool.submit(task, edges[b], edges[b + 1]) for b in range(1, bands)]
    try:
        task(edges[0], edges[1])
    finally:
        # Wait for every band before returning or raising: they write into the output.
        errors = [f.exception() for f in futures]
    for exc in errors:
        if exc is not None:
            raise exc


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _thread_pool() -> ThreadPoolExecutor:
    """The threads shared by all calls, started on first use (a pool per call costs
    more than a small image's filtering)."""
    global _POOL
    pool = _POOL
    if pool is None:
        with _POOL_LOCK:
            if _POOL is None:
                # Threads start only as bands need them; calls with more bands than
                # threads queue them, which changes no result.
                _POOL = ThreadPoolExecutor(max_workers=max(os.cpu_count() or 1, 4), thread_name_prefix="convpool")
            pool = _POOL
    return pool


def _forget_pool() -> None:
    # A forked child has none of the parent's threads: start a new pool there.
    global _POOL, _POOL_LOCK
    _POOL = None
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


_CYTHON_TYPES = {
    "u1": "uint8_t",
    "i1": "int8_t",
    "u2": "uint16_t",
    "i2": "int16_t",
    "u4": "uint32_t",
    "i4": "int32_t",
    "u8": "uint64_t",
    "i8": "int64_t",
    "f4": "float",
    "f8": "double",
}
_SPECIALISED: dict[tuple[Any, np.dtype, np.dtype], Callable[..., None]] = {}


def _specialised(kern: Any, image: np.dtype, out: np.dtype) -> Callable[..., None]:
    """The kernel compiled for these dtypes, skipping the fused function's per-call lookup."""
    key = (kern, image, out)
    fn = _SPECIALISED.get(key)
    if fn is None:
        name = f"{_CYTHON_TYPES[image.kind + str(image.itemsize)]}|{_CYTHON_TYPES[out.kind + str(out.itemsize)]}"
        fn = kern.__signatures__.get(name, kern)
        _SPECIALISED[key] = fn
    return fn


# ---------------------------------------------------------------- public API


# Widest row a kernel call takes at once. The kernels' scratch grows with the row
# width (an accumulator row, or kh rows converted to float64), so wider images are cut
# into column tiles computed in "valid" mode, with the margin converted here: scratch
# stays under a few MiB per thread however wide the image. Every pixel is computed by
# the same kernel from the same values, so the results do not change.
_MAX_COLUMNS = 1 << 15


def _convert(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Input values as the output dtype, by the kernels' rule (the codelab's margin)."""
    v = values.astype(np.float64)
    if dtype == np.uint8:
        v = np.where(v > 0, np.minimum(v, 255.0), 0.0)  # NaN fails v > 0 and becomes 0
    with np.errstate(over="ignore", invalid="ignore"):
        return v.astype(dtype)


def _correlate(
    kern: Callable[..., None],
    src: np.ndarray,
    taps: np.ndarray,
    weight: float,
    dst: np.ndarray,
    keep: bool,
    start: int,
    stop: int,
) -> None:
    """``kern`` over output rows ``start..stop`` of the stack, in column tiles if wide."""
    h, width = src.shape[1], src.shape[2]
    kh, kw = taps.shape
    if width <= _MAX_COLUMNS or kh > h or kw > width:
        kern(src, taps, weight, dst, keep, start, stop)
        return
    ho = dst.shape[1]
    ar, ac = (kh // 2, kw // 2) if keep else (0, 0)
    hv, wv = h - kh + 1, width - kw + 1
    for n in range(start // ho, (stop - 1) // ho + 1):
        r0, r1 = max(start - n * ho, 0), min(stop - n * ho, ho)
        if keep:
            for r in [*range(r0, min(r1, ar)), *range(max(r0, ar + hv), r1)]:
                dst[n, r] = _convert(src[n, r], dst.dtype)
            a, b = max(r0, ar), min(r1, ar + hv)  # interior rows of this band
            if a >= b:
                continue
            dst[n, a:b, :ac] = _convert(src[n, a:b, :ac], dst.dtype)
            dst[n, a:b, ac + wv :] = _convert(src[n, a:b, ac + wv :], dst.dtype)
        else:
            a, b = r0, r1
        for c0 in range(0, wv, _MAX_COLUMNS):
            c1 = min(c0 + _MAX_COLUMNS, wv)
            kern(
                src[n : n + 1, a - ar : b - ar + kh - 1, c0 : c1 + kw - 1],
                taps,
                weight,
                dst[n : n + 1, a:b, ac + c0 : ac + c1],
                False,
                0,
                b - a,
            )


def _plan(k: np.ndarray, image: np.dtype, out: np.dtype) -> tuple[Callable[..., None], np.ndarray]:
    """The compiled kernel and its taps for a checked kernel and these dtypes, cached."""
    key = (id(k), image, out)
    plan = _PLANS.get(key)
    if plan is not None and plan[0] is k:
        return plan[1], plan[2]
    fused, taps = _integer_kernel(k, image)
    fn = _specialised(fused, image, out)
    if len(_PLANS) >= 4 * _KERNEL_CACHE_SIZE:
        _PLANS.clear()
    _PLANS[key] = (k, fn, taps)
    return fn, taps


_PLANS: dict[tuple[int, np.dtype, np.dtype], tuple[np.ndarray, Callable[..., None], np.ndarray]] = {}


def _integer_kernel(k: np.ndarray, dtype: np.dtype) -> tuple[Any, np.ndarray]:
    """The kernel function and taps for an image of ``dtype``: the narrowest exact one.

    Integer-valued kernels on integer images accumulate in int16 when
    ``sum(|k|) * max|pixel of dtype|`` fits it (8-bit images), else int32 (up to 16-bit
    images), else int64 while that bound stays below 2**53 (where float64 is exact as
    well); everything else runs in float64.
    """
    info = _INT_TAPS.get(id(k))
    if info is None or info[0] is not k:
        ik = None
        total = 0
        if (k == np.trunc(k)).all() and float(np.abs(k).sum()) < _EXACT:
            ik = k.astype(np.int64)
            ik.flags.writeable = False
            total = int(np.abs(ik).sum())
        info = (k, ik, total)
        if len(_INT_TAPS) >= _KERNEL_CACHE_SIZE:
            _INT_TAPS.clear()
        _INT_TAPS[id(k)] = info
    ik, total = info[1], info[2]
    if ik is None or dtype.kind not in "iu" or (dtype.kind == "u" and dtype.itemsize == 8):
        return _conv.correlate_float, k
    bits = 8 * dtype.itemsize
    biggest = 2**bits - 1 if dtype.kind == "u" else 2 ** (bits - 1)
    bound = total * biggest
    if dtype.itemsize == 1 and bound <= 2**15 - 1:
        return _conv.correlate_int16, ik
    if dtype.itemsize <= 2 and bound <= 2**31 - 1:
        return _conv.correlate_int32, ik
    if bound < _EXACT:
        return _conv.correlate_int, ik
    return _conv.correlate_float, k


def _conv_work(pixels: int, taps: np.ndarray) -> int:
    """A convolution's work in pixels of the codelab's 3x3 filters on the int16 path
    (six nonzero taps), for _run_bands: the integer paths skip zero taps, and a float64
    tap costs about three integer ones."""
    return pixels * max(1, int(np.count_nonzero(taps))) * (3 if taps.dtype.kind == "f" else 1) // 6


def _correlate_valid(src: np.ndarray, k: np.ndarray, w: float, dst: np.ndarray, nworkers: int) -> None:
    """Correlate the stack ``src`` into ``dst`` in "valid" mode, with the exact kernel for its dtype."""
    kern, taps = _plan(k, src.dtype, dst.dtype)
    _run_bands(
        lambda start, stop: _correlate(kern, src, taps, w, dst, False, start, stop),
        dst.shape[0] * dst.shape[1],
        _conv_work(dst.size, taps) if nworkers > 1 else 0,
        nworkers,
    )


def convolve(
    image: npt.ArrayLike,
    kernel: npt.ArrayLike,
    weight: float = 1.0,
    *,
    mode: Mode = "keep",
    dtype: npt.DTypeLike = np.uint8,
    axes: tuple[int, int] | None = None,
    out: np.ndarray | None = None,
    workers: int = 1,
    cval: float = 0.0,
) -> np.ndarray:
    """Pass a kernel over an image and make a feature map, as the codelab does.

    Each output pixel is the cross-correlation (no kernel flip, NumPy's row/column
    order, as in ``scipy.ndimage.correlate`` and ``cv2.filter2D``)::

        s[r, c] = sum_{i, j} kernel[i, j] * image[r + i - kh // 2, c + j - kw // 2]
        v[r, c] = weight * s[r, c]

    summed in float64, taps in row-major order. For ``dtype=uint8`` ``v`` is clamped to
    0..255 and truncated toward zero (99.9 becomes 99; OpenCV would round to 100),
    as the codelab stores its float into the integer image; NaN becomes 0.

    Parameters
    ----------
    image : array_like of shape (M, N), or N-D with `axes`
        Real numbers: bool, any integer width, float16, float32 or float64; any memory
        layout or byte order. A Pillow image works through ``numpy.asarray``.
    kernel : array_like of shape (kh, kw)
        The filter, real and finite, at least 1 x 1; the codelab's list of lists works
        as written. Integer-valued kernels on integer images run on an exact integer path.
    weight : float, optional
        Finite factor applied to the sum (the codelab's ``weight``), default 1.0.
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
        repeat the pattern, as SciPy does.
    dtype : {numpy.uint8, numpy.float32, numpy.float64}, optional
        Output type. The float types return ``v`` unclamped (negative responses kept;
        float32 rounds to nearest and overflows to +-inf).
    axes : pair of int, optional
        The two spatial axes of an N-D image; the kernel is applied to every 2-D slice
        along the other axes (``(-2, -1)`` for a stack, ``(0, 1)`` for ``(H, W, C)``).
    out : ndarray, optional
        Preallocated writeable result of the right shape and dtype; it is returned.
        It may overlap `image`: the result is then computed aside and copied in.
    workers : int, optional
        Threads to use (``-1``: all cores). Results never depend on it.
    cval : float, optional
        The value beyond the edge in ``mode="constant"`` (default 0.0); finite.
        Ignored by the other modes.

    Returns
    -------
    ndarray
        The feature map (`out` if given). For `axes` other than the last two, a view
        whose spatial axes are moved back into place.

    Raises
    ------
    TypeError
        If `image` or `kernel` is not real-valued (complex, object, strings), `weight`
        or `cval` is not a real number, `dtype` is not one of the three above, `axes` or
        `workers` is not an int (pair), or `out` is not an ndarray of `dtype`.
    ValueError
        If `image` is not 2-D and no `axes` are given, `kernel` is not 2-D, empty or
        not finite, `weight` or `cval` is not finite, `mode` is unknown, `axes` are out of
        range or equal, `workers` is 0 or below -1, or `out` has the wrong shape or is
        read-only.

    Notes
    -----
    The codelab's own loop indexes ``i[x + c - 1, y + r - 1]`` with ``x`` the row, so it
    applies ``numpy.transpose(kernel)``; :func:`convpool.reference.codelab_convolution`
    reproduces it. Empty images give empty results. The input is never modified.

    Examples
    --------
    >>> import numpy as np
    >>> import convpool
    >>> image = np.array([[10, 10, 10, 10],
    ...                   [10, 50, 50, 10],
    ...                   [10, 50, 50, 10],
    ...                   [10, 10, 10, 10]], dtype=np.uint8)
    >>> edges = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    >>> convpool.convolve(image, edges)
    array([[10, 10, 10, 10],
           [10,  0,  0, 10],
           [10,  0,  0, 10],
           [10, 10, 10, 10]], dtype=uint8)
    >>> convpool.convolve(image, edges, dtype=np.float32, mode="valid")
    array([[-80., -80.],
           [-80., -80.]], dtype=float32)
    >>> convpool.convolve(image, edges, mode="nearest")
    array([[ 0, 40, 40,  0],
           [40,  0,  0, 40],
           [40,  0,  0, 40],
           [ 0, 40, 40,  0]], dtype=uint8)
    """
    arr = _check_image(image)
    k = _check_kernel(kernel)
    w = _check_weight(weight)
    if not isinstance(mode, str):
        raise TypeError(f"`mode` must be a string, got {type(mode).__name__}")
    if mode not in _MODES:
        raise ValueError(f"`mode` must be one of {_MODES}, got {mode!r}")
    c = cval if type(cval) is float and math.isfinite(cval) else _check_real(cval, "cval")
    out_dtype = _check_dtype(dtype)
    ax = _check_axes(axes, arr.ndim, "image")
    nworkers = _check_workers(workers)

    keep = mode != "valid"  # the extension modes keep the image's shape too
    kh, kw = k.shape
    if out is None and ax == (0, 1) and arr.ndim == 2 and nworkers == 1 and mode in _FAST_MODES:
        # The common call, without the N-D and `out` bookkeeping: small images spend
        # more time here than in the kernel.
        h, w_ = arr.shape
        ho, wo = (h, w_) if keep else (max(h - kh + 1, 0), max(w_ - kw + 1, 0))
        dst = np.empty((1, ho, wo), dtype=out_dtype)
        if ho and wo:
            src = _as_stack(arr, ax)
            kern, taps = _plan(k, src.dtype, out_dtype)
            if w_ <= _MAX_COLUMNS:
                kern(src, taps, w, dst, keep, 0, ho)
            else:
                _correlate(kern, src, taps, w, dst, keep, 0, ho)
        return dst[0]
    shape = list(arr.shape)
    if not keep:
        shape[ax[0]] = max(shape[ax[0]] - kh + 1, 0)
        shape[ax[1]] = max(shape[ax[1]] - kw + 1, 0)
    out_shape = tuple(shape)
    out, dst = _prepare_out(out, out_shape, out_dtype, ax, arr)
    if dst.size and mode in _borders.MODES:
        src = _as_stack(arr, ax)
        _borders.correlate(src, dst, k.shape, _borders.canonical(mode), c,
                           lambda s, d: _correlate_valid(s, k, w, d, nworkers))
    elif dst.size:
        src = _as_stack(arr, ax)
        kern, taps = _plan(k, src.dtype, dst.dtype)
        rows = dst.shape[0] * dst.shape[1]
        if nworkers == 1:
            _correlate(kern, src, taps, w, dst, keep, 0, rows)
        else:

            def task(start: int, stop: int) -> None:
                _correlate(kern, src, taps, w, dst, keep, start, stop)

            _run_bands(task, rows, _conv_work(dst.size, taps), nworkers)
    return _finish(out, dst, out_shape, ax)
