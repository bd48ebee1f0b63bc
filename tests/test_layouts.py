"""Every public function, on every input dtype and memory layout, with and without `out`.

Each result is compared bit for bit with ``convpool.reference`` on the same values in a
plain C-ordered array (a NaN's sign aside: see ``helpers.assert_identical``), under every
build of the kernels; the input's whole buffer must be unchanged, and an `out` must be
returned, filled, and nothing written around it. Stacks along any axes, an `out`
overlapping the image, empty images and the dask functions follow.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import convpool
from convpool import reference
from helpers import IMAGE_DTYPES, assert_identical, call_with_out, digest, lay_out

SHAPE = (11, 10)  # large enough for the border modes' interior-and-strips route
KERNEL = [[1, 2, 0], [-1, 3, 1]]  # even height: the anchor is row 1
VERTICAL = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]


@dataclasses.dataclass(frozen=True)
class Call:
    """``convpool.<function>(image, *args, **kwargs)``, and the reference's result for it."""

    function: str
    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)

    def run(self, image: Any, **extra: Any) -> np.ndarray:
        return getattr(convpool, self.function)(image, *self.args, **self.kwargs, **extra)

    def expected(self, plane: np.ndarray) -> np.ndarray:
        return getattr(reference, self.function)(plane, *self.args, **self.kwargs)

    def __str__(self) -> str:  # the test id: the arguments but the kernel
        words = [str(a) for a in self.args if not isinstance(a, list)]
        words += [f"{k}={getattr(v, '__name__', v)}" for k, v in self.kwargs.items()]
        return "-".join([self.function, *words]).replace(" ", "")


CALLS = [
    Call("convolve", (VERTICAL,)),
    Call("convolve", (VERTICAL,), {"dtype": np.float64}),
    Call("convolve", (KERNEL, 0.5), {"mode": "valid", "dtype": np.float32}),
    *(Call("convolve", (KERNEL,), {"mode": m, "dtype": np.float64, "cval": 3})
      for m in ("reflect", "mirror", "nearest", "constant", "wrap")),
    Call("convolve", (KERNEL,), {"mode": "constant", "cval": 2.5}),  # a cval no integer image holds
    Call("max_pool"),  # the codelab's 2x2: uint8 takes its own route
    Call("max_pool", ((2, 3),), {"stride": (2, 1)}),
    Call("max_pool", (1,)),
    Call("max_pool", (3,), {"stride": 2, "ceil_mode": True}),
    Call("min_pool", (3,), {"stride": 2, "ceil_mode": True}),
    Call("avg_pool", (3,), {"stride": 2, "ceil_mode": True}),
    Call("avg_pool", (), {"dtype": np.float32}),
]
calls = pytest.mark.parametrize("call", CALLS, ids=str)


def make_image(dtype, shape=SHAPE) -> np.ndarray:
    """Small integers, with the dtype's extremes, or NaN, infinities and -0.0."""
    a = np.random.default_rng(11).integers(0, 100, shape).astype(dtype)
    dt = np.dtype(dtype)
    if dt.kind == "f" and a.size:
        a.flat[[0, 23, 51, 76]] = [np.nan, np.inf, -np.inf, -0.0]
    elif dt.kind in "iu" and a.size:
        a.flat[[12, 64]] = [np.iinfo(dt).max, np.iinfo(dt).min]
    return a


# Inputs: a view equal to `a` in each layout NumPy can describe: the kernels read the
# first three in place (rows contiguous, any distance apart), the others after a copy.
# Broadcast inputs (stride 0) are among the Hypothesis properties' layouts (helpers.py).
LAYOUTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "c": np.ascontiguousarray,
    "readonly": lambda a: lay_out(a, (0, 1), (1, 1), readonly=True),
    "rows-reversed": lambda a: lay_out(a, (0, 1), (-2, 1)),  # rows apart, bottom up
    "fortran": np.asfortranarray,
    "byteswapped": lambda a: a.astype(a.dtype.newbyteorder("S")),
    "strided": lambda a: lay_out(a, (0, 1), (2, 3)),  # every other row, every third column
    "reversed": lambda a: np.ascontiguousarray(a[::-1, ::-1])[::-1, ::-1],
    "transposed": lambda a: np.ascontiguousarray(a.T).T,
    "unaligned": lambda a: lay_out(a, (0, 1), (1, 1), unaligned=True),
    "everything": lambda a: lay_out(a, (1, 0), (-2, 3), swapped=True, unaligned=True, readonly=True),
}


def junk(shape: tuple[int, ...], dtype) -> np.ndarray:
    dt = np.dtype(dtype)
    return np.full(math.prod(shape) * dt.itemsize, 1 if dt.kind == "b" else 0x5A, np.uint8).view(dt).reshape(shape)


# Outputs: none, or a writeable array of the result's shape and dtype, filled with junk:
# one the kernels write into directly (rows contiguous, rows any distance apart, either
# way), or one they cannot (columns apart, Fortran order, misaligned), which gets a copy.
OUTS: dict[str, Callable[[tuple[int, ...], np.dtype], np.ndarray | None]] = {
    "none": lambda shape, dt: None,
    "c": lambda shape, dt: junk(shape, dt).copy(),
    "rows-reversed": lambda shape, dt: lay_out(junk(shape, dt), (0, 1), (-2, 1)),
    "fortran": lambda shape, dt: lay_out(junk(shape, dt), (1, 0), (1, 1)),
    "strided": lambda shape, dt: lay_out(junk(shape, dt), (0, 1), (2, -3)),
    "unaligned": lambda shape, dt: lay_out(junk(shape, dt), (0, 1), (1, 1), unaligned=True),
}


@contextlib.contextmanager
def where(**case: object) -> Iterator[None]:
    """Name the case in a failure raised inside a loop over cases."""
    try:
        yield
    except AssertionError as exc:
        exc.add_note(", ".join(f"{k}={v}" for k, v in case.items()))
        raise


@calls
@pytest.mark.parametrize("dtype", IMAGE_DTYPES, ids=lambda t: np.dtype(t).name)
def test_every_dtype_layout_and_out(build, call, dtype):
    base = make_image(dtype)
    expected = call.expected(base)
    for layout, make_input in LAYOUTS.items():
        image = make_input(base)
        before = digest(image)
        for out_layout, make_out in OUTS.items():
            with where(layout=layout, out=out_layout):
                out = make_out(expected.shape, expected.dtype)
                got = call_with_out(lambda o: call.run(image, out=o), out)  # noqa: B023
                assert digest(image) == before
                assert_identical(got, expected)


@calls
@pytest.mark.parametrize("axes", [(-2, -1), (0, 1), (2, 0), (0, 2)])
def test_stacks_along_any_axes(split_everything, call, axes):
    """A 3-D image is 2-D slices along the other axis; `out` and `workers` with them."""
    for dtype in (np.uint8, np.float16):
        image = make_image(dtype, (7, 9, 4))
        moved = np.moveaxis(image, axes, (0, 1))
        planes = [call.expected(moved[:, :, i]) for i in range(moved.shape[2])]
        expected = np.moveaxis(np.stack(planes, axis=-1), (0, 1), axes)
        with where(dtype=np.dtype(dtype).name):
            assert_identical(call.run(image, axes=axes), expected)
            out = junk(expected.shape, expected.dtype).copy()
            assert call.run(image, axes=axes, out=out, workers=2) is out
            assert_identical(out, expected)


@calls
def test_out_overlapping_the_image(call):
    """`out` in the image's own buffer gets the result computed from the image as it was."""
    dtype = call.kwargs.get("dtype", {"convolve": np.uint8, "avg_pool": np.float64}.get(call.function, np.int16))
    base = make_image(dtype)
    expected = call.expected(base)
    h, w = expected.shape
    same = base.copy()  # `out` the image itself, or its top-left corner
    assert call.run(same, out=same[:h, :w]) is not None
    assert_identical(same[:h, :w], expected)
    shifted = np.zeros((SHAPE[0] + 1, SHAPE[1]), base.dtype)  # `out` one row above the image
    shifted[1:] = base
    call.run(shifted[1:], out=shifted[:h, :w])
    assert_identical(shifted[:h, :w], expected)


@calls
def test_empty_images(call):
    for shape, axes in [((0, 0), None), ((0, 7), None), ((7, 0), None),
                        ((2, 0, 0), (0, 1)), ((0, 0, 3), (0, 1)), ((0, 5, 5), (1, 2))]:
        spatial = (0, 1) if axes is None else axes
        plane = call.expected(np.zeros([shape[a] for a in spatial], np.uint8))
        lead = [n for i, n in enumerate(shape) if i not in spatial]
        expected = np.moveaxis(np.empty(plane.shape + tuple(lead), plane.dtype), (0, 1), spatial)
        with where(shape=shape):
            assert_identical(call.run(np.zeros(shape, np.uint8), axes=axes), expected)
            out = np.zeros(expected.shape, expected.dtype)
            assert call.run(np.zeros(shape, np.uint8), axes=axes, out=out) is out


@pytest.mark.parametrize("dtype", IMAGE_DTYPES, ids=lambda t: np.dtype(t).name)
def test_misaligned_data_reaches_the_kernels_aligned(dtype):
    """C loads of misaligned data are undefined behaviour: such images are copied first.

    Where loads may be misaligned (x86) only this private check, and the sanitizer build
    (tools/check_builds.sh) running the tests above, can see a misaligned pointer.
    """
    from convpool import _layout

    image = LAYOUTS["unaligned"](make_image(dtype))
    assert image.flags.aligned == (image.itemsize == 1)
    assert _layout.as_stack(image, (0, 1)).flags.aligned


DASK_CALLS = [
    Call("convolve", (KERNEL, 0.5), {"dtype": np.float32}),
    Call("convolve", (KERNEL,), {"mode": "wrap", "dtype": np.float64, "cval": 3}),
    Call("max_pool", (3,), {"stride": 2, "ceil_mode": True}),
    Call("min_pool", ((2, 3),)),
    Call("avg_pool", (3,), {"stride": 2, "ceil_mode": True}),
]


@pytest.mark.parametrize("call", DASK_CALLS, ids=str)
def test_dask_functions_on_every_dtype_and_layout(call):
    """convpool.dask: every dtype, and every layout (one per dtype, in turn), chunked."""
    da = pytest.importorskip("dask.array")
    import convpool.dask

    function = getattr(convpool.dask, call.function)
    for dtype, layout in zip(IMAGE_DTYPES, itertools.cycle(LAYOUTS), strict=False):
        base = make_image(dtype)
        image = da.from_array(LAYOUTS[layout](base), chunks=(4, 3))
        with where(dtype=np.dtype(dtype).name, layout=layout):
            got = function(image, *call.args, **call.kwargs).compute(scheduler="sync")
            assert_identical(got, call.expected(base))
