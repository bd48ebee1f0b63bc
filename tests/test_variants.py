"""Every build and path of the kernels gives the same results.

The baseline, AVX2 and AVX-512 builds compile one source with different flags; the integer
paths accumulate in int16, int32 or int64 depending on a bound; work is split into bands
across threads. None of these may change a single bit of any result.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import convpool
from convpool import _config, _conv, reference
from helpers import assert_identical, assert_kernel_result, plan_of  # bit for bit, but for the sign of a NaN

AVX2 = "avx2" in _config.BUILDS
# The best target this CPU runs: the builds of every target up to it must be present
# (on x86-64 with GCC or Clang; elsewhere the baseline is the only build).
CPU = _config.BUILDS["baseline"].conv.cpu_target()
# The accumulator bits the planner returns for each path.
PATHS = {"correlate_int16": 16, "correlate_int32": 32, "correlate_int": 64, "correlate_float": 0}


def path_of(kernel, dtype):
    return {bits: name for name, bits in PATHS.items()}[plan_of(kernel, dtype).bits]


rng = np.random.default_rng(20240531)

# (image dtype, kernel, the accumulation path convolve must take)
PATH_CASES = [
    (np.uint8, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "correlate_int16"),
    (np.int8, [[0, 1, 0], [1, -4, 1], [0, 1, 0]], "correlate_int16"),
    (np.uint8, rng.integers(-2, 3, (5, 5)), "correlate_int16"),
    (np.uint8, rng.integers(-9, 10, (2, 7)), "correlate_int16"),
    (np.uint8, [[128]], "correlate_int16"),  # 128 * 255 = 32640 still fits int16
    (np.uint8, [[129]], "correlate_int32"),
    (np.uint8, [[100, -100, 100]] * 3, "correlate_int32"),
    (np.uint16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]], "correlate_int32"),
    (np.int16, rng.integers(-50, 51, (7, 7)), "correlate_int32"),
    (np.uint16, [[40000]], "correlate_int"),
    (np.int32, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "correlate_int"),
    (np.uint32, rng.integers(-3, 4, (3, 4)), "correlate_int"),
    (np.int64, [[0, 1, 0], [1, -4, 1], [0, 1, 0]], "correlate_float"),  # 8 * 2**63 >= 2**53
    (np.uint8, rng.standard_normal((7, 7)), "correlate_float"),
    (np.uint8, [[0.5, 1, 0.5]], "correlate_float"),
    (np.int16, rng.uniform(-3, 3, (3, 3)), "correlate_float"),
    (np.uint64, [[-1, 0, 1]], "correlate_float"),
    (np.float32, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "correlate_float"),
    (np.float64, rng.standard_normal((5, 5)), "correlate_float"),
    (np.float64, rng.standard_normal((4, 9)), "correlate_float"),
]
# Widths around the vector lengths (8, 16 and 32 lanes) and the float path's column blocks.
SHAPES = [(1, 1), (3, 17), (9, 16), (12, 33), (20, 64), (7, 100), (5, 513), (40, 1030)]


def make_image(dtype, shape, seed=0):
    """The same image for the same arguments, whichever build's run asks first."""
    dt = np.dtype(dtype)
    rng = np.random.default_rng([seed, dt.num, *shape])
    if dt.kind == "f":
        a = rng.standard_normal(shape) * 300
        flat = a.reshape(-1)
        flat[:: 7] = 0.0
        flat[3 :: 11] = -0.0
        flat[5 :: 13] = np.inf
        flat[6 :: 17] = np.nan
        return a.astype(dt)
    info = np.iinfo(dt)
    a = rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
    a.reshape(-1)[:: 5] = info.max  # the extremes that bound the accumulators
    a.reshape(-1)[2 :: 5] = info.min
    return a


_REFERENCES: dict[tuple, np.ndarray] = {}


def reference_convolve(image: np.ndarray, kernel, weight: float, **kwargs) -> np.ndarray:
    """reference.convolve, computed once per set of arguments: the tests that take the
    `build` fixture run once per build, and the reference is slow."""
    k = np.asarray(kernel, np.float64)
    key = (image.dtype.str, image.shape, image.tobytes(), k.shape, k.tobytes(), weight, repr(sorted(kwargs.items())))
    if key not in _REFERENCES:
        _REFERENCES[key] = reference.convolve(image, kernel, weight, **kwargs)
    return _REFERENCES[key]


def in_bands(fn, *args, **kwargs):
    """fn(*args, workers=..., **kwargs) under the build in force, on one thread and on
    bands split as finely as possible."""
    results = []
    for workers, min_pixels in ((1, 1 << 16), (3, 1)):
        with _config.override(min_pixels_per_thread=min_pixels):
            results.append(fn(*args, workers=workers, **kwargs))
    return results


def run_everywhere(fn, *args, **kwargs):
    """:func:`in_bands` under every build: for comparing builds where the reference is
    too slow to compare each with (tests that compare with it take the `build` fixture)."""
    results = []
    for build in _config.BUILDS:
        with _config.override(build=build):
            results += in_bands(fn, *args, **kwargs)
    return results


def test_every_build_the_cpu_runs_is_tested():
    if not AVX2:
        pytest.skip("this CPU or build has no AVX2 variant: only the baseline is compared")
    assert list(_config.BUILDS) == list(_config.TARGETS[: _config.TARGETS.index(CPU) + 1])
    assert sorted(_config.BUILDS) == sorted(_config.BUILDS[name].name for name in _config.BUILDS)
    cap = os.environ.get("CONVPOOL_CPU", "").lower() or CPU
    if os.environ.get("CONVPOOL_DISABLE_AVX2", "") not in ("", "0"):
        cap = "baseline"
    expected = min(cap, CPU, key=_config.TARGETS.index)
    assert convpool.kernel_variant == expected


@pytest.mark.parametrize(("dtype", "kernel", "path"), PATH_CASES)
def test_every_build_and_path_agrees(dtype, kernel, path):
    assert path_of(kernel, dtype) == path
    for shape in SHAPES:
        image = make_image(dtype, shape)
        for out_dtype in (np.uint8, np.float32, np.float64):
            for weight, mode in ((1.0, "keep"), (-0.7, "valid"), (3.0, "keep")):
                results = run_everywhere(
                    convpool.convolve, image, kernel, weight, mode=mode, dtype=out_dtype
                )
                # Every band split of a build gives its pixels; the builds give the same
                # pixels for integer-valued kernels. For the others the baseline adds
                # the taps as the reference does and the AVX2 build with fused
                # multiply-adds, within the tolerance rule.
                per_build = len(results) // len(_config.BUILDS)
                for i, got in enumerate(results):
                    assert_identical(got, results[i - i % per_build])
                    assert_kernel_result(got, results[0], image, kernel, weight)
                if shape[0] * shape[1] <= 100:
                    expected = reference.convolve(image, kernel, weight, mode=mode, dtype=out_dtype)
                    for got in results[::per_build]:
                        assert_kernel_result(got, expected, image, kernel, weight)


# The integer path sums up to nine taps per pass: every pass length, and kernels that
# take two to six passes, on each accumulator.
@pytest.mark.parametrize("ntaps", [*range(1, 13), 17, 18, 19, 27, 28, 49])
@pytest.mark.parametrize(("dtype", "scale", "path"), [
    (np.uint8, 1, "correlate_int16"),
    (np.int8, 1, "correlate_int16"),
    (np.uint8, 300, "correlate_int32"),
    (np.int16, 2, "correlate_int32"),
    (np.uint16, 100, "correlate_int32"),  # sums beyond 2**24: float32 outputs round them
    (np.int32, 1, "correlate_int"),
])
def test_every_tap_count_agrees(build, ntaps, dtype, scale, path):
    r = np.random.default_rng(ntaps)
    kernel = np.zeros(49, np.int64)
    kernel[r.choice(49, ntaps, replace=False)] = r.choice([-2, -1, 1, 2], ntaps) * scale
    kernel = kernel.reshape(7, 7)
    assert path_of(kernel, dtype) == path
    image = make_image(dtype, (15, 37))
    # uint8 and float32 outputs of weight 1 take the sums straight from the passes.
    for out_dtype, weight in ((np.uint8, 1.0), (np.uint8, 0.5), (np.float32, 1.0), (np.float64, 1.0)):
        expected = reference_convolve(image, kernel, weight, dtype=out_dtype)
        results = in_bands(convpool.convolve, image, kernel, weight, dtype=out_dtype)
        for got in results:
            assert_identical(got, expected)


# The float64 path takes interior output rows in pairs that share their image rows: odd
# and even row counts, kernel heights and widths (3, 5 and 7 have their own loops), bands
# as fine as one row, and stacks whose images meet inside a band.
@pytest.mark.parametrize("kshape", [(1, 1), (2, 3), (3, 3), (4, 5), (5, 5), (6, 7), (7, 7), (7, 2), (3, 9)])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float64])
def test_float_rows_in_pairs_match_the_reference(build, kshape, dtype):
    r = np.random.default_rng(sum(kshape))
    kernel = r.standard_normal(kshape)
    for shape in [(2, 12, 17), (3, 13, 11), (1, 8, 40)]:
        image = make_image(dtype, shape)
        for mode, out_dtype in (("keep", np.uint8), ("valid", np.float64), ("keep", np.float32)):
            expected = np.stack([reference_convolve(im, kernel, 0.5, mode=mode, dtype=out_dtype) for im in image])
            results = in_bands(convpool.convolve, image, kernel, 0.5, mode=mode, dtype=out_dtype, axes=(-2, -1))
            for got in results:
                assert_kernel_result(got, expected, image, kernel, 0.5)


# Non-integer kernels whose rows have their taps in the same columns: the pairs of output
# rows read in place from float32 images (up to 3 x 3), the blocks of output rows
# (convpool_fma_block), whose AVX-512 build shifts each run of taps within 8 columns in
# registers: runs of one to nine columns, several runs, gaps between the taps' columns;
# and kernels of one column of taps (cp_fma_column in the AVX-512 build), at column 0 or
# further in.
def _columns(kh, cols, width):
    k = np.zeros((kh, width))
    k[:, cols] = np.random.default_rng([kh, width, *cols]).uniform(-2, 2, (kh, len(cols)))
    return k


SAME_COLUMN_KERNELS = [
    *(_columns(kh, list(range(kw)), kw) for kh, kw in ((2, 1), (2, 3), (3, 2), (3, 3), (4, 4), (4, 7), (7, 7),
                                                     (5, 9), (4, 10), (15, 15))),
    _columns(5, [0, 3, 11, 12, 17], 18),  # runs of 0..3, then 11..17
    _columns(4, [0, 8, 9, 16], 17),  # a run spanning exactly 8 columns, then 9..16
    _columns(3, [2, 4], 5),
    _columns(9, [1], 3),
    _columns(13, [0], 1),
]


@pytest.mark.skipif("avx512" not in _config.BUILDS or "avx2" not in _config.BUILDS,
                    reason="this CPU or build has no AVX-512 and AVX2 variants to compare")
@pytest.mark.parametrize("kernel", SAME_COLUMN_KERNELS, ids=lambda k: "x".join(map(str, k.shape)))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_float_blocks_and_pairs_are_the_same_sums_in_both_vector_builds(kernel, dtype):
    """The AVX-512 and AVX2 builds add the same products of a non-integer kernel in the
    same order, one fused multiply-add per tap, whatever the vector width: the same bits
    at every width and tail (infinities and NaNs included), each output dtype. A float32
    image (read in place by the fused pairs, converted row by row for the blocks) gets
    the sums of its float64 copy."""
    kh, kw = kernel.shape
    for n in (*range(1, 41), 63, 64, 65, 513, 1030):
        image = make_image(dtype, (kh + 6, kw - 1 + n), seed=n)
        for out in (np.float32, np.float64):
            results = []
            for build in ("avx2", "avx512"):
                with _config.override(build=build):
                    results.append(convpool.convolve(image, kernel, 0.75, mode="valid", dtype=out))
                    if dtype == np.float32:
                        wide = convpool.convolve(image.astype(np.float64), kernel, 0.75, mode="valid", dtype=out)
                        assert_identical(results[-1], wide)
            assert_identical(results[1], results[0])


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.uint16, np.int32, np.int64, np.uint64, np.float32, np.float64])
@pytest.mark.parametrize(("size", "stride"), [(2, None), (3, 2), ((2, 3), 1), (1, 1), ((3, 1), (1, 2))])
@pytest.mark.parametrize("name", ["max_pool", "min_pool", "avg_pool"])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_every_build_pools_alike(dtype, size, stride, name, ceil_mode):
    pool = getattr(convpool, name)
    for shape in SHAPES:
        image = make_image(dtype, shape)
        results = run_everywhere(pool, image, size, stride=stride, ceil_mode=ceil_mode)
        for got in results[1:]:
            assert_identical(got, results[0])
        if isinstance(size, int) and (stride is None or isinstance(stride, int)) and image.size <= 400:
            expected = getattr(reference, name)(image, size, stride, ceil_mode=ceil_mode)
            assert_identical(results[0], expected)


def test_every_function_runs_the_chosen_build():
    # The comparisons above choose builds through _config; a function that kept its own
    # reference to a build would compare one build with itself.
    class Missing:
        def __getattr__(self, name):
            raise RuntimeError(f"kernel {name} of the swapped build")

    swapped = _config.Build("missing", Missing(), Missing())
    image = np.zeros((6, 6), np.uint8)
    calls = [
        lambda: convpool.convolve(image, [[1, 2], [3, 4]]),
        lambda: convpool.convolve(image, [[0.5]], mode="reflect"),
        lambda: convpool.max_pool(image),
        lambda: convpool.max_pool(image, 4, ceil_mode=True),
        lambda: convpool.min_pool(image),
        lambda: convpool.avg_pool(image),
    ]
    for call in calls:
        with _config.override(build=swapped), pytest.raises(RuntimeError, match="of the swapped build"):
            call()


def test_cpu_target_agrees_with_the_operating_system():
    # Linux lists a CPU feature in /proc/cpuinfo only where the kernel saves its
    # registers, as _cpu.h's XGETBV check asks.
    import platform

    if platform.machine() not in ("x86_64", "AMD64") or not os.path.exists("/proc/cpuinfo"):
        pytest.skip("the CPU check is compared with Linux's view of an x86-64 CPU")
    with open("/proc/cpuinfo") as f:
        flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx2", "fma"} <= set(flags):
        expected = "avx512"
    elif {"avx2", "fma"} <= set(flags):
        expected = "avx2"
    else:
        expected = "baseline"
    assert CPU == expected


def variant_under(tmp_path, **environment) -> subprocess.CompletedProcess:
    code = "import convpool; print(convpool.kernel_variant)"
    env = {k: v for k, v in os.environ.items() if k not in ("CONVPOOL_CPU", "CONVPOOL_DISABLE_AVX2")}
    return subprocess.run([sys.executable, "-c", code], env=env | environment, cwd=tmp_path,
                          capture_output=True, text=True)


def test_environment_variables_cap_the_target(tmp_path):
    best = list(_config.BUILDS)[-1]
    assert variant_under(tmp_path).stdout.strip() == best
    assert variant_under(tmp_path, CONVPOOL_DISABLE_AVX2="1").stdout.strip() == "baseline"
    assert variant_under(tmp_path, CONVPOOL_DISABLE_AVX2="0").stdout.strip() == best
    for target in _config.TARGETS:
        # A cap names the highest target convpool may take: beyond the CPU's, its best.
        expected = min(target, best, key=_config.TARGETS.index)
        assert variant_under(tmp_path, CONVPOOL_CPU=target).stdout.strip() == expected
        assert variant_under(tmp_path, CONVPOOL_CPU=target.upper()).stdout.strip() == expected
        assert variant_under(tmp_path, CONVPOOL_CPU=target, CONVPOOL_DISABLE_AVX2="1").stdout.strip() == "baseline"


def test_an_unknown_target_is_an_error_at_import(tmp_path):
    proc = variant_under(tmp_path, CONVPOOL_CPU="sse9")
    assert proc.returncode != 0
    assert "`CONVPOOL_CPU` must be one of baseline, avx2, avx512, got 'sse9'" in proc.stderr


def test_one_driver_module_runs_each_targets_row_functions():
    # The drivers are compiled once; each build binds its own table of row functions,
    # and the drivers take nothing but such a table.
    rows = [build.conv.rows for build in _config.BUILDS.values()]
    assert len({module.__name__ for module in rows}) == len(rows)
    assert len({id(module.ROWS) for module in rows}) == len(rows)
    image = np.arange(16, dtype=np.uint8).reshape(1, 4, 4)
    kernel = np.ones((1, 1, 1), np.int64)
    for build in _config.BUILDS.values():
        out = np.zeros_like(image)
        build.conv.correlate_int(0, kernel, 16, 0, image, 1.0, out, True, 0, 4)
        assert_identical(out, image)
    for wrong in (object(), np.zeros(3)):
        with pytest.raises(ValueError):
            _conv.correlate_int(wrong, 0, kernel, 16, 0, image, 1.0, np.zeros_like(image), True, 0, 4)


@pytest.mark.parametrize("windows", [1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200])
def test_2x2_uint8_vector_loops_give_the_references_bits(windows):
    # The hand-written 2 x 2 loops of uint8 pixels (16 to 64 windows a step, by target and
    # operation), and the portable loop after them: max, min and both means, every build.
    image = make_image(np.uint8, (5, 2 * windows + 1), windows)
    image[0] = np.resize(np.array([0, 255, 255, 0, 128, 127, 1, 254], np.uint8), image.shape[1])  # the extremes
    for build in _config.BUILDS:
        with _config.override(build=build):
            for kind in ("max", "min"):
                got = getattr(convpool, f"{kind}_pool")(image)
                assert_identical(got, getattr(reference, f"{kind}_pool")(image, 2))
            for dtype in (np.float32, np.float64):
                assert_identical(convpool.avg_pool(image, dtype=dtype), reference.avg_pool(image, 2, dtype=dtype))


def test_pooling_builds_stop_at_avx2():
    # The pooling kernels are built for the baseline and AVX2 only (setup.py): a later
    # target runs the AVX2 build, and no module of another is installed.
    import importlib.util

    assert _config.POOL_TARGETS == ("baseline", "avx2")
    for name, build in _config.BUILDS.items():
        own = name if name in _config.POOL_TARGETS else _config.POOL_TARGETS[-1]
        assert build.pool.__name__ == ("convpool._pool" if own == "baseline" else f"convpool._pool_{own}")
    assert importlib.util.find_spec("convpool._pool_avx512") is None


def test_target_stubs_match(tmp_path):
    # Every target's modules are the baseline's source: the same stubs describe them
    # (the convolution drivers, convpool._conv, are one module for all targets).
    if not AVX2:
        pytest.skip("no AVX2 build on this machine")
    modules = sorted({module.__name__ for build in list(_config.BUILDS.values())[1:]
                      for module in (build.conv.rows, build.pool)})
    cmd = [sys.executable, "-m", "mypy.stubtest", *modules]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_concurrent_callers_share_the_pool():
    # Two threads, each splitting its call into bands on the shared pool: no deadlock,
    # and each gets its own correct result.
    from concurrent.futures import ThreadPoolExecutor

    images = [make_image(np.uint8, (300, 400), seed) for seed in range(4)]
    kernel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    expected = [convpool.convolve(im, kernel) for im in images]
    with ThreadPoolExecutor(2) as ex:
        got = list(ex.map(lambda im: convpool.convolve(im, kernel, workers=3), images * 3))
    for g, e in zip(got, expected * 3, strict=True):
        assert_identical(g, e)
