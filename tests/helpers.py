"""Strategies and helpers shared by the tests: images of every dtype in every layout."""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Iterator, Sequence

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st

from convpool import _config, _kernel, _plan

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


def elements(dtype, bounded: bool = False) -> st.SearchStrategy:
    dt = np.dtype(dtype)
    if dt.kind == "f" and bounded:
        return hnp.from_dtype(dt, min_value=-1e4, max_value=1e4)
    if dt.kind == "f":
        return hnp.from_dtype(dt, allow_nan=True, allow_infinity=True)
    return hnp.from_dtype(dt)


def lay_out(
    a: np.ndarray,
    order: Sequence[int],
    steps: Sequence[int],
    swapped: bool = False,
    unaligned: bool = False,
    readonly: bool = False,
) -> np.ndarray:
    """A view equal to ``a`` inside a larger buffer, in any layout NumPy can describe.

    Axis ``order[0]`` varies slowest in memory, each axis ``i`` steps ``steps[i]``
    elements of the buffer (negative: walking backwards), ``swapped`` flips the byte
    order and ``unaligned`` starts the buffer one byte off its alignment. The buffer's
    other elements are gaps that no function may read into its result or write to.
    """
    dt = a.dtype.newbyteorder("S") if swapped else a.dtype
    padded = [n * abs(s) + 1 for n, s in zip(a.shape, steps, strict=True)]
    nbytes = math.prod(padded) * dt.itemsize
    raw = np.full(nbytes + 1, 0xA5, np.uint8)
    offset = 1 if unaligned and dt.itemsize > 1 else 0
    mem = raw[offset : offset + nbytes].view(dt).reshape([padded[i] for i in order])
    parent = mem.transpose(np.argsort(order))
    view = parent[tuple(slice(1 if s > 0 else p - 1, None, s) for s, p in zip(steps, padded, strict=True))]
    view = view[tuple(slice(0, n) for n in a.shape)]
    view[...] = a
    if readonly:
        view.flags.writeable = False
    return view


@st.composite
def layouts(draw, a: np.ndarray, writeable: bool = False, native: bool = False) -> np.ndarray:
    """``a`` in a drawn layout: strides of any sign and size, any axis order, either byte
    order, unaligned, read-only; or, for inputs, ``a``'s first slice along an axis
    broadcast to its shape (stride 0)."""
    if not writeable and a.ndim >= 2 and a.size and draw(st.integers(0, 9)) == 0:
        axis = draw(st.integers(0, a.ndim - 1))
        return np.broadcast_to(np.take(a, [0], axis=axis), a.shape)  # stride 0, read-only
    order = draw(st.permutations(range(a.ndim)))
    steps = draw(st.lists(st.sampled_from([1, 1, 1, 2, 3, -1, -2]), min_size=a.ndim, max_size=a.ndim))
    swapped = not native and a.dtype.itemsize > 1 and draw(st.booleans())
    return lay_out(
        a,
        order,
        steps,
        swapped=swapped,
        unaligned=draw(st.integers(0, 5)) == 0,
        readonly=not writeable and draw(st.booleans()),
    )


@st.composite
def images(
    draw,
    max_side: int = 12,
    dtypes=IMAGE_DTYPES,
    min_side: int = 0,
    bounded: bool = False,
    ndim: int = 2,
):
    """Any real array NumPy can describe: every dtype, byte order and memory layout."""
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(st.lists(st.integers(min_side, max_side), min_size=ndim, max_size=ndim))
    a = draw(hnp.arrays(dtype, tuple(shape), elements=elements(dtype, bounded)))
    return draw(layouts(a))


def root(a: np.ndarray) -> np.ndarray:
    """The array that owns ``a``'s memory."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def digest(a: np.ndarray) -> str:
    """A fingerprint of an array's values, flags and memory (the whole buffer it lives
    in, gaps included), to show nothing changed it."""
    owner = root(a)
    return hashlib.sha256(
        np.ascontiguousarray(a).tobytes()
        + np.ascontiguousarray(owner).tobytes()
        + repr((a.dtype, a.shape, a.strides, a.flags.writeable, a.flags.aligned)).encode()
    ).hexdigest()


def assert_identical(actual: np.ndarray, expected: np.ndarray) -> None:
    """Same shape, dtype and values, NaN where NaN, and the same sign on every number.

    A NaN's sign and payload are not compared: IEEE 754 leaves them unspecified, and
    which operand's NaN an addition propagates depends on the compiler's operand order.
    """
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    floats = actual.dtype.kind == "f"
    numbers = ~np.isnan(expected) if floats else ...
    # np.array_equal first: np.testing's comparison, ten times slower, only to say what differs.
    if not np.array_equal(actual, expected, equal_nan=floats):
        np.testing.assert_array_equal(actual, expected, strict=True)
    if floats and not np.array_equal(np.signbit(actual)[numbers], np.signbit(expected)[numbers]):
        np.testing.assert_array_equal(np.signbit(actual)[numbers], np.signbit(expected)[numbers], err_msg="signs")


@st.composite
def outs(draw, shape: Sequence[int], dtype) -> np.ndarray:
    """A writeable ``out`` of ``shape`` and ``dtype`` in a drawn layout, filled with junk."""
    dt = np.dtype(dtype)
    junk = np.full(math.prod(shape) * dt.itemsize, 1 if dt.kind == "b" else 0x5A, np.uint8)
    return draw(layouts(junk.view(dt).reshape(tuple(shape)), writeable=True, native=True))


def spatial_axes(ndim: int) -> st.SearchStrategy:
    """``None`` for a 2-D image, else a pair of different axes, either sign."""
    if ndim == 2:
        return st.none()
    return st.permutations(range(ndim)).flatmap(
        lambda p: st.tuples(st.sampled_from([p[0], p[0] - ndim]), st.sampled_from([p[1], p[1] - ndim]))
    )


def slice_by_slice(func, image: np.ndarray, axes, out_hw: tuple[int, int], dtype) -> np.ndarray:
    """Apply the 2-D ``func`` to every 2-D slice of ``image`` along ``axes``."""
    a = np.asarray(image)
    if axes is None:
        return func(a)
    moved = np.moveaxis(a, axes, (0, 1))
    lead = moved.shape[2:]
    result = np.empty(out_hw + lead, dtype=dtype)
    for idx in np.ndindex(*lead):
        result[(slice(None), slice(None), *idx)] = func(moved[(slice(None), slice(None), *idx)])
    return np.moveaxis(result, (0, 1), axes)


def call_with_out(func, out: np.ndarray | None) -> np.ndarray:
    """``func(out)``, checking that it returns ``out`` and writes nowhere else in its buffer."""
    if out is None:
        return func(None)
    owner = root(out)
    before = owner.copy()
    junk = out.copy()
    got = func(out)
    assert got is out
    result = out.copy()
    out[...] = junk
    assert np.array_equal(owner.view(np.uint8), before.view(np.uint8)), "wrote outside `out`"
    return result


def within_tolerance(case, got, expected):
    """The rule for non-integer kernels: 1 in integer outputs (uint8, uint16, int16), else
    1e-12 * |weight| * sum|k| * max|image| (plus one spacing of the output type). It
    leaves room for a faster summation order than the reference's, and for fused
    multiply-adds."""
    assert got.shape == expected.shape and got.dtype == expected.dtype
    if got.dtype.kind in "ui":
        assert np.all(np.abs(got.astype(int) - expected.astype(int)) <= 1)
        return
    image = np.asarray(case["image"], np.float64)
    scale = abs(case["weight"]) * np.abs(np.asarray(case["kernel"])).sum() * max(np.abs(image).max(initial=0), 1)
    tol = 1e-12 * scale + np.spacing(np.abs(expected).astype(got.dtype))
    assert np.all(np.abs(got.astype(np.float64) - expected) <= tol)


def assert_kernel_result(got, expected, image, kernel, weight=1.0, cval=0.0):
    """The contract for ``kernel``: an integer-valued kernel gives the reference's pixels
    bit for bit; any other the tolerance rule (:func:`within_tolerance`) on finite
    results, and the reference's infinities and NaN where it has them (the test images'
    finite pixels are far from overflow, where a fused multiply-add could differ)."""
    k = np.asarray(kernel, np.float64)
    if (k == np.trunc(k)).all():
        assert_identical(got, expected)
        return
    assert got.shape == expected.shape and got.dtype == expected.dtype
    image = np.asarray(image, np.float64)
    if got.dtype.kind == "f":
        odd = ~np.isfinite(expected)
        assert_identical(got[odd], expected[odd])
        got, expected = got[~odd], expected[~odd]
    pixels = np.append(image[np.isfinite(image)], cval)
    within_tolerance({"image": pixels, "kernel": k, "weight": weight}, got, expected)


def plan_of(kernel, dtype, out=np.uint8) -> _plan.Plan:
    """The plan convolve runs for ``kernel`` on an image of ``dtype`` into ``out``, under
    the build in force: the one question the tests ask of the planner."""
    return _plan.plan(_kernel.checked_kernel(kernel), np.dtype(dtype), np.dtype(out), _config.current().build)


@contextlib.contextmanager
def planner_constant(name: str, value: int) -> Iterator[None]:
    """``convpool._plan``'s threshold ``name`` set to ``value`` inside the block. Plans are
    kept with the cached kernels, so the kernels (and plans) made before the block and
    inside it are forgotten on the way in and out."""
    old = getattr(_plan, name)
    _kernel._CACHE.clear()
    setattr(_plan, name, value)
    try:
        yield
    finally:
        setattr(_plan, name, old)
        _kernel._CACHE.clear()
