"""convpool.conv2d against the frameworks whose convention it takes: PyTorch's
``F.conv2d`` (channels first) and Keras's ``keras.ops.conv`` (channels last), over random
shapes. Shapes always equal; integer-valued weights on integer inputs bit for bit;
float64 within the tolerance rule of docs/guarantees.md."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convpool

torch = pytest.importorskip("torch")
F = torch.nn.functional


def assert_close(got: np.ndarray, expected: np.ndarray, x: np.ndarray, w: np.ndarray) -> None:
    """1e-12 * sum|w_o| * max|x| plus one spacing: the rule of non-integer kernels."""
    assert got.shape == expected.shape
    scale = float(np.abs(w).reshape(len(w), -1).sum(axis=1).max(initial=0)) * max(float(np.abs(x).max(initial=0)), 1)
    assert np.all(np.abs(got - expected) <= 1e-12 * scale + np.spacing(np.abs(expected)))


@st.composite
def torch_cases(draw):
    groups = draw(st.integers(1, 3))
    c_in, c_out = draw(st.integers(1, 3)) * groups, draw(st.integers(1, 7)) * groups
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    dh, dw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["same", "valid"]) | st.integers(0, 3)
                   | st.tuples(st.integers(0, 3), st.integers(0, 3)))
    stride = (1, 1) if padding == "same" else draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    # Large enough for torch, which refuses an empty output.
    h = draw(st.integers(max(1, dh * (kh - 1) + 1), 40))
    width = draw(st.integers(max(1, dw * (kw - 1) + 1), 70))
    n = draw(st.integers(1, 3))
    return dict(shape=(n, c_in, h, width), weight=(c_out, c_in // groups, kh, kw),
                kwargs=dict(stride=stride, padding=padding, dilation=(dh, dw), groups=groups),
                bias=draw(st.booleans()), seed=draw(st.integers(0, 2**32 - 1)))


# PyTorch pads a copy for "same" with an even kernel: its own note, not a result.
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning")
@settings(max_examples=40)
@given(case=torch_cases(), integral=st.booleans())
def test_matches_torch(case, integral):
    rng = np.random.default_rng(case["seed"])
    if integral:
        x = rng.integers(0, 256, case["shape"]).astype(np.uint8)
        w = rng.integers(-8, 9, case["weight"]).astype(np.float64)
        b = rng.integers(-50, 50, case["weight"][0]).astype(np.float64) if case["bias"] else None
    else:
        x = rng.standard_normal(case["shape"])
        w = rng.standard_normal(case["weight"])
        b = rng.standard_normal(case["weight"][0]) if case["bias"] else None
    kwargs = case["kwargs"]
    tb = None if b is None else torch.from_numpy(b)
    with torch.no_grad():
        expected = F.conv2d(torch.from_numpy(x.astype(np.float64)), torch.from_numpy(w), tb, **kwargs).numpy()
    got = convpool.conv2d(x, w, b, **kwargs)
    assert got.shape == expected.shape
    if integral:
        np.testing.assert_array_equal(got, expected)
    else:
        assert_close(got, expected, x, w)


def test_same_at_stride_two_is_torchs_pad_then_stride():
    """TensorFlow's "same" at stride 2: the extra zero after, as F.pad(x, (1, 2, 1, 2))."""
    rng = np.random.default_rng(5)
    x = rng.integers(0, 256, (2, 3, 24, 23)).astype(np.float64)
    w = rng.integers(-5, 6, (4, 3, 5, 5)).astype(np.float64)
    with torch.no_grad():
        # 24 rows: total padding 3, one before; 23 columns: total 4, two before.
        expected = F.conv2d(F.pad(torch.from_numpy(x), (2, 2, 1, 2)), torch.from_numpy(w), stride=2).numpy()
    np.testing.assert_array_equal(convpool.conv2d(x, w, stride=2, padding="same"), expected)


def test_float32_at_least_as_accurate_as_torch():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 8, 30, 30)).astype(np.float32)
    w = rng.standard_normal((6, 8, 3, 3)).astype(np.float32)
    exact = F.conv2d(torch.from_numpy(x.astype(np.float64)), torch.from_numpy(w.astype(np.float64))).numpy()
    with torch.no_grad():
        theirs = F.conv2d(torch.from_numpy(x), torch.from_numpy(w)).numpy()
    ours = convpool.conv2d(x, w)
    assert ours.dtype == np.float32
    assert np.abs(ours - exact).max() <= np.abs(theirs - exact).max()
    assert np.all(np.abs(ours - exact) <= np.spacing(np.abs(exact).astype(np.float32)))


@st.composite
def keras_cases(draw):
    c_in, c_out = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    kh, kw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    padding = draw(st.sampled_from(["same", "valid"]))
    h, width = draw(st.integers(kh, 30)), draw(st.integers(kw, 50))
    return dict(shape=(draw(st.integers(1, 3)), h, width, c_in), kernel=(kh, kw, c_in, c_out),
                stride=stride, padding=padding, seed=draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=40)
@given(case=keras_cases(), integral=st.booleans())
def test_matches_keras_channels_last(case, integral):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(case["seed"])
    if integral:
        x = rng.integers(0, 256, case["shape"]).astype(np.float64)
        k = rng.integers(-8, 9, case["kernel"]).astype(np.float64)
    else:
        x = rng.standard_normal(case["shape"])
        k = rng.standard_normal(case["kernel"])
    # The torch backend's tensor, read directly (Keras's own conversion warns on NumPy 2).
    expected = keras.ops.conv(x, k, strides=case["stride"], padding=case["padding"],
                              data_format="channels_last").detach().numpy()
    assert expected.dtype == np.float64
    # The Keras kernel (kh, kw, C_in, C_out) as PyTorch's layout: a view, not a copy.
    got = convpool.conv2d(x, k.transpose(3, 2, 0, 1), stride=case["stride"], padding=case["padding"],
                          data_format="channels_last")
    assert got.shape == expected.shape
    if integral:
        np.testing.assert_array_equal(got, expected)
    else:
        assert_close(got, expected, x, k.transpose(3, 2, 0, 1))
