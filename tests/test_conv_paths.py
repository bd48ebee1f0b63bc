"""The uint8 pair path and the float path's passes against the reference.

Integer kernels on uint8 images whose sums leave int16, or that have many taps, run as
horizontal pairs of taps (two taps per vpmaddubsw in the AVX2 and AVX-512 builds), summed
in int16 groups that are carried in int32, or, where the CPU has AVX-512 VNNI, four taps
per vpdpbusd in int32 (the quads); float kernels run in passes of up to seven taps that
span kernel rows, with output rows in pairs where every kernel row has its taps in the
same columns (kernels of 2..3 rows of up to 3 such taps: each pair in one pass, stored
directly). Each is compared with the reference bit for bit, under every build (the
AVX-512 build with and without the quads), on one thread and in bands, in both modes,
for every output type.
"""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convpool
from convpool import _config, _kernel, reference
from helpers import assert_identical, assert_kernel_result, layouts, plan_of, planner_constant
from test_variants import in_bands, make_image, reference_convolve

OUTS = [(np.uint8, 1.0), (np.uint8, 0.5), (np.uint16, 1.0), (np.int16, -1.0), (np.float32, 1.0), (np.float64, 0.25)]


def takes_pairs(kernel, dtype=np.uint8) -> bool:
    """Whether the build in force runs ``kernel`` on the pair path (as pairs, or as the
    quads of AVX-512 VNNI)."""
    return plan_of(kernel, dtype).route in ("pairs", "quads")


class _Pairs:
    """A build's convolution kernels, with the pair path taken as in the vector builds: the
    baseline then runs its portable loop, which must give the same pixels. ``quads``
    False turns the AVX-512 build's quads off (its pairs then run)."""

    PAIRS = True

    def __init__(self, conv, quads=True):
        self._conv = conv
        self.QUADS = conv.QUADS and quads

    def __getattr__(self, name):
        return getattr(self._conv, name)


# Each build, and the builds with quads once more without them.
PAIR_BUILDS = sorted(_config.BUILDS) + [f"{name} pairs" for name in sorted(_config.BUILDS)
                                        if _config.BUILDS[name].conv.QUADS]


@pytest.fixture(params=PAIR_BUILDS)
def pair_build(request) -> _config.Build:
    """Each build, taking the pair path where the vector builds do (with quads or not)."""
    name, _, pairs_only = request.param.partition(" ")
    real = _config.BUILDS[name]
    conv = _Pairs(real.conv, quads=not pairs_only)
    with _config.override(build=_config.Build(real.name, conv, real.pool)) as chosen:
        yield chosen.build


def random_kernel(shape, low, high, seed):
    return np.random.default_rng([seed, *shape]).integers(low, high + 1, shape)


# (kernel, whether the planner takes the pair path for uint8 images)
PAIR_PLANS = [
    (random_kernel((11, 11), -3, 3, 0), True),  # leaves int16: int32 before
    (random_kernel((15, 15), -3, 3, 0), True),
    (random_kernel((9, 9), -2, 2, 0), True),  # fits int16, many taps
    (random_kernel((3, 3), -3, 3, 0), False),  # fits int16, few taps: the int16 path
    ([[64, 64, 1]], True),  # |k0| + |k1| = 128: still exact
    ([[-128, 0, 5]], True),  # int8's least
    ([[65, 64]], False),  # 129 * 255 saturates int16
    ([[129]], False),
    ([[-129]], False),
    ([[100, -100, 100]] * 3, False),
    ([[1.5, 2]], False),  # not an integer kernel
]


@pytest.mark.parametrize(("kernel", "pairs"), PAIR_PLANS)
def test_the_planner_takes_pairs_where_they_are_exact(pair_build, kernel, pairs):
    assert takes_pairs(kernel) == pairs
    assert not takes_pairs(kernel, np.int8)
    assert not takes_pairs(kernel, np.uint16)
    # The real builds: pairs in the vector builds only, where they are fast.
    for name, build in _config.BUILDS.items():
        with _config.override(build=build):
            assert takes_pairs(kernel) == (pairs and name != "baseline")


def test_a_plan_is_made_once_per_kernel_dtypes_and_build():
    # Kept with the cached kernel: the same bytes in another array find the same plan.
    kernel = random_kernel((5, 5), -3, 3, 40)
    first = plan_of(kernel, np.uint8)
    assert plan_of(kernel.copy(), np.uint8) is first
    assert plan_of(kernel, np.uint8, np.float32) is not first
    assert plan_of(kernel, np.uint16) is not first
    for name, build in _config.BUILDS.items():
        with _config.override(build=build):
            # Each build's own route (the AVX-512 build's quads may take it, where the others do not).
            made = plan_of(kernel, np.uint8)
            assert made is plan_of(kernel.copy(), np.uint8), name
            assert made.function is getattr(build.conv, f"correlate_{made.route}"), name


def test_pair_groups_keep_int16_exact():
    # Each group of pairs sums at most 128 * 255 in int16; the groups follow row-major
    # order and cover every nonzero tap once.
    kernel = random_kernel((13, 12), -60, 60, 3)
    pairs = _kernel.checked_kernel(kernel).pairs
    assert tuple(pairs[0, :2]) == kernel.shape
    body = pairs[1:]
    assert (np.diff(body[:, 4]) >= 0).all()
    for g in np.unique(body[:, 4]):
        rows = body[body[:, 4] == g]
        assert (np.abs(rows[:, 2]) + np.abs(rows[:, 3])).sum() * 255 <= 2**15 - 1
    rebuilt = np.zeros((13, 13), np.int64)
    rebuilt[body[:, 0], body[:, 1]] = body[:, 2]
    rebuilt[body[:, 0], body[:, 1] + 1] = body[:, 3]
    assert (rebuilt[:, :12] == kernel).all() and (rebuilt[:, 12] == 0).all()


# Kernels on the pair path: odd and even widths (the last pair's second tap is 0 past
# the kernel), one group or many, zero pairs skipped, one row or column.
PAIR_KERNELS = [
    random_kernel((11, 11), -3, 3, 1),
    random_kernel((6, 10), -60, 60, 2),  # a group per pair or two
    random_kernel((15, 4), -9, 9, 3),
    random_kernel((1, 17), -64, 64, 4),
    random_kernel((17, 1), -64, 64, 5),
    np.where(random_kernel((9, 9), 0, 3, 6) == 0, 0, random_kernel((9, 9), -40, 40, 7)),
    # The extremes of a pair (int8's least, |k0| + |k1| = 128); rank 2, or the
    # separable path would run it.
    np.array([[64, 64, -128, 0, 1], [64, 64, -128, 0, 1], [-128, 0, 64, 64, 1]]),
]
# Widths around the blocks of 64 pixels (AVX2, quads), 128 (AVX-512 pairs) and the
# baseline's 16.
PAIR_SHAPES = [(1, 1), (17, 17), (16, 63), (15, 64), (17, 65), (16, 130), (5, 127), (6, 129), (4, 259)]


@pytest.mark.parametrize("kernel", PAIR_KERNELS, ids=lambda k: "x".join(map(str, np.shape(k))))
def test_pair_path_matches_the_reference(pair_build, kernel):
    assert takes_pairs(kernel)
    for shape in PAIR_SHAPES:
        image = make_image(np.uint8, shape)
        for mode, (dtype, weight) in zip(["keep", "valid"] * 3, OUTS, strict=True):
            expected = reference_convolve(image, kernel, weight, mode=mode, dtype=dtype)
            for got in in_bands(convpool.convolve, image, kernel, weight, mode=mode, dtype=dtype):
                assert_identical(got, expected)


def test_pair_path_on_stacks_strided_rows_and_border_modes(pair_build):
    kernel = random_kernel((5, 7), -20, 20, 8)
    assert takes_pairs(kernel)
    stack = make_image(np.uint8, (3, 21, 70))
    expected = np.stack([reference_convolve(im, kernel, 1.0) for im in stack])
    for got in in_bands(convpool.convolve, stack, kernel, axes=(-2, -1)):
        assert_identical(got, expected)
    colour = np.moveaxis(stack, 0, -1)  # rows 3 bytes apart in memory
    for got in in_bands(convpool.convolve, colour, kernel, axes=(0, 1)):
        assert_identical(got, np.moveaxis(expected, 0, -1))
    image = stack[0, :, ::-2]
    for mode in ("reflect", "constant", "wrap"):
        expected = reference_convolve(image, kernel, 1.0, mode=mode)
        for got in in_bands(convpool.convolve, image, kernel, mode=mode):
            assert_identical(got, expected)


def test_pair_path_agrees_with_the_int16_path():
    # A kernel both paths can take: the same pixels, on every build.
    kernel = random_kernel((7, 7), -2, 2, 9)
    image = make_image(np.uint8, (70, 300))
    results = []
    for taps in (1, 10**9):
        for build, quads in [(b, q) for b in _config.BUILDS.values() for q in (True, False)]:
            with _config.override(build=_config.Build(build.name, _Pairs(build.conv, quads), build.pool)):
                with planner_constant("_PAIRS_MIN_TAPS", taps), planner_constant("_QUADS_MIN_TAPS", taps):
                    assert takes_pairs(kernel) == (taps == 1)
                    results += in_bands(convpool.convolve, image, kernel)
    for got in results[1:]:
        assert_identical(got, results[0])


pair_kernels = st.tuples(st.integers(1, 11), st.integers(1, 11)).flatmap(
    lambda s: hnp.arrays(np.int64, s, elements=st.integers(-64, 64))
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    image=st.tuples(st.integers(0, 24), st.integers(0, 80)).flatmap(
        lambda s: hnp.arrays(np.uint8, s).flatmap(layouts)
    ),
    kernel=pair_kernels,
    mode=st.sampled_from(["keep", "valid"]),
    out=st.sampled_from(OUTS),
    workers=st.sampled_from([1, 2]),
)
def test_pair_path_property(pair_build, split_everything, image, kernel, mode, out, workers):
    dtype, weight = out
    got = convpool.convolve(image, kernel, weight, mode=mode, dtype=dtype, workers=workers)
    assert_identical(got, reference.convolve(image, kernel, weight, mode=mode, dtype=dtype))


# Float kernels: more taps than a pass holds (7), in one row or across rows; rows with
# the same columns (output rows in pairs) or not; empty kernel rows; all zero.
def _float_kernels():
    r = np.random.default_rng(11)
    sparse = r.standard_normal((6, 5))
    sparse[r.random((6, 5)) < 0.4] = 0.0
    holes = r.standard_normal((5, 5))
    holes[:, [1, 3]] = 0.0  # the same columns in every row: still in pairs
    return {
        "3x3": r.standard_normal((3, 3)),
        "15x15": r.standard_normal((15, 15)),
        "1x19": r.standard_normal((1, 19)),
        "9x2": r.standard_normal((9, 2)),
        "sparse 6x5": sparse,
        "same columns 5x5": holes,
        "empty row": np.array([[1.5, -2.0, 0.5], [0.0, 0.0, 0.0], [0.25, 3.0, -1.0]]),
        "sobel": np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]),
        "zero": np.zeros((4, 3)),
    }


FLOAT_KERNELS = _float_kernels()


@pytest.mark.parametrize("name", sorted(FLOAT_KERNELS))
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_float_passes_match_the_reference(build, name, dtype):
    kernel = FLOAT_KERNELS[name]
    # A float kernel, or an integer one on a float image: the float64 path.
    bits = plan_of(kernel, dtype).bits
    assert bits == 0 or dtype not in (np.float32, np.float64)
    for shape in [(2, 19, 30), (1, 16, 513)]:  # stacks meeting in a band; the 512-column blocks
        image = make_image(dtype, shape)
        calls = (("keep", np.float32, 1.0), ("valid", np.float64, -0.5), ("keep", np.uint8, 0.5))
        for mode, out_dtype, weight in calls:
            expected = np.stack([reference_convolve(im, kernel, weight, mode=mode, dtype=out_dtype) for im in image])
            for got in in_bands(convpool.convolve, image, kernel, weight, mode=mode, dtype=out_dtype, axes=(-2, -1)):
                assert_kernel_result(got, expected, image, kernel, weight)


def test_column_tiles_give_the_same_pixels(pair_build):
    # Rows wider than max_columns are cut into column tiles run in "valid" mode.
    image = make_image(np.uint8, (12, 150))
    for kernel in (random_kernel((11, 11), -3, 3, 12), FLOAT_KERNELS["15x15"], FLOAT_KERNELS["3x3"]):
        expected = reference_convolve(image, kernel, 0.5, dtype=np.float32)
        with _config.override(max_columns=37):
            for got in in_bands(convpool.convolve, image, kernel, 0.5, dtype=np.float32):
                assert_kernel_result(got, expected, image, kernel, 0.5)


# Kernels of 2..3 rows with 1..3 taps per row in the same columns run each output row
# pair in one pass, stored directly; their neighbours in shape take the passes.
def _fused_kernels():
    r = np.random.default_rng(23)
    out = {}
    for kh in (1, 2, 3, 4):
        for kw in (1, 2, 3, 4):
            out[f"{kh}x{kw}"] = r.standard_normal((kh, kw))
    for cols in ([0, 2], [1, 2], [0], [2], [1]):  # the same columns in every row
        k = np.zeros((3, 3))
        k[:, cols] = r.standard_normal((3, len(cols)))
        out[f"3x3 columns {cols}"] = k
    wide = np.zeros((2, 7))
    wide[:, [0, 6]] = r.standard_normal((2, 2))  # two taps per row, far apart
    out["2x7 ends"] = wide
    ragged = r.standard_normal((3, 3))
    ragged[1, 0] = 0.0  # not the same columns: the passes
    out["3x3 ragged"] = ragged
    # Taps 8 columns past the row's first, as far as the AVX-512 build's permutes reach
    # from one load of a float32 row; 11 past it, beyond them (the ring of rows there).
    for kh, cols in ((2, [0, 8]), (3, [0, 3, 8]), (3, [0, 5, 11])):
        k = np.zeros((kh, cols[-1] + 1))
        k[:, cols] = r.standard_normal((kh, len(cols)))
        out[f"{kh}x{cols[-1] + 1} columns {cols}"] = k
    return out


FUSED_KERNELS = _fused_kernels()


@pytest.mark.parametrize("name", sorted(FUSED_KERNELS))
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32, np.float64])
def test_fused_row_pairs_match_the_reference(build, name, dtype):
    kernel = FUSED_KERNELS[name]
    # Widths about the vectors (4 and 8 doubles) and the 512-column blocks; odd and even
    # row counts (a last row alone), stacks meeting in a band.
    for shape in [(1, 7, 1), (2, 5, 3), (1, 6, 9), (3, 9, 17), (1, 5, 514), (1, 4, 1030)]:
        image = make_image(dtype, shape)
        for mode in ("keep", "valid"):
            if mode == "valid" and (shape[1] < kernel.shape[0] or shape[2] < kernel.shape[1]):
                continue
            for out_dtype, weight in OUTS:
                expected = np.stack([reference_convolve(im, kernel, weight, mode=mode, dtype=out_dtype)
                                     for im in image])
                for got in in_bands(convpool.convolve, image, kernel, weight, mode=mode,
                                    dtype=out_dtype, axes=(-2, -1)):
                    assert_kernel_result(got, expected, image, kernel, weight)


def test_fused_row_pairs_in_column_tiles(build):
    image = make_image(np.float32, (2, 11, 90))
    for name in ("3x3", "2x2", "3x3 columns [0, 2]"):
        kernel = FUSED_KERNELS[name]
        for out_dtype, weight in OUTS:
            expected = np.stack([reference_convolve(im, kernel, weight, dtype=out_dtype) for im in image])
            with _config.override(max_columns=13):
                for got in in_bands(convpool.convolve, image, kernel, weight, dtype=out_dtype, axes=(-2, -1)):
                    assert_kernel_result(got, expected, image, kernel, weight)


@pytest.mark.parametrize("name", sorted(FUSED_KERNELS))
def test_float32_rows_read_in_place_give_the_float64_copys_bits(build, name):
    # The vector builds read a float32 image's rows in place for the fused row pairs
    # (convpool_pair_f32: 4 vectors of columns, then one, then single columns), the
    # baseline converts them first; either way every sum is the one a float64 copy of the
    # image gets, to the bit, non-integer kernels (one fused multiply-add per tap where
    # the build has it) and integer-valued ones (the reference's roundings) alike.
    kernel = FUSED_KERNELS[name]
    for taps in (kernel, np.round(kernel * 3)):
        for shape in [(1, 6, 1), (2, 5, 4), (1, 7, 19), (3, 4, 36), (1, 5, 530)]:
            image = make_image(np.float32, shape)
            wide = image.astype(np.float64)
            for mode in ("keep", "valid"):
                if mode == "valid" and (shape[1] < kernel.shape[0] or shape[2] < kernel.shape[1]):
                    continue
                for out_dtype, weight in OUTS + [(np.float32, -0.5)]:
                    expected = convpool.convolve(wide, taps, weight, mode=mode, dtype=out_dtype,
                                                 axes=(-2, -1))
                    for got in in_bands(convpool.convolve, image, taps, weight, mode=mode,
                                        dtype=out_dtype, axes=(-2, -1)):
                        assert_identical(got, expected)


@pytest.mark.parametrize("big", [2**29, 3 * 2**27 + 1, 2**31 - 1])
def test_integer_taps_on_float32_images_keep_the_references_bits(build, big):
    # Integer taps of at most 2**29 on float32 pixels make exact float64 products, so the
    # fused multiply-add routes give the reference's sums; a tap beyond it (2**31 - 1,
    # whose products with 24-bit significands take up to 55 bits) takes the reference's
    # two roundings. Pixels at float32's extremes: its largest and smallest numbers,
    # subnormals, signed zeros, infinities and NaN, or random ones.
    r = np.random.default_rng(big)
    finfo = np.finfo(np.float32)
    pool = np.array([finfo.max, -finfo.max, finfo.tiny, finfo.smallest_subnormal, -0.0, 0.0,
                     1.0 + finfo.eps, -(1.0 - finfo.epsneg), 3.0, 1e30, -7e-30, np.inf, np.nan],
                    np.float32)
    for shape in [(3, 3), (5, 5), (2, 6)]:
        kernel = r.integers(-3, 4, shape).astype(np.float64)
        kernel[0, 0] = big
        kernel[-1, -1] = -big
        for kind in ("values", "randoms"):
            if kind == "values":
                image = r.choice(pool, (9, 11))
            else:
                image = (r.standard_normal((9, 11)) * 1e3).astype(np.float32)
            for out_dtype, weight in ((np.float64, 1.0), (np.float32, 0.75)):
                expected = reference_convolve(image, kernel, weight, dtype=out_dtype)
                for got in in_bands(convpool.convolve, image, kernel, weight, dtype=out_dtype):
                    assert_identical(got, expected)


def _store_cases():
    # (image, kernel) of every integer route, whose sums of weight 1 are stored into
    # float outputs by one conversion each and into 16-bit ones by an integer clamp:
    # 16-bit pixels with taps whose sums pass 2**24 (float32 rounds them) and leave
    # int16, and uint8 ones on the int16, pair and quad paths and the separable passes of
    # every sum type.
    r = np.random.default_rng(2024)
    u16 = r.integers(0, 65536, (9, 70)).astype(np.uint16)
    u16[0, :4] = 65535
    u8 = r.integers(0, 256, (9, 70)).astype(np.uint8)
    i16 = r.integers(-32768, 32768, (9, 70)).astype(np.int16)
    return {
        "int32 2-D, uint16": (u16, r.integers(-999, 1000, (3, 3)) | 1),
        "int32 2-D, int16": (i16, r.integers(-999, 1000, (2, 4))),
        "int16 2-D, uint8": (u8, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
        "pairs or quads, uint8": (u8, r.integers(-3, 4, (5, 5))),
        "int32 separable, uint16": (u16, np.outer([1, 255, 1], [3, -100, 3])),
        "int64 separable, uint16": (u16, np.outer([1, 257, 999], [3, -511, 1001])),
        "int16 separable, uint8": (u8, np.outer([1, 2, 1, 2, 1], [1, -1, 2, -1, 1])),
        "uint16 separable, uint8": (u8, np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])),
        "int32 separable, uint8": (u8, np.outer([1, 8, 28, 56, 70, 56, 28, 8, 1], [1, 8, 28, 56, 70, 56, 28, 8, 1])),
    }


@pytest.mark.parametrize("case", list(_store_cases()))
def test_integer_sums_stored_keep_the_references_bits(build, case):
    # Exact integer sums of weight 1 go straight into float32 (one rounding, where the
    # reference rounds <double>(sum) into float32: the same, as the sum is exact in
    # float64) and float64, and are clamped in integers into uint16 and int16.
    image, kernel = _store_cases()[case]
    assert plan_of(kernel, image.dtype, np.float32).route in ("int", "pairs", "quads", "sep_int")
    for out_dtype in (np.float32, np.float64, np.uint16, np.int16):
        expected = reference_convolve(image, kernel, 1.0, dtype=out_dtype)
        for got in in_bands(convpool.convolve, image, kernel, dtype=out_dtype):
            assert_identical(got, expected)


def _block_kernels():
    r = np.random.default_rng(41)
    out = {}
    for kh, kw in [(4, 4), (7, 7), (2, 5), (5, 2), (15, 3), (9, 1)]:
        k = r.standard_normal((kh, kw))
        if kw > 2:
            k[:, 1] = 0.0  # a column without taps, in every row
        out[f"{kh}x{kw}"] = k
    # Rank-1 kernels: the separable route, whose column pass takes the blocks where every
    # column tap is nonzero.
    g13 = np.exp(-0.5 * (np.arange(-6, 7) / 2.0) ** 2)
    out["13x13 Gaussian"] = np.outer(g13, g13 / g13.sum())
    out["9x5 outer"] = np.outer(r.standard_normal(9), r.standard_normal(5))
    column = r.standard_normal(7)
    column[2] = 0.0
    out["7x7 outer, a zero column tap"] = np.outer(column, r.standard_normal(7))
    return out


BLOCK_KERNELS = _block_kernels()


@pytest.mark.parametrize("name", sorted(BLOCK_KERNELS))
def test_rows_in_blocks_give_each_rows_own_sums(build, name):
    # Non-integer kernels of more than 3 x 3 taps in the same columns, and the column
    # pass of rank-1 ones, take up to four output rows at once in the vector builds
    # (convpool_fma_block: 4 vectors of columns, then one, then single columns). Each
    # output row's sums must not depend on the rows it is grouped with, nor on its
    # column's place: every row of the whole result equals that row computed alone, to
    # the bit, at widths about the vectors.
    kernel = BLOCK_KERNELS[name]
    r = np.random.default_rng(len(name))
    kh, kw = kernel.shape
    for width in (kw, kw + 3, kw + 4, kw + 17, kw + 51):
        # Finite pixels: make_image's infinities would leave most sums inf or NaN alike.
        image = r.standard_normal((kh + 9, width)) * 100
        for dtype in (np.float64, np.float32):
            image = image.astype(dtype)
            whole = convpool.convolve(image, kernel, mode="valid", dtype=np.float64)
            for row in range(whole.shape[0]):
                alone = convpool.convolve(image[row:row + kh], kernel, mode="valid", dtype=np.float64)
                assert_identical(alone[0], whole[row])
            for got in in_bands(convpool.convolve, image, kernel, mode="valid", dtype=np.float64):
                assert_identical(got, whole)
            expected = reference_convolve(image, kernel, 1.0, mode="valid", dtype=np.float64)
            assert_kernel_result(whole, expected, image, kernel)


def test_quads_run_where_the_cpu_has_avx512_vnni():
    # The AVX-512 build takes the quads exactly where the CPU has VNNI (Linux says so in
    # /proc/cpuinfo); the other builds never do.
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read().split()
    except OSError:
        pytest.skip("no /proc/cpuinfo to compare with")
    for name, build in _config.BUILDS.items():
        assert build.conv.QUADS == (name == "avx512" and "avx512_vnni" in flags)
    if not any(build.conv.QUADS for build in _config.BUILDS.values()):
        pytest.skip("no build takes the quads on this CPU")
    with _config.override(build="avx512"):
        kernel = random_kernel((9, 9), -3, 3, 10)
        assert plan_of(kernel, np.uint8).route == "quads"
        image = make_image(np.uint8, (40, 300))
        assert_identical(convpool.convolve(image, kernel), reference_convolve(image, kernel, 1.0))
