import numpy as np
import numpy.typing as npt

def max_pool(
    image: npt.NDArray[np.generic],
    out: npt.NDArray[np.generic],
    size_r: int,
    size_c: int,
    stride_r: int,
    stride_c: int,
    row_start: int,
    row_stop: int,
) -> None: ...
def extreme_pool(
    image: npt.NDArray[np.generic],
    out: npt.NDArray[np.generic],
    size_r: int,
    size_c: int,
    stride_r: int,
    stride_c: int,
    find_max: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def avg_pool(
    image: npt.NDArray[np.generic],
    out: npt.NDArray[np.float32 | np.float64],
    size_r: int,
    size_c: int,
    stride_r: int,
    stride_c: int,
    row_start: int,
    row_stop: int,
) -> None: ...
