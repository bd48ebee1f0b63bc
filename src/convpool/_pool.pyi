import numpy as np
import numpy.typing as npt

IMAGE_KINDS: tuple[str, ...]
MEAN_KINDS: tuple[str, ...]

def extreme_pool(
    image: npt.NDArray[np.uint8],
    kind: int,
    out: npt.NDArray[np.uint8],
    size_r: int,
    size_c: int,
    stride_r: int,
    stride_c: int,
    pad_r: int,
    pad_c: int,
    dil_r: int,
    dil_c: int,
    find_max: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def arg_pool(
    image: npt.NDArray[np.uint8],
    kind: int,
    out: npt.NDArray[np.uint8],
    indices: npt.NDArray[np.int64],
    size_r: int,
    size_c: int,
    stride_r: int,
    stride_c: int,
    pad_r: int,
    pad_c: int,
    dil_r: int,
    dil_c: int,
    find_max: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def avg_pool(
    image: npt.NDArray[np.uint8],
    kind: int,
    out: npt.NDArray[np.uint8],
    out_kind: int,
    size_r: int,
    size_c: int,
    stride_r: int,
    stride_c: int,
    pad_r: int,
    pad_c: int,
    include_pad: bool,
    divisor: int,
    row_start: int,
    row_stop: int,
) -> None: ...
