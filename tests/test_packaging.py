"""The extras in pyproject.toml: what pip has to resolve for the tests."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
pytestmark = pytest.mark.skipif(not PYPROJECT.is_file(), reason="pyproject.toml comes with a clone")


def requirements(extra: str) -> dict[str, str]:
    """The extra's requirements by distribution name."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    return {re.split(r"[<>=!~\[ ;]", r)[0].lower(): r for r in project["optional-dependencies"][extra]}


def test_dask_and_distributed_come_from_one_requirement():
    """With `dask[array]` and `distributed` apart, pip took the newest Dask and then tried
    every distributed release (each pins its own Dask) before going back on Dask: 36
    versions, "This is taking longer than usual". Dask's `distributed` extra pins the
    release made with it, so the two are chosen together."""
    test = requirements("test")
    assert "distributed" not in test, test["distributed"]
    extras = re.search(r"\[(.*?)\]", test["dask"])
    assert extras and {"array", "distributed"} <= {e.strip() for e in extras.group(1).split(",")}


def test_test_core_is_a_subset_of_test():
    assert "convpool[test-core]" in requirements("test").values()
    assert {"dask", "distributed", "opencv-python-headless", "scikit-image"}.isdisjoint(requirements("test-core"))
