"""Ctrl-C and SIGTERM sent to the ``convpool`` script: only whole images are left, counted."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cli_helpers import files_in, pixels, script

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")
IMAGES = 60


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    """The ``convpool`` script started with ``args``, its output captured."""

    # The signals' default actions, as in a terminal (a background job may inherit SIGINT ignored).
    def defaults() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    return subprocess.Popen(
        [script(), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=defaults
    )


def wait_for_a_file(folder: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait until ``proc`` has written a (not hidden) file into ``folder``."""
    deadline = time.monotonic() + timeout
    while not (folder.is_dir() and any(not name.startswith(".") for name in os.listdir(folder))):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no output appeared"
        time.sleep(0.005)


@pytest.mark.parametrize(
    ("signum", "status", "word"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]
)
def test_two_signals_during_a_parallel_run_leave_only_whole_images(tmp_path, signum, status, word):
    (tmp_path / "many").mkdir()
    noise = np.random.default_rng(5).integers(0, 256, (300, 400), dtype=np.uint8)
    Image.fromarray(noise).save(tmp_path / "many" / "0.png")
    for i in range(1, IMAGES):  # noise compresses badly: each write takes a while
        shutil.copyfile(tmp_path / "many" / "0.png", tmp_path / "many" / f"{i}.png")
    proc = start(["apply", "many", "--workers", "2", "-k", "identity", "-o", "out"], cwd=tmp_path)
    try:
        wait_for_a_file(tmp_path / "out", proc)
        proc.send_signal(signum)
        time.sleep(0.1)  # the second one lands while the first is being handled
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == status, err
    names = files_in(tmp_path / "out")
    assert all(not name.startswith(".") for name in names), names
    found = re.search(rf"^convpool: {word}: (\d+) of {IMAGES} images written, no partial files left$", err, re.M)
    assert found, err
    assert int(found[1]) == len(names) and 0 < len(names) < IMAGES
    for name in names:
        np.testing.assert_array_equal(pixels(tmp_path / "out" / name), noise)
