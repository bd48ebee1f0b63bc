"""Named kernels: the codelab's matrices, what each detects, in (row, column) order."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import convpool
from convpool import kernels, reference

CODELAB_FILTERS = {
    "edges": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "horizontal_lines": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "vertical_lines": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
}
# Kernels whose responses sum to zero on a flat image (detectors) and those that keep
# a flat image as it is (smoothers and enhancers), weight included.
DETECTORS = [
    "edges", "horizontal_lines", "vertical_lines", "laplacian", "outline",
    "sobel_horizontal", "sobel_vertical", "scharr_horizontal", "scharr_vertical",
    "prewitt_horizontal", "prewitt_vertical",
]  # fmt: skip
PRESERVERS = ["identity", "box_blur", "gaussian_3x3", "gaussian_5x5", "sharpen", "emboss"]


def test_every_kernel_is_described_and_read_only():
    assert sorted(DETECTORS + PRESERVERS) == sorted(kernels.KERNELS)
    for name, k in kernels.KERNELS.items():
        assert k.name == name and k is kernels.get(name)
        assert isinstance(k, kernels.Kernel)
        assert k.matrix.ndim == 2 and k.matrix.dtype == np.int64, name
        assert not k.matrix.flags.writeable
        assert len(k.description) > 20
        assert np.isfinite(k.weight)
        with pytest.raises(ValueError, match="read-only"):
            k.matrix[0, 0] = 7
        with pytest.raises(dataclasses.FrozenInstanceError):
            k.weight = 2.0  # type: ignore[misc]
    with pytest.raises(TypeError, match="does not support item assignment"):
        kernels.KERNELS["mine"] = kernels.EDGES  # type: ignore[index]


def test_the_codelabs_three_filters_as_written():
    assert [k.name for k in kernels.CODELAB] == list(CODELAB_FILTERS)
    assert list(kernels.KERNELS)[:3] == list(CODELAB_FILTERS)
    for name, matrix in CODELAB_FILTERS.items():
        k = kernels.get(name)
        np.testing.assert_array_equal(k.matrix, matrix, strict=False)
        assert k.weight == 1.0


@pytest.mark.parametrize("name", DETECTORS)
def test_detectors_give_zero_on_a_flat_image(name):
    k = kernels.get(name)
    assert k.matrix.sum() == 0
    flat = np.full((9, 9), 100, np.uint8)
    assert (convpool.convolve(flat, k.matrix, k.weight, mode="valid", dtype=np.float64) == 0).all()


@pytest.mark.parametrize("name", PRESERVERS)
def test_smoothers_and_enhancers_keep_a_flat_image(name):
    k = kernels.get(name)
    assert k.matrix.sum() * k.weight == pytest.approx(1.0, abs=1e-15)
    flat = np.full((9, 9), 100, np.uint8)
    assert (convpool.convolve(flat, k.matrix, k.weight, mode="valid") == 100).all()


def test_weights_of_the_blurs():
    assert kernels.BOX_BLUR.weight == 1 / 9 and kernels.BOX_BLUR.matrix.sum() == 9
    assert kernels.GAUSSIAN_3X3.weight == 1 / 16 and kernels.GAUSSIAN_3X3.shape == (3, 3)
    assert kernels.GAUSSIAN_5X5.weight == 1 / 256 and kernels.GAUSSIAN_5X5.shape == (5, 5)
    np.testing.assert_array_equal(kernels.GAUSSIAN_5X5.matrix[2], [6, 24, 36, 24, 6])


def _step(axis: int) -> np.ndarray:
    """Dark on top (axis 0) or on the left (axis 1), bright after the middle."""
    image = np.zeros((8, 8), np.uint8)
    if axis == 0:
        image[4:, :] = 200
    else:
        image[:, 4:] = 200
    return image


@pytest.mark.parametrize("family", ["sobel", "scharr", "prewitt"])
def test_horizontal_and_vertical_mean_the_edges_found(family):
    horizontal, vertical = kernels.get(f"{family}_horizontal"), kernels.get(f"{family}_vertical")
    np.testing.assert_array_equal(horizontal.matrix, vertical.matrix.T)
    down, right = _step(axis=0), _step(axis=1)  # a horizontal edge, a vertical edge
    assert convpool.convolve(down, horizontal.matrix).max() == 255
    assert convpool.convolve(down, vertical.matrix, mode="valid").max() == 0
    assert convpool.convolve(right, vertical.matrix).max() == 255
    assert convpool.convolve(right, horizontal.matrix, mode="valid").max() == 0


def test_the_codelabs_words_hold_in_row_column_order():
    # "vertical_lines gives you a very strong set of vertical lines": one bright column.
    image = np.zeros((9, 9), np.uint8)
    image[:, 4] = 100
    vertical = convpool.convolve(image, kernels.VERTICAL_LINES.matrix, mode="valid", dtype=np.float64)
    horizontal = convpool.convolve(image, kernels.HORIZONTAL_LINES.matrix, mode="valid", dtype=np.float64)
    assert np.abs(vertical).max() == 400 and np.abs(horizontal).max() == 0


@pytest.mark.parametrize("kernel", kernels.CODELAB + (kernels.SOBEL_VERTICAL, kernels.EMBOSS))
def test_the_codelabs_loop_needs_the_transpose(kernel):
    image = np.random.default_rng(5).integers(0, 256, (12, 10), dtype=np.uint8)
    ours = convpool.convolve(image, kernel.matrix, kernel.weight)
    np.testing.assert_array_equal(ours, reference.codelab_convolution(image, kernel.matrix.T, kernel.weight))


def test_get_accepts_shell_spellings():
    assert kernels.get("Sobel-Vertical") is kernels.SOBEL_VERTICAL
    assert kernels.get(" box_blur ") is kernels.BOX_BLUR


def test_kernel_normalises_its_fields():
    """(Bad fields, and unknown names for get: test_errors.py.)"""
    k = kernels.Kernel("half", [[0.5, 0.5]], weight=2)
    assert k.matrix.dtype == np.float64 and k.weight == 2.0 and k.shape == (1, 2)
    # Integer-valued matrices are kept as int64 up to 2**53, where float64 is exact.
    assert kernels.Kernel("wide", [[1, 2**53]]).matrix.dtype == np.int64
    assert kernels.Kernel("wider", [[1, 2.0**54]]).matrix.dtype == np.float64


def test_kernel_does_not_share_the_callers_array():
    source = np.array([[1, 2], [3, 4]])
    k = kernels.Kernel("copy", source)
    source[0, 0] = 99
    assert k.matrix[0, 0] == 1 and source.flags.writeable



# ---------------------------------------------------------------- convolve takes them


@pytest.mark.parametrize("name", list(kernels.KERNELS))
def test_convolve_takes_a_kernel_or_its_name(name):
    """A Kernel or its name stands for its matrix and its weight; `weight` multiplies it."""
    k = kernels.get(name)
    image = convpool.data.ascent()[:40, :50]
    for weight in (1.0, 0.5, -3):
        expected = convpool.convolve(image, k.matrix, k.weight * weight, dtype=np.float64)
        for given in (k, name, name.upper().replace("_", "-")):
            got = convpool.convolve(image, given, weight, dtype=np.float64)
            assert (got == expected).all(), (name, given, weight)
    assert (convpool.convolve(image, k) == reference.convolve(image, k.matrix, k.weight)).all()


def test_convolve_takes_a_kernel_of_ones_own():
    ridge = kernels.Kernel("ridge", [[-1, 2, -1]], 0.25)
    image = convpool.data.ascent()[:20, :30]
    assert (convpool.convolve(image, ridge, 2) == convpool.convolve(image, [[-1, 2, -1]], 0.5)).all()


def test_convolve_refuses_an_unknown_name_listing_the_names():
    with pytest.raises(ValueError, match=r"`kernel` .*unknown name 'gaussian'; the names: edges, .*gaussian_5x5"):
        convpool.convolve(convpool.data.ascent(), "gaussian")


def test_dask_convolve_takes_a_kernel_or_its_name():
    da = pytest.importorskip("dask.array")
    import convpool.dask

    image = convpool.data.ascent()[:60, :70]
    lazy = da.from_array(image, chunks=(25, 30))
    expected = convpool.convolve(image, kernels.GAUSSIAN_5X5.matrix, 2 / 256, mode="reflect")
    for given in (kernels.GAUSSIAN_5X5, "gaussian_5x5"):
        got = convpool.dask.convolve(lazy, given, 2, mode="reflect").compute()
        assert (got == expected).all()
    with pytest.raises(ValueError, match=r"`kernel` .*unknown name 'blur'; the names: edges"):
        convpool.dask.convolve(lazy, "blur")
