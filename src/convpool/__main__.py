"""``python -m convpool``: the ``convpool`` command."""

from convpool.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
