"""SIGINT and SIGTERM as a request to stop: the files in progress finish, no others start."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from ._common import EXIT_INTERRUPTED, EXIT_TERMINATED


class StopRequest:
    """Set by the first SIGINT or SIGTERM of a run; true from then on."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signum: int | None = None

    def set(self, signum: int = signal.SIGINT) -> None:
        """Ask the run to stop, for signal ``signum`` unless an earlier one asked first."""
        if self.signum is None:
            self.signum = signum
        self._event.set()

    def __bool__(self) -> bool:
        return self._event.is_set()

    @property
    def status(self) -> int:
        """The exit status: 130 for SIGINT, 143 for SIGTERM (128 + the signal's number)."""
        return EXIT_TERMINATED if self.signum == signal.SIGTERM else EXIT_INTERRUPTED

    def summary(self, written: int, total: int) -> str:
        """The last line of a stopped run: what happened, and how many images were written."""
        word = "terminated" if self.signum == signal.SIGTERM else "interrupted"
        return f"{word}: {written} of {total} images written, no partial files left"


@contextlib.contextmanager
def stop_on_signals(hold: bool = False) -> Iterator[StopRequest]:
    """SIGINT and SIGTERM set the yielded :class:`StopRequest` instead of interrupting.

    Raising KeyboardInterrupt (or dying, for SIGTERM) in the middle of a write, or of the
    clean-up after the first signal when a second one follows, would leave a temporary
    file behind; a flag the run checks between files cannot. A signal ignored on entry
    (a background job's SIGINT) stays ignored; outside the main thread, where Python
    delivers no signals, nothing is installed.

    With ``hold``, once a stop was asked for the signals stay ignored after the block,
    for a process about to exit: a late second Ctrl-C would otherwise kill it on the way
    out, with another exit status. Otherwise the previous handlers come back.
    """
    stop = StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set(signum)

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        old = signal.getsignal(signum)
        if old is not signal.SIG_IGN:
            previous[signum] = signal.SIG_DFL if old is None else old
            signal.signal(signum, handler)
    try:
        yield stop
    finally:
        for signum, old in previous.items():
            signal.signal(signum, signal.SIG_IGN if hold and stop else old)
