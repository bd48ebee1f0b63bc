"""Memory layout around the kernels: an image as a native stack ``(N, H, W)``, the
checks of `out`, and the result's assembly.

The kernels take native-endian data of the types they were compiled for, with each row
contiguous; rows may be any distance apart, so most slices need no copy. They receive
each stack through the buffer protocol, with a kind number for its dtype. A 2-D array
``(H, W)`` is a stack of one image as it is: the common call (one image, a fresh
result) then makes no view of either, which is a tenth of a small call's time.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _kinds, _validate

# Native dtypes the kernels take as they are.
KERNEL_DTYPES = frozenset(np.dtype(code) for code, _ in _kinds.IMAGE)


def as_stack(arr: np.ndarray, axes: tuple[int, int]) -> np.ndarray:
    """View (or, only where the kernels need it, copy) ``arr`` as a stack: (N, H, W), or
    the 2-D image itself where the kernels take it as it is."""
    if arr.ndim == 2 and axes == (0, 1):
        flags = arr.flags  # (each attribute of an array costs about a small function call)
        if arr.dtype in KERNEL_DTYPES and flags.c_contiguous and flags.aligned:
            return arr  # the common call
        stack = arr
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
    if stack.strides[-1] != stack.itemsize or not stack.flags.aligned:
        # Misaligned loads are undefined behaviour in C (and slow where they work).
        stack = stack.copy()
    return stack


def three_d(stack: np.ndarray) -> np.ndarray:
    """A stack as (N, H, W), for code that walks its images."""
    return stack if stack.ndim == 3 else stack[None]


def row_count(stack: np.ndarray) -> int:
    """Rows of all the images of a stack: what the kernels number ``0 .. row_count``."""
    return stack.shape[0] if stack.ndim == 2 else stack.shape[0] * stack.shape[1]


def lead_count(shape: tuple[int, ...], axes: tuple[int, int]) -> int:
    """Number of 2-D slices of an array of ``shape`` with spatial ``axes``."""
    return math.prod(s for i, s in enumerate(shape) if i not in axes)


def prepare_out(
    out: Any, shape: tuple[int, ...], dtype: np.dtype, axes: tuple[int, int], image: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray]:
    """Check ``out`` and return ``(out, stack)``: the kernel writes into ``stack``.

    ``stack`` is a view of ``out`` when ``out`` can take the kernel's layout and shares
    no memory with ``image``; otherwise it is a fresh array that :func:`finish` copies
    into ``out``, so an overlapping ``out`` still gets the correct result.
    """
    if out is None:
        if len(shape) == 2:
            return None, np.empty(shape if axes == (0, 1) else (shape[1], shape[0]), dtype)
        return None, np.empty((lead_count(shape, axes), shape[axes[0]], shape[axes[1]]), dtype)
    ho, wo = shape[axes[0]], shape[axes[1]]
    _validate.out_array(out, shape, dtype)
    moved = np.moveaxis(out, axes, (-2, -1))
    # An explicit count, not -1: NumPy cannot infer -1 when a spatial axis is 0.
    stack = moved.reshape((lead_count(shape, axes), ho, wo))
    direct = (
        np.may_share_memory(stack, out)  # the reshape made no copy
        and stack.strides[2] == stack.itemsize
        and stack.flags.aligned
        and not np.may_share_memory(out, image)
    )
    if direct:
        return out, stack
    return out, np.empty((stack.shape[0], ho, wo), dtype)


def finish(out: np.ndarray | None, stack: np.ndarray, shape: tuple[int, ...], axes: tuple[int, int]) -> np.ndarray:
    """The result of the shape the caller asked for, from the stack the kernel wrote."""
    if out is None and len(shape) == 2 and axes == (0, 1):
        return stack
    moved_shape = tuple(s for i, s in enumerate(shape) if i not in axes) + (shape[axes[0]], shape[axes[1]])
    result = np.moveaxis(stack.reshape(moved_shape), (-2, -1), axes)
    if out is None:
        return result
    if not np.may_share_memory(result, out):
        np.copyto(out, result)
    return out
