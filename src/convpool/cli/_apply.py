"""``convpool apply``: a kernel (and max pooling) over files and folders of images."""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .. import kernels
from ._common import EXIT_FAILED, EXIT_OK, FileError, describe, echo, err, fmt_seconds, shown, size
from ._io import Found, collect, default_max_pixels, input_kind, own_pixel_limit
from ._naming import Settings
from ._process import Options, Written, process
from ._signals import StopRequest
from ._write import check_writable, name_max, remove_stale_temps

# A progress bar only pays for itself beyond a handful of files.
_PROGRESS_MIN_FILES = 4
# How often the main thread, waiting for a file, looks whether a signal asked it to stop.
_POLL_SECONDS = 0.05

_Job = tuple[Path, Path, type[np.generic]]  # (input, output, the input's kind)
_Outcome = Written | FileError | None  # None: not begun, a stop was asked for


def _settings(args: argparse.Namespace) -> Settings:
    """The settings ``args`` ask for; a usage error (exit status 2) when they contradict."""
    dtype = {"uint8": np.uint8, "uint16": np.uint16, "float32": np.float32, None: None}[args.dtype]
    if args.scale and dtype not in (None, np.float32):
        args.parser.error(f"--scale applies to float32 results; drop --dtype {args.dtype}")
    if args.color and dtype is np.float32 and not args.scale:
        args.parser.error("--color with float32 results needs --scale: a 32-bit float TIFF has one channel")
    if args.color and dtype is np.uint16:
        args.parser.error("--color gives 8-bit results: Pillow writes no 16-bit colour PNG")
    kernel: kernels.Kernel = args.kernel
    return Settings(
        kernel=kernel,
        weight=kernel.weight if args.weight is None else args.weight,
        mode=args.mode,
        pool=args.pool,
        dtype=dtype,
        scale=args.scale,
        color=args.color,
    )


def _failure(source: Path, exc: Exception) -> str:
    """The one-line message of an error :func:`process` did not foresee, in ``source``'s name."""
    return str(exc) if isinstance(exc, FileError) else f"{source}: cannot be processed ({describe(exc)})"


def _plan(files: list[Path], out: Path, settings: Settings) -> tuple[list[_Job], list[str]]:
    """Each file with its output, and messages for the files whose output cannot be theirs."""
    jobs: list[_Job] = []
    failed: list[str] = []
    inputs = {p.resolve() for p in files}
    claimed: dict[Path, Path] = {}
    limit = name_max(out)
    for source in files:
        try:
            kind = input_kind(source, settings.color)
            target = out / settings.output_name(source.stem, kind)
            length = len(os.fsencode(target.name))
            if length > limit:
                raise FileError(
                    f"{source}: its output's name would be {length} bytes, longer than the {limit} the file "
                    f"system of {out}{os.sep} allows; rename the input"
                )
            key = Path(os.path.realpath(target))  # not Path.resolve: a loop of links there is no error yet
            if key in inputs:
                raise FileError(f"{source}: its output {target} is an input; inputs are never overwritten")
            if key in claimed:
                raise FileError(
                    f"{source}: its output {target} would also be {claimed[key]}'s; use separate --out folders"
                )
        except Exception as exc:
            failed.append(_failure(source, exc))
            continue
        claimed[key] = source
        jobs.append((source, target, kind))
    return jobs, failed


def _report_skipped(found: Found) -> None:
    """Say which files were left out: folder entries not named as images, sub-folders, outputs."""

    def some(paths: list[Path]) -> str:
        return ", ".join(str(p) for p in paths[:5]) + (", ..." if len(paths) > 5 else "")

    if found.skipped:
        n = len(found.skipped)
        err(f"skipped {n} file{'s' * (n != 1)} in folders not named as images: {some(found.skipped)}")
    if found.folders:
        n = len(found.folders)
        err(f"skipped {n} sub-folder{'s' * (n != 1)} (not entered): {some(found.folders)}")
    if found.outputs:
        n = len(found.outputs)
        err(f"skipped {n} convpool output{'s' * (n != 1)} (never inputs): {some(found.outputs)}")


def _result(future: Future[_Outcome], stop: StopRequest) -> _Outcome:
    """The outcome of ``future``, or None once a stop is asked for."""
    while True:
        try:
            return future.result(timeout=_POLL_SECONDS)
        except TimeoutError:
            if stop:
                return None


def _run(jobs: list[_Job], opts: Options, args: argparse.Namespace, failed: list[str]) -> list[Path]:
    """Process the jobs in order, report each, and return the outputs written.

    Files run in parallel threads (the kernels release the GIL); one file alone gets the
    threads for its rows instead. Even one worker is a thread of its own: the main
    thread only waits and reports, so a signal never lands in the middle of a write.
    """
    from tqdm import tqdm  # only the apply command needs it

    stop: StopRequest = args.stop
    inner = args.workers if len(jobs) == 1 else 1
    written: list[Path] = []  # appended by the threads that wrote, so a stop can count files in flight
    bar = tqdm(
        total=len(jobs),
        unit="image",
        disable=True if args.quiet or len(jobs) < _PROGRESS_MIN_FILES else None,
        file=sys.stderr,
        leave=False,
    )

    def run(job: _Job) -> _Outcome:
        if stop:  # asked to stop before this file began
            return None
        try:
            done = process(*job, opts, inner)
        except Exception as exc:  # one file's trouble, whatever it is, is that file's failure
            return FileError(_failure(job[0], exc))
        written.append(job[1])
        return done

    def report(job: _Job, outcome: Written | FileError) -> None:
        # Above the progress bar, which goes to the same terminal.
        with bar.external_write_mode(file=sys.stdout):
            if isinstance(outcome, FileError):
                failed.append(str(outcome))
                err(str(outcome))
            else:
                for note in outcome.notes:
                    err(note)
                if not args.quiet:
                    echo(f"{job[0]} -> {job[1]} ({size(outcome.shape)})")
        bar.update()

    executor = ThreadPoolExecutor(max_workers=max(1, min(args.workers, len(jobs))))
    futures = [executor.submit(run, job) for job in jobs]
    reported = 0
    try:
        for job, future in zip(jobs, futures, strict=True):
            outcome = _result(future, stop)
            if outcome is None:
                break
            report(job, outcome)
            reported += 1
    except KeyboardInterrupt:  # raised in a file's work rather than signalled
        stop.set()
    finally:
        # Files in progress finish (or remove their temporary files) first; a second
        # signal meanwhile only sets the flag again.
        executor.shutdown(wait=True, cancel_futures=bool(stop))
    for job, future in zip(jobs[reported:], futures[reported:], strict=True):
        if future.done() and not future.cancelled() and future.exception() is None:
            outcome = future.result()
            if isinstance(outcome, Written):  # finished after the signal
                report(job, outcome)
    bar.close()
    return written


def apply(args: argparse.Namespace) -> int:
    """Run ``convpool apply`` with parsed ``args``; return the exit status."""
    settings = _settings(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        args.parser.error(f"argument --out: {shown(str(out))} exists and is not a folder")
    try:
        check_writable(out)
    except FileError as exc:
        err(f"apply: {exc}")
        return EXIT_FAILED
    remove_stale_temps(out)
    max_pixels = default_max_pixels() if args.max_pixels is None else args.max_pixels
    opts = Options(settings=settings, overwrite=args.overwrite, max_pixels=max_pixels)

    started = time.perf_counter()
    with own_pixel_limit():
        found = collect(args.inputs)
        jobs, unplanned = _plan(found.files, out, settings)
        failed = found.failed + unplanned
        for message in found.failed + found.special + unplanned:
            err(message)
        if not found.files and not found.failed:
            _report_skipped(found)
            err(f"apply: no images found in {' '.join(args.inputs)}")
            return EXIT_FAILED
        written = _run(jobs, opts, args, failed)

    stop: StopRequest = args.stop
    if stop:
        err(stop.summary(len(written), len(jobs)))
        return stop.status
    elapsed = time.perf_counter() - started
    if not args.quiet:
        echo(f"wrote {len(written)} image{'s' * (len(written) != 1)} to {out}{os.sep} in {fmt_seconds(elapsed)}")
    _report_skipped(found)
    if failed:  # each was reported on its own line as it happened
        total = len(failed) + len(written)
        err(f"{len(failed)} of {total} file{'s' * (total != 1)} failed")
        return EXIT_FAILED
    return EXIT_OK
