"""Hypothesis profiles and fixtures.

Hypothesis runs a quick profile by default; set ``CONVPOOL_HYPOTHESIS_PROFILE=thorough``
for thousands of examples per property.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("CONVPOOL_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def split_everything():
    """Let even tiny images be split into bands, so band edges get tested."""
    from convpool import _config

    with _config.override(min_pixels_per_thread=1):
        yield
