"""Hypothesis profiles, fixtures, and the installed package's docstring examples.

Hypothesis runs a quick profile by default; set ``CONVPOOL_HYPOTHESIS_PROFILE=thorough``
for thousands of examples per property.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Keras 3, where installed (the frameworks extra), runs on PyTorch's backend: the only
# one that extra brings. Set before any test imports keras.
os.environ.setdefault("KERAS_BACKEND", "torch")

import convpool
from convpool import _config

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("CONVPOOL_HYPOTHESIS_PROFILE", "default"))

#: The installed package (never ``src/``: the tests import what pip installed).
PACKAGE = Path(convpool.__file__).parent


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect the installed package's folder along with this one.

    pytest's doctest plugin (``--doctest-modules`` in pyproject.toml) then makes one item
    of each docstring with examples in the installed modules, as ``pytest --pyargs
    convpool`` would; ``--doctest-ignore-import-errors`` skips ``convpool.dask`` where
    Dask is not installed. A run of chosen test files (``pytest tests/test_x.py``)
    leaves them out, since it does not collect this file.
    """
    if file_path == Path(__file__) and getattr(parent.config.option, "doctestmodules", False):
        return pytest.Dir.from_parent(parent, path=PACKAGE)
    return None


@pytest.fixture
def split_everything():
    """Let even tiny images be split into bands, and have their border strips computed
    apart for SciPy's modes, so band edges and strips get tested."""
    with _config.override(min_pixels_per_thread=1, padded_whole=0):
        yield


@pytest.fixture(params=sorted(_config.BUILDS))
def build(request) -> _config.Build:
    """Run the test once under each build of the kernels this CPU runs (baseline, AVX2, AVX-512)."""
    with _config.override(build=request.param) as chosen:
        yield chosen.build
