"""Strategies and helpers shared by the tests: images of every dtype in every layout."""

from __future__ import annotations

import hashlib

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st

IMAGE_DTYPES = [
    np.bool_,
    np.uint8,
    np.int8,
    np.uint16,
    np.int16,
    np.uint32,
    np.int32,
    np.uint64,
    np.int64,
    np.float16,
    np.float32,
    np.float64,
]
OUT_DTYPES = [np.uint8, np.float32, np.float64]
LAYOUTS = ["c", "fortran", "byteswapped", "readonly", "strided", "reversed", "transposed"]


def in_layout(a: np.ndarray, layout: str) -> np.ndarray:
    """An array equal to ``a`` (same values, same dtype kind) laid out as ``layout``."""
    if layout == "c":
        return np.ascontiguousarray(a)
    if layout == "fortran":
        return np.asfortranarray(a)
    if layout == "byteswapped":
        return a.astype(a.dtype.newbyteorder("S"))
    if layout == "readonly":
        b = a.copy()
        b.flags.writeable = False
        return b
    if layout == "strided":
        # Every other row and every third column of a larger buffer.
        big = np.zeros((a.shape[0] * 2 + 1, a.shape[1] * 3 + 2), dtype=a.dtype)
        big[1::2, 2::3] = a
        return big[1::2, 2::3]
    if layout == "reversed":
        return np.ascontiguousarray(a[::-1, ::-1])[::-1, ::-1]
    if layout == "transposed":
        return np.ascontiguousarray(a.T).T
    raise AssertionError(layout)


def elements(dtype, bounded: bool = False) -> st.SearchStrategy:
    dt = np.dtype(dtype)
    if dt.kind == "f" and bounded:
        return hnp.from_dtype(dt, min_value=-1e4, max_value=1e4)
    if dt.kind == "f":
        return hnp.from_dtype(dt, allow_nan=True, allow_infinity=True)
    return hnp.from_dtype(dt)


@st.composite
def images(draw, max_side: int = 12, dtypes=IMAGE_DTYPES, min_side: int = 0, bounded: bool = False):
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(st.tuples(st.integers(min_side, max_side), st.integers(min_side, max_side)))
    a = draw(hnp.arrays(dtype, shape, elements=elements(dtype, bounded)))
    return in_layout(a, draw(st.sampled_from(LAYOUTS)))


def digest(a: np.ndarray) -> str:
    """A fingerprint of an array's values, flags and memory, to show nothing changed it."""
    return hashlib.sha256(
        np.ascontiguousarray(a).tobytes() + repr((a.dtype, a.shape, a.strides, a.flags.writeable)).encode()
    ).hexdigest()


def assert_identical(actual: np.ndarray, expected: np.ndarray) -> None:
    """Same shape, dtype and values, NaN where NaN, and the same sign on zeros."""
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_array_equal(actual, expected, strict=True)
    if actual.dtype.kind == "f":
        np.testing.assert_array_equal(np.signbit(actual), np.signbit(expected))
