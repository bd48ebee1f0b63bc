import numpy as np
import numpy.typing as npt

IMAGE_KINDS: tuple[str, ...]
OUT_KINDS: tuple[str, ...]
INT_IMAGES: dict[int, tuple[str, ...]]
PAIRS: bool

def cpu_has_avx2() -> bool: ...
def correlate_float(
    image: npt.NDArray[np.uint8],
    image_kind: int,
    kernel: npt.NDArray[np.float64],
    weight: float,
    out: npt.NDArray[np.uint8],
    out_kind: int,
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def correlate_int(
    image: npt.NDArray[np.uint8],
    image_kind: int,
    kernel: npt.NDArray[np.int64],
    acc_bits: int,
    weight: float,
    out: npt.NDArray[np.uint8],
    out_kind: int,
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
def correlate_pairs(
    image: npt.NDArray[np.uint8],
    pairs: npt.NDArray[np.int64],
    weight: float,
    out: npt.NDArray[np.uint8],
    out_kind: int,
    keep: bool,
    row_start: int,
    row_stop: int,
) -> None: ...
