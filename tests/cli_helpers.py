"""Helpers of the command-line tests: the installed script, small image folders, pixels."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import convpool

#: The command-line page of the documentation, whose examples the tests run.
CLI_PAGE = Path(__file__).resolve().parents[1] / "docs" / "user_guide" / "cli.rst"


def cli_page_commands() -> list[list[str]]:
    """The ``convpool`` commands of the command-line page's console blocks, in order, as
    argv without the leading ``convpool``."""
    if not CLI_PAGE.exists():
        pytest.skip("docs/ is not here (a source distribution): run from a clone")
    text = CLI_PAGE.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"^\.\. code-block:: console\n\n((?:(?:   .*)?\n)+)", text, flags=re.M):
        for line in block.splitlines():
            for part in line.split("  #")[0].split("&&"):
                words = shlex.split(part)
                if words[:1] == ["convpool"]:
                    commands.append(words[1:])
    return commands


def script() -> str:
    """The ``convpool`` console script installed beside this Python."""
    found = shutil.which("convpool", path=str(Path(sys.executable).parent))
    assert found, "the convpool console script is not installed beside " + sys.executable
    return found


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed ``convpool`` script with ``args`` in ``cwd``; its output as text."""
    return subprocess.run([script(), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def pixels(path: Path) -> np.ndarray:
    """The pixels of the image file at ``path``."""
    with Image.open(path) as im:
        return np.asarray(im).copy()


def make_photos(folder: Path) -> np.ndarray:
    """A folder as people have them: a good image, a corrupt one, a text file, a fake JPEG."""
    folder.mkdir()
    image = convpool.data.ascent()[100:164, 200:280]
    Image.fromarray(image).save(folder / "good.png")
    png = (folder / "good.png").read_bytes()
    (folder / "corrupt.png").write_bytes(png[: len(png) // 2])
    (folder / "notes.txt").write_text("shot on the stairs\n")
    (folder / "fake.jpg").write_text("not a JPEG at all\n")
    return image


def files_in(folder: Path) -> list[str]:
    """The sorted names in ``folder``, hidden ones included."""
    return sorted(p.name for p in folder.iterdir())
