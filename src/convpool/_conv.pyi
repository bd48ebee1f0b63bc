import numpy as np
import numpy.typing as npt
from typing_extensions import CapsuleType

IMAGE_KINDS: tuple[str, ...]
OUT_KINDS: tuple[str, ...]
INT_IMAGES: dict[int, tuple[str, ...]]

TARGETS: tuple[str, ...]

def cpu_target() -> str: ...

# convolve's routes: the capsule ROWS of a target, what the plan binds, then the pixels.
def correlate_float(
    target: CapsuleType,
    image_kind: int,
    kernel: npt.NDArray[np.float64],
    fast: bool,
    out_kind: int,
    image: npt.NDArray[np.uint8],
    weight: float,
    out: npt.NDArray[np.uint8],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def correlate_int(
    target: CapsuleType,
    image_kind: int,
    kernel: npt.NDArray[np.int64],
    acc_bits: int,
    out_kind: int,
    image: npt.NDArray[np.uint8],
    weight: float,
    out: npt.NDArray[np.uint8],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def correlate_pairs(
    target: CapsuleType,
    pairs: npt.NDArray[np.int64],
    out_kind: int,
    image: npt.NDArray[np.uint8],
    weight: float,
    out: npt.NDArray[np.uint8],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def correlate_quads(
    target: CapsuleType,
    pairs: npt.NDArray[np.int64],
    out_kind: int,
    image: npt.NDArray[np.uint8],
    weight: float,
    out: npt.NDArray[np.uint8],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...

# The separable kernels (_sep.pxi.in): the kernel as its factors, of shape (1, kh), (1, kw).
SUM_KINDS: tuple[str, ...]
SUM_IMAGES: dict[str, tuple[str, ...]]

def correlate_sep_int(
    target: CapsuleType,
    image_kind: int,
    column: npt.NDArray[np.int64],
    row: npt.NDArray[np.int64],
    sum_kind: int,
    acc_kind: int,
    out_kind: int,
    image: npt.NDArray[np.uint8],
    weight: float,
    out: npt.NDArray[np.uint8],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def correlate_sep_float(
    target: CapsuleType,
    image_kind: int,
    column: npt.NDArray[np.float64],
    row: npt.NDArray[np.float64],
    out_kind: int,
    image: npt.NDArray[np.uint8],
    weight: float,
    out: npt.NDArray[np.uint8],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...

# The filter bank of conv2d (_bank.pxi.in): image (N, C, H, W) and out (N, C_out, Ho, Wo)
# of any strides, weight (C_out, C_in / groups, kh, kw) and bias (C_out,) C-contiguous float64.
def conv2d_bank(
    target: CapsuleType,
    image: npt.NDArray[np.generic],
    image_kind: int,
    weight: npt.NDArray[np.float64],
    bias: npt.NDArray[np.float64],
    groups: int,
    stride_h: int,
    stride_w: int,
    dilation_h: int,
    dilation_w: int,
    pad_top: int,
    pad_left: int,
    out: npt.NDArray[np.generic],
    out_kind: int,
    col_start: int,
    col_stop: int,
    row_start: int,
    row_stop: int,
) -> None: ...
