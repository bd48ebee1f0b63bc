"""Files for the ``convpool`` command: finding and reading images, writing them atomically."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from PIL import Image, ImageOps
from PIL.PngImagePlugin import PngInfo

from .. import __version__
from ._common import FileError

# What marks an image as one of convpool's outputs: its "Software" entry (a PNG text
# chunk, TIFF tag 305) starts so. Outputs are never taken as inputs (see collect).
_SOFTWARE_PREFIX = "convpool "
SOFTWARE = _SOFTWARE_PREFIX + __version__
_SOFTWARE_TAG = 305
_DESCRIPTION_TAG = 270
_MARKED_SUFFIXES = (".png", ".tif", ".tiff")


# ---------------------------------------------------------------- writing


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
        params["tiffinfo"] = {_SOFTWARE_TAG: SOFTWARE, _DESCRIPTION_TAG: description}
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


def _readable_suffixes() -> set[str]:
    return {ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN}


def _not_regular(path: Path) -> str | None:
    """What ``path`` is when it is no regular file (``"a FIFO, not a regular file"``), else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # gone or unreadable: reading it says why
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISFIFO, "a FIFO, "),
        (stat.S_ISSOCK, "a socket, "),
        (stat.S_ISCHR, "a character device, "),
        (stat.S_ISBLK, "a block device, "),
    )
    return next((kind for test, kind in kinds if test(mode)), "") + "not a regular file"


def _is_output(path: Path) -> bool:
    """Whether ``path`` is an image convpool wrote (its metadata says so)."""
    if path.suffix.lower() not in _MARKED_SUFFIXES:
        return False
    try:
        with Image.open(path) as im:  # reads the header and text chunks, not the pixels
            software = im.info.get("Software") or getattr(im, "tag_v2", {}).get(_SOFTWARE_TAG)
    except Exception:  # whatever is wrong with the file, reading it will say
        return False
    return isinstance(software, str) and software.startswith(_SOFTWARE_PREFIX)


@dataclass
class Found:
    """What :func:`collect` found: the files to process and the ones it leaves out.

    ``failed`` are messages for named files that cannot be processed, ``skipped`` the
    folder entries not named as images, ``folders`` the sub-folders (not entered),
    ``special`` messages for folder entries that are no regular files (opening a FIFO
    would wait for a writer forever), ``outputs`` the files, named or in folders, that
    convpool wrote.
    """

    files: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    special: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)


def collect(inputs: Iterable[str]) -> Found:
    """The files to process, the failures met on the way, the folder entries skipped.

    A file named on the command line is tried; from a folder only the regular files
    whose suffix names an image type Pillow reads (not hidden ones; sub-folders are
    listed, not entered), so a README or ``.DS_Store`` beside the photos is no failure. convpool's own
    outputs, recognised by their metadata, are left out either way: run again with
    ``--out`` the input folder, it would otherwise filter its earlier results.
    """
    found = Found()
    suffixes = _readable_suffixes()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        try:
            key = path.resolve()
        except RuntimeError:  # pathlib's word for a loop of symbolic links
            found.failed.append(f"{path}: a loop of symbolic links")
            return
        if key in seen:
            return
        seen.add(key)
        if _is_output(path):
            found.outputs.append(path)
        else:
            found.files.append(path)

    for text in inputs:
        path = Path(text)
        try:
            if path.is_dir():
                for entry in sorted(path.iterdir()):
                    if entry.name.startswith("."):
                        continue
                    if entry.is_dir():
                        found.folders.append(entry)
                    elif entry.suffix.lower() not in suffixes:
                        found.skipped.append(entry)
                    elif special := _not_regular(entry):
                        found.special.append(f"{entry}: skipped, {special}")
                    else:
                        add(entry)
            elif special := _not_regular(path):
                found.failed.append(f"{path}: {special}")
            elif path.exists():
                add(path)
            else:
                found.failed.append(f"{path}: no such file or folder")
        except OSError as exc:  # a name too long, a folder that cannot be listed, ...
            found.failed.append(f"{path}: {exc.strerror or exc}")
    return found


# ---------------------------------------------------------------- reading


def default_max_pixels() -> int | None:
    """Pillow's limit against decompression bombs: it refuses images above twice its
    ``MAX_IMAGE_PIXELS`` (and warns above it)."""
    return None if Image.MAX_IMAGE_PIXELS is None else 2 * Image.MAX_IMAGE_PIXELS


@contextlib.contextmanager
def own_pixel_limit() -> Iterator[None]:
    """Pillow's decompression-bomb check off for the block: :func:`read_image` checks
    ``--max-pixels`` itself, with a message that says so, and no warning leaks out."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = saved


# Pillow modes of unsigned 16-bit greyscale (16-bit PNGs and TIFFs open as I;16).
_UINT16_MODES = ("I;16", "I;16L", "I;16B", "I;16N")
_BITS_TAG = 258
_SAMPLE_FORMAT_TAG = 339


def _kind(im: Image.Image, color: bool) -> type[np.generic]:
    """The kind of ``im`` as convpool reads it: np.uint8, np.uint16 or np.float32.

    uint16: unsigned 16-bit greyscale (modes I;16*, and mode I from a PNG, or a TIFF of
    16 unsigned bits a sample). float32: float greyscale (mode F), and 32-bit integers
    (mode I otherwise) and signed 16-bit ones, which no 8- or 16-bit PNG holds.
    Everything else, and every image with ``color`` (Pillow's RGB is 8-bit), is uint8.
    """
    if color:
        return np.uint8
    mode = im.mode
    if mode in _UINT16_MODES:
        return np.uint16
    if mode == "I":
        if im.format == "PNG":  # PNG greyscale has at most 16 bits
            return np.uint16
        tags = getattr(im, "tag_v2", {})
        if tuple(tags.get(_BITS_TAG, ())) == (16,) and tuple(tags.get(_SAMPLE_FORMAT_TAG, (1,))) == (1,):
            return np.uint16
        return np.float32
    if mode == "F" or mode.startswith("I;"):
        return np.float32
    return np.uint8


def input_kind(path: Path, color: bool) -> type[np.generic]:
    """The kind of the image at ``path`` from its header (see :func:`_kind`).

    A file Pillow cannot open counts as 8-bit: reading it reports why it fails.
    """
    try:
        with Image.open(path) as im:
            return _kind(im, color)
    except Exception:
        return np.uint8


def stretch(values: np.ndarray) -> np.ndarray:
    """``values`` as uint8, their finite min..max stretched onto 0..255 (as matplotlib's
    imshow shows a float image); NaN and -inf become 0, +inf 255."""
    finite = np.isfinite(values)
    picked = values[finite].astype(np.float64)  # float64: max - min of float32 cannot overflow
    scaled = np.zeros(values.shape, np.uint8)
    if picked.size:
        lo, hi = picked.min(), picked.max()
        if hi > lo:
            scaled[finite] = np.rint((picked - lo) * (255.0 / (hi - lo)))
    scaled[np.isposinf(values)] = 255
    return scaled


def read_image(
    path: Path, color: bool, max_pixels: int | None, kind: type[np.generic] | None = None
) -> tuple[np.ndarray, list[str]]:
    """Pixels of the first frame, greyscale (or RGB with ``color``), and warnings to print.

    The image is read as ``kind`` (by default its own, :func:`input_kind`): uint8 (8-bit
    greyscale, the codelab's input, or RGB; Pillow converts other modes), uint16 (its
    16-bit values) or float32 (float and 32-bit integer values as they are). With
    ``color`` a 16-bit, float or 32-bit integer greyscale image is stretched onto 8 bits
    first, its min..max onto 0..255 as ``--scale`` stretches results, with a note:
    Pillow's RGB is 8-bit, and converting such values to it would clip them to a white
    or black page. Photos are turned upright by their EXIF orientation first, as viewers
    show them: the output carries no EXIF to turn it. An image of more than
    ``max_pixels`` pixels is refused before it is decoded; a file of several frames
    (GIF, multi-page TIFF) gives its first, with a warning.
    """
    notes = []
    try:
        with Image.open(path) as opened:
            rows, columns = opened.height, opened.width
            if max_pixels is not None and rows * columns > max_pixels:
                raise FileError(
                    f"{path}: {rows} x {columns} = {rows * columns} pixels, above the limit of "
                    f"{max_pixels} (--max-pixels raises it)"
                )
            frames = getattr(opened, "n_frames", 1)
            if frames > 1:
                notes.append(f"{path}: {frames} frames; only the first is filtered")
            own = _kind(opened, False)
            if kind is None:
                kind = _kind(opened, color)
            opened.load()  # decoding errors here, before the conversion's own
            im = ImageOps.exif_transpose(opened)
            if color and own is not np.uint8:
                values = _values(im, own)
                notes.append(
                    f"{path}: {_KIND_WORDS[own]} greyscale; --color stretched its values' min..max onto "
                    "0..255 (--color results are 8-bit)"
                )
                return np.repeat(stretch(values)[..., np.newaxis], 3, axis=2), notes
            if kind is not np.uint8:
                return _values(im, kind), notes
            if not color and im.mode == "L":
                return np.asarray(im), notes
            try:
                converted = im.convert("RGB" if color else "L")
            except ValueError:
                raise FileError(
                    f"{path}: colour mode {im.mode} cannot be converted to {'RGB' if color else 'greyscale'}"
                ) from None
            return np.asarray(converted), notes
    except (FileError, MemoryError):
        raise
    except Exception as exc:  # whatever Pillow raises for a file it cannot decode
        reason = " ".join(str(exc).replace(str(path), "").strip(" :'\"").split()) or type(exc).__name__
        raise FileError(f"{path}: not an image Pillow can read ({reason})") from None


_KIND_WORDS: dict[type[np.generic], str] = {np.uint16: "16-bit", np.float32: "float or 32-bit integer"}


def _values(im: Image.Image, kind: type[np.generic]) -> np.ndarray:
    """The pixels of a 16-bit, float or 32-bit integer greyscale ``im`` as ``kind`` reads them."""
    if kind is np.uint16:
        return np.asarray(im).astype(np.uint16)  # native byte order; mode I PNG: 16-bit values
    values = np.asarray(im)
    return values if values.dtype.kind == "f" else values.astype(np.int32)
