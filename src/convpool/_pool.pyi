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
