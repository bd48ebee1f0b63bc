"""Values at the edges of what users bring: infinite and NaN pixels under zero taps, huge
kernel entries, kernels larger than the image, 16-bit and signed outputs, and no warning
from convpool's own arithmetic."""

from __future__ import annotations

import sys
import time
import tracemalloc
import warnings

import numpy as np
import pytest

import convpool
from convpool import kernels, reference
from helpers import assert_identical, assert_kernel_result

scipy_ndimage = pytest.importorskip("scipy.ndimage")

INT_OUT = [np.uint16, np.int16]
rng = np.random.default_rng(12)


def nan_equal(a, b):
    nan = np.isnan(b)
    assert_identical(np.where(nan, np.nan, a), np.where(nan, np.nan, b))


@pytest.mark.parametrize("mode", ["keep", "valid", "constant", "reflect"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_zero_tap_reads_no_pixel(mode, dtype):
    """0 * inf and 0 * NaN poison nothing: as scipy.ndimage.correlate and cv2.filter2D."""
    got = convpool.convolve(np.array([[np.inf, 0.0, 0.0]]), [[0, 1, 0]], mode="constant", dtype=np.float64)
    assert_identical(got, np.array([[np.inf, 0.0, 0.0]]))
    image = rng.normal(size=(9, 11)).astype(dtype)
    image[4, 5] = np.nan
    image[1, 2] = np.inf
    image[7, 1] = -np.inf
    identity = np.zeros((3, 3))
    identity[1, 1] = 1
    sparse = rng.normal(size=(3, 4)) * (rng.random((3, 4)) > 0.5)
    for kernel in (identity, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.zeros((2, 3)), sparse):
        got = convpool.convolve(image, kernel, mode=mode, dtype=np.float64)
        expected = reference.convolve(image, kernel, mode=mode, dtype=np.float64)
        if (np.asarray(kernel) == np.trunc(kernel)).all():
            nan_equal(got, expected)
        else:  # inf and NaN where the reference has them, the tolerance elsewhere
            assert_kernel_result(got, expected, image, kernel)
    got = convpool.convolve(image, identity, mode="constant", dtype=np.float64)
    nan_equal(got, scipy_ndimage.correlate(image.astype(np.float64), identity, mode="constant"))
    assert np.isnan(got).sum() == 1  # the NaN stays where it is


def test_huge_kernel_entries_keep_their_sign():
    k = kernels.Kernel("x", [[1e19]])
    assert k.matrix.dtype == np.float64 and k.matrix[0, 0] == 1e19
    assert kernels.Kernel("y", [[2**53]]).matrix.dtype == np.int64
    assert kernels.Kernel("z", [[2.0**53 + 2]]).matrix.dtype == np.float64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = convpool.convolve(np.full((3, 3), 200, np.uint8), k.matrix, k.weight, dtype=np.float32)
    assert got[1, 1] == np.float32(2e21)


def test_no_warning_leaks_from_the_kernel_check():
    # pytest turns every warning into an error (filterwarnings = error).
    got = convpool.convolve(np.ones((3, 4)), [[1e308, 1e308]], dtype=np.float64)
    assert_identical(got, reference.convolve(np.ones((3, 4)), [[1e308, 1e308]], dtype=np.float64))
    assert np.isinf(got[:, 1:]).all()
    pooled = convpool.avg_pool(np.full((2, 2), 70000.0), dtype=np.float16)
    assert pooled[0, 0] == np.inf


def test_a_kernel_larger_than_the_image_costs_only_its_check():
    """In "keep" mode such a kernel covers no pixel: the result is the margin, and the call
    reads the kernel (twice, for its finiteness) without converting it."""
    image = rng.integers(0, 256, (64, 64), dtype=np.uint8)
    kernel = np.ones((3000, 3000))  # 72 MB
    tracemalloc.start()
    start = time.perf_counter()
    got = convpool.convolve(image, kernel)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert_identical(got, image)
    assert peak < 1_000_000, peak  # no copy of the kernel (72 MB), nor of its taps
    assert elapsed < 5  # generous: two reads of 72 MB; a conversion took 100 x longer
    kernel[0, 0] = np.nan
    with pytest.raises(ValueError, match="`kernel` must be finite"):
        convpool.convolve(image, kernel)


@pytest.mark.parametrize("out", INT_OUT)
@pytest.mark.parametrize("image_dtype", [np.uint8, np.uint16, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("mode", ["keep", "valid", "nearest", "constant"])
def test_16_bit_and_signed_outputs_match_the_reference(out, image_dtype, mode):
    """uint16 clamps to 0..65535 and int16 to -32768..32767, then truncate: the codelab's
    rule on those ranges, bit for bit on every path (int16/int32/int64 sums, float64)."""
    if np.dtype(image_dtype).kind == "f":
        image = (rng.normal(size=(13, 17)) * 30000).astype(image_dtype)
        image.reshape(-1)[::9] = np.nan
        image.reshape(-1)[4::11] = np.inf
    else:
        info = np.iinfo(image_dtype)
        image = rng.integers(info.min, info.max, (13, 17), dtype=image_dtype, endpoint=True)
    for kernel, weight in (([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], 1.0), ([[1, 2, 1]], 0.5),
                           (rng.integers(-3, 4, (5, 5)), -1.0), (rng.normal(size=(3, 3)), 7.0),
                           ([[300]], 1.0)):
        got = convpool.convolve(image, kernel, weight, mode=mode, dtype=out, cval=-5)
        expected = reference.convolve(image, kernel, weight, mode=mode, dtype=out, cval=-5)
        assert got.dtype == np.dtype(out)
        assert_identical(got, expected)


def test_signed_sobel_keeps_negative_responses_like_cv2_16s():
    cv2 = pytest.importorskip("cv2")
    image = rng.integers(0, 256, (40, 50), dtype=np.uint8)
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    got = convpool.convolve(image, sobel, dtype=np.int16, mode="reflect")
    expected = cv2.filter2D(image, cv2.CV_16S, sobel.astype(np.float32), borderType=cv2.BORDER_REFLECT)
    assert_identical(got, expected)
    assert got.min() < 0


def test_16_bit_column_tiles_and_margins_convert_like_the_kernels():
    from convpool import _config

    image = rng.integers(0, 65536, (6, 40), dtype=np.uint16)
    image = image.astype(np.float64) * 1.7 - 20000
    image[0, 0] = np.nan
    for out in INT_OUT:
        with _config.override(max_columns=7):
            tiled = convpool.convolve(image, [[1, 1, 1]] * 3, 0.5, dtype=out)
        assert_identical(tiled, convpool.convolve(image, [[1, 1, 1]] * 3, 0.5, dtype=out))
        assert_identical(convpool.convolve(image, np.ones((9, 9)), dtype=out),
                         reference.convolve(image, np.ones((9, 9)), dtype=out))


def test_real_scalars_of_any_kind_are_weights():
    image = np.arange(12.0).reshape(3, 4)
    expected = convpool.convolve(image, [[1]], 2.0, dtype=np.float64)
    for weight in (2, np.float32(2), np.int8(2), np.array(2.0), np.array(2, np.uint16)):
        assert_identical(convpool.convolve(image, [[1]], weight, dtype=np.float64), expected)
    assert_identical(convpool.convolve(image, [[1, 1]], mode="constant", cval=np.array(3), dtype=np.float64),
                     convpool.convolve(image, [[1, 1]], mode="constant", cval=3.0, dtype=np.float64))


def test_sizes_and_strides_up_to_the_largest_index():
    image = rng.integers(0, 256, (5, 6), dtype=np.uint8)
    big = sys.maxsize
    assert convpool.max_pool(image, 2, stride=big).shape == (1, 1)
    assert_identical(convpool.max_pool(image, big, ceil_mode=True), image.max(keepdims=True))
    assert convpool.min_pool(image, (big, 1), stride=(1, big)).shape == (0, 1)


IMAGE = np.zeros((6, 6), np.uint8)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: convpool.max_pool(IMAGE, 2, stride=10**30), ValueError,
         r"`stride` must be at most 9223372036854775807"),
        (lambda: convpool.max_pool(IMAGE, 10**30, ceil_mode=True), ValueError, r"`size` must be at most"),
        (lambda: convpool.min_pool(IMAGE, (2, 10**19)), ValueError, r"`size` must be at most"),
        (lambda: convpool.convolve(IMAGE, [[1]], 10**400), ValueError, r"`weight` must be finite, got an integer"),
        (lambda: convpool.convolve(IMAGE, [[1]], mode="constant", cval=-(10**400)), ValueError,
         r"`cval` must be finite"),
        (lambda: convpool.convolve(IMAGE, [[1]], out=np.zeros((6, 6), np.uint8).view(np.matrix)), TypeError,
         r"`out` must be a numpy.ndarray, not a numpy.matrix"),
        (lambda: convpool.convolve(IMAGE, [[1]], dtype=None), TypeError, r"`dtype` must be numpy.uint8, numpy.uint16"),
        (lambda: convpool.convolve(np.ma.masked_array(IMAGE), [[1]]), TypeError, r"`image` must not be a masked array"),
        (lambda: convpool.max_pool(np.ma.masked_array(IMAGE, IMAGE > 0)), TypeError, r"`image` must not be a masked"),
        (lambda: convpool.convolve(IMAGE, np.ma.masked_array([[1.0]])), TypeError, r"`kernel` must not be a masked"),
        (lambda: convpool.convolve(np.zeros((3, 4, 5)), [[1]], axes={1, 2}), TypeError,
         r"`axes` must be a pair of ints \(a tuple or list\)"),
        (lambda: convpool.convolve(IMAGE, [[1]], np.array([2.0, 3.0])), TypeError,
         r"`weight` must be a real number, got ndarray"),
        (lambda: convpool.convolve(IMAGE, [[1]], np.array(True)), TypeError,
         r"`weight` must be a real number, got bool"),
    ],
)
def test_unusual_arguments_are_refused_naming_the_parameter(call, error, message):
    with pytest.raises(error, match=message):
        call()
