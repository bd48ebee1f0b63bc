"""The threads shared by every call, and the split of a call's output rows into bands."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from . import _config

_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def run_bands(task: Callable[..., None], args: tuple[Any, ...], rows: int, work: int, workers: int) -> None:
    """Run ``task(*args, start, stop)`` over output rows ``0..rows``, split across up to
    ``workers`` threads: as many as ``work`` (in pixels of the codelab's 3x3 filters)
    pays for, by ``_config.Settings.min_pixels_per_thread``.

    The calling thread takes the first band, the shared pool the others. Pool tasks are
    only kernel calls and never wait on anything, so concurrent and nested callers
    cannot deadlock: at worst their bands queue.
    """
    bands = min(workers, rows, max(1, work // _config.current().min_pixels_per_thread))
    if bands <= 1:
        task(*args, 0, rows)
        return
    edges = [rows * b // bands for b in range(bands + 1)]
    pool = _thread_pool()
    futures: list[Future[None]] = [pool.submit(task, *args, edges[b], edges[b + 1]) for b in range(1, bands)]
    try:
        task(*args, edges[0], edges[1])
    finally:
        # Wait for every band before returning or raising: they write into the output.
        errors = [f.exception() for f in futures]
    for exc in errors:
        if exc is not None:
            raise exc


def _thread_pool() -> ThreadPoolExecutor:
    """The threads shared by all calls, started on first use (a pool per call costs
    more than a small image's filtering)."""
    global _POOL
    pool = _POOL
    if pool is None:
        with _POOL_LOCK:
            if _POOL is None:
                # Threads start only as bands need them; calls with more bands than
                # threads queue them, which changes no result.
                _POOL = ThreadPoolExecutor(max_workers=max(os.cpu_count() or 1, 4), thread_name_prefix="convpool")
            pool = _POOL
    return pool


def _forget_pool() -> None:
    # A forked child has none of the parent's threads: start a new pool there.
    global _POOL, _POOL_LOCK
    _POOL = None
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
