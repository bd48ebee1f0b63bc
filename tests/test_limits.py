"""Sizes at the limits: rows wider than a scratch tile, index arithmetic past 32 bits,
images of more than 2**31 pixels, and requests whose result cannot be allocated."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import convpool
from convpool import reference
from helpers import assert_identical, assert_kernel_result

KERNEL = np.array([[1, -2, 3, 0, 5], [2, 1, -1, 4, 1], [0, 3, 1, -2, 2]])


@pytest.mark.parametrize("kernel", [KERNEL, KERNEL * 0.37], ids=["integer", "float"])
@pytest.mark.parametrize("mode", ["keep", "valid"])
def test_rows_wider_than_a_scratch_tile(kernel, mode):
    """Rows are accumulated in tiles of columns; results cross tile edges unchanged."""
    image = np.random.default_rng(12).integers(0, 256, (4, 2 * 4096 + 9), dtype=np.uint8)
    for dtype in (np.uint8, np.float64):
        got = convpool.convolve(image, kernel, 0.5, mode=mode, dtype=dtype)
        assert_kernel_result(got, reference.convolve(image, kernel, 0.5, mode=mode, dtype=dtype), image, kernel, 0.5)


def test_scratch_memory_does_not_grow_with_the_row_width():
    """A 64 MiB row once needed 1 GiB of scratch (16 bytes per pixel)."""
    code = """
import resource, numpy as np, convpool
convpool.convolve(np.ones((3, 3), np.uint8), [[1, 2, 1]])
image = np.ones((1, 2**26), np.uint8)
out = np.ones_like(image)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
convpool.convolve(image, [[1, 2, 1]], out=out)
convpool.convolve(image, [[0.5, 2, 1]], out=out)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""
    resource = pytest.importorskip("resource")  # noqa: F841 - POSIX only
    grown_mib = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert grown_mib < 32


def test_row_offsets_beyond_32_bits():
    """Rows 2**31 + 64 bytes apart: row * stride overflows 32-bit arithmetic.

    The buffer is 6 GiB of address space, but only the pages touched are ever mapped.
    """
    big = np.zeros((3, 2**31 + 64), np.uint8)
    rng = np.random.default_rng(1)
    big[:, :16] = rng.integers(0, 256, (3, 16))
    for image in (big[:, :16], big[::-1, :16], big[:, 15::-1]):
        expected = image.copy()
        assert_identical(convpool.convolve(image, KERNEL[:, :3]), reference.convolve(expected, KERNEL[:, :3]))
        assert_identical(convpool.max_pool(image, (3, 2)), reference.max_pool(expected, (3, 2)))
    stack = big.reshape(3, 1, -1)[:, :, :16]  # images 2**31 + 64 bytes apart
    got = convpool.convolve(stack, [[1, 1]], axes=(1, 2), dtype=np.float64)
    for i in range(3):
        assert_identical(got[i], reference.convolve(stack[i].copy(), [[1, 1]], dtype=np.float64))


def windows(n: int) -> list[slice]:
    """Column ranges to check: both ends and around 2**31 and 2**32 where they fit."""
    spots = [0, 2**31 - 20, 2**32 - 20, n - 40]
    return [slice(s, s + 40) for s in spots if 0 <= s and s + 40 <= n]


def check_columns(image: np.ndarray, got: np.ndarray, kernel, cols: slice, **kwargs) -> None:
    """``got[:, cols]`` equals the reference on a slice of ``image`` wide enough that the
    slice's own margin lies outside ``cols`` (or is the image's margin)."""
    kw = np.shape(kernel)[1]
    lo, hi = max(cols.start - kw, 0), min(cols.stop + kw, image.shape[1])
    ref = reference.convolve(image[:, lo:hi], kernel, **kwargs)
    assert_kernel_result(got[:, cols], ref[:, cols.start - lo : cols.stop - lo], image[:, lo:hi], kernel,
                         kwargs.get("weight", 1.0))


@pytest.mark.slow
def test_one_row_of_more_than_2_31_pixels():
    n = 2**31 + 7
    image = np.zeros((1, n), np.uint8)  # untouched pages stay unmapped zeros
    rng = np.random.default_rng(3)
    spots = windows(n)
    for cols in spots:
        a, b = max(cols.start - 8, 0), min(cols.stop + 8, n)
        image[0, a:b] = rng.integers(0, 256, b - a)
    kernel = [[1, -2, 3, 2, 1]]
    for k in (kernel, np.multiply(kernel, 0.3)):
        got = convpool.convolve(image, k, 0.5)
        for cols in spots:
            check_columns(image, got, k, cols, weight=0.5)
        del got
    pooled = convpool.max_pool(image, (1, 2))
    assert pooled.shape == (1, (n - 2) // 2 + 1)
    for cols in spots:
        half = slice(cols.start // 2, cols.stop // 2)
        pairs = image[0, 2 * half.start : 2 * half.stop].reshape(-1, 2)
        assert_identical(pooled[0, half], pairs.max(axis=1))


@pytest.mark.slow
def test_indices_beyond_2_31_with_padding():
    """return_indices past 2**31 in one row: int64 all the way, windows clipped at the
    row's ends (padding 1), far apart (stride 2**16)."""
    n = 2**31 + 7
    image = np.zeros((1, n), np.int8)
    image[0, n - 3 :] = [5, -7, 9]
    image[0, : 2] = [-3, 4]
    image[0, 2**31 : 2**31 + 2] = [-100, 100]  # the last window's winners: past 2**31
    stride = 2**16
    for kind, func in (("max", convpool.max_pool), ("min", convpool.min_pool)):
        values, indices = func(image, (1, 3), stride=(1, stride), padding=(0, 1), return_indices=True)
        count = (n + 2 - 3) // stride + 1
        assert values.shape == indices.shape == (1, count)
        starts = np.arange(count) * stride - 1
        # Each window: columns start..start + 2 inside the row; the first best pixel.
        for c in (0, 1, count - 1):
            cols = [x for x in range(starts[c], starts[c] + 3) if 0 <= x < n]
            pixels = image[0, cols]
            best = int(np.argmax(pixels) if kind == "max" else np.argmin(pixels))
            assert indices[0, c] == cols[best] and values[0, c] == pixels[best]
        assert indices.dtype == np.int64 and indices[0, -1] >= 2**31


@pytest.mark.slow
def test_a_square_image_of_more_than_2_31_pixels():
    side = 46349  # side * side > 2**31: output index row * width overflows 32 bits
    image = np.zeros((side, side), np.uint8)
    rng = np.random.default_rng(4)
    # Row 46332, column 41780 is pixel 2**31; the third block straddles it.
    corners = [(0, 0), (side - 12, side - 12), (46328, 41774), (side // 2, 5)]
    for r, c in corners:
        image[r : r + 12, c : c + 12] = rng.integers(0, 256, (12, 12))
    kernel = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    got = convpool.convolve(image, kernel, workers=2)
    pooled = convpool.max_pool(image, workers=2)
    for r, c in corners:
        block = image[max(r - 1, 0) : r + 13, max(c - 1, 0) : c + 13]
        ref = reference.convolve(block, kernel)
        ro, co = r - max(r - 1, 0), c - max(c - 1, 0)
        inner = (slice(1, 11), slice(1, 11))
        assert_identical(got[r : r + 12, c : c + 12][inner], ref[ro : ro + 12, co : co + 12][inner])
        pr, pc = (r + 1) // 2, (c + 1) // 2
        window = image[2 * pr : 2 * pr + 10, 2 * pc : 2 * pc + 10]
        assert_identical(pooled[pr : pr + 5, pc : pc + 5], reference.max_pool(window))


@pytest.mark.parametrize(
    "call",
    [
        lambda x: convpool.convolve(x, [[1]]),
        lambda x: convpool.convolve(x, [[1, 2], [3, 4]], dtype=np.float64, mode="valid"),
        lambda x: convpool.max_pool(x),
        lambda x: convpool.max_pool(x, (2**40, 2**20)),  # a 1 x 1 result, but the input must be copied
    ],
    ids=["convolve", "convolve-float64", "max_pool", "max_pool-one-window"],
)
def test_an_output_that_cannot_be_allocated_raises_memory_error(call):
    image = np.broadcast_to(np.uint8(7), (2**40, 2**20))  # 1 PiB described, 1 byte stored
    with pytest.raises(MemoryError, match=r"Unable to allocate"):
        call(image)


@pytest.mark.parametrize("mode", ["keep", "valid"])
@pytest.mark.parametrize("kernel", [KERNEL, KERNEL * 0.37, np.ones((9, 1))], ids=["integer", "float", "tall"])
def test_column_tiles_of_wide_images(kernel, mode, split_everything):
    """Images wider than a kernel call takes are cut into column tiles, unchanged results."""
    from convpool import _config

    with _config.override(max_columns=7):
        check_column_tiles(kernel, mode)


def check_column_tiles(kernel, mode):
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, (2, 11, 40), dtype=np.uint8)
    image[0, 0, :3] = 255
    for dtype in (np.uint8, np.float32):
        for workers in (1, 2):
            got = convpool.convolve(image, kernel, 0.5, mode=mode, dtype=dtype, axes=(1, 2), workers=workers)
            for i in range(2):
                expected = reference.convolve(image[i], kernel, 0.5, mode=mode, dtype=dtype)
                assert_kernel_result(got[i], expected, image[i], kernel, 0.5)
    float_image = rng.normal(scale=300, size=(11, 40))
    float_image[0, :4] = [np.nan, np.inf, -np.inf, 1e40]
    got = convpool.convolve(float_image, kernel, mode=mode, dtype=np.float32)
    expected = reference.convolve(float_image, kernel, mode=mode, dtype=np.float32)
    assert_kernel_result(got, expected, float_image, kernel)
