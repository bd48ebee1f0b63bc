"""On free-threaded CPython, importing convpool keeps the GIL off.

The compiled modules declare themselves safe to run without the GIL; tests/test_threads.py
backs that claim by hammering the functions from many threads (in parallel for real on a
free-threaded build). This test checks the declaration itself took effect.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig

import pytest

FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


@pytest.mark.skipif(not FREE_THREADED, reason="only a free-threaded CPython can run without the GIL")
def test_importing_convpool_keeps_the_gil_disabled():
    # An extension module that does not declare free-threading support turns the GIL
    # back on when imported (with a RuntimeWarning); PYTHON_GIL would hide that.
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_GIL"}
    code = (
        "import sys, convpool, convpool._conv, convpool._conv_rows, convpool._pool, convpool._config as c; "
        "c.BUILDS; print(sys._is_gil_enabled())"
    )
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
