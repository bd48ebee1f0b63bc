"""convpool.dask against the in-memory functions, on the threaded scheduler and a LocalCluster.

Every dtype and layout: test_layouts.py; bad arguments (raised when called, before
anything is computed): test_errors.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import assert_identical

da = pytest.importorskip("dask.array")
import dask  # noqa: E402

import convpool  # noqa: E402
import convpool.dask as cd  # noqa: E402

MODES = ["keep", "valid", "reflect", "mirror", "nearest", "constant", "wrap", "grid-mirror"]
POOLS = ["max_pool", "min_pool", "avg_pool"]

# 37 x 41 in uneven chunks: row chunks 10, 3, 1, 15, 8 and column chunks 7, 2, 20, 12, so
# a 5 x 5 halo crosses chunk corners and several chunks are smaller than the halo.
IMAGE = np.random.default_rng(0).integers(0, 256, (37, 41)).astype(np.uint8)
CHUNKS = ((10, 3, 1, 15, 8), (7, 2, 20, 12))
KERNEL = np.random.default_rng(1).integers(-3, 4, (5, 4))


@pytest.fixture(scope="module")
def cluster_client():
    """A real two-process cluster on loopback, started once for this module."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        # Port 0: any free port, so another cluster on this machine cannot collide.
        dashboard_address="127.0.0.1:0", worker_dashboard_address="127.0.0.1:0",
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def test_halos_cross_chunk_corners_threaded():
    x = da.from_array(IMAGE, chunks=CHUNKS)
    for mode in MODES:
        lazy = cd.convolve(x, KERNEL, 0.5, mode=mode, cval=7)
        with dask.config.set(scheduler="threads"):
            got = lazy.compute()
        assert_identical(got, convpool.convolve(IMAGE, KERNEL, 0.5, mode=mode, cval=7))


def test_on_a_local_cluster(cluster_client):
    x = da.from_array(IMAGE, chunks=CHUNKS)
    modes = ["keep", "valid", "wrap", "constant"]
    lazy = [cd.convolve(x, KERNEL, mode=mode, dtype=np.float64, cval=2.5) for mode in modes]
    lazy += [cd.max_pool(cd.convolve(x, KERNEL, mode="mirror"), 3, stride=2, ceil_mode=True)]
    lazy += [cd.avg_pool(x, 2, ceil_mode=True)]
    got = cluster_client.compute(lazy, sync=True)
    expected = [convpool.convolve(IMAGE, KERNEL, mode=mode, dtype=np.float64, cval=2.5) for mode in modes]
    expected += [convpool.max_pool(convpool.convolve(IMAGE, KERNEL, mode="mirror"), 3, stride=2, ceil_mode=True)]
    expected += [convpool.avg_pool(IMAGE, 2, ceil_mode=True)]
    for g, e in zip(got, expected, strict=True):
        assert_identical(g, e)


@settings(max_examples=25, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 16), st.integers(1, 16)),
    chunk=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    kshape=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    mode=st.sampled_from(MODES),
    dtype=st.sampled_from([np.uint8, np.int32, np.float32, np.bool_]),
    cval=st.sampled_from([0.0, 3.0, -1.5]),
)
def test_convolve_any_chunking(shape, chunk, kshape, mode, dtype, cval):
    rng = np.random.default_rng(sum(shape) + sum(kshape))
    image = rng.integers(0, 100, shape).astype(dtype)
    kernel = rng.integers(-3, 4, kshape)
    lazy = cd.convolve(da.from_array(image, chunks=chunk), kernel, 0.25, mode=mode, dtype=np.float64, cval=cval)
    got = lazy.compute(scheduler="sync")
    assert_identical(got, convpool.convolve(image, kernel, 0.25, mode=mode, dtype=np.float64, cval=cval))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 16), st.integers(1, 16)),
    chunk=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    ceil_mode=st.booleans(),
    name=st.sampled_from(POOLS),
)
def test_pooling_any_chunking(shape, chunk, size, stride, ceil_mode, name):
    image = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
    lazy = getattr(cd, name)(da.from_array(image, chunks=chunk), size, stride=stride, ceil_mode=ceil_mode)
    got = lazy.compute(scheduler="sync")
    assert_identical(got, getattr(convpool, name)(image, size, stride=stride, ceil_mode=ceil_mode))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 16), st.integers(1, 16)),
    chunk=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    dilation=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    ceil_mode=st.booleans(),
    name=st.sampled_from(["max_pool", "min_pool"]),
)
def test_dilated_pooling_any_chunking(shape, chunk, size, stride, dilation, ceil_mode, name):
    """A dilated window spans (size - 1) * dilation + 1 pixels: the halo."""
    image = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
    args = {"stride": stride, "dilation": dilation, "ceil_mode": ceil_mode}
    lazy = getattr(cd, name)(da.from_array(image, chunks=chunk), size, **args)
    assert_identical(lazy.compute(scheduler="sync"), getattr(convpool, name)(image, size, **args))


@settings(max_examples=25, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 16), st.integers(1, 16)),
    chunk=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    ceil_mode=st.booleans(),
    count_include_pad=st.booleans(),
    divisor=st.none() | st.integers(1, 20),
)
def test_avg_divisors_any_chunking(shape, chunk, size, ceil_mode, count_include_pad, divisor):
    image = np.random.default_rng(sum(shape)).integers(0, 256, shape).astype(np.uint8)
    args = {"stride": 2, "ceil_mode": ceil_mode, "count_include_pad": count_include_pad,
            "divisor_override": divisor, "padding": "valid"}
    lazy = cd.avg_pool(da.from_array(image, chunks=chunk), size, **args)
    assert_identical(lazy.compute(scheduler="sync"), convpool.avg_pool(image, size, **args))


def test_pooling_chunks_align_with_the_stride():
    x = da.from_array(IMAGE, chunks=CHUNKS)
    lazy = cd.max_pool(x, 2)
    # Boundaries 10, 13, 14, 29 move down to 10, 12, 14, 28: 5, 1, 1, 7 and 4 windows.
    assert lazy.chunks[0] == (5, 1, 1, 7, 4)
    assert_identical(lazy.compute(scheduler="sync"), convpool.max_pool(IMAGE))
    overlapping = cd.avg_pool(x, 3, stride=2, ceil_mode=True, dtype=np.float32)
    assert overlapping.dtype == np.float32
    assert_identical(overlapping.compute(scheduler="sync"),
                     convpool.avg_pool(IMAGE, 3, stride=2, ceil_mode=True, dtype=np.float32))


def test_stack_maps_one_task_per_image_block():
    stack = np.random.default_rng(2).integers(0, 256, (6, 20, 22)).astype(np.uint8)
    x = da.from_array(stack, chunks=(2, 10, 11))
    for mode in ("keep", "wrap"):
        lazy = cd.convolve(x, KERNEL, mode=mode, axes=(-2, -1))
        assert lazy.chunks == x.chunks
        assert_identical(lazy.compute(scheduler="sync"), convpool.convolve(stack, KERNEL, mode=mode, axes=(-2, -1)))
    pooled = cd.max_pool(x, axes=(1, 2))
    assert pooled.chunks == ((2, 2, 2), (5, 5), (5, 6))
    assert_identical(pooled.compute(scheduler="sync"), convpool.max_pool(stack, axes=(1, 2)))
    colour = np.moveaxis(stack, 0, -1)
    lazy = cd.convolve(da.from_array(colour, chunks=(7, 8, 3)), KERNEL, axes=(0, 1), mode="mirror")
    assert_identical(lazy.compute(scheduler="sync"), convpool.convolve(colour, KERNEL, axes=(0, 1), mode="mirror"))


def test_lazy_until_computed():
    calls = []

    def counted(block):
        calls.append(block.shape)
        return block

    x = da.from_array(IMAGE, chunks=CHUNKS).map_blocks(counted, meta=np.empty((0, 0), IMAGE.dtype))
    lazy = cd.convolve(x, KERNEL, mode="reflect")
    pooled = cd.max_pool(lazy)
    assert calls == [] and isinstance(pooled, da.Array)
    pooled.compute(scheduler="sync")
    assert calls


def test_numpy_input_and_empty_images():
    assert_identical(cd.convolve(IMAGE, KERNEL).compute(), convpool.convolve(IMAGE, KERNEL))
    for shape in [(0, 5), (5, 0)]:
        empty = da.zeros(shape, dtype=np.uint8)
        expected = convpool.convolve(np.zeros(shape), KERNEL, mode="valid").shape
        assert cd.convolve(empty, KERNEL, mode="valid").shape == expected
        assert cd.max_pool(empty, ceil_mode=True).shape == convpool.max_pool(np.zeros(shape), ceil_mode=True).shape


@settings(max_examples=25)
@given(n=st.integers(0, 7), chunk=st.integers(1, 4), spatial_chunk=st.integers(2, 9),
       last=st.booleans(), stride=st.integers(1, 2), padding=st.sampled_from([0, 1, "same", "valid"]))
def test_conv2d_any_chunking(n, chunk, spatial_chunk, last, stride, padding):
    """Chunks along the batch stay; chunks along channels, rows and columns are merged
    (each task filters whole images): the same pixels as the in-memory call."""
    rng = np.random.default_rng(n * 7 + chunk)
    x = rng.integers(0, 256, (n, 9, 11, 4) if last else (n, 4, 9, 11), dtype=np.uint8)
    w = rng.integers(-3, 4, (6, 2, 3, 3)).astype(np.float64)
    kwargs = dict(stride=stride, padding=padding, groups=2, data_format="channels_last" if last else "channels_first")
    lazy = cd.conv2d(da.from_array(x, chunks=(chunk, spatial_chunk, spatial_chunk, 3)), w, np.arange(6), **kwargs)
    expected = convpool.conv2d(x, w, np.arange(6), **kwargs)
    assert lazy.shape == expected.shape and lazy.dtype == expected.dtype
    if n:
        assert lazy.chunks[0] == da.from_array(x, chunks=chunk).chunks[0]
    assert_identical(lazy.compute(), expected)


def test_conv2d_unbatched_and_errors_now():
    x = np.arange(3 * 6 * 5, dtype=np.float32).reshape(3, 6, 5)
    w = np.ones((2, 3, 2, 2))
    assert_identical(cd.conv2d(da.from_array(x, chunks=2), w).compute(), convpool.conv2d(x, w))
    with pytest.raises(ValueError, match="`input` has 3 channels but `weight` expects 4"):
        cd.conv2d(da.from_array(x), np.ones((2, 4, 2, 2)))
    with pytest.raises(ValueError, match="`padding` must be at least 0"):
        cd.conv2d(da.from_array(x), w, padding=-1)
