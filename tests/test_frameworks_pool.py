"""Pooling with PyTorch's and Keras's arguments, word for word, against PyTorch and
Keras themselves over random shapes: the same shapes, max/min values and indices
bit for bit, means within docs/guarantees.md's tolerance rule.

NaN is left out of the images: torch's CPU kernel takes the last NaN of a window
where convpool takes the first (test_pool_options.py checks convpool's rule).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import convpool

torch = pytest.importorskip("torch")
F = torch.nn.functional


@st.composite
def stacks(draw, dtypes=(np.float32, np.float64)) -> np.ndarray:
    """(N, C, H, W) of floats: few distinct integers (many ties) or normal noise."""
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 12)), draw(st.integers(1, 12)))
    dtype = draw(st.sampled_from(dtypes))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        return rng.integers(-2, 3, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@st.composite
def torch_windows(draw, dilate: bool = True) -> dict:
    """kernel_size, stride, padding (at most half the kernel), dilation, ceil_mode."""
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    args = {
        "kernel_size": k,
        "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "padding": (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2))),
        "ceil_mode": draw(st.booleans()),
    }
    if dilate:
        args["dilation"] = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    return args


def torch_output_ok(x: np.ndarray, args: dict) -> bool:
    """torch refuses outputs of no pixel ("Output size is too small")."""
    dil = args.get("dilation", (1, 1))
    for n, k, _s, p, d in zip(x.shape[-2:], args["kernel_size"], args["stride"], args["padding"], dil, strict=True):
        if n + 2 * p < (k - 1) * d + 1:
            return False
    return True


def convpool_args(args: dict) -> dict:
    """torch's names to convpool's: kernel_size is `size`."""
    out = dict(args)
    out["size"] = out.pop("kernel_size")
    return out


def tolerance(x: np.ndarray, window: int, dtype) -> float:
    """docs/guarantees.md's rule: 1e-12 times the largest window sum of magnitudes, plus one spacing."""
    biggest = float(np.abs(x).max()) * window if x.size else 0.0
    return 1e-12 * biggest + float(np.spacing(np.asarray(biggest, dtype))) + float(np.spacing(np.asarray(1, dtype)))


@given(x=stacks(), args=torch_windows())
def test_max_pool2d(x, args):
    """F.max_pool2d with padding, dilation, ceil_mode and return_indices: identical."""
    assume(torch_output_ok(x, args))
    try:
        values, indices = convpool.max_pool(x, **convpool_args(args), return_indices=True, axes=(-2, -1))
    except ValueError as exc:  # a dilated window in the padding only: torch gives -inf there
        assert "`dilation`" in str(exc)
        return
    expected, where = F.max_pool2d(torch.from_numpy(x), **args, return_indices=True)
    np.testing.assert_array_equal(values, expected.numpy(), strict=True)
    np.testing.assert_array_equal(indices, where.numpy(), strict=True)
    pooled = convpool.max_pool(x, **convpool_args(args), axes=(-2, -1))
    np.testing.assert_array_equal(pooled, expected.numpy(), strict=True)


@given(x=stacks(), args=torch_windows())
def test_min_pool_is_max_pool2d_of_the_negation(x, args):
    """torch has no min pooling: min_pool is -max_pool2d(-x), with the same indices."""
    assume(torch_output_ok(x, args))
    try:
        values, indices = convpool.min_pool(x, **convpool_args(args), return_indices=True, axes=(-2, -1))
    except ValueError:
        return
    expected, where = F.max_pool2d(torch.from_numpy(-x), **args, return_indices=True)
    np.testing.assert_array_equal(values, -expected.numpy(), strict=True)
    np.testing.assert_array_equal(indices, where.numpy(), strict=True)


@given(
    x=stacks(),
    args=torch_windows(dilate=False),
    include=st.booleans(),
    divisor=st.none() | st.integers(1, 20),
)
def test_avg_pool2d(x, args, include, divisor):
    """F.avg_pool2d with padding, ceil_mode, count_include_pad and divisor_override."""
    assume(torch_output_ok(x, args))
    got = convpool.avg_pool(x, **convpool_args(args), count_include_pad=include, divisor_override=divisor,
                            axes=(-2, -1))
    expected = F.avg_pool2d(torch.from_numpy(x), **args, count_include_pad=include, divisor_override=divisor).numpy()
    assert got.shape == expected.shape and got.dtype == expected.dtype
    kr, kc = args["kernel_size"]
    scale = kr * kc if divisor is None else kr * kc / min(divisor, kr * kc)
    if x.dtype == np.float64:
        np.testing.assert_allclose(got, expected, rtol=0, atol=tolerance(x, scale, x.dtype))
    else:
        # torch adds float32 pixels in float32: its own rounding, up to the window's size
        # in float32 spacings of the largest sum.
        atol = kr * kc * float(np.spacing(np.float32(np.abs(x).max() * scale))) + tolerance(x, scale, x.dtype)
        np.testing.assert_allclose(got, expected, rtol=0, atol=atol)


@given(x=stacks(), args=torch_windows(dilate=False))
def test_max_unpool2d(x, args):
    """F.max_unpool2d of max_pool2d's values and indices, default output size and the input's."""
    args["ceil_mode"] = False
    assume(torch_output_ok(x, args))
    values, indices = F.max_pool2d(torch.from_numpy(x), **args, return_indices=True)
    window = {"kernel_size": args["kernel_size"], "stride": args["stride"], "padding": args["padding"]}
    for output_size in (None, x.shape[-2:]):
        call = {"stride": args["stride"], "padding": args["padding"], "output_size": output_size, "axes": (-2, -1)}
        try:
            expected = F.max_unpool2d(values, indices, **window, output_size=output_size).numpy()
        except RuntimeError:  # the default size can be smaller than the pooled image
            expected = None
        if expected is None or (expected.size == 0 and values.numel()):
            # torch refuses such indices, or with an empty output drops the values
            # silently: convpool refuses them.
            with pytest.raises(ValueError, match="`indices`"):
                convpool.max_unpool(values.numpy(), indices.numpy(), args["kernel_size"], **call)
            continue
        got = convpool.max_unpool(values.numpy(), indices.numpy(), args["kernel_size"], **call)
        np.testing.assert_array_equal(got, expected, strict=True)


# ---------------------------------------------------------------- Keras (channels_last)


@st.composite
def keras_calls(draw) -> tuple[np.ndarray, dict]:
    """(N, H, W, C) float32, pool_size, strides and padding "same" or "valid"."""
    x = np.moveaxis(draw(stacks(dtypes=(np.float32,))), 1, -1)
    pool = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    return x, {"pool_size": pool, "strides": draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3))),
               "padding": draw(st.sampled_from(["same", "valid"]))}


def as_numpy(tensor) -> np.ndarray:
    """A Keras result on its PyTorch backend (a tensor) as a NumPy array."""
    return tensor.detach().cpu().numpy()


def keras_output_ok(x: np.ndarray, args: dict) -> bool:
    if args["padding"] == "same":
        return True
    return all(n >= k for n, k in zip(x.shape[1:3], args["pool_size"], strict=True))


def from_keras(args: dict) -> dict:
    return {"size": args["pool_size"], "stride": args["strides"], "padding": args["padding"], "axes": (1, 2)}


@given(call=keras_calls())
def test_keras_max_pool(call):
    keras = pytest.importorskip("keras")
    x, args = call
    assume(keras_output_ok(x, args))
    expected = as_numpy(keras.ops.max_pool(x, **args, data_format="channels_last"))
    np.testing.assert_array_equal(convpool.max_pool(x, **from_keras(args)), expected, strict=True)


def symmetric_same(x: np.ndarray, args: dict) -> bool:
    """Whether "same" pads both sides alike (an even total) along both axes. Keras on
    torch pads an odd total by repeating the edge pixels, which then count in the mean;
    TensorFlow, and convpool, average the image's pixels only."""
    strides = args["strides"] or args["pool_size"]
    for n, k, s in zip(x.shape[1:3], args["pool_size"], strides, strict=True):
        if max((-(-n // s) - 1) * s + k - n, 0) % 2:
            return False
    return True


@given(call=keras_calls())
def test_keras_average_pool(call):
    keras = pytest.importorskip("keras")
    x, args = call
    assume(keras_output_ok(x, args))
    assume(args["padding"] == "valid" or symmetric_same(x, args))
    expected = as_numpy(keras.ops.average_pool(x, **args, data_format="channels_last"))
    got = convpool.avg_pool(x, **from_keras(args))
    assert got.shape == expected.shape and got.dtype == expected.dtype
    kr, kc = args["pool_size"]
    atol = kr * kc * float(np.spacing(np.float32(np.abs(x).max() * kr * kc))) + tolerance(x, kr * kc, x.dtype)
    np.testing.assert_allclose(got, expected, rtol=0, atol=atol)


def test_keras_same_shapes_match_on_odd_padding():
    """Where Keras on torch repeats edge pixels (an odd total padding), the shapes still
    agree and max pooling too (a repeated edge pixel never beats itself)."""
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).standard_normal((2, 7, 6, 3)).astype(np.float32)
    for pool, strides in [((2, 2), None), ((3, 2), (2, 1)), ((4, 4), (3, 3))]:
        expected = as_numpy(keras.ops.max_pool(x, pool, strides, padding="same"))
        np.testing.assert_array_equal(
            convpool.max_pool(x, pool, stride=strides, padding="same", axes=(1, 2)), expected, strict=True)
        assert convpool.avg_pool(x, pool, stride=strides, padding="same", axes=(1, 2)).shape == keras.ops.average_pool(
            x, pool, strides, padding="same").shape
