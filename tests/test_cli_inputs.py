"""``convpool apply`` on unusual inputs: non-finite values, special files, odd images."""

from __future__ import annotations

import os
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convpool
from cli_helpers import files_in, pixels, script
from convpool import kernels
from convpool.cli import main


@pytest.mark.parametrize("bad", [[np.nan], [np.inf], [-np.inf], [np.nan, np.inf, -np.inf]])
def test_scale_stretches_the_finite_values_and_says_what_the_others_become(tmp_path, capsys, bad):
    image = np.linspace(-40, 90, 24 * 30, dtype=np.float32).reshape(24, 30)
    for i, value in enumerate(bad):
        image[4 + 8 * i, 5 + 9 * i] = value
    Image.fromarray(image).save(tmp_path / "odd.tif")
    argv = ["apply", str(tmp_path / "odd.tif"), "-k", "sharpen", "--scale", "-o", str(tmp_path / "o")]
    assert main(argv) == 0  # a RuntimeWarning would fail here: pytest turns warnings into errors
    result = convpool.convolve(image, kernels.SHARPEN.matrix, dtype=np.float32).astype(np.float64)
    finite = np.isfinite(result)
    lo, hi = result[finite].min(), result[finite].max()
    expected = np.zeros(result.shape, np.uint8)
    expected[finite] = np.rint((result[finite] - lo) * (255 / (hi - lo)))
    expected[np.isposinf(result)] = 255
    np.testing.assert_array_equal(pixels(tmp_path / "o" / "odd.sharpen.scaled.png"), expected)
    assert expected.max() == 255 and (expected[finite] > 0).any()

    lines = [line for line in capsys.readouterr().err.splitlines() if "odd.tif" in line]
    assert len(lines) == 1, lines
    assert "stretched the finite values over 0..255" in lines[0]
    kinds = {"NaN": (np.isnan(result), 0), "+inf": (np.isposinf(result), 255), "-inf": (np.isneginf(result), 0)}
    for kind, (where, value) in kinds.items():
        if where.any():
            assert f"{where.sum()} {kind}" in lines[0] and f"{kind} as {value}" in lines[0], lines[0]
        else:
            assert kind not in lines[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_as_an_image_is_skipped_not_waited_for(tmp_path):
    (tmp_path / "photos").mkdir()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(tmp_path / "photos" / "good.png")
    os.mkfifo(tmp_path / "photos" / "pipe.png")  # opening it for reading waits for a writer
    proc = subprocess.run(
        [script(), "apply", "photos", "-o", "out"], cwd=tmp_path, capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0, proc.stderr
    assert f"convpool: {Path('photos/pipe.png')}: skipped, a FIFO, not a regular file\n" in proc.stderr
    assert files_in(tmp_path / "out") == ["good.edges.png"]

    # Named on the command line, it fails the same way, at once.
    proc = subprocess.run(
        [script(), "apply", "photos/pipe.png", "-o", "out"], cwd=tmp_path, capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 1
    assert f"convpool: {Path('photos/pipe.png')}: a FIFO, not a regular file\n" in proc.stderr


def png_header(path: Path, height: int, width: int) -> None:
    """A PNG that claims ``height`` x ``width`` pixels and holds almost none: a bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)


def test_too_many_pixels_says_how_many_and_the_limit(tmp_path, capsys):
    limit = 2 * Image.MAX_IMAGE_PIXELS  # Pillow refuses more than this: its decompression-bomb guard
    png_header(tmp_path / "bomb.png", 20_000, 10_000)
    png_header(tmp_path / "big.png", 10_000, 10_000)  # Pillow would only warn, then decode it
    Image.fromarray(np.zeros((12, 16), np.uint8)).save(tmp_path / "small.png")
    out = str(tmp_path / "o")
    assert main(["apply", str(tmp_path / "bomb.png"), "-o", out]) == 1
    err = capsys.readouterr().err
    assert f"bomb.png: 20000 x 10000 = 200000000 pixels, above the limit of {limit} (--max-pixels raises it)" in err
    assert (
        main(["apply", str(tmp_path / "big.png"), str(tmp_path / "small.png"), "--max-pixels", "192", "-o", out]) == 1
    )
    err = capsys.readouterr().err
    assert "big.png: 10000 x 10000 = 100000000 pixels, above the limit of 192 (--max-pixels raises it)" in err
    assert files_in(tmp_path / "o") == ["small.edges.png"]
    assert main(["apply", str(tmp_path / "small.png"), "--max-pixels", "191", "-o", out, "--overwrite"]) == 1
    assert "small.png: 12 x 16 = 192 pixels, above the limit of 191" in capsys.readouterr().err


def test_a_colour_mode_pillow_cannot_convert_is_named(tmp_path, capsys):
    Image.new("LAB", (16, 12), (50, 10, 200)).save(tmp_path / "lab.tif")
    assert main(["apply", str(tmp_path / "lab.tif"), "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "lab.tif: colour mode LAB cannot be converted to greyscale" in err
    assert "not an image Pillow can read" not in err


@pytest.mark.parametrize("name", ["anim.gif", "pages.tif"])
def test_a_multi_frame_file_is_filtered_by_its_first_frame_with_a_warning(tmp_path, capsys, name):
    frames = [Image.fromarray(np.full((12, 16), 60 * i, np.uint8)) for i in range(3)]
    frames[0].save(tmp_path / name, save_all=True, append_images=frames[1:])
    assert main(["apply", str(tmp_path / name), "-k", "identity", "-o", str(tmp_path / "o")]) == 0
    assert f"convpool: {tmp_path / name}: 3 frames; only the first is filtered\n" in capsys.readouterr().err
    [output] = (tmp_path / "o").iterdir()
    assert (pixels(output) == 0).all()


def test_pooling_too_large_for_the_feature_map_is_named_as_the_cause(tmp_path, capsys):
    Image.fromarray(np.zeros((3, 5), np.uint8)).save(tmp_path / "tiny.png")
    assert main(["apply", str(tmp_path / "tiny.png"), "--pool", "4", "-o", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "tiny.png: its 3 x 5 feature map is too small for 4 x 4 pooling: the result is empty" in err
    assert "kernel" not in err
    argv = ["apply", str(tmp_path / "tiny.png"), "-k", "gaussian_5x5", "--mode", "valid", "--pool", "2"]
    assert main([*argv, "-o", str(tmp_path / "o")]) == 1
    assert (
        "tiny.png: 3 x 5 is too small for a 5 x 5 kernel (mode 'valid'): the result is empty" in capsys.readouterr().err
    )


def test_help_says_a_file_name_starting_with_a_dash_goes_after_two_dashes(tmp_path, monkeypatch, capsys):
    assert main(["apply", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "A file name that starts with '-' goes after '--'" in text
    assert "convpool apply -k laplacian -- -scan.png" in text
    monkeypatch.chdir(tmp_path)
    Image.fromarray(np.zeros((8, 8), np.uint8)).save("-scan.png")
    assert main(["apply", "-k", "laplacian", "-q", "-o", "out", "--", "-scan.png"]) == 0
    assert files_in(tmp_path / "out") == ["-scan.laplacian.png"]


def tiff_whose_second_page_has_no_size(path: Path) -> None:
    """A two-page TIFF whose second page lacks its width and length tags: Pillow's
    ``n_frames`` raises TypeError("Missing dimensions") for it."""
    frames = [Image.fromarray(np.full((12, 16), 60 * i, np.uint8)) for i in range(2)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    data = bytearray(path.read_bytes())
    assert data[:2] == b"II"
    first = struct.unpack_from("<I", data, 4)[0]
    second = struct.unpack_from("<I", data, first + 2 + 12 * struct.unpack_from("<H", data, first)[0])[0]
    for i in range(struct.unpack_from("<H", data, second)[0]):
        at = second + 2 + 12 * i
        if struct.unpack_from("<H", data, at)[0] in (256, 257):  # ImageWidth, ImageLength
            struct.pack_into("<H", data, at, 65000)
    path.write_bytes(data)


def test_any_error_of_one_file_is_its_one_line_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    import convpool.cli._apply as apply_module
    import convpool.cli._process as process_module

    folder = tmp_path / "photos"
    folder.mkdir()
    tiff_whose_second_page_has_no_size(folder / "a-pages.tif")
    Image.fromarray(np.full((12, 16), 1000, np.uint16)).save(folder / "b-replaced.png")
    Image.fromarray(np.zeros((12, 16), np.uint8)).save(folder / "c-good.png")
    Image.fromarray(np.full((12, 16), 77, np.uint8)).save(folder / "d-huge.png")

    plan = apply_module._plan

    def plan_then_replace(*args, **kwargs):
        planned = plan(*args, **kwargs)  # planned as 16-bit greyscale, then replaced by an RGB image
        Image.fromarray(np.zeros((12, 16, 3), np.uint8)).save(folder / "b-replaced.png")
        return planned

    convolve = process_module.convolve

    def out_of_memory(image, *args, **kwargs):
        if image.flat[0] == 77:
            raise MemoryError
        return convolve(image, *args, **kwargs)

    monkeypatch.setattr(apply_module, "_plan", plan_then_replace)
    monkeypatch.setattr(process_module, "convolve", out_of_memory)
    assert main(["apply", str(folder), "-q", "-o", str(tmp_path / "o")]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"convpool: {folder / 'a-pages.tif'}: not an image Pillow can read (Missing dimensions)"
    assert lines[1].startswith(f"convpool: {folder / 'b-replaced.png'}: cannot be processed (")
    assert lines[2] == f"convpool: {folder / 'd-huge.png'}: cannot be processed (MemoryError)"
    assert lines[3:] == ["convpool: 3 of 4 files failed"]
    assert files_in(tmp_path / "o") == ["c-good.edges.png"]
