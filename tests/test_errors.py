"""Every bad argument gets a TypeError or ValueError that names it, and changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

import convpool

IMAGE = np.arange(36, dtype=np.uint8).reshape(6, 6)
K3 = np.ones((3, 3))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"image": IMAGE.astype(complex)}, TypeError, r"`image` must hold real numbers.*complex128"),
        ({"image": IMAGE.astype(object)}, TypeError, r"`image` must hold real numbers.*object"),
        ({"image": [["a", "b"], ["c", "d"]]}, TypeError, r"`image` must hold real numbers"),
        ({"image": IMAGE.astype("M8[s]")}, TypeError, r"`image` must hold real numbers"),
        ({"image": [[1, 2], [3]]}, ValueError, r"`image` must be a rectangular array"),
        ({"image": np.arange(5)}, ValueError, r"`image` must be 2-D, got 1-D"),
        ({"image": np.float64(3)}, ValueError, r"`image` must be 2-D, got 0-D"),
        ({"image": np.zeros((2, 3, 4))}, ValueError, r"`image` must be 2-D, got 3-D; .*pass `axes`"),
        ({"kernel": [1, 2, 3]}, ValueError, r"`kernel` must be 2-D, got shape \(3,\)"),
        ({"kernel": np.zeros((0, 3))}, ValueError, r"`kernel` must have at least one element"),
        ({"kernel": [[1, np.nan]]}, ValueError, r"`kernel` must be finite"),
        ({"kernel": [[1, np.inf]]}, ValueError, r"`kernel` must be finite"),
        ({"kernel": [[1j]]}, TypeError, r"`kernel` must hold real numbers"),
        ({"kernel": [[1, 2], [3]]}, ValueError, r"`kernel` must be a rectangular"),
        ({"kernel": "abc"}, TypeError, r"`kernel` must hold real numbers"),
        ({"weight": "2"}, TypeError, r"`weight` must be a real number, got str"),
        ({"weight": None}, TypeError, r"`weight` must be a real number, got NoneType"),
        ({"weight": 1j}, TypeError, r"`weight` must be a real number, got complex"),
        ({"weight": True}, TypeError, r"`weight` must be a real number, got bool"),
        ({"weight": np.nan}, ValueError, r"`weight` must be finite, got nan"),
        ({"weight": -np.inf}, ValueError, r"`weight` must be finite, got -inf"),
        (
            {"mode": "same"},
            ValueError,
            r"`mode` must be one of \('keep', 'valid', 'reflect', .*'grid-wrap'\), got 'same'",
        ),
        ({"mode": "symmetric"}, ValueError, r"`mode` must be one of .* got 'symmetric'"),
        ({"cval": "1"}, TypeError, r"`cval` must be a real number, got str"),
        ({"cval": None, "mode": "constant"}, TypeError, r"`cval` must be a real number, got NoneType"),
        ({"cval": True}, TypeError, r"`cval` must be a real number, got bool"),
        ({"cval": np.nan, "mode": "constant"}, ValueError, r"`cval` must be finite, got nan"),
        ({"cval": np.inf}, ValueError, r"`cval` must be finite, got inf"),
        ({"mode": 1}, TypeError, r"`mode` must be a string, got int"),
        ({"dtype": np.int32}, TypeError, r"`dtype` must be numpy.uint8, numpy.uint16, numpy.int16, numpy.float32 or numpy.float64"),
        ({"dtype": "nonsense"}, TypeError, r"`dtype` must be numpy.uint8"),
        ({"dtype": np.float16}, TypeError, r"`dtype` must be numpy.uint8"),
        ({"axes": (0, 0)}, ValueError, r"`axes` must name two different axes"),
        ({"axes": (0, 2)}, ValueError, r"`axes` entry 2 is out of range for a 2-D `image`"),
        ({"axes": (0,)}, TypeError, r"`axes` must be a pair of ints"),
        ({"axes": (0, 1.0)}, TypeError, r"`axes` must be a pair of ints"),
        ({"axes": 3}, TypeError, r"`axes` must be a pair of ints"),
        ({"image": np.arange(5), "axes": (0, 1)}, ValueError, r"`image` must have at least 2 dimensions"),
        ({"workers": 0}, ValueError, r"`workers` must be a positive int or -1"),
        ({"workers": -2}, ValueError, r"`workers` must be a positive int or -1"),
        ({"workers": 1.5}, TypeError, r"`workers` must be an int, got float"),
        ({"workers": True}, TypeError, r"`workers` must be an int, got bool"),
        ({"out": [[0] * 6] * 6}, TypeError, r"`out` must be a numpy.ndarray, got list"),
        ({"out": np.zeros((4, 4), np.uint8)}, ValueError, r"`out` must have shape \(6, 6\), got \(4, 4\)"),
        ({"out": np.zeros((6, 6), np.float32)}, TypeError, r"`out` must have dtype uint8, got float32"),
        ({"out": np.zeros((6, 6), ">f8"), "dtype": np.float64}, TypeError, r"`out` must have dtype float64, got >f8"),
    ],
)
def test_convolve_errors(kwargs, error, match):
    args = {"image": IMAGE, "kernel": K3, **kwargs}
    image = args.pop("image")
    kernel = args.pop("kernel")
    with pytest.raises(error, match=match):
        convpool.convolve(image, kernel, **args)


def test_read_only_out_is_refused_and_untouched():
    out = np.zeros((6, 6), np.uint8)
    out.flags.writeable = False
    with pytest.raises(ValueError, match=r"`out` must be writeable, got a read-only array"):
        convpool.convolve(IMAGE, K3, out=out)
    with pytest.raises(ValueError, match=r"`out` must be writeable"):
        convpool.max_pool(IMAGE, out=out[:3, :3])
    assert not out.any()


def test_errors_leave_out_untouched():
    out = np.full((6, 6), 9, np.uint8)
    with pytest.raises(ValueError, match="`kernel` must be finite"):
        convpool.convolve(IMAGE, [[np.nan]], out=out)
    assert (out == 9).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"image": IMAGE.astype(np.complex64)}, TypeError, r"`image` must hold real numbers"),
        ({"image": np.arange(4)}, ValueError, r"`image` must be 2-D, got 1-D"),
        ({"image": np.zeros((2, 2, 2))}, ValueError, r"pass `axes`"),
        ({"size": 0}, ValueError, r"`size` must be at least 1, got 0"),
        ({"size": (2, -1)}, ValueError, r"`size` must be at least 1"),
        ({"size": "2"}, TypeError, r"`size` must be an int or a pair of ints, got '2'"),
        ({"size": 2.0}, TypeError, r"`size` must be an int or a pair of ints"),
        ({"size": (2, 2, 2)}, TypeError, r"`size` must be an int or a pair of ints"),
        ({"size": (2, 2.5)}, TypeError, r"`size` must be an int or a pair of ints"),
        ({"stride": 0}, ValueError, r"`stride` must be at least 1, got 0"),
        ({"stride": 1.5}, TypeError, r"`stride` must be an int or a pair of ints"),
        ({"stride": True}, TypeError, r"`stride` must be an int or a pair of ints"),
        ({"axes": (1, 1)}, ValueError, r"`axes` must name two different axes"),
        ({"workers": 0}, ValueError, r"`workers` must be a positive int or -1"),
        ({"out": np.zeros((3, 3), np.int16)}, TypeError, r"`out` must have dtype uint8, got int16"),
        ({"out": np.zeros((2, 2), np.uint8)}, ValueError, r"`out` must have shape \(3, 3\), got \(2, 2\)"),
        ({"out": "x"}, TypeError, r"`out` must be a numpy.ndarray, got str"),
    ],
)
def test_max_pool_errors(kwargs, error, match):
    args = {"image": IMAGE, **kwargs}
    image = args.pop("image")
    with pytest.raises(error, match=match):
        convpool.max_pool(image, **args)


def test_long_double_is_refused():
    if np.dtype(np.longdouble).itemsize <= 8:
        pytest.skip("long double is float64 on this platform")
    with pytest.raises(TypeError, match=r"`image` must hold real numbers \(bool, integer or float16/32/64\)"):
        convpool.convolve(IMAGE.astype(np.longdouble), K3)
    with pytest.raises(TypeError, match=r"`kernel` must hold real numbers"):
        convpool.convolve(IMAGE, K3.astype(np.longdouble))


def test_kernel_array_is_neither_frozen_nor_cached_by_reference():
    kernel = np.ones((3, 3))
    first = convpool.convolve(IMAGE, kernel)
    assert kernel.flags.writeable
    kernel[1, 1] = -8  # a cache holding the caller's array would now give a wrong result
    np.testing.assert_array_equal(convpool.convolve(IMAGE, np.ones((3, 3))), first)
