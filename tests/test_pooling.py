"""max_pool, min_pool and avg_pool against the reference, the codelab's loop, NumPy,
PyTorch and scikit-image.

Every dtype and layout with and without `out`: test_layouts.py; bad arguments:
test_errors.py; every build: test_variants.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

import convpool
from convpool import reference
from helpers import IMAGE_DTYPES, assert_identical, call_with_out, digest, images, outs, slice_by_slice, spatial_axes

POOLS = {"max": convpool.max_pool, "min": convpool.min_pool, "avg": convpool.avg_pool}
REFERENCES = {"max": reference.max_pool, "min": reference.min_pool, "avg": reference.avg_pool}

pairs = st.integers(1, 9) | st.tuples(st.integers(1, 9), st.integers(1, 9))


def numpy_max_pool_2x2(a: np.ndarray) -> np.ndarray:
    h, w = a.shape[0] // 2 * 2, a.shape[1] // 2 * 2
    a = a[:h, :w]
    return np.maximum(np.maximum(a[0::2, 0::2], a[1::2, 0::2]), np.maximum(a[0::2, 1::2], a[1::2, 1::2]))


def pooled_side(n: int, size: int, stride: int, ceil_mode: bool) -> int:
    """The README's rule, written apart from the reference's."""
    if n == 0:
        return 0
    if n < size:
        return 1 if ceil_mode else 0
    if not ceil_mode:
        return (n - size) // stride + 1
    count = -(-(n - size) // stride) + 1
    return count - 1 if (count - 1) * stride >= n else count


def result_dtype(kind: str, image: np.dtype, dtype) -> np.dtype:
    if kind == "avg":
        return np.dtype(dtype) if dtype is not None else image if image.kind == "f" else np.dtype(np.float64)
    return image


@st.composite
def calls(draw) -> dict:
    """Everything a caller can pass: any image, size, stride, ceil_mode, out, workers."""
    kind = draw(st.sampled_from(sorted(POOLS)))
    ndim = draw(st.sampled_from([2, 2, 2, 3]))
    image = draw(images(max_side=30 if ndim == 2 else 8, ndim=ndim))
    axes = draw(spatial_axes(ndim))
    size = draw(pairs)
    stride = draw(st.none() | pairs)
    ceil_mode = draw(st.booleans())
    dtype = draw(st.sampled_from([None, np.float16, np.float32, np.float64])) if kind == "avg" else None
    sr, sc = (size, size) if isinstance(size, int) else size
    tr, tc = (sr, sc) if stride is None else (stride, stride) if isinstance(stride, int) else stride
    spatial = (0, 1) if axes is None else tuple(a % ndim for a in axes)
    shape = list(image.shape)
    shape[spatial[0]] = pooled_side(shape[spatial[0]], sr, tr, ceil_mode)
    shape[spatial[1]] = pooled_side(shape[spatial[1]], sc, tc, ceil_mode)
    out_dtype = result_dtype(kind, image.dtype.newbyteorder("="), dtype)
    args = {"size": size, "stride": stride, "ceil_mode": ceil_mode, "axes": axes,
            "workers": draw(st.sampled_from([1, 2, 3]))}
    if kind == "avg":
        args["dtype"] = dtype
    return {"kind": kind, "image": image, "args": args, "out": draw(st.none() | outs(shape, out_dtype)),
            "out_hw": (shape[spatial[0]], shape[spatial[1]]), "out_dtype": out_dtype}


# The fixture only lowers a threshold; it holds the same for every example.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=calls())
def test_matches_reference(split_everything, case):
    """Bit for bit, any call; the image unchanged, `out` filled and nothing around it;
    `workers` (split into bands as finely as possible) never changes a result."""
    kind, image, args = case["kind"], case["image"], case["args"]
    before = digest(image)
    got = call_with_out(lambda o: POOLS[kind](image, **args, out=o), case["out"])
    assert digest(image) == before

    def ref(plane):
        extra = {"dtype": args["dtype"]} if kind == "avg" else {}
        return REFERENCES[kind](plane, args["size"], args["stride"], args["ceil_mode"], **extra)

    assert_identical(got, slice_by_slice(ref, image, args["axes"], case["out_hw"], case["out_dtype"]))


@given(image=images(max_side=14))
def test_max_pool_matches_a_numpy_expression(image):
    got = convpool.max_pool(image)
    expected = numpy_max_pool_2x2(np.asarray(image).astype(image.dtype.newbyteorder("=")))
    # Values only: of two equal zeros NumPy may keep either sign (the reference keeps the first).
    np.testing.assert_array_equal(got, expected, strict=True)


@pytest.mark.parametrize("dtype", IMAGE_DTYPES, ids=lambda t: np.dtype(t).name)
def test_windows_of_any_shape_and_stride_match_numpy(dtype):
    """Non-square windows and strides, against NumPy's sliding windows rather than the reference."""
    image = np.random.default_rng(3).integers(0, 100, (9, 8)).astype(dtype)
    for size, stride in [((2, 3), (2, 1)), ((3, 1), (1, 2)), ((4, 4), (3, 3))]:
        windows = sliding_window_view(image, size)[:: stride[0], :: stride[1]]
        assert_identical(convpool.max_pool(image, size, stride=stride), windows.max(axis=(2, 3)))
        assert_identical(convpool.min_pool(image, size, stride=stride), windows.min(axis=(2, 3)))
        means = windows.astype(np.float64).mean(axis=(2, 3)).astype(result_dtype("avg", image.dtype, None))
        # Values only: NumPy's mean sums pairwise, the average sums in row-major order.
        np.testing.assert_allclose(convpool.avg_pool(image, size, stride=stride), means, rtol=1e-12)


def test_codelab_pooling_loop():
    image = convpool.data.ascent()
    assert_identical(convpool.max_pool(image).astype(np.float64), reference.codelab_pooling(image))
    with pytest.raises(IndexError):
        reference.codelab_pooling(image[:5, :5])
    assert convpool.max_pool(image[:5, :5]).shape == (2, 2)


@pytest.mark.parametrize(
    ("shape", "size", "stride", "floor", "ceil"),
    [
        ((5, 5), 2, None, (2, 2), (3, 3)),
        ((512, 512), 2, None, (256, 256), (256, 256)),
        ((7, 9), 3, None, (2, 3), (3, 3)),
        ((7, 9), 3, 1, (5, 7), (5, 7)),
        ((7, 9), (2, 3), (1, 2), (6, 4), (6, 4)),
        ((5, 4), (2, 1), (2, 1), (2, 4), (3, 4)),
        ((6, 4), (2, 1), (2, 1), (3, 4), (3, 4)),
        ((5, 4), (3, 1), (2, 1), (2, 4), (2, 4)),
        ((6, 4), (3, 1), (2, 1), (2, 4), (3, 4)),
        ((6, 4), (2, 1), (3, 1), (2, 4), (2, 4)),  # torch drops a last window that would start past the edge
        ((7, 4), (2, 1), (3, 1), (2, 4), (3, 4)),
        ((1, 9), 2, None, (0, 4), (1, 5)),  # an image smaller than the window: one partial window
        ((2, 4), (3, 1), (2, 1), (0, 4), (1, 4)),
        ((4, 4), 5, None, (0, 0), (1, 1)),
        ((0, 4), 2, None, (0, 2), (0, 2)),
    ],
)
def test_output_shapes(shape, size, stride, floor, ceil):
    image = np.ones(shape)
    for kind, pool in POOLS.items():
        assert pool(image, size, stride=stride).shape == floor, kind
        assert pool(image, size, stride=stride, ceil_mode=True).shape == ceil, kind


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


def test_nan_wins_and_infinities():
    image = np.array([[1.0, np.nan, 3.0, -np.inf], [5.0, 6.0, np.inf, 4.0]], dtype=np.float32)
    got = convpool.max_pool(image)
    assert np.isnan(got[0, 0]) and got[0, 1] == np.inf
    assert np.isnan(convpool.max_pool(np.array([[2.0, 1.0], [np.nan, 3.0]]))[0, 0])  # NaN last in its window
    assert np.isnan(convpool.min_pool(image)[0, 0]) and convpool.min_pool(image)[0, 1] == -np.inf
    avg = convpool.avg_pool(image)
    assert np.isnan(avg[0, 0]) and np.isnan(avg[0, 1])
    partial = convpool.max_pool(image, 3, ceil_mode=True)
    assert np.isnan(partial[0, 0]) and partial[0, 1] == 4.0


def test_extreme_values():
    """The dtype's extremes in the image; in ceil mode, missing pixels count as the
    minimum (max_pool) or maximum (min_pool), so a window of extremes keeps them."""
    for dtype in (np.int8, np.uint64, np.int64):
        info = np.iinfo(dtype)
        image = np.array([[info.min, info.max], [info.min, info.min]], dtype=dtype)
        assert convpool.max_pool(image)[0, 0] == info.max
        assert convpool.min_pool(image.T)[0, 0] == info.min
    assert convpool.max_pool(np.array([[True, False], [False, False]]))[0, 0]
    for dtype in (np.int8, np.uint64, np.float64):
        low = np.iinfo(dtype).min if dtype != np.float64 else -np.inf
        high = np.iinfo(dtype).max if dtype != np.float64 else np.inf
        assert (convpool.max_pool(np.full((3, 3), low, dtype), ceil_mode=True) == low).all()
        assert (convpool.min_pool(np.full((3, 3), high, dtype), ceil_mode=True) == high).all()


@pytest.mark.parametrize("start", [0, 1])
@pytest.mark.parametrize("width", [2, 7, 64, 65, 130])
def test_uint8_rows_at_odd_and_even_addresses(start, width):
    # 2x2 pooling of uint8 reads rows that start at even addresses as uint16 pixel pairs
    # and takes the others down the rows first: every row alignment and width agrees.
    rng = np.random.default_rng(width)
    raw = rng.integers(0, 256, 9 * (width + 1) + 1, dtype=np.uint8)
    image = raw[start : start + 9 * width].reshape(9, width)
    assert image.ctypes.data % 2 == start
    assert_identical(convpool.max_pool(image), numpy_max_pool_2x2(image))
    assert_identical(convpool.max_pool(image[:, 1:]), numpy_max_pool_2x2(image[:, 1:]))
