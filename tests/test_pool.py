"""convpool.max_pool against the reference, the codelab's loop and NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convpool
from convpool import reference
from helpers import (
    IMAGE_DTYPES,
    LAYOUTS,
    assert_identical,
    call_with_out,
    digest,
    images,
    in_layout,
    outs,
    slice_by_slice,
    spatial_axes,
)


def numpy_max_pool_2x2(a: np.ndarray) -> np.ndarray:
    h, w = a.shape[0] // 2 * 2, a.shape[1] // 2 * 2
    a = a[:h, :w]
    return np.maximum(np.maximum(a[0::2, 0::2], a[1::2, 0::2]), np.maximum(a[0::2, 1::2], a[1::2, 1::2]))


pairs = st.integers(1, 9) | st.tuples(st.integers(1, 9), st.integers(1, 9))


def pooled_side(n: int, size: int, stride: int) -> int:
    return (n - size) // stride + 1 if n >= size else 0


@st.composite
def calls(draw) -> dict:
    """Everything a caller can pass to max_pool: any image, size, stride, out, workers."""
    ndim = draw(st.sampled_from([2, 2, 2, 3]))
    image = draw(images(max_side=30 if ndim == 2 else 8, ndim=ndim))
    axes = draw(spatial_axes(ndim))
    size = draw(pairs)
    stride = draw(st.none() | pairs)
    sr, sc = (size, size) if isinstance(size, int) else size
    tr, tc = (sr, sc) if stride is None else (stride, stride) if isinstance(stride, int) else stride
    spatial = (0, 1) if axes is None else tuple(a % ndim for a in axes)
    shape = list(image.shape)
    shape[spatial[0]] = pooled_side(shape[spatial[0]], sr, tr)
    shape[spatial[1]] = pooled_side(shape[spatial[1]], sc, tc)
    out = draw(st.none() | outs(shape, image.dtype.newbyteorder("=")))
    workers = draw(st.sampled_from([1, 2]))
    return {"image": image, "size": size, "stride": stride, "axes": axes, "out": out, "workers": workers,
            "out_hw": (shape[spatial[0]], shape[spatial[1]])}


# The fixture only lowers a threshold; it holds the same for every example.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=calls())
def test_matches_reference(split_everything, case):
    args = dict(case)
    image, out, out_hw = args.pop("image"), args.pop("out"), args.pop("out_hw")
    before = digest(image)
    got = call_with_out(lambda o: convpool.max_pool(image, **args, out=o), out)
    assert digest(image) == before

    def ref(plane):
        return reference.max_pool(plane, args["size"], args["stride"])

    assert_identical(got, slice_by_slice(ref, image, args["axes"], out_hw, image.dtype.newbyteorder("=")))


@given(image=images(max_side=14))
def test_matches_numpy_expression(image):
    got = convpool.max_pool(image)
    expected = numpy_max_pool_2x2(np.asarray(image).astype(image.dtype.newbyteorder("=")))
    # Values only: of two equal zeros NumPy may keep either sign (the reference keeps the first).
    np.testing.assert_array_equal(got, expected, strict=True)


def test_codelab_pooling_loop():
    image = convpool.data.ascent()
    assert_identical(convpool.max_pool(image).astype(np.float64), reference.codelab_pooling(image))
    with pytest.raises(IndexError):
        reference.codelab_pooling(image[:5, :5])
    assert convpool.max_pool(image[:5, :5]).shape == (2, 2)


@pytest.mark.parametrize(
    ("shape", "size", "stride", "expected"),
    [
        ((5, 5), 2, None, (2, 2)),
        ((512, 512), 2, None, (256, 256)),
        ((7, 9), 3, None, (2, 3)),
        ((7, 9), 3, 1, (5, 7)),
        ((7, 9), (2, 3), (1, 2), (6, 4)),
        ((1, 9), 2, None, (0, 4)),
        ((0, 4), 2, None, (0, 2)),
        ((4, 4), 5, None, (0, 0)),
    ],
)
def test_output_shape_is_floor(shape, size, stride, expected):
    image = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    got = convpool.max_pool(image, size, stride=stride)
    assert got.shape == expected


def test_nan_wins_like_numpy_max():
    image = np.array([[1.0, np.nan, 3.0, 4.0], [5.0, 6.0, -np.inf, np.inf]], dtype=np.float32)
    got = convpool.max_pool(image)
    assert np.isnan(got[0, 0]) and got[0, 1] == np.inf
    assert np.isnan(convpool.max_pool(np.array([[2.0, 1.0], [np.nan, 3.0]]))[0, 0])


@pytest.mark.parametrize("dtype", IMAGE_DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_dtype_and_layout(dtype, layout):
    base = np.random.default_rng(3).integers(0, 100, (9, 8)).astype(dtype)
    image = in_layout(base, layout)
    got = convpool.max_pool(image, (2, 3), stride=(2, 1))
    assert got.dtype == np.dtype(dtype)  # native byte order of the same type
    for r in range(got.shape[0]):
        for c in range(got.shape[1]):
            assert got[r, c] == base[2 * r : 2 * r + 2, c : c + 3].max()


def test_extreme_values():
    for dtype in (np.int8, np.uint64, np.int64):
        info = np.iinfo(dtype)
        image = np.array([[info.min, info.max], [info.min, info.min]], dtype=dtype)
        assert convpool.max_pool(image)[0, 0] == info.max
    assert convpool.max_pool(np.array([[True, False], [False, False]]))[0, 0]


@pytest.mark.parametrize("axes", [(-2, -1), (0, 1), (2, 0)])
def test_axes(axes):
    image = np.random.default_rng(5).integers(0, 256, (6, 8, 4), dtype=np.uint8)
    got = convpool.max_pool(image, axes=axes)
    moved = np.moveaxis(image, axes, (0, 1))
    gm = np.moveaxis(got, axes, (0, 1))
    for i in range(moved.shape[2]):
        assert_identical(gm[:, :, i], numpy_max_pool_2x2(moved[:, :, i]))


def test_out_semantics():
    image = np.arange(36, dtype=np.int16).reshape(6, 6)
    out = np.zeros((3, 3), np.int16)
    assert convpool.max_pool(image, out=out) is out
    assert_identical(out, numpy_max_pool_2x2(image))
    strided = np.zeros((6, 6), np.int16)[::2, ::2]
    assert convpool.max_pool(image, out=strided) is strided
    assert_identical(strided, numpy_max_pool_2x2(image))
    same = image.copy()
    convpool.max_pool(same, size=1, out=same)
    assert_identical(same, image)
    overlap = image.copy()
    convpool.max_pool(overlap, out=overlap[:3, :3])
    assert_identical(overlap[:3, :3], numpy_max_pool_2x2(image))


def test_float16_and_stacks():
    image = np.random.default_rng(9).normal(size=(3, 10, 10)).astype(np.float16)
    got = convpool.max_pool(image, axes=(1, 2))
    assert got.dtype == np.float16
    for i in range(3):
        assert_identical(got[i], numpy_max_pool_2x2(image[i]))


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
