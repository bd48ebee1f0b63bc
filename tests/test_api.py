"""The installed package: its stubs match its compiled modules and its examples run."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import convpool
import convpool._convolve
import convpool._pooling
import convpool.data
import convpool.reference


def test_tests_use_the_installed_package():
    assert "site-packages" in Path(convpool.__file__).parts or "dist-packages" in Path(convpool.__file__).parts


@pytest.mark.parametrize(
    "module", [convpool, convpool._convolve, convpool._pooling, convpool.data, convpool.reference, "convpool.dask"]
)
def test_docstring_examples_run(module):
    if isinstance(module, str):
        pytest.importorskip("dask.array")
        module = importlib.import_module(module)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_stubs_match_the_compiled_modules(tmp_path):
    pytest.importorskip("mypy")
    cmd = [sys.executable, "-m", "mypy.stubtest", "convpool._conv", "convpool._pool"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_ships_its_typing_files():
    root = Path(convpool.__file__).parent
    for name in ("py.typed", "_conv.pyi", "_pool.pyi", "data/ascent.png"):
        assert (root / name).is_file(), name
