"""convpool.conv2d against a slow NumPy reference written from its definition, on every
build: bit for bit for integer-valued weights on integer inputs, by the tolerance rule
otherwise, over shapes, strides, padding, dilation, groups, bias, dtypes, layouts and
byte orders; against convolve for the codelab's case; and its errors."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convpool
from convpool import _config
from helpers import IMAGE_DTYPES, assert_identical, call_with_out, digest, elements, layouts, outs

OUT_DTYPES = [None, np.uint8, np.uint16, np.int16, np.float32, np.float64]


def same_padding(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    total = max((-(-n // s) - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def reference(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, dtype=None,
              data_format="channels_first"):
    """conv2d from its definition: the zero-padded input, each output the float64 sum of
    its taps in (channel, row, column) order, the bias added last, then the store rule."""
    x = np.asarray(x)
    last = data_format == "channels_last"
    batched = x.ndim == 4
    x4 = x if batched else x[None]
    if last:
        x4 = x4.transpose(0, 3, 1, 2)
    x4 = x4.astype(np.float64)
    w = np.asarray(w, np.float64)
    sh, sw = (stride, stride) if np.ndim(stride) == 0 else stride
    dh, dw = (dilation, dilation) if np.ndim(dilation) == 0 else dilation
    n, c, h, wd = x4.shape
    c_out, c_in, kh, kw = w.shape
    if padding == "valid":
        pads = (0, 0), (0, 0)
    elif padding == "same":
        pads = same_padding(h, kh, sh, dh), same_padding(wd, kw, sw, dw)
    else:
        ph, pw = (padding, padding) if np.ndim(padding) == 0 else padding
        pads = (ph, ph), (pw, pw)
    xp = np.zeros((n, c, h + sum(pads[0]), wd + sum(pads[1])))
    xp[:, :, pads[0][0] : pads[0][0] + h, pads[1][0] : pads[1][0] + wd] = x4
    ho = max((xp.shape[2] - dh * (kh - 1) - 1) // sh + 1, 0)
    wo = max((xp.shape[3] - dw * (kw - 1) - 1) // sw + 1, 0)
    acc = np.zeros((n, c_out, ho, wo))
    per_group = c_out // groups
    with np.errstate(all="ignore"):
        for o in range(c_out):
            g = o // per_group
            for k in range(c_in):
                for i in range(kh):
                    for j in range(kw):
                        taps = xp[:, g * c_in + k, i * dh : i * dh + (ho - 1) * sh + 1 : sh,
                                  j * dw : j * dw + (wo - 1) * sw + 1 : sw]
                        acc[:, o] = acc[:, o] + w[o, k, i, j] * taps[:, :ho, :wo]
            if b is not None:
                acc[:, o] = acc[:, o] + np.float64(b[o])
    dt = np.dtype(np.float32 if x.dtype == np.float32 else np.float64) if dtype is None else np.dtype(dtype)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        acc = np.trunc(np.where(np.isnan(acc), 0.0, np.clip(acc, info.min, info.max)))
    with np.errstate(all="ignore"):
        result = acc.astype(dt)
    if last:
        result = result.transpose(0, 2, 3, 1)
    return result if batched else result[0]


def exact_case(x: np.ndarray, w: np.ndarray) -> bool:
    return x.dtype.kind in "biu" and np.array_equal(w, np.trunc(w))


def assert_conv_close(got, expected, x, w):
    """Within the tolerance rule: 1 in integer outputs, else 1e-12 * sum|w_o| * max|x|
    plus one spacing of the output type."""
    assert got.shape == expected.shape and got.dtype == expected.dtype
    if got.dtype.kind in "ui":
        assert np.all(np.abs(got.astype(np.int64) - expected.astype(np.int64)) <= 1)
        return
    xmax = max(float(np.abs(np.asarray(x, np.float64)).max(initial=0)), 1.0)
    tol = 1e-12 * float(np.abs(w).sum(axis=(1, 2, 3)).max(initial=0)) * xmax
    tol = tol + np.spacing(np.abs(expected)).astype(np.float64)
    with np.errstate(invalid="ignore"):
        ok = (np.abs(got.astype(np.float64) - expected.astype(np.float64)) <= tol) | (got == expected)
    ok |= np.isnan(got) & np.isnan(expected)
    assert ok.all(), (got[~ok], expected[~ok])


@st.composite
def cases(draw, max_side=9):
    groups = draw(st.integers(1, 3))
    c_in = draw(st.integers(1, 3))
    c_out = draw(st.integers(0, 6))  # several filter blocks and their remainders
    n = draw(st.integers(0, 2))
    h, wd = draw(st.integers(0, max_side)), draw(st.integers(0, max_side))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    last = draw(st.booleans())
    dtype = draw(st.sampled_from(IMAGE_DTYPES))
    shape = (n, h, wd, c_in * groups) if last else (n, c_in * groups, h, wd)
    if draw(st.booleans()):
        shape = shape[1:]
    x = draw(hnp.arrays(dtype, shape, elements=elements(dtype, bounded=True)))
    integral = draw(st.booleans())
    wel = st.integers(-9, 9).map(float) if integral else st.floats(-4, 4, allow_subnormal=False)
    w = draw(hnp.arrays(np.float64, (c_out * groups, c_in, kh, kw), elements=wel))
    bias = draw(st.none() | hnp.arrays(np.float64, (c_out * groups,), elements=wel))
    pair = st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3))
    kwargs = dict(
        stride=draw(pair),
        dilation=draw(st.integers(1, 2) | st.tuples(st.integers(1, 2), st.integers(1, 2))),
        padding=draw(st.sampled_from(["valid", "same"]) | st.integers(0, 3)
                     | st.tuples(st.integers(0, 3), st.integers(0, 3))),
        groups=groups,
        dtype=draw(st.sampled_from(OUT_DTYPES)),
        data_format="channels_last" if last else "channels_first",
    )
    return x, w, bias, kwargs


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases(), data=st.data())
def test_matches_reference(build, case, data):
    x, w, bias, kwargs = case
    laid = data.draw(layouts(x))  # any strides, either byte order (or one slice broadcast)
    w_laid = data.draw(layouts(w))
    x, w = np.array(laid), np.array(w_laid)
    expected = reference(x, w, bias, **kwargs)
    before = digest(laid), digest(w_laid)
    out = data.draw(st.none() | outs(expected.shape, expected.dtype))
    workers = data.draw(st.sampled_from([1, 2]))
    if exact_case(x, w) and x.size and w.size:
        top = max(-int(x.min()), int(x.max()))
        if max(sum(abs(int(v)) for v in f.ravel()) for f in w) * top >= 2**53:
            with pytest.raises(ValueError, match="reach 2\\*\\*53"):
                convpool.conv2d(laid, w_laid, bias, **kwargs)
            return
    with _config.override(min_pixels_per_thread=1, max_columns=data.draw(st.sampled_from([3, 8, 1 << 15]))):
        got = call_with_out(lambda o: convpool.conv2d(laid, w_laid, bias, out=o, workers=workers, **kwargs), out)
    assert (digest(laid), digest(w_laid)) == before
    if exact_case(x, w):
        assert_identical(got, expected)
    else:
        assert_conv_close(got, expected, x, w)


@pytest.mark.parametrize("width", [1, 7, 8, 9, 31, 32, 33, 63, 100])
@pytest.mark.parametrize("c_out", [1, 4, 5, 6, 7, 13])
def test_wide_rows_and_filter_blocks(build, width, c_out):
    """Rows of every remainder of the vector blocks, filters of every remainder of the
    filter blocks: exact integers."""
    rng = np.random.default_rng(width * 10 + c_out)
    x = rng.integers(0, 256, (2, 3, 6, width), dtype=np.uint8)
    w = rng.integers(-5, 6, (c_out, 3, 3, 3)).astype(np.float64)
    b = rng.integers(-100, 100, c_out)
    for kwargs in [dict(padding=1), dict(padding="same", stride=2), dict(dilation=(1, 2), padding=2)]:
        assert_identical(convpool.conv2d(x, w, b, **kwargs), reference(x, w, b, **kwargs))


def test_codelab_case_equals_convolve(build):
    """One channel, "valid": the pixels of convpool.convolve without its margin, for each
    of the codelab's filters as one bank."""
    image = convpool.data.ascent()[:100, :120]
    kernels = convpool.kernels.CODELAB
    weight = np.stack([k.matrix for k in kernels])[:, None]
    got = convpool.conv2d(image[None], weight, dtype=np.float64)
    for o, k in enumerate(kernels):
        expected = convpool.convolve(image, k.matrix, mode="valid", dtype=np.float64)
        assert_identical(got[o], expected)


def test_float_inputs_within_tolerance_and_float32_rounded_once(build):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4, 17, 23)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 5))
    b = rng.standard_normal(6)
    expected64 = reference(x, w, b, groups=2, padding=(1, 2), dtype=np.float64)
    got64 = convpool.conv2d(x, w, b, groups=2, padding=(1, 2), dtype=np.float64)
    assert_conv_close(got64, expected64, x, w)
    got32 = convpool.conv2d(x, w, b, groups=2, padding=(1, 2))
    assert got32.dtype == np.float32
    # float32 is the float64 sum rounded once: within one float32 spacing of the exact sum.
    assert np.all(np.abs(got32 - expected64) <= np.spacing(np.abs(expected64).astype(np.float32)) + 1e-9)


def test_nonfinite_inputs_propagate(build):
    x = np.zeros((1, 1, 3, 4))
    x[0, 0, 1, 1] = np.inf
    x[0, 0, 2, 3] = np.nan
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])
    got = convpool.conv2d(x, w)
    expected = reference(x, w)
    np.testing.assert_array_equal(got, expected)
    assert got[0, 0, 0, 0] == -np.inf
    assert np.isnan(got[0, 0, 0, 1])  # a zero weight on inf: 0 * inf is NaN, as in PyTorch
    assert np.array_equal(convpool.conv2d(x, w, dtype=np.uint8), reference(x, w, dtype=np.uint8))


def test_integers_near_two_to_53(build):
    """Exact up to the bound, refused at it."""
    x = np.array([[[[2**31 - 1, -(2**31)], [2**31 - 1, 2**31 - 1]]]], dtype=np.int64)
    w = np.full((1, 1, 2, 2), 2.0**19)  # sum |w| * max|x| = 2**21 * 2**31 = 2**52
    got = convpool.conv2d(x, w)
    assert got[0, 0, 0, 0] == 2**19 * (3 * (2**31 - 1) - 2**31)
    assert_identical(got, reference(x, w))
    with pytest.raises(ValueError, match="`weight` and `input` reach 2"):
        convpool.conv2d(x, w * 2)
    big = np.array([[[[2**60]]]], dtype=np.uint64)  # the pixels decide, not the dtype
    with pytest.raises(ValueError, match="reach 2"):
        convpool.conv2d(big, np.ones((1, 1, 1, 1)))
    small = np.array([[[[3, 1]]]], dtype=np.uint64)
    assert convpool.conv2d(small, np.full((1, 1, 1, 2), 2.0**50))[0, 0, 0, 0] == 4 * 2**50


def test_workers_and_unbatched_and_channels_last_agree():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 256, (3, 4, 40, 50), dtype=np.uint8)
    w = rng.integers(-3, 4, (8, 2, 3, 3)).astype(np.float64)
    one = convpool.conv2d(x, w, groups=2, stride=(2, 1), padding="same")
    with _config.override(min_pixels_per_thread=1):
        assert_identical(convpool.conv2d(x, w, groups=2, stride=(2, 1), padding="same", workers=3), one)
    assert_identical(convpool.conv2d(x[1], w, groups=2, stride=(2, 1), padding="same"), one[1])
    last = convpool.conv2d(x.transpose(0, 2, 3, 1), w, groups=2, stride=(2, 1), padding="same",
                           data_format="channels_last")
    assert_identical(last, one.transpose(0, 2, 3, 1))


@pytest.mark.parametrize(("dtype", "expected"), [
    (np.float32, np.float32), (np.float16, np.float64), (np.float64, np.float64), (np.uint8, np.float64),
    (np.int64, np.float64), (np.bool_, np.float64),
])
def test_default_dtype(dtype, expected):
    x = np.ones((1, 2, 3, 3), dtype)
    got = convpool.conv2d(x, np.ones((1, 2, 2, 2)))
    assert got.dtype == expected
    assert np.all(got == 8)


def test_out_overlapping_the_input():
    x = np.arange(2 * 3 * 5 * 5, dtype=np.float64).reshape(2, 3, 5, 5)
    w = np.ones((3, 3, 1, 1))
    expected = reference(x, w)
    got = convpool.conv2d(x, w, out=x)  # computed aside, then copied in
    assert got is x
    assert_identical(x, expected)


def test_empty_results():
    w = np.ones((2, 1, 3, 3))
    assert convpool.conv2d(np.zeros((0, 1, 5, 5)), w).shape == (0, 2, 3, 3)
    assert convpool.conv2d(np.zeros((1, 1, 2, 5)), w).shape == (1, 2, 0, 3)  # smaller than the filter
    assert convpool.conv2d(np.zeros((1, 1, 2, 5)), w, padding="same").shape == (1, 2, 2, 5)
    assert convpool.conv2d(np.zeros((1, 1, 4, 4)), np.ones((0, 1, 3, 3))).shape == (1, 0, 2, 2)


X = np.zeros((1, 4, 6, 6), np.float32)
W = np.ones((2, 4, 3, 3))


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    (dict(input=np.zeros((6, 6))), ValueError, "`input` must be 4-D"),
    (dict(input=np.zeros((1, 1, 1, 6, 6))), ValueError, "`input` must be 4-D"),
    (dict(input=np.zeros((1, 4, 6, 6), complex)), TypeError, "`input` must hold real"),
    (dict(weight=np.ones((2, 4, 3))), ValueError, "`weight` must be 4-D"),
    (dict(weight=np.ones((2, 4, 0, 3))), ValueError, "`weight` must have at least one"),
    (dict(weight=np.full((2, 4, 3, 3), np.nan)), ValueError, "`weight` must be finite"),
    (dict(weight=np.ones((2, 3, 3, 3))), ValueError, "`input` has 4 channels but `weight` expects 3"),
    (dict(groups=3), ValueError, "`groups` must be at least 1 and divide"),
    (dict(groups=0), ValueError, "`groups` must be at least 1"),
    (dict(groups=2.0), TypeError, "`groups` must be an int"),
    (dict(weight=np.ones((3, 2, 3, 3)), groups=2), ValueError, "divide C_in \\(4\\) and C_out \\(3\\)"),
    (dict(bias=np.ones(3)), ValueError, "`bias` must have shape \\(2,\\)"),
    (dict(bias=np.array([1.0, np.inf])), ValueError, "`bias` must be finite"),
    (dict(bias=["a", "b"]), TypeError, "`bias` must hold real"),
    (dict(stride=0), ValueError, "`stride` must be at least 1"),
    (dict(stride=(1, 2, 3)), TypeError, "`stride` must be an int or a pair"),
    (dict(dilation=(1, 0)), ValueError, "`dilation` must be at least 1"),
    (dict(padding=-1), ValueError, "`padding` must be at least 0"),
    (dict(padding=(1, -2)), ValueError, "`padding` must be at least 0"),
    (dict(padding="full"), ValueError, "`padding` must be an int, a pair of ints, 'same' or 'valid', got 'full'"),
    (dict(padding=1.5), TypeError, "`padding` must be an int"),
    (dict(data_format="NHWC"), ValueError, "`data_format` must be"),
    (dict(dtype=np.int32), TypeError, "`dtype` must be"),
    (dict(workers=0), ValueError, "`workers` must be"),
    (dict(out=np.zeros((1, 2, 4, 4), np.float64)), TypeError, "`out` must have dtype float32"),
    (dict(out=np.zeros((1, 2, 4, 5), np.float32)), ValueError, "`out` must have shape \\(1, 2, 4, 4\\)"),
    (dict(out=[0.0]), TypeError, "`out` must be a numpy.ndarray"),
])
def test_errors_name_the_parameter(kwargs, error, match):
    args = dict(input=X, weight=W) | kwargs
    with pytest.raises(error, match=match):
        convpool.conv2d(args.pop("input"), args.pop("weight"), **args)


def test_read_only_out_is_refused():
    out = np.zeros((1, 2, 4, 4), np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="`out` must be writeable"):
        convpool.conv2d(X, W, out=out)


def test_threads_at_once_on_shared_inputs():
    """Eight threads at once, each call also split into bands: one thread's results."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, (4, 6, 33, 47), dtype=np.uint8)
    x.flags.writeable = False
    w = rng.standard_normal((12, 3, 3, 3))
    jobs = [dict(groups=2), dict(groups=2, stride=2, padding="same", dtype=np.float32),
            dict(groups=2, dilation=2, padding=(2, 1), dtype=np.uint8)]
    expected = [convpool.conv2d(x, w, **job) for job in jobs]

    def run(t: int) -> None:
        with _config.override(min_pixels_per_thread=1):  # a context variable: per thread
            for _ in range(5):
                for job, want in zip(jobs, expected, strict=True):
                    assert_identical(convpool.conv2d(x, w, workers=1 + t % 2, **job), want)

    with ThreadPoolExecutor(8) as pool:
        for future in [pool.submit(run, t) for t in range(8)]:
            future.result()


def test_huge_strides_dilations_and_padding():
    """Strides past the input give one output; paddings whose padded size would overflow
    the kernel's indices are refused; nothing crashes."""
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    w = np.ones((1, 1, 2, 2))
    for big in (2**40, 2**62, 2**63 - 1):
        assert_identical(convpool.conv2d(x, w, stride=big), reference(x, w)[:, :, :1, :1])
        assert convpool.conv2d(x, w, dilation=big).shape == (1, 1, 0, 0)
    got = convpool.conv2d(x, w, stride=(1, 2**40), padding=(0, 2**40))  # 3 columns: the middle one reads x
    assert got.shape == (1, 1, 2, 3)
    assert_identical(got[..., 1], reference(x, w, padding=(0, 0))[..., 0])
    assert not got[..., 0].any() and not got[..., 2].any()
    with pytest.raises(ValueError, match="`padding` must leave the padded input below 2"):
        convpool.conv2d(x, w, stride=2**62, padding=2**61)
    with pytest.raises(ValueError, match="`padding` must leave"):
        convpool.conv2d(x, w, padding=10**30)
    with pytest.raises(MemoryError):  # one output row, whose filter spans 2**36 rows of zeros
        convpool.conv2d(x, np.ones((1, 1, 3, 3)), stride=(2**40, 1), dilation=(2**35, 1), padding=(2**36, 0))
