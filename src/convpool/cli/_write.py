"""Writing the ``convpool`` command's files atomically, marked as convpool's outputs,
and the output folders."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from .. import __version__
from ._common import FileError

# What marks an image as one of convpool's outputs: its "Software" entry (a PNG text
# chunk, TIFF tag 305) starts so. Outputs are never taken as inputs (see collect).
SOFTWARE_PREFIX = "convpool "
SOFTWARE = SOFTWARE_PREFIX + __version__
SOFTWARE_TAG = 305
_DESCRIPTION_TAG = 270
MARKED_SUFFIXES = (".png", ".tif", ".tiff")


try:
    import fcntl
except ImportError:  # Windows: no flock, so leftover temporary files are left alone
    fcntl = None  # type: ignore[assignment]

# Temporary files are named so, in the output's folder: short whatever the output's name,
# so that a name the file system allows never fails for its temporary file's sake.
_TEMP_PREFIX, _TEMP_SUFFIX = ".convpool-", ".part"


def exists_error(path: Path) -> FileError:
    """The error for an output that exists and may not be replaced."""
    return FileError(f"{path}: exists (pass --overwrite to replace it)")


def _open_temp(folder: Path) -> BinaryIO:
    """A new temporary file in ``folder``, open for writing and locked while it is open.

    The lock (``flock``, released when the file is closed or its process dies) tells
    :func:`remove_stale_temps` in another run that the file is live. A stale-file
    remover may take the lock between the file's creation and ours and remove the
    file; the name it was created under then no longer leads to it, and another is made.
    """
    while True:
        f = open(folder / f"{_TEMP_PREFIX}{secrets.token_hex(4)}{_TEMP_SUFFIX}", "xb")
        if fcntl is None:
            return f
        try:
            fcntl.flock(f, fcntl.LOCK_EX)
        except OSError:  # a file system without locks, where no remover can take one either
            return f
        with contextlib.suppress(OSError):
            if os.path.samestat(os.fstat(f.fileno()), os.stat(f.name)):
                return f
        f.close()


def remove_stale_temps(folder: Path) -> None:
    """Remove the temporary files that runs killed in ``folder`` left (SIGKILL, power loss).

    Only those whose lock can be taken: a live run holds the lock of each of its own.
    Where there is no ``flock`` (Windows) they are left alone.
    """
    if fcntl is None or not folder.is_dir():
        return
    for path in folder.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
        try:
            # Not through a symbolic link, and without waiting on a FIFO of that name.
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.unlink(path)  # under the lock, so no live run can have it
        except OSError:  # locked by a live run, or gone already
            pass
        finally:
            os.close(fd)


def name_max(folder: Path) -> int:
    """The longest file name, in bytes, the file system of ``folder`` (or its nearest
    existing parent) allows; 255, the usual limit, where it does not say."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, ValueError, OSError):  # no pathconf (Windows), or no answer
        return 255


def _take_name(tmp: Path, path: Path, overwrite: bool) -> None:
    """Give the complete temporary file ``tmp`` the name ``path``: one atomic step.

    Without ``overwrite`` a hard link makes the new name, which fails if anything has
    that name, a dangling symbolic link included, even one another process made a
    moment ago; a check followed by a rename would replace it. A file system without
    hard links (FAT, some network shares) gets an exclusive create of ``path`` and a
    copy instead: still never a replacement, though a crash mid-copy can leave the copy
    part-written.
    """
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise exists_error(path) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS):
            raise
        try:
            with open(tmp, "rb") as source, open(path, "xb") as target:
                shutil.copyfileobj(source, target)
        except FileExistsError:
            raise exists_error(path) from None
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(path)  # only ours: the exclusive create succeeded
            raise
    os.unlink(tmp)


def save_atomic(image: Image.Image, path: Path, overwrite: bool, description: str | None = None) -> None:
    """Write ``image`` to ``path`` whole or not at all; marked as an output with ``description``.

    The bytes go to a hidden temporary file in the same folder, which takes the name
    ``path`` only when complete (see :func:`_take_name`), so a crash or Ctrl-C never
    leaves a truncated image behind, and without ``overwrite`` nothing that has the
    name, however recently, is replaced. With ``description`` (how the image was made)
    the file carries :data:`SOFTWARE` in its metadata, which :func:`collect` recognises.
    """
    fmt = Image.registered_extensions()[path.suffix.lower()]
    params: dict[str, Any] = {}
    if description is not None and fmt == "PNG":
        info = PngInfo()
        info.add_text("Software", SOFTWARE)
        info.add_text("Description", description)
        params["pnginfo"] = info
    elif description is not None and fmt == "TIFF":
        params["tiffinfo"] = {SOFTWARE_TAG: SOFTWARE, _DESCRIPTION_TAG: description}
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _open_temp(path.parent) as f:  # locked until the name is taken
            tmp = Path(f.name)
            image.save(f, format=fmt, **params)
            f.flush()
            _take_name(tmp, path, overwrite)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):  # disk full, permissions, ...: named by the file, not the temporary one
            raise FileError(f"{path}: cannot write ({exc.strerror or exc})") from exc
        raise


def check_writable(folder: Path) -> None:
    """Raise :class:`FileError` unless files can be written in ``folder`` or it can be made.

    Checked once before any image is read, rather than found out at each file's write.
    An existing folder is tried with a hidden file that is removed at once; for one to
    be made, the nearest existing parent must be a folder the user may write in.
    """
    where = f"cannot write to {folder}{os.sep}"
    if folder.is_dir():
        try:
            fd, probe = tempfile.mkstemp(prefix=".convpool-", suffix=".probe", dir=folder)
        except OSError as exc:
            raise FileError(f"{where} ({exc.strerror or exc})") from None
        os.close(fd)
        os.unlink(probe)
        return
    parent = folder.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise FileError(f"{where} ({parent} is not a folder)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FileError(f"{where} (cannot create it in {parent}: permission denied)")


def new_folder(parent: Path, stem: str) -> Path:
    """A folder that did not exist: ``stem``, else ``stem-2``, ``stem-3``, ..."""
    for n in range(1, 10_000):
        candidate = parent / (stem if n == 1 else f"{stem}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise FileError(f"{parent}: no free folder name {stem}-N")


# ---------------------------------------------------------------- finding
