"""convpool.convolve's border modes against the reference, SciPy, OpenCV and numpy.pad.

Every mode on every dtype and layout, with `out`, stacks, an overlapping `out` and
empty images: test_layouts.py.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convpool
from convpool import _borders, _config, reference
from helpers import OUT_DTYPES, assert_identical, assert_kernel_result, digest, images

EXTEND = ["reflect", "mirror", "nearest", "constant", "wrap"]
SYNONYMS = {"grid-mirror": "reflect", "grid-constant": "constant", "grid-wrap": "wrap"}
KERNEL_SIDES = range(1, 10)

int_kernels = st.tuples(st.integers(1, 9), st.integers(1, 9)).flatmap(
    lambda s: st.lists(
        st.lists(st.integers(-9, 9), min_size=s[1], max_size=s[1]), min_size=s[0], max_size=s[0]
    )
)
cvals = st.one_of(st.just(0.0), st.integers(-300, 300).map(float), st.floats(-1e3, 1e3))


def uint8_like_convpool(v: np.ndarray) -> np.ndarray:
    """The codelab's clamp to 0..255 and truncation, applied to float64 results."""
    return np.trunc(np.clip(np.nan_to_num(v, nan=0.0), 0, 255)).astype(np.uint8)


# The fixture only lowers a threshold; it holds the same for every example.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    image=images(max_side=20),
    kernel=int_kernels,
    weight=st.one_of(st.just(1.0), st.floats(-3, 3)),
    mode=st.sampled_from(EXTEND + list(SYNONYMS)),
    dtype=st.sampled_from(OUT_DTYPES),
    cval=cvals,
    workers=st.sampled_from([1, 2, -1]),
)
def test_modes_match_reference_bit_for_bit(split_everything, image, kernel, weight, mode, dtype, cval, workers):
    """Any image, integer kernel and mode; `workers` (in bands as fine as they go) changes nothing."""
    before = digest(image)
    got = convpool.convolve(image, kernel, weight, mode=mode, dtype=dtype, cval=cval, workers=workers)
    assert digest(image) == before
    expected = reference.convolve(np.asarray(image), kernel, weight, mode=mode, dtype=dtype, cval=cval)
    assert_identical(got, expected)


@given(
    image=images(max_side=12, dtypes=[np.float32, np.float64], bounded=True),
    kernel=st.tuples(st.integers(1, 6), st.integers(1, 6)).flatmap(
        lambda s: st.lists(st.lists(st.floats(-4, 4), min_size=s[1], max_size=s[1]), min_size=s[0], max_size=s[0])
    ),
    mode=st.sampled_from(EXTEND),
    cval=cvals,
)
def test_float_kernels_match_reference_within_tolerance(image, kernel, mode, cval):
    """Every border mode on the float paths (2-D, and rank-1 kernels' two float64
    passes): bit for bit for integer-valued kernels, else within the tolerance rule."""
    got = convpool.convolve(image, kernel, 0.7, mode=mode, dtype=np.float64, cval=cval)
    expected = reference.convolve(np.asarray(image), kernel, 0.7, mode=mode, dtype=np.float64, cval=cval)
    assert_kernel_result(got, expected, image, kernel, 0.7, cval)


@pytest.mark.parametrize("whole", [0, _config.Settings.padded_whole], ids=["strips", "padded-whole"])
@pytest.mark.parametrize("mode", EXTEND + list(SYNONYMS))
@pytest.mark.parametrize("kh", KERNEL_SIDES)
def test_every_pixel_equals_scipy_correlate(mode, kh, whole):
    """Kernel sizes 1..9 (odd and even), images smaller and larger than the kernel, with
    the border strips computed apart and with the image padded whole."""
    with _config.override(padded_whole=whole):
        _every_pixel_equals_scipy_correlate(mode, kh)


def _every_pixel_equals_scipy_correlate(mode, kh):
    rng = np.random.default_rng(kh)
    for shape in [(1, 1), (1, 5), (2, 2), (3, 8), (kh - 1 or 1, kh + 1), (kh + 2, 2 * kh + 3), (4 * kh + 5, 31)]:
        for kw in (kh, 10 - kh):
            image = rng.integers(0, 256, shape).astype(np.uint8)
            kernel = rng.integers(-4, 5, (kh, kw))
            cval = float(rng.integers(-50, 300))
            expected = ndi.correlate(image.astype(np.float64), kernel.astype(np.float64), mode=mode, cval=cval)
            got = convpool.convolve(image, kernel, mode=mode, dtype=np.float64, cval=cval)
            assert_identical(got, expected)
            got8 = convpool.convolve(image, kernel, mode=mode, cval=cval)
            assert_identical(got8, uint8_like_convpool(expected))


@pytest.mark.parametrize("cval", [0.0, 2.5, -7.25, 1e6])
def test_constant_cval_not_in_the_image_dtype(cval):
    """A cval the image dtype cannot hold pads with float64 strips: same pixels as SciPy."""
    rng = np.random.default_rng(1)
    for dtype in (np.uint8, np.int16, np.float32, np.uint64):
        image = rng.integers(0, 100, (17, 23)).astype(dtype)
        kernel = rng.integers(-3, 4, (5, 4))
        expected = ndi.correlate(image.astype(np.float64), kernel.astype(np.float64), mode="constant", cval=cval)
        assert_identical(convpool.convolve(image, kernel, mode="constant", dtype=np.float64, cval=cval), expected)


OPENCV_BORDERS = {
    "mirror": "BORDER_REFLECT_101",
    "reflect": "BORDER_REFLECT",
    "nearest": "BORDER_REPLICATE",
    "constant": "BORDER_CONSTANT",
}


@pytest.mark.parametrize("mode", sorted(OPENCV_BORDERS))
def test_equals_opencv_filter2d_with_the_same_border(mode):
    """OpenCV filters directly below 50 kernel taps (exact here), by DFT from 50 on (close)."""
    cv2 = pytest.importorskip("cv2")
    border = getattr(cv2, OPENCV_BORDERS[mode])
    rng = np.random.default_rng(4)
    for kh in KERNEL_SIDES:
        for kw in (1, 2, 5, 9):
            for shape in [(1, 1), (2, 7), (kh, kw), (29, 33)]:
                image = rng.integers(0, 256, shape).astype(np.float64)
                kernel = rng.integers(-4, 5, (kh, kw)).astype(np.float64)
                # cv2's default anchor (-1, -1) is (kw // 2, kh // 2): convpool's for even sizes too.
                expected = cv2.filter2D(image, -1, kernel, borderType=border)
                got = convpool.convolve(image, kernel, mode=mode, dtype=np.float64)
                if kh * kw < 50:
                    assert_identical(got, expected)
                else:
                    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_opencv_filter2d_has_no_wrap():
    cv2 = pytest.importorskip("cv2")
    with pytest.raises(cv2.error):
        cv2.filter2D(np.zeros((5, 5)), -1, np.ones((3, 3)), borderType=cv2.BORDER_WRAP)


@pytest.mark.parametrize("mode", EXTEND)
def test_index_maps_equal_numpy_pad(mode):
    for n in range(1, 7):
        for width in range(0, 15):
            coords = np.arange(-width, n + width)
            expected = np.pad(np.arange(n), width, mode=_borders.NUMPY_PAD[mode])
            if mode == "constant":  # numpy pads 0; the map clips, and the caller puts cval there
                inside = (coords >= 0) & (coords < n)
                assert (_borders.index_map(mode, n, coords)[inside] == expected[inside]).all()
            else:
                assert (_borders.index_map(mode, n, coords) == expected).all()


def test_readme_pictures():
    """The pictures in the docstring and README: `a b c d` read two pixels beyond each edge."""
    row = np.array([[1.0, 2.0, 3.0, 4.0]])
    pictures = {
        "reflect": [2, 1, 1, 2, 3, 4, 4, 3],
        "mirror": [3, 2, 1, 2, 3, 4, 3, 2],
        "nearest": [1, 1, 1, 2, 3, 4, 4, 4],
        "constant": [9, 9, 1, 2, 3, 4, 9, 9],
        "wrap": [3, 4, 1, 2, 3, 4, 1, 2],
    }
    for mode, expected in pictures.items():
        extended = []
        for x in range(-2, 6):
            c = 0 if x < 2 else 3  # a 1 x 5 kernel at column c reads columns c - 2 .. c + 2
            pick = np.zeros((1, 5))
            pick[0, x - c + 2] = 1
            extended.append(convpool.convolve(row, pick, mode=mode, dtype=np.float64, cval=9)[0, c])
        assert extended == expected, mode


def test_large_image_uses_strips_and_matches_scipy():
    """An image much larger than the kernel: interior from the image, borders from strips."""
    image = convpool.data.ascent()
    kernel = np.arange(-12, 13).reshape(5, 5)
    for mode in EXTEND:
        expected = ndi.correlate(image.astype(np.float64), kernel.astype(np.float64), mode=mode, cval=5)
        assert_identical(convpool.convolve(image, kernel, mode=mode, dtype=np.float64, cval=5), expected)


def test_cval_only_matters_for_constant():
    image = np.arange(30, dtype=np.uint8).reshape(5, 6)
    for mode in ("keep", "valid", "reflect", "mirror", "nearest", "wrap"):
        assert_identical(convpool.convolve(image, np.ones((3, 3)), mode=mode, cval=100),
                         convpool.convolve(image, np.ones((3, 3)), mode=mode))
    assert convpool.convolve(image, [[1, 1, 1]], mode="constant", cval=100)[0, 0] == 101


def test_no_padded_copy_of_a_large_image():
    """Only the border strips are padded; the interior is read from the image itself.

    Seen through tracemalloc, which traces NumPy's allocations: a padded copy of the
    image, made by whatever function, would take more than the image's own size.
    """
    image = np.random.default_rng(2).integers(0, 256, (2048, 2048), dtype=np.uint8)
    kernel = np.ones((7, 7))
    for mode in EXTEND:
        convpool.convolve(image, kernel, mode=mode)  # first-call caches out of the count
        tracemalloc.start()
        try:
            out = convpool.convolve(image, kernel, mode=mode)
            extra = tracemalloc.get_traced_memory()[1] - out.nbytes
        finally:
            tracemalloc.stop()
        # The strips: 6 rows and 6 columns beyond 3 output rows (columns) on each side,
        # 2 * 9 * 2054 + 2 * 2048 * 9 pixels, with their temporaries.
        assert extra < image.nbytes / 2, (mode, extra)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.uint64, np.float32])
def test_integer_images_give_the_pixels_of_their_float64_copy(dtype):
    """Strips in the image's dtype (integer path) and in float64 (float path) agree bit
    for bit: pixels near the dtype's limits, every mode, a 6 x 5 kernel."""
    rng = np.random.default_rng(12)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    high = int(info.max) if info is not None and info.max < 2**40 else 10**6
    image = rng.integers(0, high, (23, 19), dtype=np.int64 if high < 2**62 else np.uint64).astype(dtype)
    kernel = rng.integers(-9, 10, (6, 5))
    for mode in EXTEND:
        got = convpool.convolve(image, kernel, mode=mode, dtype=np.float64, cval=4)
        assert_identical(got, convpool.convolve(image.astype(np.float64), kernel, mode=mode, dtype=np.float64, cval=4))


def test_a_cval_beyond_the_images_float_type_is_taken_in_float64():
    # The strips of a float32 image are float64 when cval does not fit float32 (1e300
    # would overflow to inf): no warning, and the reference's sums.
    image = np.arange(9, dtype=np.float32).reshape(3, 3)
    kernel = np.ones((2, 2))
    got = convpool.convolve(image, kernel, mode="constant", dtype=np.float64, cval=1e300)
    expected = reference.convolve(image, kernel, 1.0, mode="constant", dtype=np.float64, cval=1e300)
    assert_identical(got, expected)
    assert np.isfinite(got).all()
