"""Kinds of images through ``convpool apply``: 8-bit, 16-bit and float inputs give outputs of their kind."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convpool
from cli_helpers import files_in, pixels
from convpool import kernels
from convpool.cli import main


def photo16() -> np.ndarray:
    """A smooth 16-bit photo: the 8-bit ascent stretched onto 0..65535 (x 257)."""
    return convpool.data.ascent()[100:228, 150:310].astype(np.uint16) * 257


def apply(*args: str | Path) -> int:
    return main(["apply", "-q", *map(str, args)])


def description(path: Path) -> str:
    with Image.open(path) as im:
        return im.info.get("Description") or im.tag_v2.get(270)


def float_image(low: float, high: float) -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.uniform(low, high, (20, 30)).astype(np.float32)


@pytest.mark.parametrize(
    ("name", "image", "mode", "output"),
    [
        ("gray.png", convpool.data.ascent()[:40, :50], "L", "gray.identity.png"),
        ("cam.png", photo16(), "I;16", "cam.identity.png"),
        ("cam.tif", photo16(), "I;16", "cam.identity.png"),
        ("unit.tif", float_image(0, 1), "F", "unit.identity.tif"),
        ("wide.tif", float_image(-40, 1e6), "F", "wide.identity.tif"),
    ],
)
def test_the_identity_kernel_gives_back_every_kind_exactly(tmp_path, name, image, mode, output):
    Image.fromarray(image).save(tmp_path / name)
    assert apply(tmp_path / name, "-k", "identity", "-o", tmp_path / "o") == 0
    assert files_in(tmp_path / "o") == [output]
    with Image.open(tmp_path / "o" / output) as im:
        assert im.mode == mode
    result = pixels(tmp_path / "o" / output)
    assert result.dtype == image.dtype
    np.testing.assert_array_equal(result, image)


def test_the_identity_kernel_gives_back_an_rgb_png_with_color(tmp_path):
    rgb = np.random.default_rng(4).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    assert apply(tmp_path / "rgb.png", "-k", "identity", "--color", "-o", tmp_path / "o") == 0
    np.testing.assert_array_equal(pixels(tmp_path / "o" / "rgb.identity.color.png"), rgb)


def test_32_bit_integers_give_a_float_tiff_exact_to_2_to_the_24(tmp_path):
    values = np.array([[0, 1, 65535, 65536], [70000, -5, 2**24, -(2**24)], [123456, 999999, 7, 2**20]], np.int32)
    Image.fromarray(values).save(tmp_path / "counts.tif")
    with Image.open(tmp_path / "counts.tif") as im:
        assert im.mode == "I"
    assert apply(tmp_path / "counts.tif", "-k", "identity", "-o", tmp_path / "o") == 0
    result = pixels(tmp_path / "o" / "counts.identity.tif")
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, values.astype(np.float32))
    assert "--dtype=float32" in description(tmp_path / "o" / "counts.identity.tif")


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_edges_on_16_bit_are_the_apis_uint16_results(tmp_path, suffix):
    image = photo16()
    Image.fromarray(image).save(tmp_path / f"cam{suffix}")
    assert apply(tmp_path / f"cam{suffix}", "-o", tmp_path / "o") == 0
    result = pixels(tmp_path / "o" / "cam.edges.png")
    expected = convpool.convolve(image, kernels.EDGES.matrix, dtype=np.uint16)
    assert result.dtype == np.uint16
    np.testing.assert_array_equal(result, expected)
    assert "--dtype=uint16" in description(tmp_path / "o" / "cam.edges.png")


def test_edges_saturate_few_pixels_of_a_smooth_16_bit_image(tmp_path):
    # As few as for the 8-bit copy of the same photo: an edge map, not a white sheet.
    image = photo16()
    Image.fromarray(image).save(tmp_path / "cam16.png")
    Image.fromarray((image // 257).astype(np.uint8)).save(tmp_path / "cam8.png")
    assert apply(tmp_path / "cam16.png", tmp_path / "cam8.png", "-o", tmp_path / "o") == 0
    edges16, edges8 = pixels(tmp_path / "o" / "cam16.edges.png"), pixels(tmp_path / "o" / "cam8.edges.png")
    saturated16 = np.mean(edges16 == np.iinfo(edges16.dtype).max)  # white, in the output's own type
    saturated8 = np.mean(edges8 == 255)
    assert edges16.dtype == np.uint16
    assert saturated16 < 0.01
    assert saturated16 <= saturated8 + 0.001


def test_scale_still_stretches_the_float_result_of_a_16_bit_image(tmp_path):
    image = photo16()
    Image.fromarray(image).save(tmp_path / "cam.png")
    assert apply(tmp_path / "cam.png", "-k", "sobel_vertical", "--scale", "-o", tmp_path / "o") == 0
    result = convpool.convolve(image, kernels.SOBEL_VERTICAL.matrix, dtype=np.float32).astype(np.float64)
    lo, hi = result.min(), result.max()
    expected = np.rint((result - lo) * (255 / (hi - lo))).astype(np.uint8)
    np.testing.assert_array_equal(pixels(tmp_path / "o" / "cam.sobel_vertical.scaled.png"), expected)


@pytest.mark.parametrize(
    ("name", "image", "dtype", "output"),
    [
        ("cam.png", photo16(), "uint8", "cam.edges.uint8.png"),
        ("cam.png", photo16(), "float32", "cam.edges.tif"),
        ("gray.png", convpool.data.ascent()[:40, :50], "uint16", "gray.edges.uint16.png"),
        ("unit.tif", float_image(0, 300), "uint8", "unit.edges.uint8.png"),
        ("unit.tif", float_image(0, 300), "uint16", "unit.edges.uint16.png"),
    ],
)
def test_a_dtype_other_than_the_inputs_kind_is_named_and_described(tmp_path, name, image, dtype, output):
    Image.fromarray(image).save(tmp_path / name)
    out = tmp_path / "o"
    assert apply(tmp_path / name, "-o", out) == 0  # the input's own kind
    assert apply(tmp_path / name, "--dtype", dtype, "-o", out) == 0  # no --overwrite: no clash
    assert len(files_in(out)) == 2 and output in files_in(out)
    assert f"--dtype={dtype}" in description(out / output)
    expected = convpool.convolve(image, kernels.EDGES.matrix, dtype=np.dtype(dtype).type)
    np.testing.assert_array_equal(pixels(out / output), expected)


def test_an_explicit_dtype_equal_to_the_inputs_kind_is_the_default_output(tmp_path):
    Image.fromarray(photo16()).save(tmp_path / "cam.png")
    out = tmp_path / "o"
    assert apply(tmp_path / "cam.png", "-o", out) == 0
    assert apply(tmp_path / "cam.png", "--dtype", "uint16", "-o", out, "--overwrite") == 0
    assert files_in(out) == ["cam.edges.png"]


def test_an_8_bit_png_and_a_16_bit_tiff_of_one_stem_do_not_overwrite(tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(convpool.data.ascent()[:40, :50]).save(folder / "a.png")
    Image.fromarray(photo16()).save(folder / "a.tif")
    assert apply(folder, "-o", tmp_path / "o") == 1
    err = capsys.readouterr().err
    assert f"{folder / 'a.tif'}: its output {tmp_path / 'o' / 'a.edges.png'} would also be {folder / 'a.png'}'s" in err
    assert files_in(tmp_path / "o") == ["a.edges.png"]
    assert pixels(tmp_path / "o" / "a.edges.png").dtype == np.uint8


def test_help_says_what_each_kind_gives(capsys):
    assert main(["apply", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "16-bit greyscale (16-bit PNG or TIFF): a 16-bit PNG, clamped to 0..65535" in text
    assert "32-bit integer greyscale (and signed 16-bit): a 32-bit float TIFF too" in text
    assert "{uint8,uint16,float32}" in text


@pytest.mark.parametrize(
    ("name", "ramp"),
    [
        ("ramp16.png", np.tile(np.linspace(0, 65535, 256).round().astype(np.uint16), (8, 1))),
        ("ramp16.tif", np.tile(np.linspace(0, 65535, 256).round().astype(np.uint16), (8, 1))),
        ("unit.tif", np.tile(np.linspace(0, 1, 256, dtype=np.float32), (8, 1))),
        ("counts.tif", np.tile(np.linspace(-(2**20), 2**20, 256).astype(np.int32), (8, 1))),
    ],
)
def test_color_on_a_16_bit_or_float_ramp_is_a_visible_ramp(tmp_path, capsys, name, ramp):
    # Pillow's RGB is 8-bit: converting these values to it clipped them to a white or black page.
    Image.fromarray(ramp).save(tmp_path / name)
    assert main(["apply", str(tmp_path / name), "--color", "-k", "identity", "-o", str(tmp_path / "o")]) == 0
    [output] = (tmp_path / "o").iterdir()
    with Image.open(output) as im:
        assert im.mode == "RGB"
        result = np.asarray(im)
    assert (result == result[..., :1]).all()  # grey: three equal channels
    grey = result[..., 0]
    assert grey.min() == 0 and grey.max() == 255
    np.testing.assert_array_equal(grey[0], np.arange(256))  # the ramp's own steps, min..max onto 0..255
    err = capsys.readouterr().err
    assert f"{tmp_path / name}: " in err and "--color stretched its values' min..max onto 0..255" in err
