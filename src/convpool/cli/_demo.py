"""``convpool demo``: the codelab's three filters and 2x2 max pooling on the bundled image."""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image

from .. import convolve, data, kernels, max_pool, reference
from ._common import EXIT_FAILED, EXIT_OK, FileError, err, fmt_seconds, shown, size
from ._overview import overview
from ._signals import StopRequest
from ._write import check_writable, new_folder, remove_stale_temps, save_atomic

T = TypeVar("T")

# Repeats behind each timing the demo prints: the median of a few is steady on a busy machine.
TIMING_REPEATS = 5


def _median_time(func: Callable[[], T], repeats: int = TIMING_REPEATS) -> tuple[T, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


def demo(args: argparse.Namespace) -> int:
    """Run ``convpool demo`` with parsed ``args``; return the exit status."""
    try:
        return _run_demo(args)
    except (OSError, FileError) as exc:  # a read-only or full disk, say
        err(f"demo: {exc}")
        return EXIT_FAILED


def _run_demo(args: argparse.Namespace) -> int:
    # Whether the folder takes files is checked first, before the work, and reported
    # by the folder's name rather than by a temporary file's.
    if args.out is None:
        check_writable(Path.cwd())
        out = new_folder(Path.cwd(), "convpool-demo")
        where = f"{out.name}{os.sep} (a new folder in {Path.cwd()})"
    else:
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            args.parser.error(f"argument --out: {shown(str(out))} exists and is not a folder")
        check_writable(out)
        out.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(out)
        where = f"{out}{os.sep}"

    image = data.ascent()
    names = [("ascent.png", image, "the input")]
    panels: list[tuple[str, np.ndarray]] = [("ascent", image)]
    timings: list[tuple[str, float, float]] = []
    for k in kernels.CODELAB:
        fmap, t_conv = _median_time(partial(convolve, image, k.matrix, k.weight))
        pooled, t_pool = _median_time(partial(max_pool, fmap))
        timings.append((k.name, t_conv, t_pool))
        names.append((f"{k.name}.png", fmap, f"feature map, {k.name.replace('_', ' ')}"))
        names.append((f"{k.name}_pooled.png", pooled, "2x2 max pooled"))
        panels.append((k.name.replace("_", " "), fmap))
        panels.append((f"{k.name.replace('_', ' ')}, pooled", pooled))
    picture = overview(panels)

    targets = [out / n for n, _, _ in names] + [out / "overview.png"]
    clashes = [str(t) for t in targets if t.exists()]
    if clashes and not args.overwrite:
        err(
            f"demo: {', '.join(clashes)} exist{'s' if len(clashes) == 1 else ''} "
            "(pass --overwrite to replace, or choose another --out)"
        )
        return EXIT_FAILED
    # The maps and the overview are marked as convpool's outputs, the input is not: it
    # stays an input for `convpool apply` on this folder.
    files: list[tuple[Image.Image, str, str | None]] = [(Image.fromarray(image), names[0][0], None)]
    files += [(Image.fromarray(array), name, f"convpool demo: {name}, {what}") for name, array, what in names[1:]]
    files.append((picture, "overview.png", "convpool demo: overview.png"))
    stop: StopRequest = args.stop
    for done, (picture_file, name, description) in enumerate(files):
        if stop:
            err(stop.summary(done, len(files)))
            return stop.status
        save_atomic(picture_file, out / name, args.overwrite, description)

    print("convpool demo: the codelab's three 3x3 filters on the bundled ascent image, then 2x2 max pooling")
    print(f"wrote {len(targets)} images to {where}, sizes in rows x columns:")
    width = max(len(n) for n, _, _ in names)
    for name, array, what in names:
        print(f"  {name:<{width}}  {size(array.shape):>11}  {what}")
    overview_size = size((picture.height, picture.width))
    print(f"  {'overview.png':<{width}}  {overview_size:>11}  all of the above, titled: look at this one")
    print(f"time per call (median of {TIMING_REPEATS}, one thread), 512 x 512 uint8:")
    name_width = max(len(name) for name, _, _ in timings)
    for name, t_conv, t_pool in timings:
        print(f"  {name:<{name_width}}  convolve {fmt_seconds(t_conv):>9}   max_pool {fmt_seconds(t_pool):>9}")
    if args.codelab_loop:
        k = kernels.VERTICAL_LINES
        start = time.perf_counter()
        theirs = reference.codelab_convolution(image, k.matrix.T, k.weight)
        t_loop = time.perf_counter() - start
        ours = dict((n, t) for n, t, _ in timings)[k.name]
        same = bool((theirs == convolve(image, k.matrix, k.weight)).all())
        print(
            f"the codelab's Python loop, one 3x3 pass ({k.name}, its filter transposed): "
            f"{fmt_seconds(t_loop)}, {t_loop / ours:,.0f}x convolve's time; "
            f"same pixels: {'yes' if same else 'NO'}"
        )
    else:
        print("add --codelab-loop to time the codelab's own Python loop for comparison")
    return EXIT_OK
