"""max_pool(ceil_mode=True), min_pool and avg_pool against the reference, torch and scikit-image."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convpool
from convpool import reference
from helpers import IMAGE_DTYPES, LAYOUTS, assert_identical, digest, images, in_layout

POOLS = {"max": convpool.max_pool, "min": convpool.min_pool, "avg": convpool.avg_pool}
REFERENCES = {"max": reference.max_pool, "min": reference.min_pool, "avg": reference.avg_pool}


@given(
    image=images(max_side=13),
    kind=st.sampled_from(sorted(POOLS)),
    size=st.integers(1, 4),
    stride=st.one_of(st.none(), st.integers(1, 5)),
    ceil_mode=st.booleans(),
)
def test_matches_reference(image, kind, size, stride, ceil_mode):
    before = digest(image)
    got = POOLS[kind](image, size, stride=stride, ceil_mode=ceil_mode)
    assert digest(image) == before
    expected = REFERENCES[kind](np.asarray(image), size, stride, ceil_mode)
    if kind == "max" or kind == "min":
        # Of two equal zeros either may win (the kernels keep the first, like the reference).
        np.testing.assert_array_equal(got, expected, strict=True)
    else:
        assert_identical(got, expected)


@pytest.mark.parametrize(
    ("n", "size", "stride", "floor", "ceil"),
    [
        (5, 2, 2, 2, 3),
        (6, 2, 2, 3, 3),
        (5, 3, 2, 2, 2),
        (6, 3, 2, 2, 3),
        (6, 2, 3, 2, 2),  # torch drops a last window that would start past the edge
        (7, 2, 3, 2, 3),
        (1, 2, 2, 0, 1),  # an image smaller than the window: one partial window
        (2, 3, 2, 0, 1),
        (0, 2, 2, 0, 0),
    ],
)
def test_output_sizes(n, size, stride, floor, ceil):
    image = np.ones((n, 4))
    for kind, pool in POOLS.items():
        assert pool(image, (size, 1), stride=(stride, 1)).shape == (floor, 4), kind
        assert pool(image, (size, 1), stride=(stride, 1), ceil_mode=True).shape == (ceil, 4), kind


def torch_pool(torch, image: np.ndarray, kind: str, size, stride, ceil_mode: bool) -> np.ndarray:
    t = torch.from_numpy(np.ascontiguousarray(image))[None, None]
    f = torch.nn.functional
    if kind == "max":
        r = f.max_pool2d(t, size, stride, ceil_mode=ceil_mode)
    elif kind == "min":
        r = -f.max_pool2d(-t, size, stride, ceil_mode=ceil_mode)
    else:
        r = f.avg_pool2d(t, size, stride, ceil_mode=ceil_mode)
    return r[0, 0].numpy()


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("kind", sorted(POOLS))
def test_matches_torch(kind, ceil_mode):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    for shape in [(1, 1), (5, 5), (7, 10), (16, 13), (31, 29)]:
        for size, stride in [(2, None), (3, None), (3, 2), (2, 3), ((2, 3), (1, 2)), (4, 1)]:
            st_ = size if stride is None else stride
            if min(shape) < (max(size) if isinstance(size, tuple) else size) and not ceil_mode:
                continue
            for dtype in (np.float64, np.float32, np.int32, np.uint8):
                if kind != "max" and dtype in (np.int32, np.uint8):
                    continue  # torch has no avg_pool2d for integers; -x would wrap uint8
                image = rng.integers(0, 256, shape).astype(dtype)
                try:
                    expected = torch_pool(torch, image, kind, size, st_, ceil_mode)
                except RuntimeError:
                    continue  # torch refuses a window much larger than the image
                got = POOLS[kind](image, size, stride=stride, ceil_mode=ceil_mode)
                assert_identical(got, expected)  # integer-valued pixels: exact sums


def test_matches_torch_on_float_data():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    image = rng.normal(size=(23, 19))
    # torch sums float32 in float32; convpool sums in float64 and rounds once.
    for dtype, atol in ((np.float64, 1e-14), (np.float32, 1e-6)):
        x = image.astype(dtype)
        for ceil_mode in (False, True):
            expected = torch_pool(torch, x, "avg", 3, 2, ceil_mode)
            got = convpool.avg_pool(x, 3, stride=2, ceil_mode=ceil_mode)
            assert got.dtype == dtype
            np.testing.assert_allclose(got, expected, rtol=0, atol=atol)
            assert_identical(convpool.max_pool(x, 3, stride=2, ceil_mode=ceil_mode),
                             torch_pool(torch, x, "max", 3, 2, ceil_mode))


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint64, np.float32, np.float64])
def test_matches_skimage_block_reduce(dtype):
    """Windows that tile the image: block_reduce pads partial blocks with `cval`."""
    measure = pytest.importorskip("skimage.measure")
    rng = np.random.default_rng(7)
    image = rng.integers(0, 200, (17, 22)).astype(dtype)
    low, high = (np.iinfo(dtype).min, np.iinfo(dtype).max) if dtype().dtype.kind in "iu" else (-np.inf, np.inf)
    for block in [(2, 2), (3, 4), (5, 1)]:
        expected = measure.block_reduce(image, block, np.max, cval=low)
        assert_identical(convpool.max_pool(image, block, ceil_mode=True), expected.astype(dtype))
        expected = measure.block_reduce(image, block, np.min, cval=high)
        assert_identical(convpool.min_pool(image, block, ceil_mode=True), expected.astype(dtype))
        # Partial blocks average the pixels that exist: the padded zeros add nothing to
        # the sum, and the count comes from a block-reduced image of ones.
        sums = measure.block_reduce(image.astype(np.float64), block, np.sum, cval=0)
        counts = measure.block_reduce(np.ones(image.shape), block, np.sum, cval=0)
        expected = (sums / counts).astype(np.float64 if dtype().dtype.kind in "iu" else dtype)
        assert_identical(convpool.avg_pool(image, block, ceil_mode=True), expected)
        h, w = image.shape[0] // block[0] * block[0], image.shape[1] // block[1] * block[1]
        floor = measure.block_reduce(image[:h, :w], block, np.mean).astype(expected.dtype)
        np.testing.assert_array_equal(convpool.avg_pool(image, block), floor, strict=True)


def test_avg_pool_dtypes():
    image = np.arange(16, dtype=np.uint8).reshape(4, 4)
    assert convpool.avg_pool(image).dtype == np.float64
    assert convpool.avg_pool(image.astype(bool)).dtype == np.float64
    assert convpool.avg_pool(image.astype(np.int64)).dtype == np.float64
    for dt in (np.float16, np.float32, np.float64):
        assert convpool.avg_pool(image.astype(dt)).dtype == dt
        assert convpool.avg_pool(image, dtype=dt).dtype == dt
        assert convpool.avg_pool(image.astype(np.float32), dtype=dt).dtype == dt
    assert convpool.avg_pool(image.astype(">f4")).dtype == np.dtype("=f4")
    # float16 rounds once from the float64 mean, never through float32.
    fine = np.array([[2049.0, 2048.0], [2048.0, 2048.0]])  # mean 2048.25
    assert convpool.avg_pool(fine, dtype=np.float16)[0, 0] == np.float16(2048.25)


def test_avg_pool_exact_for_wide_integers():
    image = np.array([[2**40 + 1, 2**40 + 3], [1, 3]], dtype=np.int64)
    assert convpool.avg_pool(image)[0, 0] == (2 * 2**40 + 8) / 4


def test_nan_and_inf():
    image = np.array([[1.0, np.nan, 3.0, -np.inf], [5.0, 6.0, np.inf, 4.0]], dtype=np.float32)
    assert np.isnan(convpool.min_pool(image)[0, 0]) and convpool.min_pool(image)[0, 1] == -np.inf
    avg = convpool.avg_pool(image)
    assert np.isnan(avg[0, 0]) and np.isnan(avg[0, 1])
    partial = convpool.max_pool(image, 3, ceil_mode=True)
    assert np.isnan(partial[0, 0]) and partial[0, 1] == 4.0


def test_ceil_mode_missing_pixels_count_as_the_extremes():
    for dtype in (np.int8, np.uint64, np.float64):
        low = np.iinfo(dtype).min if dtype != np.float64 else -np.inf
        high = np.iinfo(dtype).max if dtype != np.float64 else np.inf
        image = np.full((3, 3), low, dtype)
        assert (convpool.max_pool(image, ceil_mode=True) == low).all()
        image = np.full((3, 3), high, dtype)
        assert (convpool.min_pool(image, ceil_mode=True) == high).all()


@pytest.mark.parametrize("kind", sorted(POOLS))
@pytest.mark.parametrize("dtype", IMAGE_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_dtype_and_layout(kind, dtype, layout):
    base = np.random.default_rng(3).integers(0, 100, (9, 8)).astype(dtype)
    image = in_layout(base, layout)
    got = POOLS[kind](image, 3, stride=2, ceil_mode=True)
    assert_identical(got, REFERENCES[kind](base, 3, 2, True))


@pytest.mark.parametrize("kind", sorted(POOLS))
@pytest.mark.parametrize("axes", [(-2, -1), (0, 1), (2, 0)])
def test_axes_and_out(kind, axes):
    image = np.random.default_rng(5).integers(0, 256, (7, 9, 4), dtype=np.uint8)
    got = POOLS[kind](image, axes=axes, ceil_mode=True)
    moved = np.moveaxis(image, axes, (0, 1))
    gm = np.moveaxis(got, axes, (0, 1))
    for i in range(moved.shape[2]):
        assert_identical(gm[:, :, i], REFERENCES[kind](moved[:, :, i], 2, None, True))
    out = np.zeros_like(got)
    assert POOLS[kind](image, axes=axes, ceil_mode=True, out=out) is out
    assert_identical(out, got)


def test_out_overlapping_the_image():
    image = np.arange(36, dtype=np.float64).reshape(6, 6)
    inplace = image.copy()
    convpool.avg_pool(inplace, out=inplace[:3, :3])
    assert_identical(inplace[:3, :3], reference.avg_pool(image))


@given(image=images(max_side=20, min_side=2), kind=st.sampled_from(sorted(POOLS)), ceil_mode=st.booleans())
# The fixture only lowers a threshold; it holds the same for every example.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_workers_never_change_results(split_everything, image, kind, ceil_mode):
    one = POOLS[kind](image, 3, stride=2, ceil_mode=ceil_mode)
    assert_identical(POOLS[kind](image, 3, stride=2, ceil_mode=ceil_mode, workers=3), one)


@pytest.mark.parametrize("kind", sorted(POOLS))
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"ceil_mode": 1}, TypeError, r"`ceil_mode` must be a bool, got int"),
        ({"ceil_mode": "yes"}, TypeError, r"`ceil_mode` must be a bool, got str"),
        ({"size": 0}, ValueError, r"`size` must be at least 1, got 0"),
        ({"stride": (1, 0)}, ValueError, r"`stride` must be at least 1"),
        ({"size": 2.0}, TypeError, r"`size` must be an int or a pair of ints"),
        ({"axes": (1, 1)}, ValueError, r"`axes` must name two different axes"),
        ({"workers": 0}, ValueError, r"`workers` must be a positive int or -1"),
        ({"image": np.zeros(4)}, ValueError, r"`image` must be 2-D, got 1-D"),
        ({"image": np.zeros((4, 4), complex)}, TypeError, r"`image` must hold real numbers"),
        ({"out": np.zeros((2, 2), np.int8)}, TypeError, r"`out` must have dtype"),
        ({"out": np.zeros((3, 2))}, ValueError, r"`out` must have shape \(2, 2\), got \(3, 2\)"),
    ],
)
def test_errors(kind, kwargs, error, match):
    args = {"image": np.zeros((4, 4), np.uint8), **kwargs}
    image = args.pop("image")
    with pytest.raises(error, match=match):
        POOLS[kind](image, **args)


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, "nonsense", np.complex128, np.longdouble])
def test_avg_pool_dtype_errors(dtype):
    if np.dtype(np.longdouble).itemsize <= 8 and dtype is np.longdouble:
        pytest.skip("long double is float64 on this platform")
    with pytest.raises(TypeError, match=r"`dtype` must be None, numpy.float16, numpy.float32 or numpy.float64"):
        convpool.avg_pool(np.zeros((4, 4)), dtype=dtype)


def test_read_only_out_is_refused():
    out = np.zeros((2, 2))
    out.flags.writeable = False
    with pytest.raises(ValueError, match=r"`out` must be writeable"):
        convpool.avg_pool(np.zeros((4, 4)), out=out)
