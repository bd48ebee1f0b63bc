"""The separable paths: kernels that are an outer product run as two 1-D passes.

Integer kernels ``outer(u, v)`` must give the reference's pixels bit for bit whatever
types the two passes sum in; rank-1 float kernels must stay within the tolerance of
non-integer kernels. Both builds, band splits and layouts, as for the 2-D paths.
"""

from __future__ import annotations

import functools

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convpool
from convpool import _config, _kernel, _plan, reference
from helpers import assert_identical, assert_kernel_result, plan_of, planner_constant, within_tolerance
from test_convolve import calls, run_and_reference

BINOMIAL5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])
GAUSS15 = [1, 3, 6, 11, 19, 28, 35, 37, 35, 28, 19, 11, 6, 3, 1]  # bench/conv_space.py's


def route(kernel, dtype):
    """("int", column-sum kind, row-sum kind) or ("float",) of the planned separable
    path, or None where a 2-D path runs."""
    planned = plan_of(kernel, dtype)
    if planned.route == "sep_float":
        return ("float",)
    if planned.route == "sep_int":
        return ("int", *planned.sums)
    return None


def vectors(width=st.integers(1, 15), values=st.integers(-9, 9)):
    """Integer vectors of 1..15 taps, zeros and negatives included, all-zero rarely."""
    return width.flatmap(lambda n: hnp.arrays(np.int64, n, elements=values))


@st.composite
def outer_products(draw, values=st.integers(-9, 9), max_width: int = 15):
    u = draw(vectors(st.integers(1, max_width), values))
    v = draw(vectors(st.integers(1, max_width), values))
    return np.outer(u, v)


# ---------------------------------------------------------------- the planner


@pytest.mark.parametrize(
    ("kernel", "dtype", "expected"),
    [
        (BINOMIAL5, np.uint8, ("int", "i2", "u2")),  # 256 * 255 fits uint16, not int16
        (np.outer([1, 2, 1], [1, 2, 1]), np.uint8, ("int", "i2", "i2")),
        (np.ones((9, 9)), np.uint8, ("int", "i2", "i2")),
        (np.outer(GAUSS15, GAUSS15), np.uint8, ("int", "u2", "i4")),
        (-BINOMIAL5, np.uint8, ("int", "i2", "i4")),  # negative sums: no uint16
        (BINOMIAL5, np.int8, ("int", "i2", "i4")),  # signed pixels: no uint16
        (BINOMIAL5, np.uint16, ("int", "i4", "i4")),
        (BINOMIAL5, np.int32, ("int", "i8", "i8")),
        (np.outer([1, -2, 1], [3, 0, -3, 6]), np.uint8, ("int", "i2", "i2")),
        (np.outer([1, 2, 1], [-1, 0, 1]), np.uint8, None),  # Sobel: the 2-D path is faster
        (np.outer([2**20, 1, 1], [2**20, 1, 1]), np.uint16, None),  # beyond 2**53: float64 path
        (BINOMIAL5, np.uint64, None),  # no exact integer path for 64-bit pixels
        (BINOMIAL5, np.float32, None),  # integer kernels on float images: bit-exact 2-D path
        (BINOMIAL5 + np.eye(5, dtype=int), np.uint8, None),  # rank 2
        (np.zeros((5, 5)), np.uint8, None),
        (np.outer(np.exp(-np.arange(-6, 7) ** 2 / 8), np.exp(-np.arange(-6, 7) ** 2 / 8)), np.float32, ("float",)),
        (BINOMIAL5 / 256, np.uint8, ("float",)),
        (BINOMIAL5 / 256 + 1e-9 * np.eye(5), np.float64, None),  # rank 2, however close to 1
        (np.full((3, 3), 2.0**60), np.float32, None),  # integer-valued, taps beyond 2**53: the 2-D float path
        (np.full((3, 3), 1e300), np.uint8, None),
    ],
)
def test_plan(kernel, dtype, expected):
    assert route(kernel, dtype) == expected


@given(outer_products(st.integers(-2**20, 2**20)))
def test_integer_factors_are_exact(k):
    """The factors multiply back to the kernel exactly, the column has no common factor."""
    factors = _kernel.checked_kernel(k).factors
    if not k.any():
        assert factors is None
        return
    column, row = factors
    assert column.shape == (1, k.shape[0]) and row.shape == (1, k.shape[1])
    assert (np.outer(column.astype(object), row.astype(object)) == k.astype(object)).all()
    assert np.gcd.reduce(column[0]) == 1 and column[0][np.flatnonzero(column[0])[0]] > 0


@given(outer_products(max_width=6), st.integers(0, 5), st.integers(0, 5), st.integers(-3, 3).filter(bool))
def test_rank_two_integer_kernels_are_not_factored(k, i, j, step):
    k = k.copy()
    k[i % k.shape[0], j % k.shape[1]] += step
    factors = _kernel.checked_kernel(k).factors
    rank = np.linalg.matrix_rank(k.astype(np.float64))
    if rank == 1:  # the change may leave it rank 1 (a row or column of one tap)
        assert (np.outer(factors[0][0], factors[1][0]) == k).all()
    else:
        assert factors is None


# ---------------------------------------------------------------- integer: bit for bit


def separable_int(values=st.integers(-9, 9), max_width: int = 9):
    """Integer outer products as the caller may pass them (array or list of lists)."""
    return outer_products(values, max_width).map(lambda k: k.astype(np.float64)).flatmap(
        lambda k: st.sampled_from([k, k.tolist(), np.asfortranarray(k)[::-1][::-1]])
    )


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=calls(separable_int()))
def test_integer_outer_products_match_reference_bit_for_bit(split_everything, case):
    """Any image, layout, mode, dtype, weight, out and workers (test_convolve's calls)."""
    got, expected = run_and_reference(case)
    assert_identical(got, expected)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(
    u=vectors(),
    v=vectors(),
    dtype=st.sampled_from([np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32]),
    out=st.sampled_from([np.uint8, np.uint16, np.int16, np.float32, np.float64]),
    weight=st.sampled_from([1.0, -1.0, 0.5, 1 / 3]),
    mode=st.sampled_from(["keep", "valid", "reflect", "constant"]),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_factor_widths_and_image_kinds(build, split_everything, u, v, dtype, out, weight, mode, seed, data):
    """Vectors of 1..15 taps on every integer kind, pixels at the extremes of the range."""
    k = np.outer(u, v)
    rng = np.random.default_rng(seed)
    info = np.iinfo(dtype)
    shape = data.draw(st.tuples(st.integers(1, 22), st.integers(1, 22)))
    image = rng.choice(np.array([info.min, info.max, 0, 1, info.max // 2], dtype=dtype), shape)
    got = convpool.convolve(image, k, weight, mode=mode, dtype=out, workers=2)
    assert_identical(got, reference.convolve(image, k, weight, mode=mode, dtype=out))


def _two_d(image, kernel, **kwargs):
    """The 2-D paths' result (checked against the reference in test_convolve and
    test_variants): the oracle for images too large for the reference's loops."""
    with planner_constant("_SEPARABLE_OVERHEAD", 10**9):
        assert route(kernel, image.dtype) is None
        return convpool.convolve(image, kernel, **kwargs)


# Kernels and images that take every pair of sum types the planner uses.
PAIRS = [
    (np.uint8, np.outer([1, 2, 1], [1, 2, 1]), ("i2", "i2")),
    (np.uint8, BINOMIAL5, ("i2", "u2")),
    (np.uint8, -BINOMIAL5, ("i2", "i4")),
    (np.uint8, np.outer([1, 2, 1], [-(2**24), 1, 1]), ("i2", "i8")),
    (np.uint8, np.outer([1, 2, 1], [100, -3, 3, -100]), ("i2", "i4")),  # an even row: vpmaddwd pairs
    (np.uint8, np.outer([1, 2, 1], [40000, 1, 1]), ("i2", "i4")),  # a row tap beyond int16: no pairs
    (np.uint8, np.outer([200, 1, 56], [1, 2, 1]), ("u2", "i4")),
    (np.uint8, np.outer([200, 1, 56], [2**25, 1, 1]), ("u2", "i8")),
    (np.int8, np.outer([100, -200, 1], [1, 2, 1]), ("i4", "i4")),
    (np.int16, np.outer([1, -2, 1], [1, 2, 3, 4, 1]), ("i4", "i4")),
    (np.uint16, np.outer([30000, 1, 2], [2**9, 1, 1]), ("i4", "i8")),
    (np.int32, np.outer([3, -1, 2], [1, 0, -1, 2]), ("i8", "i8")),
    (np.uint32, np.outer([1, 2, 1], [1, 2, 1]), ("i8", "i8")),
]


@pytest.mark.parametrize(("dtype", "kernel", "kinds"), PAIRS, ids=lambda p: str(p) if isinstance(p, tuple) else None)
@pytest.mark.parametrize("out", [np.uint8, np.int16, np.float64])
def test_every_sum_pair(build, split_everything, dtype, kernel, kinds, out):
    """Every pair of sum types, pixels at both ends of the range (the bounds are
    reached), small images against the reference and wide ones (several column blocks
    of the kernel, band splits) against the 2-D path."""
    assert route(kernel, dtype) == ("int", *kinds)
    info = np.iinfo(dtype)
    rng = np.random.default_rng(len(kinds[0]) + kernel.size)
    small = rng.choice(np.array([info.min, info.max], dtype=dtype), (9, 13))
    for weight in (1.0, 0.25):
        assert_identical(convpool.convolve(small, kernel, weight, dtype=out, workers=2),
                         reference.convolve(small, kernel, weight, dtype=out))
    wide = rng.choice(np.array([info.min, info.max, 0, info.max // 3], dtype=dtype), (2, 7, 2100))
    for mode in ("keep", "valid", "nearest"):
        got = convpool.convolve(wide, kernel, dtype=out, axes=(-2, -1), mode=mode, workers=2)
        assert_identical(got, _two_d(wide, kernel, dtype=out, axes=(-2, -1), mode=mode, workers=2))


@pytest.mark.parametrize("shape", [(1, 1), (3, 17), (9, 16), (12, 33), (20, 64), (7, 100), (5, 1030), (3, 2049)])
def test_shapes_and_column_tiles(build, shape):
    """Widths around the vector lengths and column blocks; column tiles of wide rows."""
    image = np.random.default_rng(shape[1]).integers(0, 256, shape, dtype=np.uint8)
    for kernel in (BINOMIAL5, np.ones((9, 9)), np.outer([1, 6, 15, 20, 15, 6, 1], [1, 2, 1])):
        expected = reference.convolve(image, kernel) if shape[1] <= 100 else _two_d(image, kernel)
        assert_identical(convpool.convolve(image, kernel), expected)
        with _config.override(max_columns=40):
            assert_identical(convpool.convolve(image, kernel), expected)


# ---------------------------------------------------------------- float: the tolerance


def rank_one_floats():
    """Outer products of float vectors (1..15 taps): Gaussians, and random ones."""
    # No magnitudes below 1e-3: products that underflow are no outer product in float64.
    floats = st.just(0.0) | st.floats(1e-3, 4) | st.floats(-4, -1e-3)
    random = st.tuples(st.integers(1, 9), st.integers(1, 9)).flatmap(
        lambda s: st.tuples(*(hnp.arrays(np.float64, n, elements=floats) for n in s))
    )
    gaussian = st.tuples(st.integers(1, 15), st.floats(0.3, 5)).map(
        lambda p: (np.exp(-(np.arange(p[0]) - p[0] // 2) ** 2 / (2 * p[1] ** 2)),) * 2
    )
    return st.one_of(random, gaussian).map(lambda uv: np.outer(*uv))




@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=calls(rank_one_floats(), bounded=True))
def test_rank_one_float_kernels_within_tolerance(split_everything, case):
    got, expected = run_and_reference(case)
    within_tolerance(case, got, expected)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(kernel=rank_one_floats(), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.uint8, np.float32, np.float64]))
def test_rank_one_float_kernels_both_builds(build, kernel, seed, dtype):
    """The path is taken wherever it saves taps, on both builds, within the tolerance."""
    k = np.asarray(kernel)
    nonzero = np.count_nonzero(k)
    taps = np.count_nonzero(k.any(axis=1)) + np.count_nonzero(k.any(axis=0))
    if np.any(k != np.trunc(k)) and taps + _plan._SEPARABLE_OVERHEAD < nonzero:
        assert route(k, np.float32) == ("float",)
    image = (np.random.default_rng(seed).random((17, 40)) * 255).astype(dtype)
    for out in (np.uint8, np.float32, np.float64):
        case = {"image": image, "kernel": k, "weight": 0.75}
        got = convpool.convolve(image, k, 0.75, dtype=out, workers=2)
        within_tolerance(case, got, reference.convolve(image, k, 0.75, dtype=out))


def test_float_gaussian_wide():
    """A 13 x 13 Gaussian over several column blocks, against the 2-D float path."""
    g = np.exp(-np.arange(-6, 7) ** 2 / (2 * 2.3**2))
    k = np.outer(g, g) / g.sum() ** 2
    assert route(k, np.float32) == ("float",)
    image = (np.random.default_rng(3).random((20, 2100)) * 255).astype(np.float32)
    got = convpool.convolve(image, k, dtype=np.float64)
    expected = _two_d(image, k, dtype=np.float64)
    assert np.all(np.abs(got - expected) <= 1e-12 * np.abs(k).sum() * np.abs(image).max())


# Row factors of 2 to 27 taps: one pass of each tap count up to 13, then a first pass of
# each count followed by a pass of 13 that adds to it; some with a zero tap inside, whose
# passes are not consecutive columns.
ROW_FACTOR_TAPS = [*range(2, 28), (9, 4), (17, 15)]


@pytest.mark.skipif("avx512" not in _config.BUILDS or "avx2" not in _config.BUILDS,
                    reason="this CPU or build has no AVX-512 and AVX2 variants to compare")
@pytest.mark.parametrize("taps", ROW_FACTOR_TAPS, ids=str)
def test_float_row_pass_is_the_same_sums_in_both_vector_builds(taps):
    """The AVX-512 build's row pass of consecutive taps (convpool_rows_float, its pixels
    shifted in registers) adds the same products in the same order as the loop the AVX2
    build runs: the same bits, at every width and tail, carried passes included."""
    width, zero = (taps, None) if isinstance(taps, int) else taps
    r = np.random.default_rng(width)
    row = r.uniform(0.1, 2.0, width)
    if zero is not None:
        row[zero] = 0.0
    column = r.uniform(0.1, 2.0, 9)
    kernel = np.outer(column, row)
    assert route(kernel, np.float32) == ("float",)
    for shape in [(10, width + n - 1) for n in (*range(1, 41), 63, 64, 65)] + [(11, 2100 + width)]:
        image = (r.random(shape) * 255).astype(np.float32)
        image[1, -1] = np.inf  # an infinity in the last column read
        results = []
        for build in ("avx2", "avx512"):
            with _config.override(build=build):
                results.append(convpool.convolve(image, kernel, 0.5, mode="valid", dtype=np.float64))
        assert_identical(results[1], results[0])


@pytest.mark.parametrize("dtype", [np.uint16, np.int32, np.uint32])
@pytest.mark.parametrize("width", [9, 11, 15])
def test_64_bit_sums_tap_by_tap(build, split_everything, dtype, width):
    """64-bit sums run one tap at a time (several passes of _SPASS taps and a short
    first one), uint8 outputs of weight 1 through the sums too: bit for bit."""
    u = np.arange(1, width + 1) * np.where(np.arange(width) % 3, 1, -1)
    kernel = np.outer(u, u[::-1] * (10**6 if dtype == np.uint16 else 1))  # 2-D sums beyond int32
    assert route(kernel, dtype) == ("int", "i4" if dtype == np.uint16 else "i8", "i8")
    info = np.iinfo(dtype)
    image = np.random.default_rng(width).choice(np.array([info.min, info.max, 0, 7], dtype=dtype), (2, 19, 37))
    for out in (np.uint8, np.int16, np.float64):
        for weight in (1.0, 0.5):
            got = convpool.convolve(image, kernel, weight, dtype=out, axes=(-2, -1), workers=2)
            assert_identical(got, np.stack([reference.convolve(i, kernel, weight, dtype=out) for i in image]))


# ---------------------------------------------------------------- beyond the integer paths

# Integer-valued kernels whose taps sum to 2**53 or more: no integer path holds them, and
# two float64 passes would sum in another order than the reference. Rank 1, so they would
# be factored if the planner let them.
HUGE_INTEGER_KERNELS = {
    "full 2**60": np.full((3, 3), 2.0**60),
    "full 1e300": np.full((3, 3), 1e300),
    "binomial * 2**51": np.outer([1, 2, 1], [1, 2, 1]) * 2.0**51,  # sums to 2**55
    "5x5 ones * 2**49": np.ones((5, 5)) * 2.0**49,  # sums to 25 * 2**49 > 2**53
}
IMAGE_KINDS = [np.dtype(code) for code in _config.BUILDS["baseline"].conv.IMAGE_KINDS]


def _huge_case_image(dtype: np.dtype) -> np.ndarray:
    """64 x 64 pixels of ``dtype``, spread so that sums of float64 products round, small
    enough that the products of 1e300 stay finite."""
    rng = np.random.default_rng(dtype.num)
    if dtype.kind == "f":
        return (rng.standard_normal((64, 64)) * 100).astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, (64, 64)).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -1000), min(info.max, 1000), (64, 64), endpoint=True).astype(dtype)


@functools.cache
def _huge_case_reference(name: str, dtype: np.dtype, out: type) -> np.ndarray:
    return reference.convolve(_huge_case_image(dtype), HUGE_INTEGER_KERNELS[name], dtype=out)


@pytest.mark.parametrize("name", sorted(HUGE_INTEGER_KERNELS))
def test_integer_valued_kernels_beyond_2_53_are_bit_for_bit(build, name):
    """No float path that reorders sums: the 2-D float path, which is the reference's
    order, on every build and every image kind, for results that would round otherwise."""
    kernel = HUGE_INTEGER_KERNELS[name]
    for dtype in IMAGE_KINDS:
        assert route(kernel, dtype) is None, dtype
        image = _huge_case_image(dtype)
        for out in (np.float64, np.float32, np.uint8):
            got = convpool.convolve(image, kernel, dtype=out)
            assert_kernel_result(got, _huge_case_reference(name, dtype, out), image, kernel)
