"""Border modes and convpool.dask, timed against their peers in the same run.

Prints markdown tables of median wall times (and ratios to the first row of each
table). Needs scipy and opencv-python-headless; the Dask table also needs dask and
dask-image (``pip install dask-image``).

    python bench/modes.py             # 2048 x 2048 image, 7 repeats
    python bench/modes.py --quick     # a smaller run, to check that it works
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import convpool

OPENCV = {"reflect": "BORDER_REFLECT", "mirror": "BORDER_REFLECT_101", "nearest": "BORDER_REPLICATE",
          "constant": "BORDER_CONSTANT"}
NUMPY_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant"}


def median_time(f: Callable[[], object], repeats: int) -> float:
    f()  # warm up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def test_image(side: int) -> np.ndarray:
    ascent = convpool.data.ascent()
    reps = -(-side // ascent.shape[0])
    return np.ascontiguousarray(np.tile(ascent, (reps, reps))[:side, :side])


def modes_table(image: np.ndarray, ksize: int, repeats: int) -> list[str]:
    import cv2
    import scipy.ndimage as ndi

    kernel = np.random.default_rng(0).integers(-4, 5, (ksize, ksize)).astype(np.float64)
    as_float = image.astype(np.float64)
    half = ksize // 2
    rows = [f"### {image.shape[0]} x {image.shape[1]} uint8, {ksize} x {ksize} integer kernel, float64 output",
            "", "| mode | convpool | convpool on a `numpy.pad` copy | scipy.ndimage.correlate | cv2.filter2D |",
            "| --- | --- | --- | --- | --- |"]
    keep = median_time(lambda: convpool.convolve(image, kernel, dtype=np.float64), repeats)
    rows.append(f"| keep (no extension) | {keep * 1e3:.2f} ms | | | |")
    for mode in ("reflect", "mirror", "nearest", "constant", "wrap"):
        ours = median_time(lambda: convpool.convolve(image, kernel, mode=mode, dtype=np.float64), repeats)
        padded = median_time(
            lambda: convpool.convolve(np.pad(image, half, mode=NUMPY_PAD[mode]), kernel, mode="valid",
                                      dtype=np.float64), repeats)
        scipy_t = median_time(lambda: ndi.correlate(as_float, kernel, mode=mode), repeats)
        same = np.array_equal(convpool.convolve(image, kernel, mode=mode, dtype=np.float64),
                              ndi.correlate(as_float, kernel, mode=mode))
        cells = [f"{ours * 1e3:.2f} ms ({ours / keep:.2f}x keep)",
                 f"{padded * 1e3:.2f} ms ({padded / ours:.2f}x)",
                 f"{scipy_t * 1e3:.2f} ms ({scipy_t / ours:.2f}x){'' if same else ' DIFFERS'}"]
        if mode in OPENCV:
            border = getattr(cv2, OPENCV[mode])
            cv_t = median_time(lambda: cv2.filter2D(image, cv2.CV_64F, kernel, borderType=border), repeats)
            cv_same = np.array_equal(convpool.convolve(image, kernel, mode=mode, dtype=np.float64),
                                     cv2.filter2D(image, cv2.CV_64F, kernel, borderType=border))
            cells.append(f"{cv_t * 1e3:.2f} ms ({cv_t / ours:.2f}x){'' if cv_same else ' differs (DFT)'}")
        else:
            cells.append("no `BORDER_WRAP` in filter2D")
        rows.append(f"| {mode} | " + " | ".join(cells) + " |")
    rows += ["", "Ratios in the last three columns: that time over convpool's for the same mode.", ""]
    return rows


def dask_table(image: np.ndarray, chunk: int, ksize: int, repeats: int) -> list[str]:
    try:
        import dask
        import dask.array as da
        from dask_image import ndfilters
    except ImportError as exc:
        return [f"(Dask table skipped: {exc})", ""]
    import convpool.dask

    kernel = np.random.default_rng(1).integers(-4, 5, (ksize, ksize)).astype(np.float64)
    x = da.from_array(image, chunks=chunk)
    rows = [f"### Dask: {image.shape[0]} x {image.shape[1]} uint8 in {chunk} x {chunk} chunks, "
            f"{ksize} x {ksize} integer kernel, float64 output, threaded scheduler",
            "", "| mode | convpool.dask.convolve | dask_image.ndfilters.correlate | same pixels |",
            "| --- | --- | --- | --- |"]
    with dask.config.set(scheduler="threads"):
        for mode in ("reflect", "mirror", "nearest", "constant", "wrap"):
            ours = lambda: convpool.dask.convolve(x, kernel, mode=mode, dtype=np.float64).compute()  # noqa: E731
            theirs = lambda: ndfilters.correlate(x.astype(np.float64), kernel, mode=mode).compute()  # noqa: E731
            t_ours, t_theirs = median_time(ours, repeats), median_time(theirs, repeats)
            a, b = ours(), theirs()
            whole = convpool.convolve(image, kernel, mode=mode, dtype=np.float64)
            same = "yes" if np.array_equal(a, b) else f"no (max diff {np.abs(a - b).max():.3g})"
            same += "" if np.array_equal(a, whole) else "; convpool.dask DIFFERS from in-memory"
            rows.append(f"| {mode} | {t_ours * 1e3:.1f} ms | {t_theirs * 1e3:.1f} ms "
                        f"({t_theirs / t_ours:.2f}x) | {same} |")
    rows += ["", "Ratio: dask_image's time over convpool.dask's.", ""]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small image and 3 repeats")
    args = parser.parse_args()
    side, repeats, chunk = (512, 3, 128) if args.quick else (2048, 7, 512)
    image = test_image(side)
    lines = ["## Border modes", ""]
    for ksize in (3, 7):
        lines += modes_table(image, ksize, repeats)
    lines += ["## convpool.dask vs dask-image", ""]
    lines += dask_table(test_image(side * 2), chunk, 7, max(3, repeats // 2))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
