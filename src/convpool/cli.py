"""The ``convpool`` command: feature maps of the bundled image and of anyone's images.

``convpool demo`` runs the codelab on the bundled ascent image, ``convpool apply`` runs
a kernel (and optionally max pooling) over files and folders of images, ``convpool
kernels`` lists the named kernels. :func:`main` is the entry point of both the console
script and ``python -m convpool``.

Exit status: 0 when everything was written; 1 when some files failed (each is reported,
the others are still processed, and a summary ends the run); 2 for a usage error
(nothing is done); 130 when interrupted with Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import secrets
import statistics
import sys
import textwrap
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

from . import data, kernels, reference
from ._convolve import convolve
from ._pooling import max_pool
from ._version import __version__

__all__ = ["main"]

T = TypeVar("T")

# Exit statuses (see the module docstring).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# A progress bar only pays for itself beyond a handful of files.
_PROGRESS_MIN_FILES = 4
# Repeats behind each timing the demo prints: the median of a few is steady on a busy machine.
_TIMING_REPEATS = 5

_FORMATTER = argparse.RawDescriptionHelpFormatter


class _FileError(Exception):
    """A problem with one input or output file: reported, and the run goes on."""


# ---------------------------------------------------------------- argument types


# A matrix literal: rows separated by ";", entries by "," or spaces.
_LITERAL = re.compile(r"^[\s\d.,;+\-eE/]+$")


def _parse_number(text: str) -> float:
    """A finite number written as ``0.5``, ``-2``, ``1e-3`` or a fraction ``1/9``."""
    try:
        value = float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError, OverflowError):
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"not a number: {text!r} (expected e.g. 2, -0.5 or 1/9)")
    return value


def _kernel_arg(text: str) -> kernels.Kernel:
    """``--kernel``: a name from ``convpool kernels``, or a matrix literal."""
    with contextlib.suppress(ValueError):
        return kernels.get(text)
    if not _LITERAL.match(text) or not re.search(r"\d", text):
        raise argparse.ArgumentTypeError(
            f"unknown kernel {text!r}; valid names: {', '.join(kernels.KERNELS)}; "
            "or a matrix such as '-1,0,1;-2,0,2;-1,0,1'"
        )
    try:
        matrix = [[_parse_number(x) for x in re.split(r"[,\s]+", row.strip()) if x] for row in text.split(";")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad matrix {text!r}: {exc}") from None
    if any(len(row) == 0 for row in matrix) or len({len(row) for row in matrix}) != 1:
        raise argparse.ArgumentTypeError(
            f"bad matrix {text!r}: rows (separated by ';') must all have the same, "
            "non-zero number of entries (separated by ',')"
        )
    return kernels.Kernel("custom", matrix, description="given on the command line")


def _weight_arg(text: str) -> float:
    try:
        return _parse_number(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _workers_arg(text: str) -> int:
    if text.strip() == "-1":
        return os.cpu_count() or 1
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"must be a positive integer or -1 (all cores), got {text!r}") from None


# Options whose value may start with "-" (a matrix or a negative weight): argparse would
# take "-1,0,1;..." for an option, so such a value is glued on as "--kernel=-1,...".
_DASH_VALUE_OPTIONS = {"-k": "--kernel", "--kernel": "--kernel", "-w": "--weight", "--weight": "--weight"}


def _glue_dash_values(argv: Sequence[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out.extend(argv[i:])
            break
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if arg in _DASH_VALUE_OPTIONS and nxt is not None and re.match(r"^-[\d.]", nxt):
            out.append(f"{_DASH_VALUE_OPTIONS[arg]}={nxt}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


# ---------------------------------------------------------------- files


def _save_atomic(image: Image.Image, path: Path, overwrite: bool) -> None:
    """Write ``image`` to ``path`` whole or not at all.

    The bytes go to a hidden temporary file in the same folder, which is renamed over
    ``path`` only when complete (``os.replace`` is atomic on one file system), so a crash
    or Ctrl-C never leaves a truncated image behind.
    """
    fmt = Image.registered_extensions()[path.suffix.lower()]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        with open(tmp, "xb") as f:
            image.save(f, format=fmt)
        if not overwrite and path.exists():
            raise _FileError(f"{path}: exists (pass --overwrite to replace it)")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _size(shape: Sequence[int]) -> str:
    # Rows x columns (height x width), the order of NumPy shapes and of convpool's API.
    return f"{shape[0]} x {shape[1]}"


def _fmt_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.2f} ms"


def _fmt_weight(weight: float) -> str:
    frac = Fraction(weight).limit_denominator(1000)
    if frac.denominator != 1 and float(frac) == weight:
        return f"{frac.numerator}/{frac.denominator}"
    return f"{weight:g}"


def _median_time(func: Callable[[], T], repeats: int = _TIMING_REPEATS) -> tuple[T, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times)


# ---------------------------------------------------------------- demo


def _new_folder(parent: Path, stem: str) -> Path:
    """A folder that did not exist: ``stem``, else ``stem-2``, ``stem-3``, ..."""
    for n in range(1, 10_000):
        candidate = parent / (stem if n == 1 else f"{stem}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise _FileError(f"{parent}: no free folder name {stem}-N")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _overview(panels: Sequence[tuple[str, np.ndarray]]) -> Image.Image:
    """The input, three feature maps and three pooled maps on one titled picture.

    ``panels`` is the input first, then (feature map, pooled map) pairs. Each map is
    drawn at its true size in pixels with the codelab's kind of axes (ticks every 100
    pixels), so the pooled maps are visibly a quarter of the feature maps.
    """
    title_font, label_font, tick_font = _font(30), _font(20), _font(14)
    ink, faint, paper = 20, 120, 255
    big = panels[0][1].shape[0]
    pad, tick_room, label_room, gap = 40, 34, 34, 24
    cell = tick_room + big + gap
    columns = 1 + (len(panels) - 1) // 2
    heading_room = 70
    width = pad + columns * cell - gap + pad
    small = panels[2][1].shape[0]
    height = heading_room + (label_room + big + tick_room) + (label_room + small + tick_room) + pad
    canvas = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(canvas)
    draw.text(
        (pad, 24),
        "The codelab's three 3x3 filters on the ascent image, then 2x2 max pooling",
        font=title_font,
        fill=ink,
    )

    def place(label: str, array: np.ndarray, left: int, top: int) -> None:
        h, w = array.shape
        x0, y0 = left + tick_room, top + label_room
        draw.text((x0, top + 4), label, font=label_font, fill=ink)
        canvas.paste(Image.fromarray(array), (x0, y0))
        draw.rectangle((x0 - 1, y0 - 1, x0 + w, y0 + h), outline=faint)
        for t in range(0, max(h, w), 100):
            if t < w:  # ticks below, numbered like the codelab's plots
                draw.line((x0 + t, y0 + h, x0 + t, y0 + h + 5), fill=faint)
                draw.text((x0 + t, y0 + h + 7), str(t), font=tick_font, fill=faint, anchor="mt")
            if t < h:
                draw.line((x0 - 6, y0 + t, x0 - 1, y0 + t), fill=faint)
                draw.text((x0 - 8, y0 + t), str(t), font=tick_font, fill=faint, anchor="rm")

    row1 = heading_room
    row2 = row1 + label_room + big + tick_room
    name, image = panels[0]
    place(f"{name}, {_size(image.shape)}", image, pad, row1)
    for i in range((len(panels) - 1) // 2):
        (fname, fmap), (pname, pooled) = panels[1 + 2 * i], panels[2 + 2 * i]
        left = pad + (i + 1) * cell
        place(f"{fname}, {_size(fmap.shape)}", fmap, left, row1)
        place(f"{pname}, {_size(pooled.shape)}", pooled, left, row2)
    note = (
        "Top: feature maps, convpool.convolve\n"
        "with each filter as the codelab writes it,\n"
        "in (row, column) order, clamped to\n"
        "0..255, the 1-pixel margin kept.\n\n"
        "Bottom: convpool.max_pool keeps the\n"
        "largest pixel of each 2x2 block: a\n"
        "quarter of the pixels, the same features."
    )
    draw.multiline_text((pad + tick_room, row2 + label_room), note, font=label_font, fill=ink, spacing=8)
    return canvas


def _demo(args: argparse.Namespace) -> int:
    try:
        return _run_demo(args)
    except (OSError, _FileError) as exc:  # a read-only or full disk, say
        _err(f"demo: {exc}")
        return EXIT_FAILED


def _run_demo(args: argparse.Namespace) -> int:
    if args.out is None:
        out = _new_folder(Path.cwd(), "convpool-demo")
        where = f"{out.name}{os.sep} (a new folder in {Path.cwd()})"
    else:
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            args.parser.error(f"argument --out: {out} exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
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
    overview = _overview(panels)

    targets = [out / n for n, _, _ in names] + [out / "overview.png"]
    clashes = [str(t) for t in targets if t.exists()]
    if clashes and not args.overwrite:
        _err(
            f"demo: {', '.join(clashes)} exist{'s' if len(clashes) == 1 else ''} "
            "(pass --overwrite to replace, or choose another --out)"
        )
        return EXIT_FAILED
    for name, array, _ in names:
        _save_atomic(Image.fromarray(array), out / name, args.overwrite)
    _save_atomic(overview, out / "overview.png", args.overwrite)

    print("convpool demo: the codelab's three 3x3 filters on the bundled ascent image, then 2x2 max pooling")
    print(f"wrote {len(targets)} images to {where}:")
    width = max(len(n) for n, _, _ in names)
    for name, array, what in names:
        print(f"  {name:<{width}}  {_size(array.shape):>11}  {what}")
    overview_size = _size((overview.height, overview.width))
    print(f"  {'overview.png':<{width}}  {overview_size:>11}  all of the above, titled: look at this one")
    print(f"time per call (median of {_TIMING_REPEATS}, one thread), 512 x 512 uint8:")
    name_width = max(len(name) for name, _, _ in timings)
    for name, t_conv, t_pool in timings:
        print(f"  {name:<{name_width}}  convolve {_fmt_seconds(t_conv):>9}   max_pool {_fmt_seconds(t_pool):>9}")
    if args.codelab_loop:
        k = kernels.VERTICAL_LINES
        start = time.perf_counter()
        theirs = reference.codelab_convolution(image, k.matrix.T, k.weight)
        t_loop = time.perf_counter() - start
        ours = dict((n, t) for n, t, _ in timings)[k.name]
        same = bool((theirs == convolve(image, k.matrix, k.weight)).all())
        print(
            f"the codelab's Python loop, one 3x3 pass ({k.name}, its filter transposed): "
            f"{_fmt_seconds(t_loop)}, {t_loop / ours:,.0f}x convolve's time; "
            f"same pixels: {'yes' if same else 'NO'}"
        )
    else:
        print("add --codelab-loop to time the codelab's own Python loop for comparison")
    return EXIT_OK


# ---------------------------------------------------------------- apply


@dataclass(frozen=True)
class _Options:
    kernel: kernels.Kernel
    weight: float
    mode: Literal["keep", "valid", "reflect", "mirror", "nearest", "constant", "wrap"]
    pool: int | None
    dtype: type[np.generic]
    scale: bool
    color: bool
    overwrite: bool
    workers: int


def _readable_suffixes() -> set[str]:
    return {ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN}


def _collect(inputs: Iterable[str]) -> tuple[list[Path], list[str], list[Path]]:
    """The files to process, the failures met on the way, the folder entries skipped.

    A file named on the command line is always tried; from a folder only the files
    whose suffix names an image type Pillow reads (not hidden ones, not sub-folders),
    so a README or ``.DS_Store`` beside the photos is no failure.
    """
    files: list[Path] = []
    failed: list[str] = []
    skipped: list[Path] = []
    suffixes = _readable_suffixes()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            files.append(path)

    for text in inputs:
        path = Path(text)
        if path.is_dir():
            for entry in sorted(path.iterdir()):
                if entry.name.startswith(".") or entry.is_dir():
                    continue
                if entry.suffix.lower() in suffixes:
                    add(entry)
                else:
                    skipped.append(entry)
        elif path.exists():
            add(path)
        else:
            failed.append(f"{path}: no such file or folder")
    return files, failed, skipped


def _target(source: Path, out: Path, opts: _Options) -> Path:
    suffix = ".tif" if opts.dtype is np.float32 and not opts.scale else ".png"
    pool = f".pool{opts.pool}" if opts.pool else ""
    return out / f"{source.stem}.{opts.kernel.name}{pool}{suffix}"


def _read(path: Path, color: bool) -> np.ndarray:
    """Pixels of the first frame: greyscale (or RGB with ``color``) as the codelab uses them.

    8-bit greyscale is the codelab's input; 16-bit, 32-bit and float greyscale images
    keep their values (no rescaling), everything else is converted by Pillow. Photos are
    turned upright by their EXIF orientation first, as viewers show them: the output
    carries no EXIF to turn it.
    """
    try:
        with Image.open(path) as opened:
            im = ImageOps.exif_transpose(opened)
            if color:
                return np.asarray(im.convert("RGB"))
            if im.mode in ("L", "I", "F") or im.mode.startswith("I;16"):
                return np.asarray(im)
            return np.asarray(im.convert("L"))
    except (OSError, ValueError, EOFError, SyntaxError, Image.DecompressionBombError) as exc:
        reason = str(exc).replace(str(path), "").strip(" :'\"") or type(exc).__name__
        raise _FileError(f"{path}: not an image Pillow can read ({reason})") from None


def _to_image(result: np.ndarray, scale: bool) -> Image.Image:
    if scale:
        lo, hi = float(result.min()), float(result.max())
        span = hi - lo
        # Min to max onto 0..255, as matplotlib's imshow shows a float image.
        scaled = (result - lo) * (255.0 / span) if span > 0 else np.zeros_like(result)
        return Image.fromarray(np.rint(scaled).astype(np.uint8))
    return Image.fromarray(result)


def _process(source: Path, target: Path, opts: _Options, workers: int) -> tuple[int, ...]:
    if not opts.overwrite and target.exists():
        raise _FileError(f"{target}: exists (pass --overwrite to replace it)")
    pixels = _read(source, opts.color)
    axes = (0, 1) if pixels.ndim == 3 else None
    result = convolve(
        pixels, opts.kernel.matrix, opts.weight, mode=opts.mode, dtype=opts.dtype, axes=axes, workers=workers
    )
    if opts.pool:
        result = max_pool(result, opts.pool, axes=axes, workers=workers)
    if result.shape[0] == 0 or result.shape[1] == 0:
        pooling = f" and {opts.pool}x{opts.pool} pooling" if opts.pool else ""
        raise _FileError(
            f"{source}: {_size(pixels.shape)} is too small for a {_size(opts.kernel.shape)} kernel{pooling}"
            f" (mode {opts.mode!r}): the result is empty"
        )
    _save_atomic(_to_image(result, opts.scale), target, opts.overwrite)
    return result.shape


def _apply(args: argparse.Namespace) -> int:
    from tqdm import tqdm  # only the apply command needs it

    dtype = {"uint8": np.uint8, "float32": np.float32, None: np.float32 if args.scale else np.uint8}[args.dtype]
    if args.scale and dtype is np.uint8:
        args.parser.error("--scale applies to float32 results; drop --dtype uint8")
    if args.color and dtype is np.float32 and not args.scale:
        args.parser.error("--color with float32 results needs --scale: a 32-bit float TIFF has one channel")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        args.parser.error(f"argument --out: {out} exists and is not a folder")
    kernel: kernels.Kernel = args.kernel
    opts = _Options(
        kernel=kernel,
        weight=kernel.weight if args.weight is None else args.weight,
        mode=args.mode,
        pool=args.pool,
        dtype=dtype,
        scale=args.scale,
        color=args.color,
        overwrite=args.overwrite,
        workers=args.workers,
    )

    started = time.perf_counter()
    files, failed, skipped = _collect(args.inputs)
    for message in failed:
        _err(message)
    jobs: list[tuple[Path, Path]] = []
    inputs = {p.resolve() for p in files}
    claimed: dict[Path, Path] = {}
    for source in files:
        target = _target(source, out, opts)
        key = target.resolve()
        if key in inputs:
            message = f"{source}: its output {target} is an input; inputs are never overwritten"
        elif key in claimed:
            message = f"{source}: its output {target} would also be {claimed[key]}'s; use separate --out folders"
        else:
            claimed[key] = source
            jobs.append((source, target))
            continue
        _err(message)
        failed.append(message)
    if not files and not failed:
        _err(f"apply: no images found in {' '.join(args.inputs)}")
        return EXIT_FAILED

    # Files run in parallel threads (the kernels release the GIL); one file alone gets
    # the threads for its rows instead.
    inner = opts.workers if len(jobs) == 1 else 1
    written: list[Path] = []  # appended by the threads that wrote, so Ctrl-C can count files in flight
    bar = tqdm(
        total=len(jobs),
        unit="image",
        disable=True if args.quiet or len(jobs) < _PROGRESS_MIN_FILES else None,
        file=sys.stderr,
        leave=False,
    )

    def report(source: Path, target: Path, outcome: Any) -> None:
        if isinstance(outcome, _FileError):
            failed.append(str(outcome))
            bar.write(f"convpool: {outcome}", file=sys.stderr)
        elif not args.quiet:
            bar.write(f"{source} -> {target} ({_size(outcome)})", file=sys.stdout)
        bar.update()

    def run(job: tuple[Path, Path]) -> Any:
        try:
            shape = _process(job[0], job[1], opts, inner)
            written.append(job[1])
            return shape
        except _FileError as exc:
            return exc
        except OSError as exc:  # writing: disk full, permissions, ...
            return _FileError(f"{job[1]}: cannot write ({exc.strerror or exc})")

    executor = ThreadPoolExecutor(max_workers=opts.workers) if opts.workers > 1 and len(jobs) > 1 else None
    try:
        if executor is None:
            for job in jobs:
                report(*job, run(job))
        else:
            futures = [executor.submit(run, job) for job in jobs]
            for job, future in zip(jobs, futures, strict=True):
                report(*job, future.result())
    except KeyboardInterrupt:
        if executor is not None:
            # Files in progress finish (or clean up) their temporary files first.
            executor.shutdown(wait=True, cancel_futures=True)
        bar.close()
        _err(f"interrupted: {len(written)} of {len(jobs)} images written, no partial files left")
        return EXIT_INTERRUPTED
    finally:
        if executor is not None:
            executor.shutdown(wait=True)
        bar.close()

    elapsed = time.perf_counter() - started
    if not args.quiet:
        print(f"wrote {len(written)} image{'s' * (len(written) != 1)} to {out}{os.sep} in {_fmt_seconds(elapsed)}")
    if skipped:
        shown = ", ".join(str(p) for p in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
        _err(f"skipped {len(skipped)} file{'s' * (len(skipped) != 1)} in folders not named as images: {shown}")
    if failed:
        total = len(failed) + len(written)
        _err(f"{len(failed)} of {total} file{'s' * (total != 1)} failed:")
        for message in failed:
            _err(f"  {message}", prefix=False)
        return EXIT_FAILED
    return EXIT_OK


# ---------------------------------------------------------------- kernels


def _kernels(args: argparse.Namespace) -> int:
    chosen = []
    for name in args.names or kernels.KERNELS:
        try:
            chosen.append(kernels.get(name))
        except ValueError as exc:
            args.parser.error(str(exc))
    print(
        "Named kernels for --kernel, in (row, column) cross-correlation order as convpool.convolve\n"
        "applies them; the codelab's loop applies a filter transposed. The sum is multiplied by\n"
        "the weight, then clamped to 0..255 for uint8 output."
    )
    for k in chosen:
        entries = [_fmt_weight(float(v)) for v in k.matrix.ravel()]
        width = max(len(e) for e in entries)
        print()
        print(f"{k.name}  ({_size(k.shape)}, weight {_fmt_weight(k.weight)})")
        for r in range(k.shape[0]):
            row = entries[r * k.shape[1] : (r + 1) * k.shape[1]]
            print("    " + "  ".join(e.rjust(width) for e in row))
        print(textwrap.fill(k.description, width=88, initial_indent="  ", subsequent_indent="  "))
    return EXIT_OK


# ---------------------------------------------------------------- parser


def _err(message: str, prefix: bool = True) -> None:
    print(f"convpool: {message}" if prefix else message, file=sys.stderr)


def _examples(*lines: str) -> str:
    """An "examples:" block with the ``# comments`` lined up."""
    split = [[part.strip() for part in line.partition("#")[::2]] for line in lines]
    width = max((len(command) for command, comment in split if comment), default=0)
    rows = [f"  {command:<{width}}  # {comment}" if comment else f"  {command}" for command, comment in split]
    return "examples:\n" + "\n".join(rows)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="convpool",
        description=(
            'Feature maps and max pooling, exactly as the codelab "Build convolutions and '
            'perform pooling" computes them, fast.'
        ),
        epilog=_examples(
            "convpool demo                 # the codelab on the bundled image, into ./convpool-demo",
            "convpool apply photos/ --kernel vertical_lines --pool 2",
            "convpool kernels              # the named kernels and their matrices",
            "convpool COMMAND --help       # more about a command",
        )
        + "\n\nexit status: 0 done, 1 some files failed, 2 usage error, 130 interrupted",
        formatter_class=_FORMATTER,
    )
    parser.add_argument("--version", action="version", version=f"convpool {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="the codelab's three filters and 2x2 max pooling on the bundled ascent image",
        description=(
            "Run the codelab on the bundled 512 x 512 ascent image, no network needed: its\n"
            "three filters (edges, horizontal lines, vertical lines) make three feature maps,\n"
            "2x2 max pooling makes three 256 x 256 maps; all are written as PNG files, with\n"
            "overview.png showing them side by side. Prints what it wrote and the timings.\n\n"
            "The filters are applied as written in (row, column) order, so 'vertical lines'\n"
            "shows vertical lines; the codelab's own loop applies them transposed."
        ),
        epilog=_examples(
            "convpool demo                      # writes into a new folder ./convpool-demo",
            "convpool demo --out maps           # into ./maps (created if needed)",
            "convpool demo --codelab-loop       # also time the codelab's Python loop",
        ),
        formatter_class=_FORMATTER,
    )
    demo.add_argument(
        "-o",
        "--out",
        metavar="DIR",
        help="folder to write into (default: a new folder ./convpool-demo, or -2, -3, ... if taken)",
    )
    demo.add_argument("--overwrite", action="store_true", help="replace files of an earlier demo in --out")
    demo.add_argument(
        "--codelab-loop",
        action="store_true",
        help="also run and time the codelab's Python loop for one 3x3 pass (about a second)",
    )

    apply = sub.add_parser(
        "apply",
        help="a kernel (and max pooling) over your images, files and folders",
        description=(
            "Pass a kernel over images and write the feature maps as images. INPUT is a file\n"
            "or a folder (its files named as images Pillow reads: PNG, JPEG, TIFF, BMP, ...;\n"
            "not its sub-folders). Images are turned upright by their EXIF orientation and\n"
            "converted to 8-bit greyscale as in the codelab (16-bit and float greyscale keep\n"
            "their values); --color filters R, G, B apart. Multi-frame files: the first frame.\n\n"
            "Outputs go to --out as STEM.KERNEL[.poolN].png: uint8, clamped to 0..255 as in\n"
            "the codelab. --dtype float32 keeps negative responses and writes a 32-bit float\n"
            "TIFF (.tif) with the exact values, for analysis; --scale instead writes an 8-bit\n"
            "PNG with the values' min..max stretched to 0..255, for viewing.\n\n"
            "Each file is written whole or not at all (a temporary file, then a rename), never\n"
            "over an input, and not over an existing output without --overwrite. A file that\n"
            "fails is reported and the others go on; the exit status is then 1. Sizes are\n"
            "printed as rows x columns (height x width), like NumPy shapes."
        ),
        epilog=_examples(
            "convpool apply photo.jpg                                # edges -> convpool-out/photo.edges.png",
            "convpool apply photos/ -k sobel_vertical --pool 2 -o maps",
            'convpool apply photo.jpg --kernel "-1,0,1;-2,0,2;-1,0,1"',
            'convpool apply photo.jpg -k "1,1,1;1,1,1;1,1,1" --weight 1/9',
            "convpool apply scans/ -k laplacian --dtype float32     # exact values, .tif",
            "convpool apply photo.jpg -k sobel_horizontal --scale  # both signs, viewable",
            "convpool apply photos/ --color --workers 4",
        ),
        formatter_class=_FORMATTER,
    )
    apply.add_argument("inputs", nargs="+", metavar="INPUT", help="image files and folders of images")
    apply.add_argument(
        "-k",
        "--kernel",
        type=_kernel_arg,
        default=kernels.EDGES,
        metavar="NAME|MATRIX",
        help="a name from 'convpool kernels' (default: edges) or a matrix, rows split by ';' "
        "and entries by ',': \"-1,0,1;-2,0,2;-1,0,1\"",
    )
    apply.add_argument(
        "-w",
        "--weight",
        type=_weight_arg,
        metavar="W",
        help="multiplies the sum, e.g. 0.5 or 1/9 (default: the named kernel's weight, else 1)",
    )
    apply.add_argument(
        "--mode",
        choices=("keep", "valid", "reflect", "mirror", "nearest", "constant", "wrap"),
        default="keep",
        help="keep: the image's size, margin as in the input (the codelab's; default); "
        "valid: only the pixels the kernel covers; reflect, mirror, nearest, constant (0), "
        "wrap: SciPy's border modes, every pixel computed",
    )
    apply.add_argument("--pool", type=_positive_int, metavar="N", help="then N x N max pooling (the codelab's: 2)")
    apply.add_argument(
        "--dtype",
        choices=("uint8", "float32"),
        help="uint8: clamped to 0..255, PNG (default); float32: exact values, 32-bit float TIFF",
    )
    apply.add_argument(
        "--scale",
        action="store_true",
        help="write float32 results as 8-bit PNG, min..max stretched to 0..255 (implies --dtype float32)",
    )
    apply.add_argument("--color", action="store_true", help="filter each colour channel instead of greyscale")
    apply.add_argument(
        "-o",
        "--out",
        metavar="DIR",
        default="convpool-out",
        help="folder for the results, created if needed (default: ./convpool-out)",
    )
    apply.add_argument(
        "-j",
        "--workers",
        type=_workers_arg,
        default=1,
        metavar="N",
        help="files processed in parallel (-1: one per core; default 1)",
    )
    apply.add_argument("--overwrite", action="store_true", help="replace existing outputs (never inputs)")
    apply.add_argument("-q", "--quiet", action="store_true", help="print only errors and the failure summary")

    listing = sub.add_parser(
        "kernels",
        help="list the named kernels with their matrices and weights",
        description="List the named kernels for 'convpool apply --kernel': matrix, weight, what each finds.",
        epilog=_examples("convpool kernels", "convpool kernels sobel_vertical gaussian_5x5"),
        formatter_class=_FORMATTER,
    )
    listing.add_argument("names", nargs="*", metavar="NAME", help="only these kernels")
    for command in (demo, apply, listing):
        command.set_defaults(parser=command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``convpool`` command and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 when everything was written, 1 when some files failed, 2 for a usage error,
        130 when interrupted.

    Examples
    --------
    >>> from convpool.cli import main
    >>> main(["kernels", "vertical_lines"])  # doctest: +NORMALIZE_WHITESPACE
    Named kernels for --kernel, ...
    vertical_lines  (3 x 3, weight 1)
        -1   0   1
        -2   0   2
        -1   0   1
    ...
    0
    """
    parser = _build_parser()
    arguments = _glue_dash_values(sys.argv[1:] if argv is None else list(argv))
    commands = {"demo": _demo, "apply": _apply, "kernels": _kernels}
    try:
        args = parser.parse_args(arguments)
        return commands[args.command](args)
    except SystemExit as exc:  # argparse: --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into a command that stopped reading (| head): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
