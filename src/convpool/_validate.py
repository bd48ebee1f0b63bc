"""Every argument check of convpool's public functions, once.

Each helper takes the value and the parameter's name, and returns the value as the
implementation uses it or raises ``TypeError`` (wrong type) or ``ValueError`` (wrong
value) with a message that names the parameter in backticks, says what was expected and
what arrived. :func:`convpool.convolve`, the pooling functions, :mod:`convpool.dask`,
:class:`convpool.kernels.Kernel` and the command line all check through them.
"""

from __future__ import annotations

import functools
import math
import numbers
import operator
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from . import _borders

# convolve's modes: convpool's own two, then SciPy's.
MODES = ("keep", "valid", *_borders.MODES)
OUT_DTYPES = tuple(np.dtype(t) for t in (np.uint8, np.uint16, np.int16, np.float32, np.float64))
MEAN_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_OUT_BY_TYPE = {dt.type: dt for dt in OUT_DTYPES}


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


# Dtype kinds of real numbers; float16, float32 and float64 of the floats.
_REAL = frozenset("biuf")


def no_subclass(value: Any, name: str) -> None:
    """Refuse masked arrays and matrices."""
    # A masked array's mask and a matrix's two dimensions would be silently lost.
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"`{name}` must not be a masked array: convpool has no mask, so pass "
            f"`{name}.filled(value)` or `{name}.data` to say what the masked pixels are"
        )
    if isinstance(value, np.matrix):
        raise TypeError(f"`{name}` must be a numpy.ndarray, not a numpy.matrix: pass numpy.asarray({name})")


def image(value: Any, name: str = "image") -> np.ndarray:
    """An array of real numbers (bool, integer, float16/32/64), not copied if it is one."""
    if type(value) is np.ndarray:
        arr = value
    else:
        no_subclass(value, name)
        try:
            arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"`{name}` must be a rectangular array of numbers: {exc}") from None
    dt = arr.dtype
    kind = dt.kind
    if kind not in _REAL or (kind == "f" and dt.itemsize > 8):
        raise TypeError(
            f"`{name}` must hold real numbers (bool, integer or float16/32/64), got dtype {arr.dtype}"
        )
    return arr


def kernel(value: Any, name: str = "kernel") -> np.ndarray:
    """A non-empty 2-D array of real numbers (finiteness is checked by :func:`finite`)."""
    no_subclass(value, name)
    try:
        k = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"`{name}` must be a rectangular 2-D array of numbers: {exc}") from None
    if k.dtype.kind not in _REAL or (k.dtype.kind == "f" and k.dtype.itemsize > 8):
        raise TypeError(f"`{name}` must hold real numbers, got dtype {k.dtype}")
    if k.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D, got shape {k.shape}")
    if k.size == 0:
        raise ValueError(f"`{name}` must have at least one element, got shape {k.shape}")
    return k


def kernel_and_weight(value: Any, weight: Any) -> tuple[Any, float]:
    """convolve's `kernel` and `weight`: a :class:`convpool.kernels.Kernel` gives its
    matrix and its weight, times `weight`; a string is a kernel's name as
    :func:`convpool.kernels.get` takes it; anything else is the matrix itself, for
    :func:`kernel` to check."""
    if type(value) is np.ndarray:  # neither a name nor a Kernel
        return value, real(weight, "weight")
    kernels = _kernels()
    if isinstance(value, str):
        try:
            value = kernels.get(value)
        except ValueError:
            raise ValueError(
                f"`kernel` must be a matrix, a convpool.kernels.Kernel or a kernel's name, got the "
                f"unknown name {value!r}; the names: {', '.join(kernels.KERNELS)}"
            ) from None
    w = real(weight, "weight")
    if isinstance(value, kernels.Kernel):
        return value.matrix, real(value.weight * w, "weight")
    return value, w


@functools.cache
def _kernels() -> ModuleType:
    """convpool.kernels, imported on first use (not above: it checks its own arguments
    with this module); an import statement in the function would cost each call more
    than the rest of the check."""
    from . import kernels

    return kernels


def finite(values: np.ndarray, name: str) -> None:
    """Refuse NaN and infinities, reading ``values`` once without a copy (the minimum and
    maximum of an array are finite exactly when all its values are)."""
    if values.dtype.kind == "f" and not (np.isfinite(values.min()) and np.isfinite(values.max())):
        raise ValueError(f"`{name}` must be finite (no NaN or inf)")


def real(value: Any, name: str) -> float:
    """A finite real number of any kind (Python, NumPy scalar or 0-d array; bool
    refused), as a float."""
    if type(value) is float and math.isfinite(value):
        return value  # the common call, checked in one step
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number, got {type(value).__name__}")
    try:
        v = float(value)
    except OverflowError:
        raise ValueError(f"`{name}` must be finite, got an integer beyond float64's range") from None
    if not math.isfinite(v):
        raise ValueError(f"`{name}` must be finite, got {v}")
    return v


def boolean(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be a bool, got {type(value).__name__}")
    return bool(value)


def mode(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"`mode` must be a string, got {type(value).__name__}")
    if value not in MODES:
        raise ValueError(f"`mode` must be one of {MODES}, got {value!r}")
    return value


def out_dtype(value: Any) -> np.dtype:
    """convolve's output dtype. None is refused: NumPy would read it as float64, which
    is no default of convolve's."""
    dt = _OUT_BY_TYPE.get(value) if isinstance(value, type) else None
    if dt is not None:
        return dt
    try:
        dt = None if value is None else np.dtype(value)
    except TypeError:
        dt = None
    if dt is None or dt not in OUT_DTYPES:
        raise TypeError(
            "`dtype` must be numpy.uint8, numpy.uint16, numpy.int16, numpy.float32 or numpy.float64, "
            f"got {value!r}"
        )
    return dt.newbyteorder("=")


def mean_dtype(value: Any) -> np.dtype | None:
    """avg_pool's output dtype, None for its default."""
    if value is None:
        return None
    try:
        dt = np.dtype(value)
    except TypeError:
        dt = None
    if dt is None or dt not in MEAN_DTYPES:
        raise TypeError(f"`dtype` must be None, numpy.float16, numpy.float32 or numpy.float64, got {value!r}")
    return dt


def axes(value: Any, ndim: int, name: str = "image") -> tuple[int, int]:
    """The two spatial axes of an ``ndim``-D array named ``name``, as non-negative ints."""
    if value is None:
        if ndim != 2:
            raise ValueError(
                f"`{name}` must be 2-D, got {ndim}-D; for an N-D array pass `axes` "
                "with its two spatial axes, e.g. axes=(-2, -1) for a stack (N, H, W) "
                "or axes=(0, 1) for a colour image (H, W, C)"
            )
        return (0, 1)
    if ndim < 2:
        raise ValueError(f"`{name}` must have at least 2 dimensions, got {ndim}-D")
    if not isinstance(value, (Sequence, np.ndarray)) or isinstance(value, str):
        # A set has no order: which axis would be the rows?
        raise TypeError(f"`axes` must be a pair of ints (a tuple or list), got {value!r}")
    pair = tuple(value)
    if len(pair) != 2 or not all(_is_int(a) for a in pair):
        raise TypeError(f"`axes` must be a pair of ints, got {value!r}")
    out = []
    for a in pair:
        a = operator.index(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"`axes` entry {a} is out of range for a {ndim}-D `{name}`")
        out.append(a % ndim)
    if out[0] == out[1]:
        raise ValueError(f"`axes` must name two different axes, got {value!r}")
    return out[0], out[1]


def workers(value: Any) -> int:
    """Threads to use: a positive int, or -1 for every core."""
    if type(value) is int and value >= 1:
        return value
    if not _is_int(value):
        raise TypeError(f"`workers` must be an int, got {type(value).__name__}")
    n = int(value)
    if n == -1:
        return os.cpu_count() or 1
    if n < 1:
        raise ValueError(f"`workers` must be a positive int or -1 (all cores), got {n}")
    return n


def _two_ints(value: Any, name: str, expected: str) -> tuple[int, int]:
    """An int (for both axes) or a pair of ints, as Python ints; a TypeError naming `name`
    and what it `expected` for anything else."""
    if _is_int(value):
        both: tuple[Any, ...] = (value, value)
    elif isinstance(value, Sequence) and len(value) == 2:
        both = tuple(value)
    else:
        raise TypeError(f"`{name}` must be {expected}, got {value!r}")
    if not all(_is_int(v) for v in both):
        raise TypeError(f"`{name}` must be {expected}, got {value!r}")
    return int(both[0]), int(both[1])


def pair(value: Any, name: str) -> tuple[int, int]:
    """A window size or stride: an int, or a pair of ints, each at least 1."""
    if type(value) is int and 1 <= value <= sys.maxsize:  # the common call, checked at once
        return value, value
    r, c = _two_ints(value, name, "an int or a pair of ints")
    if r < 1 or c < 1:
        raise ValueError(f"`{name}` must be at least 1, got {value!r}")
    if r > sys.maxsize or c > sys.maxsize:
        raise ValueError(f"`{name}` must be at most {sys.maxsize} (2**63 - 1), got {value!r}")
    return r, c


PADDING_WORDS = ("valid", "same")


def padding(value: Any, window: tuple[int, int] | None = None) -> tuple[int, int] | str:
    """`padding` as PyTorch and Keras take it: an int or a pair of ints (for pooling's
    `window`, at most half of it per axis: PyTorch's limit), ``"same"`` (kept as the word: its
    amounts depend on the image, see :func:`same_padding`), or ``"valid"`` (none)."""
    expected = "an int, a pair of ints, 'same' or 'valid'"
    if isinstance(value, str):
        if value not in PADDING_WORDS:
            raise ValueError(f"`padding` must be {expected}, got {value!r}")
        return "same" if value == "same" else (0, 0)
    pr, pc = _two_ints(value, "padding", expected)
    if pr < 0 or pc < 0:
        raise ValueError(f"`padding` must be at least 0, got {value!r}")
    if window is not None and (pr > window[0] // 2 or pc > window[1] // 2):
        raise ValueError(
            f"`padding` must be at most half the window (size // 2 = {(window[0] // 2, window[1] // 2)} for size "
            f"{window}), got {value!r}"
        )
    return pr, pc


def same_padding(n: int, span: int, stride: int) -> tuple[int, int]:
    """TensorFlow's ``"same"`` along an axis of `n` pixels, for windows `span` pixels
    wide (dilation included) taken `stride` apart: ``ceil(n / stride)`` windows, padded
    by ``max((count - 1) * stride + span - n, 0)`` in all, the smaller half before.
    Returns the padding before and after."""
    total = max((-(-n // stride) - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


def divisor(value: Any) -> int:
    """avg_pool's `divisor_override`: None (0 here) or a non-zero int."""
    if value is None:
        return 0
    if not _is_int(value):
        raise TypeError(f"`divisor_override` must be None or an int, got {type(value).__name__}")
    d = int(value)
    if d == 0:
        raise ValueError("`divisor_override` must not be 0")
    if abs(d) > sys.maxsize:
        raise ValueError(f"`divisor_override` must be at most {sys.maxsize} in magnitude, got {d}")
    return d


def indices(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    """max_unpool's indices: an integer array of the values' shape."""
    no_subclass(value, "indices")
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"`indices` must be an integer array (as max_pool's return_indices gives), got dtype {arr.dtype}"
        )
    if arr.shape != shape:
        raise ValueError(f"`indices` must have the shape of `values` {shape}, got {arr.shape}")
    return arr


def output_size(value: Any, shape: tuple[int, ...], ax: tuple[int, int], default: tuple[int, int]) -> tuple[int, int]:
    """max_unpool's output rows and columns: `default`, or from `value`, the spatial pair or
    the whole shape (its other axes those of `shape`)."""
    if value is None:
        size = default
    else:
        if isinstance(value, str) or not isinstance(value, (Sequence, np.ndarray)):
            raise TypeError(f"`output_size` must be a tuple of ints, got {value!r}")
        sizes = tuple(value)
        if not all(_is_int(v) for v in sizes):
            raise TypeError(f"`output_size` must be a tuple of ints, got {value!r}")
        if len(sizes) == len(shape) and len(shape) != 2:
            if any(int(sizes[i]) != shape[i] for i in range(len(shape)) if i not in ax):
                raise ValueError(
                    f"`output_size` {value!r} must keep the non-spatial axes of `values` (shape {shape})"
                )
            size = (int(sizes[ax[0]]), int(sizes[ax[1]]))
        elif len(sizes) == 2:
            size = (int(sizes[0]), int(sizes[1]))
        else:
            raise ValueError(
                f"`output_size` must be the 2 spatial sizes or the whole shape ({len(shape)} entries), got {value!r}"
            )
    if size[0] < 0 or size[1] < 0:
        raise ValueError(f"`output_size` must not be negative, got {size} (the default for these values: {default})")
    return size


def out_array(out: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """`out` checked as the result's array: a plain writeable ndarray of `shape` and `dtype`."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"`out` must be a numpy.ndarray, got {type(out).__name__}")
    if type(out) is not np.ndarray:
        no_subclass(out, "out")
    if out.shape != shape:
        raise ValueError(f"`out` must have shape {shape}, got {out.shape}")
    if out.dtype != dtype:
        raise TypeError(f"`out` must have dtype {dtype}, got {out.dtype}")
    if not out.flags.writeable:
        raise ValueError("`out` must be writeable, got a read-only array")
    return out
