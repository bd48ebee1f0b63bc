"""``convpool apply``: a kernel (and max pooling) over files and folders of images."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .. import convolve, kernels, max_pool
from ._common import EXIT_FAILED, EXIT_OK, FileError, err, fmt_seconds, size
from ._io import Found, collect, read_image, save_atomic
from ._naming import Settings
from ._signals import StopRequest

# A progress bar only pays for itself beyond a handful of files.
_PROGRESS_MIN_FILES = 4
# How often the main thread, waiting for a file, looks whether a signal asked it to stop.
_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class _Options:
    settings: Settings
    overwrite: bool
    workers: int


def _to_image(result: np.ndarray, scale: bool) -> tuple[Image.Image, str | None]:
    """The result as an image, and what to tell about its non-finite values, if any.

    With ``scale`` the finite values' min..max is stretched onto 0..255 (as matplotlib's
    imshow shows a float image); NaN and -inf become 0 and +inf 255, so one such pixel
    no longer turns the whole picture black.
    """
    if not scale:
        return Image.fromarray(result), None
    finite = np.isfinite(result)
    values = result[finite].astype(np.float64)  # float64: max - min of float32 cannot overflow
    scaled = np.zeros(result.shape, np.uint8)
    if values.size:
        lo, hi = values.min(), values.max()
        if hi > lo:
            scaled[finite] = np.rint((values - lo) * (255.0 / (hi - lo)))
    scaled[np.isposinf(result)] = 255
    note = None
    if values.size < result.size:
        kinds = [
            (kind, count, written)
            for kind, count, written in (
                ("NaN", np.count_nonzero(np.isnan(result)), 0),
                ("+inf", np.count_nonzero(np.isposinf(result)), 255),
                ("-inf", np.count_nonzero(np.isneginf(result)), 0),
            )
            if count
        ]
        counts = " and ".join(f"{count} {kind}" for kind, count, _ in kinds)
        written = ", ".join(f"{kind} as {value}" for kind, _, value in kinds)
        note = (
            f"{counts} among the {result.size} values of the result: --scale stretched the "
            f"finite values over 0..255 and wrote {written}"
        )
    return Image.fromarray(scaled), note


@dataclass(frozen=True)
class _Written:
    """A file written: the result's shape, and lines to tell about it on stderr."""

    shape: tuple[int, ...]
    notes: tuple[str, ...] = ()


def _process(source: Path, target: Path, opts: _Options, workers: int) -> _Written:
    if not opts.overwrite and target.exists():
        raise FileError(f"{target}: exists (pass --overwrite to replace it)")
    how = opts.settings
    pixels = read_image(source, how.color)
    axes = (0, 1) if pixels.ndim == 3 else None
    result = convolve(pixels, how.kernel.matrix, how.weight, mode=how.mode, dtype=how.dtype, axes=axes, workers=workers)
    if how.pool:
        result = max_pool(result, how.pool, axes=axes, workers=workers)
    if result.shape[0] == 0 or result.shape[1] == 0:
        pooling = f" and {how.pool}x{how.pool} pooling" if how.pool else ""
        raise FileError(
            f"{source}: {size(pixels.shape)} is too small for a {size(how.kernel.shape)} kernel{pooling}"
            f" (mode {how.mode!r}): the result is empty"
        )
    image, note = _to_image(result, how.scale)
    save_atomic(image, target, opts.overwrite, f"{how.description()} {shlex.quote(source.name)}")
    return _Written(result.shape, () if note is None else (f"{source}: {note}",))


def _report_skipped(found: Found) -> None:
    """Say which files were left out: folder entries not named as images, outputs."""

    def some(paths: list[Path]) -> str:
        return ", ".join(str(p) for p in paths[:5]) + (", ..." if len(paths) > 5 else "")

    if found.skipped:
        n = len(found.skipped)
        err(f"skipped {n} file{'s' * (n != 1)} in folders not named as images: {some(found.skipped)}")
    if found.outputs:
        n = len(found.outputs)
        err(f"skipped {n} convpool output{'s' * (n != 1)} (never inputs): {some(found.outputs)}")


def _result(future: Future[_Written | FileError | None], stop: StopRequest) -> _Written | FileError | None:
    """The outcome of ``future``, or None once a stop is asked for (or the file was skipped)."""
    while True:
        try:
            return future.result(timeout=_POLL_SECONDS)
        except TimeoutError:
            if stop:
                return None


def apply(args: argparse.Namespace) -> int:
    """Run ``convpool apply`` with parsed ``args``; return the exit status."""
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
    settings = Settings(
        kernel=kernel,
        weight=kernel.weight if args.weight is None else args.weight,
        mode=args.mode,
        pool=args.pool,
        dtype=dtype,
        scale=args.scale,
        color=args.color,
    )
    opts = _Options(settings=settings, overwrite=args.overwrite, workers=args.workers)

    started = time.perf_counter()
    found = collect(args.inputs)
    files, failed = found.files, found.failed
    for message in failed + found.special:
        err(message)
    jobs: list[tuple[Path, Path]] = []
    inputs = {p.resolve() for p in files}
    claimed: dict[Path, Path] = {}
    for source in files:
        target = out / settings.output_name(source.stem)
        key = target.resolve()
        if key in inputs:
            message = f"{source}: its output {target} is an input; inputs are never overwritten"
        elif key in claimed:
            message = f"{source}: its output {target} would also be {claimed[key]}'s; use separate --out folders"
        else:
            claimed[key] = source
            jobs.append((source, target))
            continue
        err(message)
        failed.append(message)
    if not files and not failed:
        _report_skipped(found)
        err(f"apply: no images found in {' '.join(args.inputs)}")
        return EXIT_FAILED

    # Files run in parallel threads (the kernels release the GIL); one file alone gets
    # the threads for its rows instead.
    inner = opts.workers if len(jobs) == 1 else 1
    written: list[Path] = []  # appended by the threads that wrote, so a stop can count files in flight
    bar = tqdm(
        total=len(jobs),
        unit="image",
        disable=True if args.quiet or len(jobs) < _PROGRESS_MIN_FILES else None,
        file=sys.stderr,
        leave=False,
    )

    def report(source: Path, target: Path, outcome: _Written | FileError) -> None:
        if isinstance(outcome, FileError):
            failed.append(str(outcome))
            bar.write(f"convpool: {outcome}", file=sys.stderr)
        else:
            for note in outcome.notes:
                bar.write(f"convpool: {note}", file=sys.stderr)
            if not args.quiet:
                bar.write(f"{source} -> {target} ({size(outcome.shape)})", file=sys.stdout)
        bar.update()

    stop: StopRequest = args.stop

    def run(job: tuple[Path, Path]) -> _Written | FileError | None:
        if stop:  # asked to stop before this file began
            return None
        try:
            done = _process(job[0], job[1], opts, inner)
            written.append(job[1])
            return done
        except FileError as exc:
            return exc
        except OSError as exc:  # writing: disk full, permissions, ...
            return FileError(f"{job[1]}: cannot write ({exc.strerror or exc})")

    # Even one worker is a thread of its own: the main thread only waits and
    # reports, so a signal never lands in the middle of a write.
    executor = ThreadPoolExecutor(max_workers=max(1, min(opts.workers, len(jobs))))
    futures = [executor.submit(run, job) for job in jobs]
    reported = 0
    try:
        for job, future in zip(jobs, futures, strict=True):
            outcome = _result(future, stop)
            if outcome is None:
                break
            report(*job, outcome)
            reported += 1
    except KeyboardInterrupt:  # raised in a file's work rather than signalled
        stop.set()
    finally:
        # Files in progress finish (or remove their temporary files) first; a second
        # signal meanwhile only sets the flag again.
        executor.shutdown(wait=True, cancel_futures=bool(stop))
    if stop:
        for job, future in zip(jobs[reported:], futures[reported:], strict=True):
            if future.done() and not future.cancelled() and future.exception() is None:
                outcome = future.result()
                if isinstance(outcome, _Written):  # files that finished after the signal
                    report(*job, outcome)
        bar.close()
        err(f"{stop.word}: {len(written)} of {len(jobs)} images written, no partial files left")
        return stop.status
    bar.close()

    elapsed = time.perf_counter() - started
    if not args.quiet:
        print(f"wrote {len(written)} image{'s' * (len(written) != 1)} to {out}{os.sep} in {fmt_seconds(elapsed)}")
    _report_skipped(found)
    if failed:
        total = len(failed) + len(written)
        err(f"{len(failed)} of {total} file{'s' * (total != 1)} failed:")
        for message in failed:
            err(f"  {message}", prefix=False)
        return EXIT_FAILED
    return EXIT_OK
