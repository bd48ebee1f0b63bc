"""The ``convpool`` command: feature maps of the bundled image and of anyone's images.

``convpool demo`` runs the codelab on the bundled ascent image, ``convpool apply`` runs
a kernel (and optionally max pooling) over files and folders of images, ``convpool
kernels`` lists the named kernels. :func:`main` is the entry point of both the console
script and ``python -m convpool``.

Exit status: 0 when everything was written; 1 when some files failed (each is reported,
the others are still processed, and a summary ends the run); 2 for a usage error
(nothing is done); 130 when interrupted with Ctrl-C (SIGINT), 143 by SIGTERM: the
files in progress are finished, no partial file is left, and the last line says how
many images were written.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ._apply import apply
from ._args import glue_dash_values
from ._common import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, err
from ._demo import demo
from ._listing import list_kernels
from ._parser import build_parser
from ._signals import stop_on_signals

__all__ = ["main"]


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
        130 when interrupted by SIGINT (Ctrl-C), 143 by SIGTERM.

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
    parser = build_parser()
    arguments = glue_dash_values(sys.argv[1:] if argv is None else list(argv))
    commands = {"demo": demo, "apply": apply, "kernels": list_kernels}
    try:
        args, unknown = parser.parse_known_args(arguments)
        if unknown:  # told with the subcommand's own usage, not the top-level one
            args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        # Called as the program (argv from sys.argv), signals after a stop are ignored
        # until the process exits, so its exit status is always 130 or 143.
        with stop_on_signals(hold=argv is None) as args.stop:
            return commands[args.command](args)
    except SystemExit as exc:  # argparse: --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        err("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `convpool kernels | head`: output piped into a command that stopped reading is
        # no error. (apply goes on without its stdout and reports failures, see echo.)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
