"""Output folders ``convpool`` cannot write to: found once, first, and named."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cli_helpers import files_in, script
from convpool.cli import main

NOBODY = 65534


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder an unprivileged user can enter and read."""
    folder = Path(tempfile.mkdtemp(prefix="convpool-test-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)


def run_unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the script as a user that folder permissions apply to (root ignores them)."""
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    as_user = {}
    if os.geteuid() == 0:
        as_user = {"user": NOBODY, "group": NOBODY, "extra_groups": []}
    try:
        return subprocess.run([script(), *args], cwd=cwd, capture_output=True, text=True, timeout=60, **as_user)
    except PermissionError:
        pytest.skip("cannot run as an unprivileged user here")


def read_only_folder(path: Path) -> Path:
    """A new folder at ``path`` that everyone may read and enter but no one write in."""
    path.mkdir()
    path.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    return path


def photos(folder: Path, n: int = 3) -> None:
    """``n`` small images in a new ``folder``, readable by everyone."""
    folder.mkdir()
    for i in range(n):
        Image.fromarray(np.full((8, 8), i, np.uint8)).save(folder / f"{i}.png")
    for path in [folder, *folder.iterdir()]:
        path.chmod(0o755)


def test_apply_into_a_read_only_folder_says_so_once_before_reading(shared_tmp):
    photos(shared_tmp / "photos")
    read_only_folder(shared_tmp / "ro")
    proc = run_unprivileged("apply", "photos", "-o", "ro", cwd=shared_tmp)
    assert proc.returncode == 1
    assert proc.stderr == f"convpool: apply: cannot write to ro{os.sep} (Permission denied)\n"
    assert files_in(shared_tmp / "ro") == []


def test_apply_into_a_folder_under_a_file_says_so_once_before_reading(tmp_path, capsys):
    photos(tmp_path / "photos")
    (tmp_path / "taken").write_text("a file, not a folder")
    out = tmp_path / "taken" / "maps"
    assert main(["apply", str(tmp_path / "photos"), "-o", str(out)]) == 1
    assert (
        capsys.readouterr().err
        == f"convpool: apply: cannot write to {out}{os.sep} ({tmp_path / 'taken'} is not a folder)\n"
    )


def test_demo_into_a_read_only_folder_names_the_folder(shared_tmp):
    read_only_folder(shared_tmp / "ro")
    proc = run_unprivileged("demo", "--out", "ro", cwd=shared_tmp)
    assert proc.returncode == 1
    assert proc.stderr == f"convpool: demo: cannot write to ro{os.sep} (Permission denied)\n"
    assert proc.stdout == "" and files_in(shared_tmp / "ro") == []
