"""The pooling options of PyTorch and Keras (`padding`, `dilation`, `return_indices`,
`count_include_pad`, `divisor_override`) and max_unpool, against slow references
written from the definitions, on every build, bit for bit.

The comparisons with PyTorch and Keras themselves: test_frameworks_pool.py; bad
arguments: test_errors.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convpool
from helpers import IMAGE_DTYPES, assert_identical, digest, images, spatial_axes

# ---------------------------------------------------------------- references


def window_taps(n: int, size: int, stride: int, padding, dilation: int, ceil_mode: bool) -> list[tuple[int, list[int]]]:
    """Per output position along an axis of `n`: the window's first tap (in the padding
    where negative) and its taps inside the axis, from the definitions: torch's output
    size (``(n + 2p - span) / stride + 1``, rounded down, or up in `ceil_mode` less a
    last window starting in the right padding), TensorFlow's for ``"same"``."""
    span = (size - 1) * dilation + 1
    if padding == "same":
        count = math.ceil(n / stride)
        before = max((count - 1) * stride + span - n, 0) // 2
    else:
        before = padding
        room = n + 2 * padding - span
        if n == 0:
            count = 0
        elif ceil_mode:
            count = math.ceil(room / stride) + 1 if room >= 0 else 1
            if (count - 1) * stride >= n + padding:
                count -= 1
        else:
            count = room // stride + 1 if room >= 0 else 0
    windows = []
    for c in range(count):
        x0 = c * stride - before
        windows.append((x0, [x for x in (x0 + j * dilation for j in range(size)) if 0 <= x < n]))
    return windows


def pairs_of(value) -> tuple:
    return value if isinstance(value, tuple) else (value, value)


def reference_extreme(image: np.ndarray, kind: str, size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """max_pool/min_pool with indices: the first winner in row-major window order, NaN
    winning (the first NaN); ValueError if a window has no pixel of the image."""
    (sr, sc), (dr, dc) = pairs_of(size), pairs_of(dilation)
    tr, tc = pairs_of(stride if stride is not None else size)
    pr, pc = ("same", "same") if padding == "same" else pairs_of(padding)
    h, w = image.shape
    rows = window_taps(h, sr, tr, pr, dr, ceil_mode)
    cols = window_taps(w, sc, tc, pc, dc, ceil_mode)
    if any(not taps for _, taps in rows + cols):
        raise ValueError("dilation")
    pixels = image.tolist()
    values = np.zeros((len(rows), len(cols)), image.dtype.newbyteorder("="))
    indices = np.zeros((len(rows), len(cols)), np.int64)
    for r, (_, ys) in enumerate(rows):
        for c, (_, xs) in enumerate(cols):
            best, at = None, None
            for y in ys:
                for x in xs:
                    v = pixels[y][x]
                    if best is None:
                        best, at = v, y * w + x
                        continue
                    better = v > best if kind == "max" else v < best
                    if better or (v != v and best == best):
                        best, at = v, y * w + x
            values[r, c] = image[at // w, at % w]
            indices[r, c] = at
    return values, indices


def reference_avg(image: np.ndarray, size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                  divisor_override=None, dtype=None) -> np.ndarray:
    """avg_pool: ``s = 0.0; s += float(pixel)`` over the window's pixels in the image in
    row-major order, divided by `divisor_override`, or by the window's pixels up to the
    padding's far edge (torch's count_include_pad), or by its pixels in the image, in
    float64, then rounded to the output dtype."""
    (sr, sc) = pairs_of(size)
    tr, tc = pairs_of(stride if stride is not None else size)
    pr, pc = ("same", "same") if padding == "same" else pairs_of(padding)
    h, w = image.shape
    rows = window_taps(h, sr, tr, pr, 1, ceil_mode)
    cols = window_taps(w, sc, tc, pc, 1, ceil_mode)
    include = count_include_pad and padding != "same"
    pixels = image.tolist()
    means = np.zeros((len(rows), len(cols)))
    for r, (y0, ys) in enumerate(rows):
        for c, (x0, xs) in enumerate(cols):
            s = 0.0
            for y in ys:
                for x in xs:
                    s = s + float(pixels[y][x])
            if divisor_override is not None:
                divisor = divisor_override
            elif include:
                divisor = (min(y0 + sr, h + pr) - y0) * (min(x0 + sc, w + pc) - x0)
            else:
                divisor = len(ys) * len(xs)
            means[r, c] = s / divisor
    if dtype is None:
        dtype = image.dtype.newbyteorder("=") if image.dtype.kind == "f" else np.float64
    with np.errstate(over="ignore"):
        return means.astype(dtype)


# ---------------------------------------------------------------- strategies

small = st.integers(1, 4) | st.tuples(st.integers(1, 4), st.integers(1, 4))


@st.composite
def options(draw, dilate: bool = True) -> dict:
    size = draw(small)
    sr, sc = pairs_of(size)
    args = {"size": size, "stride": draw(st.none() | small)}
    same = draw(st.integers(0, 3)) == 0
    if same:
        args["padding"] = "same"
    else:
        args["padding"] = draw(
            st.integers(0, min(sr, sc) // 2) | st.tuples(st.integers(0, sr // 2), st.integers(0, sc // 2))
        )
        args["ceil_mode"] = draw(st.booleans())
    if dilate:
        args["dilation"] = draw(st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    return args


fixture_ok = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def ceil_of(args: dict) -> bool:
    return args.get("ceil_mode", False)


# ---------------------------------------------------------------- max_pool and min_pool


@fixture_ok
@given(image=images(max_side=11), args=options(), kind=st.sampled_from(["max", "min"]))
def test_extreme_options_match_reference(build, image, args, kind):
    """Values and indices bit for bit, every dtype and layout; a dilated window with no
    pixel of the image is refused, naming `dilation`."""
    func = convpool.max_pool if kind == "max" else convpool.min_pool
    before = digest(image)
    try:
        expected, where = reference_extreme(image, kind, **args)
    except ValueError:
        with pytest.raises(ValueError, match="`dilation`"):
            func(image, **args)
        return
    assert_identical(func(image, **args), expected)
    values, indices = func(image, **args, return_indices=True)
    assert_identical(values, expected)
    assert_identical(indices, where)
    assert digest(image) == before


@pytest.mark.parametrize("dtype", IMAGE_DTYPES)
@pytest.mark.parametrize("kind", ["max", "min"])
def test_every_dtype_with_ties_and_padding(build, dtype, kind):
    """Few distinct values (many ties), every dtype, each option on its own and together."""
    rng = np.random.default_rng(3)
    image = rng.integers(0, 3, (13, 17)).astype(dtype)
    func = convpool.max_pool if kind == "max" else convpool.min_pool
    for args in [
        {"size": 3, "stride": 2, "padding": 1},
        {"size": 2, "padding": 1, "ceil_mode": True},
        {"size": (3, 2), "stride": 1, "padding": (1, 0), "dilation": (2, 3)},
        {"size": 3, "stride": 2, "padding": "same"},
        {"size": (4, 5), "stride": (3, 1), "padding": "same", "dilation": 2},
        {"size": 5, "stride": 3, "padding": 2, "dilation": 2, "ceil_mode": True},
        {"size": 2},
    ]:
        expected, where = reference_extreme(image, kind, **args)
        values, indices = func(image, **args, return_indices=True)
        assert_identical(values, expected)
        assert_identical(indices, where)
        assert_identical(func(image, **args), expected)


@pytest.mark.parametrize("dtype", IMAGE_DTYPES)
@pytest.mark.parametrize("kind", ["max", "min"])
def test_indices_in_rows_as_wide_as_the_vectors(build, dtype, kind):
    """Rows of up to 140 windows, past every build's vector step: the literal windows
    (2 x 2, 3 x 3, 4 x 4, 3 wide by 2) and the combining down a window's rows, with
    ties everywhere, give the reference's values and indices bit for bit."""
    rng = np.random.default_rng(11)
    func = convpool.max_pool if kind == "max" else convpool.min_pool
    for width in (8, 33, 70, 131, 280):
        image = rng.integers(0, 3, (9, width)).astype(dtype)
        for args in [{"size": 2}, {"size": 3}, {"size": 4}, {"size": 3, "stride": 2, "padding": 1}]:
            expected, where = reference_extreme(image, kind, **args)
            values, indices = func(image, **args, return_indices=True)
            assert_identical(values, expected)
            assert_identical(indices, where)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_nan_and_signed_zeros(build, dtype):
    """NaN wins, the first NaN in row-major window order gives the index; of 0.0 and
    -0.0 the first is kept, in values and indices alike."""
    image = np.array([[0.0, -0.0, 1.0, np.nan], [np.nan, 2.0, -0.0, 0.0], [np.inf, -np.inf, np.nan, np.nan]], dtype)
    for kind, func in [("max", convpool.max_pool), ("min", convpool.min_pool)]:
        for args in [{"size": 2, "padding": 1}, {"size": 2, "stride": 1}, {"size": 3, "padding": "same", "stride": 1}]:
            expected, where = reference_extreme(image, kind, **args)
            values, indices = func(image, **args, return_indices=True)
            assert_identical(values, expected)
            assert_identical(indices, where)
            assert_identical(func(image, **args), expected)
    # The window of rows 1-2, columns 2-3 holds -0.0, 0.0, NaN, NaN: the first NaN is
    # pixel (2, 2), index 10 (torch's CPU kernel gives the last, 11).
    values, indices = convpool.max_pool(image, 2, stride=1, return_indices=True)
    assert indices[1, 2] == 10
    assert np.isnan(values[1, 2])


@fixture_ok
@given(data=st.data())
def test_stacks_axes_workers_and_out(build, split_everything, data):
    """N-D stacks with `axes`, split over threads, with `out`: each slice as alone."""
    ndim = data.draw(st.sampled_from([3, 4]))
    image = data.draw(images(max_side=7, ndim=ndim, dtypes=[np.uint8, np.int32, np.float32, np.float64]))
    axes = data.draw(spatial_axes(ndim))
    args = data.draw(options())
    kind = data.draw(st.sampled_from(["max", "min", "avg"]))
    if kind == "avg":
        args.pop("dilation", None)
        args["count_include_pad"] = data.draw(st.booleans())
        func = convpool.avg_pool
    else:
        func = convpool.max_pool if kind == "max" else convpool.min_pool
    ax = tuple(a % ndim for a in axes)
    moved = np.moveaxis(image, ax, (-2, -1))
    planes = moved.reshape((math.prod(moved.shape[:-2]), *moved.shape[-2:]))

    def reference(plane: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        if kind == "avg":
            return reference_avg(plane, **args), None
        return reference_extreme(plane, kind, **args)

    try:
        # A plane of zeros gives the shape and dtype where there is no plane.
        expected_planes = [reference(p) for p in [*planes, np.zeros(moved.shape[-2:], moved.dtype)]]
    except ValueError:
        with pytest.raises(ValueError, match="`dilation`"):
            func(image, **args, axes=axes)
        return
    hw = expected_planes[-1][0].shape

    def assemble(arrays: list[np.ndarray]) -> np.ndarray:
        return np.moveaxis(np.array(arrays[:-1], arrays[-1].dtype).reshape(moved.shape[:-2] + hw), (-2, -1), ax)

    expected = assemble([v for v, _ in expected_planes])
    got = func(image, **args, axes=axes, workers=data.draw(st.sampled_from([1, 2, 3])))
    assert_identical(got, expected)
    out = np.full(expected.shape, 7, expected.dtype)
    assert func(image, **args, axes=axes, out=out, workers=2) is out
    assert_identical(out, expected)
    if kind != "avg":
        values, indices = func(image, **args, axes=axes, return_indices=True, workers=2)
        assert_identical(values, expected)
        assert_identical(indices, assemble([i for _, i in expected_planes]))


def test_same_padding_sizes():
    """``"same"``: ceil(n / stride) windows along each axis, whatever the window."""
    image = np.zeros((7, 10), np.uint8)
    for size in (1, 2, 3, 5, 8):
        for stride in (1, 2, 3):
            assert convpool.max_pool(image, size, stride=stride, padding="same").shape == (
                -(-7 // stride), -(-10 // stride))
            assert convpool.avg_pool(image, size, stride=stride, padding="same").shape == (
                -(-7 // stride), -(-10 // stride))


def test_valid_is_no_padding():
    image = np.arange(35, dtype=np.int16).reshape(5, 7)
    assert_identical(convpool.max_pool(image, 3, stride=2, padding="valid"), convpool.max_pool(image, 3, stride=2))
    assert_identical(convpool.avg_pool(image, 3, padding="valid"), convpool.avg_pool(image, 3))


def test_edge_windows_clipped_not_padded():
    """Max of all-negative pixels with padding: the padding never wins (it is not 0)."""
    image = -np.arange(1, 17, dtype=np.int8).reshape(4, 4)
    got = convpool.max_pool(image, 3, stride=2, padding=1)
    assert_identical(got, np.array([[-1, -2], [-5, -6]], np.int8))
    _values, indices = convpool.max_pool(image, 3, stride=2, padding=1, return_indices=True)
    assert_identical(indices, np.array([[0, 1], [4, 5]], np.int64))


# ---------------------------------------------------------------- avg_pool


@fixture_ok
@given(
    image=images(max_side=11),
    args=options(dilate=False),
    include=st.booleans(),
    divisor=st.none() | st.integers(-9, 9).filter(bool) | st.integers(2**20, 2**40),
    dtype=st.sampled_from([None, np.float16, np.float32, np.float64]),
)
def test_avg_options_match_reference(build, image, args, include, divisor, dtype):
    """Bit for bit: the float64 sum in row-major order, one division, one rounding."""
    before = digest(image)
    expected = reference_avg(image, **args, count_include_pad=include, divisor_override=divisor, dtype=dtype)
    got = convpool.avg_pool(image, **args, count_include_pad=include, divisor_override=divisor, dtype=dtype)
    assert_identical(got, expected)
    assert digest(image) == before


@pytest.mark.parametrize("dtype", IMAGE_DTYPES)
@pytest.mark.parametrize("out", [None, np.float16, np.float32, np.float64])
def test_avg_every_dtype(build, dtype, out):
    """Every image and output dtype, the integer paths (8- and 16-bit sums) included."""
    rng = np.random.default_rng(5)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    hi = min(info.max, 1000) if info else 1000
    image = rng.integers(0 if info is None else max(info.min, -1000), hi, (14, 19), endpoint=True).astype(dtype)
    for args in [
        {"size": 2, "padding": 1},
        {"size": 2, "padding": 1, "ceil_mode": True},
        {"size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
        {"size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"size": (4, 3), "stride": (3, 2), "padding": (2, 1), "ceil_mode": True, "count_include_pad": False},
        {"size": 3, "stride": 2, "padding": "same"},
        {"size": (2, 4), "stride": 1, "padding": "same"},
        {"size": 3, "padding": 1, "divisor_override": 7},
        {"size": 2, "divisor_override": 3},
        {"size": 2, "stride": 2},
    ]:
        assert_identical(convpool.avg_pool(image, **args, dtype=out), reference_avg(image, **args, dtype=out))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
def test_avg_3x3_windows_in_one_pass(build, dtype):
    """3 x 3 windows of column stride 3 (their three rows summed in one pass) give the
    reference's sums in its order: pixels of many magnitudes, whose float64 sum depends
    on it, and windows clipped by padding and ceil_mode at both ends of the rows."""
    rng = np.random.default_rng(6)
    if np.dtype(dtype).kind == "f":
        image = (rng.standard_normal((10, 47)) * 10.0 ** rng.integers(-3, 8, (10, 47))).astype(dtype)
    else:
        image = rng.integers(-(2**31), 2**31, (10, 47)).astype(dtype)
    for args in [
        {"size": 3},
        {"size": 3, "padding": 1},
        {"size": 3, "padding": 1, "ceil_mode": True},
        {"size": 3, "ceil_mode": True, "count_include_pad": False},
        {"size": 3, "stride": (2, 3), "padding": (1, 1)},
    ]:
        assert_identical(convpool.avg_pool(image, **args), reference_avg(image, **args))
        assert_identical(convpool.avg_pool(image[:, 1:], **args), reference_avg(image[:, 1:], **args))


def test_avg_include_pad_counts_padding():
    """torch's divisor: padding counts, but not what ceil_mode's last window reaches past it."""
    image = np.ones((3, 3))
    # 2x2 windows, padding 1: every window holds one, two or four pixels of the image.
    assert_identical(convpool.avg_pool(image, 2, padding=1), np.array([[0.25, 0.5], [0.5, 1.0]]))
    assert_identical(convpool.avg_pool(image, 2, padding=1, count_include_pad=False), np.ones((2, 2)))
    # ceil_mode, 4 x 4 pixels, 3 x 3 windows, stride 2, padding 1: windows from -1, 1
    # and 3 (ceil_mode's extra one) take 2, 3 and 1 pixels of the image along each axis;
    # with the padding they count 3, 3 and 2 (not 3: the padding ends at 5).
    real, counted = [2, 3, 1], [3, 3, 2]
    expected = np.array([[real[i] * real[j] / (counted[i] * counted[j]) for j in range(3)] for i in range(3)])
    assert_identical(convpool.avg_pool(np.ones((4, 4)), 3, stride=2, padding=1, ceil_mode=True), expected)
    assert_identical(convpool.avg_pool(np.ones((4, 4)), 3, stride=2, padding=1, ceil_mode=True,
                                       count_include_pad=False), np.ones((3, 3)))
    # torch drops a last window that would start in the right padding: 2 x 2 windows,
    # stride 2, padding 1 on 3 x 3 pixels start at -1 and 1 (3 would be in the padding).
    assert convpool.avg_pool(image, 2, padding=1, ceil_mode=True).shape == (2, 2)


# ---------------------------------------------------------------- max_unpool


def reference_unpool(values, indices, size, stride=None, padding=0, output_size=None):
    (sr, sc) = pairs_of(size)
    tr, tc = pairs_of(stride if stride is not None else size)
    pr, pc = pairs_of(padding)
    h, w = values.shape
    oh, ow = output_size if output_size is not None else ((h - 1) * tr - 2 * pr + sr, (w - 1) * tc - 2 * pc + sc)
    out = np.zeros((oh, ow), values.dtype.newbyteorder("="))
    for r in range(h):
        for c in range(w):
            i = int(indices[r, c])
            out[i // ow, i % ow] = values[r, c]
    return out


@given(image=images(max_side=11, min_side=1), args=options(), kind=st.sampled_from(["max", "min"]))
def test_unpool_inverts_pool(image, args, kind):
    """max_unpool puts each winner back where it was: zeros elsewhere."""
    func = convpool.max_pool if kind == "max" else convpool.min_pool
    args.pop("ceil_mode", None)
    if args["padding"] == "same" or args.get("dilation", 1) != 1:
        args["padding"] = 0
        args.pop("dilation", None)
    try:
        values, indices = func(image, **args, return_indices=True)
    except ValueError:
        return
    h, w = image.shape
    got = convpool.max_unpool(values, indices, args["size"], stride=args["stride"], padding=args["padding"],
                              output_size=(h, w))
    assert_identical(got, reference_unpool(values, indices, args["size"], args["stride"], args["padding"], (h, w)))
    placed = np.zeros((h, w), bool)
    placed.flat[indices.ravel()] = True
    assert_identical(got[placed], image.astype(image.dtype.newbyteorder("="))[placed])


def test_unpool_default_size_and_stacks():
    values = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    _, indices = convpool.max_pool(np.zeros((2, 6, 8), np.float32), 2, axes=(-2, -1), return_indices=True)
    got = convpool.max_unpool(values, indices, 2, axes=(-2, -1))
    assert got.shape == (2, 6, 8)
    for n in range(2):
        assert_identical(got[n], reference_unpool(values[n], indices[n], 2))
    # output_size: the spatial pair or the whole shape
    unpooled = convpool.max_unpool(values, indices, 2, axes=(-2, -1), output_size=(7, 9))
    assert_identical(unpooled[:, :6, :8].sum(axis=(1, 2)), values.sum(axis=(1, 2)))
    assert convpool.max_unpool(values, indices, 2, axes=(-2, -1), output_size=(2, 7, 9)).shape == (2, 7, 9)
    # channels last: axes (0, 1)
    hwc = np.moveaxis(values, 0, -1)
    got_hwc = convpool.max_unpool(hwc, np.moveaxis(indices, 0, -1), 2, axes=(0, 1))
    assert_identical(got_hwc, np.moveaxis(got, 0, -1))
