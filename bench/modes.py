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


def median_times(functions: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each function, run in interleaved rounds so that a busy
    machine slows every contender alike."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for f in functions.values():
        f()  # warm up
    for _ in range(repeats):
        for name, f in functions.items():
            t = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


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
    for mode in ("reflect", "mirror", "nearest", "constant", "wrap"):
        border = getattr(cv2, OPENCV.get(mode, "BORDER_WRAP"))
        contenders = {
            "keep": lambda: convpool.convolve(image, kernel, dtype=np.float64),
            "ours": lambda mode=mode: convpool.convolve(image, kernel, mode=mode, dtype=np.float64),
            "padded": lambda mode=mode: convpool.convolve(np.pad(image, half, mode=NUMPY_PAD[mode]), kernel,
                                                          mode="valid", dtype=np.float64),
            "scipy": lambda mode=mode: ndi.correlate(as_float, kernel, mode=mode),
        }
        if mode in OPENCV:
            contenders["cv2"] = lambda border=border: cv2.filter2D(image, cv2.CV_64F, kernel, borderType=border)
        t = median_times(contenders, repeats)
        ours = convpool.convolve(image, kernel, mode=mode, dtype=np.float64)
        cells = [f"{t['ours'] * 1e3:.2f} ms ({t['ours'] / t['keep']:.2f}x keep's {t['keep'] * 1e3:.2f} ms)",
                 f"{t['padded'] * 1e3:.2f} ms ({t['padded'] / t['ours']:.2f}x)"]
        same = np.array_equal(ours, ndi.correlate(as_float, kernel, mode=mode))
        cells.append(f"{t['scipy'] * 1e3:.2f} ms ({t['scipy'] / t['ours']:.2f}x){'' if same else ' DIFFERS'}")
        if mode in OPENCV:
            cv_same = np.array_equal(ours, cv2.filter2D(image, cv2.CV_64F, kernel, borderType=border))
            cells.append(f"{t['cv2'] * 1e3:.2f} ms ({t['cv2'] / t['ours']:.2f}x)"
                         f"{'' if cv_same else ' differs (DFT)'}")
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
            ours = lambda mode=mode: convpool.dask.convolve(x, kernel, mode=mode, dtype=np.float64).compute()  # noqa: E731
            theirs = lambda mode=mode: ndfilters.correlate(x.astype(np.float64), kernel, mode=mode).compute()  # noqa: E731
            t = median_times({"ours": ours, "theirs": theirs}, repeats)
            t_ours, t_theirs = t["ours"], t["theirs"]
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
