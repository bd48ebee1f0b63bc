"""``convpool apply`` on unusual inputs: non-finite values, special files, odd images."""

from __future__ import annotations

import os
import subprocess
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
