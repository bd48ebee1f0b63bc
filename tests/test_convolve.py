"""convpool.convolve against the plain-Python reference, SciPy, OpenCV and the codelab.

Every dtype and layout with and without `out`, stacks and empty images:
test_layouts.py; border modes: test_modes.py; bad arguments: test_errors.py.
"""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convpool
from convpool import reference
from helpers import (
    OUT_DTYPES,
    assert_identical,
    call_with_out,
    digest,
    images,
    outs,
    slice_by_slice,
    spatial_axes,
    within_tolerance,
)

CODELAB_FILTERS = {
    "edges": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "horizontal": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "vertical": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
}

def kernels(values: st.SearchStrategy) -> st.SearchStrategy:
    """1 x 1 to 9 x 9: an array, a strided array or the codelab's list of lists."""
    shape = st.tuples(st.integers(1, 9), st.integers(1, 9))
    return shape.flatmap(lambda s: hnp.arrays(np.float64, s, elements=values)).flatmap(
        lambda k: st.sampled_from([k, k.tolist(), np.asfortranarray(k)[::-1][::-1]])
    )


int_kernels = kernels(st.integers(-9, 9).map(float))
float_kernels = kernels(st.floats(-4, 4, width=64))
weights = st.one_of(st.just(1.0), st.integers(-3, 3).map(float), st.floats(-3, 3))


@st.composite
def calls(draw, kernel_values: st.SearchStrategy, bounded: bool = False) -> dict:
    """Everything a caller can pass to convolve: any image, kernel, mode, dtype, out, workers."""
    ndim = draw(st.sampled_from([2, 2, 2, 3]))
    image = draw(images(max_side=30 if ndim == 2 else 8, ndim=ndim, bounded=bounded))
    axes = draw(spatial_axes(ndim))
    kernel = draw(kernel_values)
    mode = draw(st.sampled_from(["keep", "valid"]))
    dtype = draw(st.sampled_from(OUT_DTYPES))
    kh, kw = np.shape(kernel)
    spatial = (0, 1) if axes is None else tuple(a % ndim for a in axes)
    shape = list(image.shape)
    if mode == "valid":
        shape[spatial[0]] = max(shape[spatial[0]] - kh + 1, 0)
        shape[spatial[1]] = max(shape[spatial[1]] - kw + 1, 0)
    out = draw(st.none() | outs(shape, dtype))
    return {
        "image": image,
        "kernel": kernel,
        "weight": draw(weights),
        "mode": mode,
        "dtype": dtype,
        "axes": axes,
        "out": out,
        "workers": draw(st.sampled_from([1, 2])),
        "out_hw": (shape[spatial[0]], shape[spatial[1]]),
    }


def run_and_reference(case: dict) -> tuple[np.ndarray, np.ndarray]:
    """convolve's result and the reference's, checking that the inputs are unchanged."""
    args = dict(case)
    image, kernel, out, out_hw = args.pop("image"), args.pop("kernel"), args.pop("out"), args.pop("out_hw")
    before = digest(image), digest(np.asarray(kernel))
    got = call_with_out(lambda o: convpool.convolve(image, kernel, **args, out=o), out)
    assert (digest(image), digest(np.asarray(kernel))) == before

    def ref(plane):
        return reference.convolve(plane, kernel, args["weight"], mode=args["mode"], dtype=args["dtype"])

    return got, slice_by_slice(ref, image, args["axes"], out_hw, args["dtype"])


# The fixture only lowers a threshold; it holds the same for every example.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=calls(int_kernels))
def test_integer_kernels_match_reference_bit_for_bit(split_everything, case):
    got, expected = run_and_reference(case)
    assert_identical(got, expected)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=calls(float_kernels, bounded=True))
def test_float_kernels_within_tolerance(split_everything, case):
    """Float kernels: within 1 of the reference in uint8, else within a rounding error.

    The bound leaves room for a faster summation order than the reference's.
    """
    got, expected = run_and_reference(case)
    within_tolerance(case, got, expected)


@pytest.mark.parametrize("name", sorted(CODELAB_FILTERS))
def test_codelab_loop_is_the_transposed_kernel(name):
    """The codelab's loop equals convolve with the transposed kernel, on the codelab's image."""
    ascent = convpool.data.ascent()
    f = CODELAB_FILTERS[name]
    codelab = reference.codelab_convolution(ascent, f)
    assert_identical(convpool.convolve(ascent, np.transpose(f)), codelab)
    pooled = reference.codelab_pooling(codelab)
    assert_identical(convpool.max_pool(codelab).astype(np.float64), pooled)


def test_codelab_loop_with_a_weight_and_a_float_filter():
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (40, 30), dtype=np.uint8)
    blur = [[1, 1, 1], [1, 2, 1], [1, 1, 1]]
    assert_identical(
        convpool.convolve(image, np.transpose(blur), 0.1),
        reference.codelab_convolution(image, blur, 0.1),
    )
    f = rng.uniform(-2, 2, (3, 3))
    diff = convpool.convolve(image, f.T, 0.7).astype(int) - reference.codelab_convolution(image, f, 0.7)
    assert np.abs(diff).max() <= 1


def test_codelab_text_claims_hold_in_row_column_order():
    """[-1,0,1,-2,0,2,-1,0,1] responds to vertical lines in (row, column) order."""
    image = np.zeros((9, 9), np.uint8)
    image[:, 4:] = 200  # a vertical edge
    vertical = convpool.convolve(image, CODELAB_FILTERS["vertical"], mode="valid")
    horizontal = convpool.convolve(image, CODELAB_FILTERS["horizontal"], mode="valid")
    assert vertical.max() == 255 and horizontal.max() == 0


@pytest.mark.parametrize("shape", [(1, 1), (1, 2), (2, 2), (3, 3), (2, 5), (4, 3), (5, 5), (6, 6)])
def test_interior_equals_scipy_correlate(shape):
    rng = np.random.default_rng(sum(shape))
    image = rng.integers(-300, 300, (23, 31)).astype(np.float64)
    kernel = rng.integers(-5, 6, shape)
    full = ndi.correlate(image, kernel.astype(np.float64), mode="constant")
    valid = convpool.convolve(image, kernel, mode="valid", dtype=np.float64)
    kh, kw = shape
    assert_identical(valid, full[kh // 2 : kh // 2 + valid.shape[0], kw // 2 : kw // 2 + valid.shape[1]])
    keep = convpool.convolve(image, kernel, dtype=np.float64)
    ar, ac = kh // 2, kw // 2
    interior = (slice(ar, 23 - (kh - 1 - ar)), slice(ac, 31 - (kw - 1 - ac)))
    assert_identical(keep[interior], full[interior])


def test_interior_close_to_scipy_for_float_data():
    rng = np.random.default_rng(3)
    image = rng.normal(size=(40, 50))
    kernel = rng.normal(size=(7, 7))
    full = ndi.correlate(image, kernel, mode="constant")
    valid = convpool.convolve(image, kernel, mode="valid", dtype=np.float64)
    np.testing.assert_allclose(valid, full[3:-3, 3:-3], rtol=1e-12, atol=1e-12)


def test_interior_equals_opencv_filter2d():
    cv2 = pytest.importorskip("cv2")
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (37, 41)).astype(np.float64)
    for kernel in [*CODELAB_FILTERS.values(), rng.integers(-4, 5, (5, 5))]:
        k = np.asarray(kernel, np.float64)
        expected = cv2.filter2D(image, -1, k, borderType=cv2.BORDER_CONSTANT)
        got = convpool.convolve(image, k, dtype=np.float64)
        r = k.shape[0] // 2
        assert_identical(got[r:-r, r:-r], expected[r:-r, r:-r])


def test_uint8_truncates_where_opencv_rounds():
    image = np.full((3, 3), 100, np.uint8)
    box = np.ones((3, 3))
    assert convpool.convolve(image, box, 0.999, mode="valid")[0, 0] == 255  # 899.1 clamps
    assert convpool.convolve(image, box, 0.111, mode="valid")[0, 0] == 99  # 99.9 -> 99
    cv2 = pytest.importorskip("cv2")
    assert cv2.filter2D(image, -1, box * 0.111)[1, 1] == 100


@pytest.mark.parametrize(
    ("value", "expected"),
    [(np.nan, 0), (np.inf, 255), (-np.inf, 0), (-0.5, 0), (0.99, 0), (254.999, 254), (255.0, 255), (1e300, 255)],
)
def test_uint8_conversion_of_special_values(value, expected):
    image = np.array([[value]], dtype=np.float64)
    assert convpool.convolve(image, [[1]])[0, 0] == expected
    assert convpool.convolve(image, [[1]], mode="valid")[0, 0] == expected


def test_float_output_keeps_negative_responses():
    image = np.array([[0, 0, 0], [0, 10, 0], [0, 0, 0]], np.uint8)
    got = convpool.convolve(image, [[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float32)
    assert got[1, 1] == -40 and got.dtype == np.float32
    assert convpool.convolve(image, [[0, 1, 0], [1, -4, 1], [0, 1, 0]])[1, 1] == 0


@pytest.mark.parametrize("kshape", [(1, 1), (2, 2), (3, 3), (2, 3), (4, 1), (1, 6), (7, 7)])
def test_margin_keeps_the_input(kshape):
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (12, 13), dtype=np.uint8)
    got = convpool.convolve(image, np.ones(kshape), 0.0)
    kh, kw = kshape
    ar, ac = kh // 2, kw // 2
    inner = np.zeros_like(image, dtype=bool)
    inner[ar : 12 - (kh - 1 - ar), ac : 13 - (kw - 1 - ac)] = True
    assert (got[inner] == 0).all()
    assert (got[~inner] == image[~inner]).all()


def test_margin_is_converted_like_the_results():
    image = np.array([[-5.5, 300.0, 7.9], [1, 2, 3], [np.nan, 4, 5]])
    got = convpool.convolve(image, np.ones((3, 3)))
    assert got[0].tolist() == [0, 255, 7] and got[2, 0] == 0


@pytest.mark.parametrize("shape", [(2, 2), (3, 1), (1, 9), (0, 5), (5, 0), (0, 0)])
def test_kernel_larger_than_the_image(shape):
    image = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    keep = convpool.convolve(image, np.ones((3, 3)))
    assert_identical(keep, image)
    valid = convpool.convolve(image, np.ones((3, 3)), mode="valid")
    assert valid.shape == (max(shape[0] - 2, 0), max(shape[1] - 2, 0))


def test_lists_and_pillow_images():
    from PIL import Image

    pixels = [[0, 10, 20], [30, 40, 50], [60, 70, 80]]
    assert convpool.convolve(pixels, [[1]]).tolist() == pixels
    pil = Image.fromarray(np.asarray(pixels, np.uint8))
    assert_identical(convpool.convolve(np.asarray(pil), [[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
                     reference.convolve(pixels, [[0, 1, 0], [1, -4, 1], [0, 1, 0]]))


def test_integer_and_float_paths_agree_for_large_values():
    """int32/int64/uint64 images near their limits take the float path and still match."""
    for dtype in [np.int32, np.uint32, np.int64, np.uint64]:
        info = np.iinfo(dtype)
        image = np.array([[info.max, info.min, 3], [info.max, 7, info.min], [1, 2, info.max]], dtype=dtype)
        for kernel in ([[1, 2], [3, 4]], [[10**6, -(10**6)], [1, 1]]):
            got = convpool.convolve(image, kernel, dtype=np.float64)
            assert_identical(got, reference.convolve(image, kernel, dtype=np.float64))


def test_a_4d_stack():
    """Two leading axes (colour images and 3-D stacks: test_layouts.py)."""
    stack = np.random.default_rng(4).normal(size=(2, 3, 8, 9))
    got = convpool.convolve(stack, [[1, -1]], axes=(-2, -1), dtype=np.float64)
    for i in range(2):
        for j in range(3):
            assert_identical(got[i, j], reference.convolve(stack[i, j], [[1, -1]], dtype=np.float64))


def test_workers_on_a_large_image():
    image = convpool.data.ascent()
    one = convpool.convolve(image, CODELAB_FILTERS["vertical"])
    for workers in (2, -1):
        assert_identical(convpool.convolve(image, CODELAB_FILTERS["vertical"], workers=workers), one)


def test_kernel_layouts_and_types():
    image = np.random.default_rng(8).integers(0, 256, (10, 10), dtype=np.uint8)
    k = np.array([[1, 2, 3], [4, 5, 6]], np.int8)
    expected = reference.convolve(image, k, 0.1)
    for kernel in (k, k.tolist(), np.asfortranarray(k), k.astype(">f8"), k[::-1][::-1], k.astype(np.float16)):
        before = digest(np.asarray(kernel))
        assert_identical(convpool.convolve(image, kernel, 0.1), expected)
        assert digest(np.asarray(kernel)) == before
    assert_identical(convpool.convolve(image, np.ones((3, 3), bool)), reference.convolve(image, np.ones((3, 3))))


def test_weight_types():
    image = np.full((3, 3), 10, np.uint8)
    for weight in (2, 2.0, np.float32(2), np.int64(2), np.uint8(2)):
        assert convpool.convolve(image, [[1]], weight)[0, 0] == 20


def test_kernel_array_is_neither_frozen_nor_cached_by_reference():
    image = np.arange(36, dtype=np.uint8).reshape(6, 6)
    kernel = np.ones((3, 3))
    first = convpool.convolve(image, kernel)
    assert kernel.flags.writeable
    kernel[1, 1] = -8  # a cache holding the caller's array would now give a wrong result
    np.testing.assert_array_equal(convpool.convolve(image, np.ones((3, 3))), first)
