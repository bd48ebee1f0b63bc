import numpy as np
import numpy.typing as npt

def cpu_has_avx2() -> bool: ...
def correlate_float(
    image: npt.NDArray[np.generic],
    kernel: npt.NDArray[np.float64],
    weight: float,
    out: npt.NDArray[np.uint8 | np.float32 | np.float64],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def correlate_int16(
    image: npt.NDArray[np.uint8 | np.int8],
    kernel: npt.NDArray[np.int64],
    weight: float,
    out: npt.NDArray[np.uint8 | np.float32 | np.float64],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def correlate_int32(
    image: npt.NDArray[np.uint8 | np.int8 | np.uint16 | np.int16],
    kernel: npt.NDArray[np.int64],
    weight: float,
    out: npt.NDArray[np.uint8 | np.float32 | np.float64],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def correlate_int(
    image: npt.NDArray[np.integer],
    kernel: npt.NDArray[np.int64],
    weight: float,
    out: npt.NDArray[np.uint8 | np.float32 | np.float64],
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
