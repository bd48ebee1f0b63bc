"""Many threads calling convolve and max_pool at once get the single-threaded answers.

The compiled modules declare themselves safe to run without the GIL; these tests back
that claim on free-threaded CPython (where the threads really run in parallel) and check
the same thread safety of the Python layer on regular CPython.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import threading

import numpy as np
import pytest
from helpers import assert_identical

import convpool

FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
THREADS = 8
ROUNDS = 6


def _cases():
    """(function, args, kwargs) calls covering the integer, float and pooling kernels."""
    rng = np.random.default_rng(42)
    u8 = rng.integers(0, 256, (96, 80), dtype=np.uint8)
    f32 = rng.normal(0, 50, (3, 40, 56)).astype(np.float32)
    i16 = rng.integers(-3000, 3000, (70, 64), dtype=np.int16)
    sobel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    blur = np.full((5, 5), 1 / 25)
    return [
        (convpool.convolve, (u8, sobel), {}),
        (convpool.convolve, (u8, blur), {"mode": "valid", "dtype": np.float64}),
        (convpool.convolve, (f32, sobel, 0.5), {"axes": (-2, -1), "dtype": np.float32}),
        (convpool.convolve, (i16.T, [[1, 2], [3, 4]]), {"dtype": np.float64, "workers": 3}),
        (convpool.max_pool, (u8,), {}),
        (convpool.max_pool, (f32, 3), {"stride": 2, "axes": (-2, -1)}),
        (convpool.max_pool, (i16,), {"workers": 2}),
    ]


def _hammer(cases, expected, use_out: bool) -> list[BaseException]:
    """Run every case ROUNDS times in each of THREADS threads released together."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        order = np.random.default_rng(seed).permutation(len(cases) * ROUNDS) % len(cases)
        try:
            barrier.wait()
            for i in order:
                func, args, kwargs = cases[i]
                if use_out:
                    # Each thread writes into its own buffer: results must not leak across.
                    out = np.full_like(expected[i], 7)
                    result = func(*args, **kwargs, out=out)
                    assert result is out
                else:
                    result = func(*args, **kwargs)
                assert_identical(result, expected[i])
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.parametrize("use_out", [False, True], ids=["new-array", "out"])
def test_concurrent_calls_match_single_threaded_results(split_everything, use_out):
    cases = _cases()
    expected = [func(*args, **kwargs) for func, args, kwargs in cases]
    errors = _hammer(cases, expected, use_out)
    if errors:
        raise errors[0]


def test_concurrent_calls_leave_shared_inputs_unchanged(split_everything):
    cases = _cases()
    before = [[np.array(a, copy=True) for a in args] for _, args, _ in cases]
    expected = [func(*args, **kwargs) for func, args, kwargs in cases]
    assert not _hammer(cases, expected, use_out=False)
    for (_, args, _), saved in zip(cases, before, strict=True):
        for a, b in zip(args, saved, strict=True):
            np.testing.assert_array_equal(np.asarray(a), b, strict=True)


@pytest.mark.skipif(not FREE_THREADED, reason="only a free-threaded CPython can run without the GIL")
def test_importing_convpool_keeps_the_gil_disabled():
    # An extension module that does not declare free-threading support turns the GIL
    # back on when imported (with a RuntimeWarning); PYTHON_GIL would hide that.
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_GIL"}
    code = "import sys, convpool, convpool._conv, convpool._pool; print(sys._is_gil_enabled())"
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
