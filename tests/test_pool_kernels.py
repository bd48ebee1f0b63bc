"""The pooling kernels' routes, each against the reference bit for bit on every build and
band split: windows that tile a row (widths 2, 3 and 4 have loops of their own),
overlapping windows (stride 1; widths 3 and 5 in one pass), windows of any other shape,
stacks of rows taken in one pass (2 to 5 rows, and more), windows clipped at the edge
(`ceil_mode`), and avg_pool's exact integer sums (int16 and int32, and float32 means
computed in float32) beside its float64 sums.

Values are drawn so that ties matter: floats from {-inf, -1, -0.0, 0.0, 1, inf, NaN},
where the order in which a window is folded decides the sign of a zero result.
"""

from __future__ import annotations

import numpy as np
import pytest

import convpool
from convpool import _config, reference
from helpers import assert_identical, lay_out

POOLS = {"max": convpool.max_pool, "min": convpool.min_pool, "avg": convpool.avg_pool}
REFERENCES = {"max": reference.max_pool, "min": reference.min_pool, "avg": reference.avg_pool}
DTYPES = [np.bool_, np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32, np.uint64, np.int64,
          np.float16, np.float32, np.float64]
TIES = np.array([-np.inf, -1.0, -0.0, 0.0, 1.0, np.inf, np.nan])

# (size, stride): every route of the max/min kernel and of avg_pool's sums.
WINDOWS = [
    (1, 1), (2, 2), (3, 3), (4, 4),  # tiling, literal widths (and a 1-wide window)
    (2, 1), (3, 1), (4, 1), (5, 1), (7, 1),  # overlapping: one pass for 3 and 5, passes else
    (5, 5), ((2, 3), (1, 3)), ((3, 2), (2, 1)), ((6, 4), (1, 2)), (3, 2), ((1, 4), (3, 4)),
]


def ties_image(dtype, shape, seed: int) -> np.ndarray:
    """Pixels that tie often: few values, and for floats signed zeros, infinities and NaN."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return TIES[rng.integers(0, len(TIES), shape)].astype(dt)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    info = np.iinfo(dt)
    values = np.array([info.min, info.min + 1, 0, 1, info.max - 1, info.max], dtype=dt)
    return values[rng.integers(0, len(values), shape)]


def every_split(function, *args, **kwargs):
    """``function(*args, **kwargs)`` on one thread and on bands split as finely as possible."""
    results = [function(*args, **kwargs, workers=1)]
    with _config.override(min_pixels_per_thread=1):
        results += [function(*args, **kwargs, workers=n) for n in (2, 3)]
    return results


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("kind", sorted(POOLS))
def test_every_window_route(build, kind, dtype):
    """Every window route, floor and ceil, on an odd-sized image of tying values."""
    image = ties_image(dtype, (11, 13), seed=np.dtype(dtype).num)
    for size, stride in WINDOWS:
        for ceil_mode in (False, True):
            expected = REFERENCES[kind](image, size, stride, ceil_mode)
            for got in every_split(POOLS[kind], image, size, stride=stride, ceil_mode=ceil_mode):
                assert_identical(got, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["max", "min"])
def test_signed_zeros_follow_row_major_order(build, kind, dtype):
    """Of equal zeros the first in row-major order wins, whichever way the kernel folds:
    the window's other pixels lose to the zeros."""
    loser = -1.0 if kind == "max" else 1.0
    pool = POOLS[kind]
    for first, second in ((0.0, -0.0), (-0.0, 0.0)):
        # The first zero in row-major order is top right; the second is bottom left, so a
        # fold down the columns first would meet it first.
        window = np.array([[loser, first], [second, loser]], dtype=dtype)
        for size, stride in ((2, 2), (2, 1)):
            got = pool(window, size, stride=stride)
            assert got.shape == (1, 1) and got[0, 0] == 0 and np.signbit(got[0, 0]) == np.signbit(first)
        # The same window overlapped by its neighbours (stride 1, 3x3 and 5x5).
        tiled = np.tile(window, (4, 4))
        for size in (3, 5):
            assert_identical(pool(tiled, size, stride=1), REFERENCES[kind](tiled, size, 1))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32], ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("windows", [1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200])
def test_2x2_vector_loops_give_the_references_bits(build, dtype, windows):
    """The hand-written 2 x 2 loops (uint8, uint16 and float32; 8 to 64 windows a step by
    target and dtype), and the portable loop after them. Float rows of tying values: the
    first four without NaN (the vector loop's result), the last two with one NaN each,
    at the row's end or anywhere (the vector loop gives up: the portable loop's result)."""
    rng = np.random.default_rng(windows)
    image = ties_image(dtype, (6, 2 * windows + 1), seed=windows)
    if image.dtype.kind == "f":
        image[np.isnan(image)] = -0.0
        image[4, -2] = np.nan
        image[5, rng.integers(0, image.shape[1])] = np.nan
    for kind in ("max", "min"):
        for ceil_mode in (False, True):
            expected = REFERENCES[kind](image, 2, 2, ceil_mode)
            assert_identical(POOLS[kind](image, 2, ceil_mode=ceil_mode), expected)
            # Rows that begin anywhere in a cache line.
            assert_identical(POOLS[kind](image[:, 1:], 2, ceil_mode=ceil_mode),
                             REFERENCES[kind](image[:, 1:], 2, 2, ceil_mode))


def _fold2x2(image: np.ndarray, kind: str) -> np.ndarray:
    """2 x 2 windows folded across each row, then down, with NaN winning (numpy)."""
    def fold(a, b):
        take = (b != b) | ((a < b) if kind == "max" else (a > b))
        return np.where(take, b, a)

    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    top = fold(image[0:h:2, 0:w:2], image[0:h:2, 1:w:2])
    return fold(top, fold(image[1:h:2, 0:w:2], image[1:h:2, 1:w:2]))


@pytest.mark.parametrize(("dtype", "side"), [(np.uint16, 3700), (np.float32, 2600)], ids=["uint16", "float32"])
def test_2x2_loops_on_images_larger_than_caches(build, dtype, side):
    """Images and outputs of more than 32 MiB together take the stores past the caches
    (from the first output column on a vector boundary): the same results, rows that
    start anywhere, and float rows with NaN among them."""
    image = ties_image(dtype, (side, side + 3), seed=side)
    if image.dtype.kind == "f":
        image[np.isnan(image)] = 0.0
        image[7, 1000] = np.nan
    for view in (image, image[:, 1:], image[:, 3:]):
        for kind in ("max", "min"):
            got = POOLS[kind](view, 2)
            assert_identical(got, _fold2x2(view, kind))


def test_nan_anywhere_wins(build):
    for dtype in (np.float32, np.float64):
        for size, stride in ((2, 2), (3, 3), (3, 1), (5, 1), (4, 4)):
            for where in np.ndindex(6, 6):
                image = np.arange(36, dtype=dtype).reshape(6, 6)
                image[where] = np.nan
                for kind in ("max", "min"):
                    got = POOLS[kind](image, size, stride=stride, ceil_mode=True)
                    expected = REFERENCES[kind](image, size, stride, True)
                    assert_identical(got, expected)


@pytest.mark.parametrize("kind", ["max", "min"])
def test_tall_stacks_and_ring_across_images(build, kind):
    """Windows of more rows than one pass folds, overlapping down the image, over a stack
    of images: a band's rows of one image never stand in for another's."""
    rng = np.random.default_rng(11)
    for dtype in (np.uint8, np.int32, np.float32, np.float64):
        stack = rng.standard_normal((3, 14, 9)).astype(dtype) if np.dtype(dtype).kind == "f" else \
            rng.integers(0, 100, (3, 14, 9)).astype(dtype)
        for size, stride in (((7, 2), (1, 1)), ((6, 3), (2, 1)), ((3, 3), (1, 2)), ((9, 1), (4, 1))):
            for ceil_mode in (False, True):
                expected = np.stack([REFERENCES[kind](im, size, stride, ceil_mode) for im in stack])
                for got in every_split(POOLS[kind], stack, size, stride=stride, ceil_mode=ceil_mode, axes=(1, 2)):
                    assert_identical(got, expected)


@pytest.mark.parametrize("out", [None, np.float16, np.float32, np.float64])
def test_avg_exact_sums(build, out):
    """8- and 16-bit windows sum exactly in integers: at their range's ends, for windows
    up to the largest of each route (int16 sums of up to 128 rows of 8-bit pixels, int32
    beyond; 16-bit windows of up to 256 pixels, float64 sums beyond), whatever the
    division (powers of two multiply)."""
    rng = np.random.default_rng(5)
    cases = [
        (np.uint8, (131, 7), [(2, 2), (3, 3), (5, 5), (128, 2), (129, 2), (130, 1)]),
        (np.int8, (131, 7), [(2, 2), (3, 1), (128, 3), (130, 3)]),
        (np.uint16, (20, 20), [(2, 2), (3, 3), (16, 16), (17, 16), (4, 1)]),
        (np.int16, (20, 20), [(2, 2), (16, 16), (17, 17)]),
    ]
    for dtype, shape, sizes in cases:
        info = np.iinfo(dtype)
        for fill in ("max", "min", "random"):
            if fill == "random":
                image = rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype)
            else:
                image = np.full(shape, getattr(info, fill), dtype)
            for size in sizes:
                for ceil_mode in (False, True):
                    expected = reference.avg_pool(image, size, None, ceil_mode, dtype=out)
                    for got in every_split(convpool.avg_pool, image, size, ceil_mode=ceil_mode, dtype=out):
                        assert_identical(got, expected)


def test_avg_float32_means_round_once():
    """float32 means of 8-bit windows, computed in float32, equal the float64 mean rounded
    once, for every sum of a 3x3 and a 5x5 window (divisions that are not exact)."""
    for k in (3, 5, 6, 7):
        sums = np.arange(0, 255 * k * k + 1)
        # An image per sum is too many: windows of one row of k*k pixels whose sums
        # sweep the range (pixels of 255 then the remainder, then zeros).
        n = len(sums)
        full, rest = sums // 255, sums % 255
        cols = np.arange(k * k)
        rows = np.where(cols < full[:, None], 255, np.where(cols == full[:, None], rest[:, None], 0))
        image = rows.astype(np.uint8).reshape(n * k, k)
        got = convpool.avg_pool(image, k, dtype=np.float32)[:, 0]
        expected = (sums / float(k * k)).astype(np.float32)
        assert_identical(got, expected)


@pytest.mark.parametrize("kind", sorted(POOLS))
def test_layouts_reach_every_route(build, kind):
    """Non-contiguous, reversed, byte-swapped and unaligned images through the routes
    with literal widths and one-pass stacks."""
    rng = np.random.default_rng(2)
    for dtype in (np.uint8, np.uint16, np.float32, np.float64):
        base = ties_image(dtype, (10, 12), seed=3)
        for order, steps, swapped in (((0, 1), (1, 2), False), ((1, 0), (-1, 1), False),
                                      ((0, 1), (-2, -1), True), ((1, 0), (3, -2), True)):
            image = lay_out(base, order, steps, swapped=swapped and base.dtype.itemsize > 1,
                            unaligned=bool(rng.integers(0, 2)))
            for size, stride in ((2, 2), (3, 3), (4, 4), (3, 1), (5, 1), ((2, 3), (1, 1))):
                for ceil_mode in (False, True):
                    got = POOLS[kind](image, size, stride=stride, ceil_mode=ceil_mode)
                    assert_identical(got, REFERENCES[kind](base, size, stride, ceil_mode))


@pytest.mark.parametrize("kind", sorted(POOLS))
def test_uint8_2x2_vectors(build, kind):
    """2x2 windows of uint8 pixels (the AVX2 build takes them in vectors of 32 windows for
    max/min, 16 for avg): widths around the vector blocks, odd sizes, floor and ceil,
    pixels at 0 and 255, reversed and strided layouts, avg to float32 and float64, and
    into a given ``out``."""
    rng = np.random.default_rng(11)
    widths = [2, 3, 31, 32, 33, 34, 63, 64, 65, 66, 67, 95, 96, 97, 127, 128, 129, 130, 131, 193]
    dtypes = [np.float32, np.float64] if kind == "avg" else [None]
    for h in (2, 3, 5):
        for w in widths:
            base = rng.integers(0, 256, (h, w), dtype=np.uint8)
            base[:, rng.integers(0, w, 3)] = rng.choice(np.array([0, 255], np.uint8), (h, 3))
            steps = ((1, 1), (-1, 1), (2, -3))[w % 3]
            image = lay_out(base, (0, 1), steps, unaligned=bool(w % 2))
            for ceil_mode in (False, True):
                for dt in dtypes:
                    args = {"dtype": dt} if dt is not None else {}
                    expected = REFERENCES[kind](base, 2, 2, ceil_mode, **args)
                    for got in every_split(POOLS[kind], image, 2, ceil_mode=ceil_mode, **args):
                        assert_identical(got, expected)
                    out = np.full(expected.shape, 7, expected.dtype)
                    POOLS[kind](image, 2, ceil_mode=ceil_mode, out=out, **args)
                    assert_identical(out, expected)


@pytest.mark.parametrize("kind", ["max", "min"])
@pytest.mark.parametrize(("dtype", "size"), [(np.uint8, 2), (np.uint8, 3), (np.uint16, 2)])
def test_large_images_read_a_row_at_a_time(build, kind, dtype, size):
    """Integer images of more than 8 MiB are read one row at a time (for uint8 2x2
    windows, the first row copied before the vector pass): their results are those of
    column slices small enough to be read side by side (checked against the reference
    above), in every band split."""
    rng = np.random.default_rng(12)
    image = rng.integers(0, 256, (size + 1, (1 << 23) // np.dtype(dtype).itemsize // size + 131)).astype(dtype)
    for ceil_mode in (False, True):
        chunk = size << 15
        parts = [POOLS[kind](image[:, c:c + chunk], size, ceil_mode=ceil_mode) for c in range(0, image.shape[1], chunk)]
        expected = np.concatenate(parts, axis=1)
        assert expected.shape == (1 + ceil_mode, -(-image.shape[1] // size) if ceil_mode else image.shape[1] // size)
        for got in every_split(POOLS[kind], image, size, ceil_mode=ceil_mode):
            assert_identical(got, expected)
