"""Every bad argument of every public function: a TypeError (wrong type) or ValueError
(wrong value or shape) whose message names the argument, and nothing changed.

One table, ``(function, arguments, exception, message)``: convolve, the three poolings,
the convpool.dask functions (skipped where Dask is not installed; they check their
arguments when called, before anything is computed), kernels.Kernel and kernels.get.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import convpool
from helpers import digest

IMAGE = np.arange(36, dtype=np.uint8).reshape(6, 6)
K3 = np.ones((3, 3))
POOLS = ("max_pool", "min_pool", "avg_pool")
# max_unpool's `values` and `indices`, those of a 2x2 max_pool of a 4 x 4 image.
UNPOOL_VALUES = np.arange(4, dtype=np.float32).reshape(2, 2)
UNPOOL_INDICES = np.array([[0, 3], [9, 15]])
# The arguments each function is called with, but for those a case changes.
DEFAULTS = {
    "convolve": {"image": IMAGE, "kernel": K3},
    **{name: {"image": IMAGE} for name in POOLS},
    "max_unpool": {"values": UNPOOL_VALUES, "indices": UNPOOL_INDICES},
    "kernels.Kernel": {"name": "mine", "matrix": [[1, 2]]},
    "kernels.get": {},
}


def read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def case(function: str, error: type[Exception], match: str, **arguments) -> pytest.ParameterSet:
    """A call of `function` with `arguments` (its DEFAULTS for the others) that raises."""
    label = ",".join(f"{k}={describe(v)}" for k, v in arguments.items())
    return pytest.param(function, arguments, error, match, id=f"{function}({label})")


def describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.dtype}[{'x'.join(map(str, value.shape))}]" + ("" if value.flags.writeable else "-read-only")
    if isinstance(value, type):
        return value.__name__
    text = repr(value).replace(" ", "")
    return text if len(text) <= 24 else text[:21] + "..."


# ---------------------------------------------------------------- convolve

# The arguments convpool.dask.convolve shares with convolve (all but `out` and `workers`).
CONVOLVE = [
    (TypeError, r"`image` must hold real numbers.*complex128", {"image": IMAGE.astype(complex)}),
    (TypeError, r"`image` must hold real numbers.*object", {"image": IMAGE.astype(object)}),
    (TypeError, r"`image` must hold real numbers", {"image": IMAGE.astype("M8[s]")}),
    (ValueError, r"`image` must be 2-D, got 1-D", {"image": np.arange(5)}),
    (ValueError, r"`image` must be 2-D, got 0-D", {"image": np.float64(3)}),
    (ValueError, r"`image` must be 2-D, got 3-D; .*pass `axes`", {"image": np.zeros((2, 3, 4))}),
    (ValueError, r"`kernel` must be 2-D, got shape \(3,\)", {"kernel": [1, 2, 3]}),
    (ValueError, r"`kernel` must have at least one element", {"kernel": np.zeros((0, 3))}),
    (ValueError, r"`kernel` must be finite", {"kernel": [[1, np.nan]]}),
    (ValueError, r"`kernel` must be finite", {"kernel": [[1, np.inf]]}),
    (TypeError, r"`kernel` must hold real numbers", {"kernel": [[1j]]}),
    (ValueError, r"`kernel` must be a rectangular", {"kernel": [[1, 2], [3]]}),
    (ValueError, r"`kernel` must be a matrix, .*got the unknown name 'abc'; the names: edges, ", {"kernel": "abc"}),
    (TypeError, r"`kernel` must hold real numbers", {"kernel": [["a", "b"]]}),
    (TypeError, r"`weight` must be a real number, got str", {"weight": "2"}),
    (TypeError, r"`weight` must be a real number, got NoneType", {"weight": None}),
    (TypeError, r"`weight` must be a real number, got complex", {"weight": 1j}),
    (TypeError, r"`weight` must be a real number, got bool", {"weight": True}),
    (ValueError, r"`weight` must be finite, got nan", {"weight": np.nan}),
    (ValueError, r"`weight` must be finite, got -inf", {"weight": -np.inf}),
    (ValueError, r"`mode` must be one of \('keep', 'valid', 'reflect', .*'grid-wrap'\), got 'same'", {"mode": "same"}),
    (ValueError, r"`mode` must be one of .* got 'symmetric'", {"mode": "symmetric"}),
    (TypeError, r"`mode` must be a string, got int", {"mode": 1}),
    (TypeError, r"`cval` must be a real number, got str", {"cval": "1"}),
    (TypeError, r"`cval` must be a real number, got NoneType", {"cval": None, "mode": "constant"}),
    (TypeError, r"`cval` must be a real number, got bool", {"cval": True}),
    (ValueError, r"`cval` must be finite, got nan", {"cval": np.nan, "mode": "constant"}),
    (ValueError, r"`cval` must be finite, got inf", {"cval": np.inf}),
    (TypeError, r"`dtype` must be numpy.uint8, numpy.uint16, numpy.int16, numpy.float32 or numpy.float64",
     {"dtype": np.int32}),
    (TypeError, r"`dtype` must be numpy.uint8", {"dtype": "nonsense"}),
    (TypeError, r"`dtype` must be numpy.uint8", {"dtype": np.float16}),
    (ValueError, r"`axes` must name two different axes", {"axes": (0, 0)}),
    (ValueError, r"`axes` entry 2 is out of range for a 2-D `image`", {"axes": (0, 2)}),
    (TypeError, r"`axes` must be a pair of ints", {"axes": (0,)}),
    (TypeError, r"`axes` must be a pair of ints", {"axes": (0, 1.0)}),
    (TypeError, r"`axes` must be a pair of ints", {"axes": 3}),
    (ValueError, r"`image` must have at least 2 dimensions", {"image": np.arange(5), "axes": (0, 1)}),
]
CONVOLVE_IN_MEMORY = [
    (TypeError, r"`image` must hold real numbers", {"image": [["a", "b"], ["c", "d"]]}),
    (ValueError, r"`image` must be a rectangular array", {"image": [[1, 2], [3]]}),
    (ValueError, r"`workers` must be a positive int or -1", {"workers": 0}),
    (ValueError, r"`workers` must be a positive int or -1", {"workers": -2}),
    (TypeError, r"`workers` must be an int, got float", {"workers": 1.5}),
    (TypeError, r"`workers` must be an int, got bool", {"workers": True}),
    (TypeError, r"`out` must be a numpy.ndarray, got list", {"out": [[0] * 6] * 6}),
    (ValueError, r"`out` must have shape \(6, 6\), got \(4, 4\)", {"out": np.zeros((4, 4), np.uint8)}),
    (ValueError, r"`out` must have shape \(4, 4\), got \(6, 6\)", {"out": np.zeros((6, 6), np.uint8), "mode": "valid"}),
    (TypeError, r"`out` must have dtype uint8, got float32", {"out": np.zeros((6, 6), np.float32)}),
    (TypeError, r"`out` must have dtype float64, got >f8", {"out": np.zeros((6, 6), ">f8"), "dtype": np.float64}),
    (ValueError, r"`out` must be writeable, got a read-only array", {"out": read_only(np.zeros((6, 6), np.uint8))}),
]

# ---------------------------------------------------------------- pooling

# The arguments max_pool, min_pool and avg_pool share, also with convpool.dask's.
POOLING = [
    (TypeError, r"`image` must hold real numbers", {"image": IMAGE.astype(np.complex64)}),
    (ValueError, r"`image` must be 2-D, got 1-D", {"image": np.arange(4)}),
    (ValueError, r"`image` must be 2-D, got 3-D; .*pass `axes`", {"image": np.zeros((2, 2, 2))}),
    (ValueError, r"`size` must be at least 1, got 0", {"size": 0}),
    (ValueError, r"`size` must be at least 1", {"size": (2, -1)}),
    (TypeError, r"`size` must be an int or a pair of ints, got '2'", {"size": "2"}),
    (TypeError, r"`size` must be an int or a pair of ints", {"size": 2.0}),
    (TypeError, r"`size` must be an int or a pair of ints", {"size": (2, 2, 2)}),
    (TypeError, r"`size` must be an int or a pair of ints", {"size": (2, 2.5)}),
    (ValueError, r"`stride` must be at least 1, got 0", {"stride": 0}),
    (ValueError, r"`stride` must be at least 1", {"stride": (1, 0)}),
    (TypeError, r"`stride` must be an int or a pair of ints", {"stride": 1.5}),
    (TypeError, r"`stride` must be an int or a pair of ints", {"stride": True}),
    (TypeError, r"`ceil_mode` must be a bool, got int", {"ceil_mode": 1}),
    (TypeError, r"`ceil_mode` must be a bool, got str", {"ceil_mode": "yes"}),
    (TypeError, r"`ceil_mode` must be a bool, got NoneType", {"ceil_mode": None}),
    (ValueError, r"`axes` must name two different axes", {"axes": (1, 1)}),
    (ValueError, r"`axes` entry 3 is out of range for a 2-D `image`", {"axes": (0, 3)}),
]
POOLING_IN_MEMORY = [
    (ValueError, r"`workers` must be a positive int or -1", {"workers": 0}),
    (TypeError, r"`out` must be a numpy.ndarray, got str", {"out": "x"}),
    (ValueError, r"`out` must have shape \(3, 3\), got \(2, 2\)", {"out": np.zeros((2, 2), np.uint8)}),
    (ValueError, r"`out` must have shape \(2, 2\), got \(3, 3\)", {"out": np.zeros((3, 3), np.uint8), "size": 3}),
]
# avg_pool's own `dtype`, and the `out` dtype of each pooling (a uint8 image).
AVG_DTYPE = [
    (TypeError, r"`dtype` must be None, numpy.float16, numpy.float32 or numpy.float64, got <class 'numpy.uint8'>",
     {"dtype": np.uint8}),
    (TypeError, r"`dtype` must be None, numpy.float16, numpy.float32 or numpy.float64", {"dtype": np.int32}),
    (TypeError, r"`dtype` must be None, numpy.float16, numpy.float32 or numpy.float64", {"dtype": "nonsense"}),
    (TypeError, r"`dtype` must be None, numpy.float16, numpy.float32 or numpy.float64", {"dtype": np.complex128}),
]
# PyTorch's and Keras's options: `padding` (all three), `dilation` and `return_indices`
# (max_pool, min_pool), `count_include_pad` and `divisor_override` (avg_pool).
PADDING = [
    (ValueError, r"`padding` must be at least 0, got -1", {"padding": -1}),
    (ValueError, r"`padding` must be at least 0, got \(0, -2\)", {"padding": (0, -2)}),
    (ValueError, r"`padding` must be at most half the window \(size // 2 = \(1, 1\)", {"padding": 2}),
    (ValueError, r"`padding` must be at most half the window \(size // 2 = \(1, 0\) for size \(3, 1\)",
     {"padding": (1, 1), "size": (3, 1)}),
    (ValueError, r"`padding` must be an int, a pair of ints, 'same' or 'valid', got 'full'", {"padding": "full"}),
    (ValueError, r"`padding` must be an int, a pair of ints, 'same' or 'valid', got 'SAME'", {"padding": "SAME"}),
    (TypeError, r"`padding` must be an int, a pair of ints, 'same' or 'valid', got 1.0", {"padding": 1.0}),
    (TypeError, r"`padding` must be an int, a pair of ints", {"padding": (1, 1, 1)}),
    (TypeError, r"`padding` must be an int, a pair of ints", {"padding": True}),
    (TypeError, r"`padding` must be an int, a pair of ints", {"padding": None}),
    (ValueError, r"`ceil_mode` must be False with padding='same'", {"padding": "same", "ceil_mode": True}),
]
EXTREME_OPTIONS = [
    (ValueError, r"`dilation` must be at least 1, got 0", {"dilation": 0}),
    (ValueError, r"`dilation` must be at least 1", {"dilation": (1, -1)}),
    (TypeError, r"`dilation` must be an int or a pair of ints", {"dilation": 1.5}),
    (ValueError, r"`dilation` 5 with `padding` 1 leaves column window 0 no pixel of the image",
     {"image": np.zeros((9, 4)), "size": 2, "padding": 1, "dilation": 5}),
    (TypeError, r"`return_indices` must be a bool, got int", {"return_indices": 1}),
    (ValueError, r"`dilation` 4611686018427387904 with `size` \(3, 3\) spans 2\*\*62 pixels or more",
     {"size": 3, "dilation": 2**62, "ceil_mode": True}),
]
AVG_OPTIONS = [
    (TypeError, r"`count_include_pad` must be a bool, got str", {"count_include_pad": "no"}),
    (ValueError, r"`divisor_override` must not be 0", {"divisor_override": 0}),
    (TypeError, r"`divisor_override` must be None or an int, got float", {"divisor_override": 2.0}),
    (TypeError, r"`divisor_override` must be None or an int, got bool", {"divisor_override": True}),
    (TypeError, r"unexpected keyword argument 'return_indices'", {"return_indices": True}),
    (TypeError, r"unexpected keyword argument 'dilation'", {"dilation": 2}),
]
DASK_REFUSED = [
    (ValueError, r"`padding` must be 0 or 'valid' in convpool.dask, got 1", {"padding": 1}),
    (ValueError, r"`padding` must be 0 or 'valid' in convpool.dask, got 'same'", {"padding": "same"}),
]
UNPOOL = [
    case("max_unpool", ValueError, r"`indices` must have the shape of `values` \(2, 2\), got \(2, 3\)",
         indices=np.zeros((2, 3), np.int64)),
    case("max_unpool", ValueError, r"`indices` must have the shape of `values` \(2, 2\), got \(4,\)",
         indices=np.arange(4)),
    case("max_unpool", TypeError, r"`indices` must be an integer array .*got dtype float64",
         indices=UNPOOL_INDICES.astype(float)),
    case("max_unpool", TypeError, r"`indices` must be an integer array .*got dtype bool",
         indices=UNPOOL_INDICES > 3),
    case("max_unpool", ValueError, r"`indices` must be in 0..15 \(an output plane of 4 x 4\), got 0..16",
         indices=UNPOOL_INDICES + np.array([[0, 0], [0, 1]])),
    case("max_unpool", ValueError, r"`indices` must be in 0..8 \(an output plane of 3 x 3\)", output_size=(3, 3)),
    case("max_unpool", ValueError, r"`indices` must be in", indices=-UNPOOL_INDICES),
    # Planes NumPy cannot allocate, named by the parameter that made them so.
    case("max_unpool", ValueError, r"`stride` 1099511627776 gives output planes of 1099511627778 x "
         r"1099511627778, more bytes than any array can hold", stride=2**40),
    case("max_unpool", ValueError, r"`output_size` \(4611686018427387904, 4\) gives output planes",
         output_size=(2**62, 4)),
    case("max_unpool", ValueError, r"`size` 1099511627776 gives output planes", size=2**40),
    case("max_unpool", ValueError, r"`output_size` must be the 2 spatial sizes or the whole shape",
         output_size=(4, 4, 1)),
    case("max_unpool", ValueError, r"`output_size` must not be negative", output_size=(4, -4)),
    case("max_unpool", TypeError, r"`output_size` must be a tuple of ints, got 16", output_size=16),
    case("max_unpool", ValueError, r"`padding` must be at most half the window", padding=2),
    case("max_unpool", ValueError, r"`padding` of max_unpool must be an int or a pair of ints, got 'same'",
         padding="same"),
    case("max_unpool", ValueError, r"`size` must be at least 1", size=0),
    case("max_unpool", TypeError, r"`values` must hold real numbers", values=UNPOOL_VALUES.astype(complex)),
    case("max_unpool", ValueError, r"`values` must be 2-D, got 3-D; .*pass `axes`",
         values=np.zeros((1, 2, 2)), indices=np.zeros((1, 2, 2), np.int64)),
]
OUT_DTYPE = {
    "max_pool": (np.uint8, r"`out` must have dtype uint8, got int16", np.int16),
    "min_pool": (np.uint8, r"`out` must have dtype uint8, got float64", np.float64),
    "avg_pool": (np.float64, r"`out` must have dtype float64, got uint8", np.uint8),
}

# ---------------------------------------------------------------- named kernels

KERNELS = [
    case("kernels.Kernel", ValueError, r"`matrix` must be 2-D, got shape \(3,\)", matrix=[1, 2, 3]),
    case("kernels.Kernel", ValueError, r"`matrix` must have at least one element, got shape \(0, 3\)",
         matrix=np.zeros((0, 3))),
    case("kernels.Kernel", ValueError, r"`matrix` must be finite \(no NaN or inf\)", matrix=[[np.nan]]),
    case("kernels.Kernel", TypeError, r"`matrix` must hold real numbers, got dtype complex128", matrix=[[1j]]),
    case("kernels.Kernel", ValueError, r"`matrix` must be a rectangular", matrix=[[1, 2], [3]]),
    case("kernels.Kernel", ValueError, r"`weight` must be finite", weight=float("inf")),
    case("kernels.Kernel", TypeError, r"`weight` must be a real number, got str", weight="1/9"),
    case("kernels.get", ValueError, r"unknown kernel 'blurry'; valid names: edges, horizontal_lines, .*gaussian_5x5",
         name="blurry"),
    case("kernels.get", ValueError, r"unknown kernel 'sobel'; valid names:", name="sobel"),
    case("kernels.get", TypeError, r"`name` must be a string, got int", name=3),
    case("kernels.get", TypeError, r"`name` must be a string, got NoneType", name=None),
]

CASES = [
    *(case("convolve", e, m, **a) for e, m, a in CONVOLVE + CONVOLVE_IN_MEMORY),
    *(case(f, e, m, **a) for f in POOLS for e, m, a in POOLING + POOLING_IN_MEMORY),
    *(case(f, TypeError, m, out=np.zeros((3, 3), wrong)) for f, (_, m, wrong) in OUT_DTYPE.items()),
    *(case(f, ValueError, r"`out` must be writeable, got a read-only array", out=read_only(np.zeros((3, 3), dt)))
      for f, (dt, _, _) in OUT_DTYPE.items()),
    *(case("avg_pool", e, m, **a) for e, m, a in AVG_DTYPE),
    *(case(f, e, m, **a) for f in POOLS for e, m, a in PADDING),
    *(case(f, e, m, **a) for f in ("max_pool", "min_pool") for e, m, a in EXTREME_OPTIONS),
    *(case("avg_pool", e, m, **a) for e, m, a in AVG_OPTIONS),
    *UNPOOL,
    *KERNELS,
    *(case("dask.convolve", e, m, **a) for e, m, a in CONVOLVE),
    *(case(f"dask.{f}", e, m, **a) for f in POOLS for e, m, a in POOLING),
    *(case("dask.avg_pool", e, m, **a) for e, m, a in AVG_DTYPE),
    *(case(f"dask.{f}", e, m, **a) for f in POOLS for e, m, a in PADDING + DASK_REFUSED),
    *(case(f"dask.{f}", e, m, **a) for f in ("max_pool", "min_pool") for e, m, a in EXTREME_OPTIONS[:3]),
    *(case(f"dask.{f}", ValueError, r"`return_indices` must be False in convpool.dask", return_indices=True)
      for f in ("max_pool", "min_pool")),
    *(case("dask.avg_pool", e, m, **a) for e, m, a in AVG_OPTIONS),
]


def function_named(name: str):
    if name.startswith("dask."):
        pytest.importorskip("dask.array")
        return getattr(importlib.import_module("convpool.dask"), name.removeprefix("dask."))
    if name.startswith("kernels."):
        return getattr(convpool.kernels, name.removeprefix("kernels."))
    return getattr(convpool, name)


@pytest.mark.parametrize(("function", "arguments", "error", "match"), CASES)
def test_bad_arguments_raise_naming_them(function, arguments, error, match):
    args = {**DEFAULTS[function.removeprefix("dask.")], **arguments}
    if function.startswith("dask.") and isinstance(args["image"], np.ndarray) and args["image"].ndim:
        da = pytest.importorskip("dask.array")
        args["image"] = da.from_array(args["image"], chunks=2)
    arrays = {k: (v, digest(v)) for k, v in args.items() if isinstance(v, np.ndarray)}
    with pytest.raises(error, match=match):
        function_named(function)(**args)
    for name, (value, before) in arrays.items():  # `out` too: an error writes nothing
        assert digest(value) == before, name


def test_long_double_is_refused():
    if np.dtype(np.longdouble).itemsize <= 8:
        pytest.skip("long double is float64 on this platform")
    with pytest.raises(TypeError, match=r"`image` must hold real numbers \(bool, integer or float16/32/64\)"):
        convpool.convolve(IMAGE.astype(np.longdouble), K3)
    with pytest.raises(TypeError, match=r"`kernel` must hold real numbers"):
        convpool.convolve(IMAGE, K3.astype(np.longdouble))
    with pytest.raises(TypeError, match=r"`image` must hold real numbers"):
        convpool.max_pool(IMAGE.astype(np.longdouble))
    with pytest.raises(TypeError, match=r"`dtype` must be None, numpy.float16, numpy.float32 or numpy.float64"):
        convpool.avg_pool(IMAGE, dtype=np.longdouble)


def test_an_error_after_the_checks_leaves_out_untouched():
    """A kernel found bad after `out` was accepted still writes nothing."""
    out = np.full((6, 6), 9, np.uint8)
    with pytest.raises(ValueError, match="`kernel` must be finite"):
        convpool.convolve(IMAGE, [[np.nan]], out=out)
    assert (out == 9).all()
