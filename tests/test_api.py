"""The installed package: what the tests import, its stubs and its typing files.

Its docstring examples run as pytest's doctest items (see conftest.py), the README's
in test_readme.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import convpool


def test_tests_use_the_installed_package():
    assert "site-packages" in Path(convpool.__file__).parts or "dist-packages" in Path(convpool.__file__).parts


def test_stubs_match_the_compiled_modules(tmp_path):
    pytest.importorskip("mypy")
    cmd = [sys.executable, "-m", "mypy.stubtest", "convpool._conv", "convpool._conv_rows", "convpool._pool"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_ships_its_typing_files():
    root = Path(convpool.__file__).parent
    for name in ("py.typed", "_conv.pyi", "_pool.pyi", "data/ascent.png"):
        assert (root / name).is_file(), name
