"""Files for the ``convpool`` command: finding and reading images (writing them is
:mod:`convpool.cli._write`)."""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from ._common import FileError
from ._write import MARKED_SUFFIXES, SOFTWARE_PREFIX, SOFTWARE_TAG


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
    if path.suffix.lower() not in MARKED_SUFFIXES:
        return False
    try:
        with Image.open(path) as im:  # reads the header and text chunks, not the pixels
            software = im.info.get("Software") or getattr(im, "tag_v2", {}).get(SOFTWARE_TAG)
    except Exception:  # whatever is wrong with the file, reading it will say
        return False
    return isinstance(software, str) and software.startswith(SOFTWARE_PREFIX)


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
