"""Many Python threads calling convpool at once, each call splitting its own work too.

The kernels release the GIL, so these calls really overlap: on shared read-only inputs
every result must equal a single-threaded run, and no input may change.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import convpool
from convpool import _kernel, reference
from helpers import assert_identical, digest, lay_out

THREADS = 8
ROUNDS = 3


def shared_inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(21)
    ascent = convpool.data.ascent()
    ascent.flags.writeable = False
    noise = rng.normal(0, 100, (300, 257)).astype(np.float32)
    return {
        "ascent": ascent,
        "float32-transposed": lay_out(noise, (1, 0), (1, 1), readonly=True),
        "int16-swapped-reversed": lay_out(
            rng.integers(-500, 500, (211, 190)).astype(np.int16), (0, 1), (-2, 1), swapped=True, readonly=True
        ),
        "uint8-stack": lay_out(
            rng.integers(0, 256, (3, 130, 140), dtype=np.uint8), (0, 1, 2), (1, 1, 1), readonly=True
        ),
    }


def jobs(inputs: dict[str, np.ndarray]) -> list[tuple[str, dict]]:
    """(input name, keyword arguments) for every call the threads make."""
    edges = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    blur = np.full((5, 5), 1 / 25)
    out = []
    for name, image in inputs.items():
        axes = (1, 2) if image.ndim == 3 else None
        out += [
            (name, {"func": "convolve", "kernel": edges, "axes": axes}),
            (name, {"func": "convolve", "kernel": blur, "dtype": np.float32, "mode": "valid", "axes": axes}),
            (name, {"func": "convolve", "kernel": edges, "weight": 0.3, "dtype": np.float64, "axes": axes}),
            (name, {"func": "max_pool", "axes": axes}),
            (name, {"func": "max_pool", "size": 3, "stride": 1, "axes": axes}),
        ]
    return out


def call(image: np.ndarray, job: dict, workers: int, out: np.ndarray | None = None) -> np.ndarray:
    kwargs = dict(job)
    func = getattr(convpool, kwargs.pop("func"))
    if kwargs["axes"] is None:
        del kwargs["axes"]
    if func is convpool.convolve:
        kernel = kwargs.pop("kernel")
        return func(image, kernel, workers=workers, out=out, **kwargs)
    return func(image, workers=workers, out=out, **kwargs)


def in_threads(worker) -> None:
    """Run ``worker(t)`` in THREADS threads at once, ``t`` the thread's number; an
    exception in any thread fails the test here, in the main thread."""
    errors: list[BaseException] = []

    def guarded(t: int) -> None:
        try:
            worker(t)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors


def test_many_threads_on_shared_read_only_inputs():
    inputs = shared_inputs()
    before = {name: digest(image) for name, image in inputs.items()}
    work = jobs(inputs)
    expected = [call(inputs[name], job, workers=1) for name, job in work]

    barrier = threading.Barrier(THREADS)
    results: dict[tuple[int, int, int], np.ndarray] = {}

    def worker(t: int) -> None:
        rng = np.random.default_rng(t)
        barrier.wait()
        for rnd in range(ROUNDS):
            for i in rng.permutation(len(work)):
                name, job = work[i]
                # Half the calls fill an `out` of their own, half allocate one.
                out = np.empty_like(expected[i]) if (t + rnd + i) % 2 else None
                results[t, rnd, i] = call(inputs[name], job, workers=2, out=out)

    in_threads(worker)
    assert len(results) == THREADS * ROUNDS * len(work)
    for (_, _, i), got in results.items():
        assert_identical(got, expected[i])
    assert {name: digest(image) for name, image in inputs.items()} == before


@pytest.mark.usefixtures("split_everything")
def test_many_threads_on_small_images_split_into_bands():
    """Tiny images, every call split into bands: many short overlapping kernel calls."""
    rng = np.random.default_rng(5)
    images = [rng.integers(0, 256, (h, w), dtype=np.uint8) for h, w in [(5, 7), (9, 4), (3, 3), (12, 11)]]
    for image in images:
        image.flags.writeable = False
    expected = [(convpool.convolve(im, [[1, 2], [3, -4]], 0.5), convpool.max_pool(im)) for im in images]

    def worker(t: int) -> None:
        for _ in range(50):
            for im, (conv, pool) in zip(images, expected, strict=True):
                assert_identical(convpool.convolve(im, [[1, 2], [3, -4]], 0.5, workers=2), conv)
                assert_identical(convpool.max_pool(im, workers=2), pool)

    in_threads(worker)


def test_threads_racing_to_plan_new_kernels_agree():
    """The first calls with new kernels fill the kernel cache and each kernel's plans
    from many threads at once: every call still gives the reference's pixels."""
    rng = np.random.default_rng(8)
    images = [rng.integers(0, 256, (20, 30), dtype=np.uint8), rng.integers(-999, 999, (20, 30)).astype(np.int16)]
    kernels = [rng.integers(-3, 4, (k, k)) for k in (3, 5, 7, 9)] + [np.outer([1, 2, 1], [1, 4, 6, 4, 1])]
    cases = [(i, k, dt) for i in range(len(images)) for k in range(len(kernels)) for dt in (np.uint8, np.float32)]
    expected = [reference.convolve(images[i], kernels[k], 0.5, dtype=dt) for i, k, dt in cases]
    _kernel._CACHE.clear()  # the threads make every kernel and plan
    barrier = threading.Barrier(THREADS)

    def worker(t: int) -> None:
        barrier.wait()
        for j in np.random.default_rng(t).permutation(len(cases)):
            i, k, dt = cases[j]
            assert_identical(convpool.convolve(images[i], kernels[k], 0.5, dtype=dt), expected[j])

    in_threads(worker)


def test_calls_sharing_one_out_are_the_callers_race():
    """Two calls that share an `out` race, as with NumPy's own `out=`: convpool does not
    lock it. Memory stays safe and every pixel is one of the two results; calls that
    write the same result into a shared `out` leave that result."""
    image = convpool.data.ascent()
    other = np.ascontiguousarray(image[::-1])
    kernel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    a = convpool.convolve(image, kernel)
    b = convpool.convolve(other, kernel)

    for sources, allowed in (((image, image), (a,)), ((image, other), (a, b))):
        for _ in range(5):
            out = np.zeros_like(a)
            barrier = threading.Barrier(2)

            def run(src: np.ndarray, out: np.ndarray = out, barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                convpool.convolve(src, kernel, out=out, workers=2)

            threads = [threading.Thread(target=run, args=(src,)) for src in sources]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            if len(allowed) == 1:
                assert_identical(out, allowed[0])
            else:
                assert np.all((out == a) | (out == b))
